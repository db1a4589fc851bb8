import { describe, expect, it } from 'vitest';
import { route } from '../../../src/cli.js';
import { UsageError } from '../../../src/lib/errors.js';

describe('route: argv to what runs', () => {
  const cases: Array<[string[], string]> = [
    [['-v'], 'version'],
    [['-version'], 'version'],
    [['--version'], 'version'],
    [['-version', '-help'], 'help:-version'],
    [['-h'], 'help:'],
    [['-help', 'ls'], 'help:-list'],
    [['-help', '-rm'], 'help:-remove'],
    [['-ls'], 'command:-list'],
    [['-list', '--json'], 'command:-list'],
    [['-ls', '-help'], 'help:-list'],
    [['-rm', 'x', '--yes'], 'command:-remove'],
    [['-adopt', 'x'], 'command:-adopt'],
    [['work'], 'command:'],
    [['work', '--force'], 'command:'],
    [['work', '-help'], 'help:'],
    [['work', '--', '-h'], 'command:'],
    [['work', '-spawn', '-help'], 'help:-spawn'], // a global command's help, whatever came first
    [['work', '-ls', '--help'], 'help:-list'],
    [[], 'command:-list'],
  ];
  it.each(cases)('%j -> %s', (argv, expected) => {
    const r = route(argv);
    const got = r.kind === 'command' ? `command:${r.spec.name}` : r.kind === 'help' ? `help:${r.topic?.name ?? ''}` : r.kind;
    expect(got).toBe(expected);
  });

  it('passes the session to session commands and args after -- through', () => {
    const r = route(['work', '--force', '--', '--model', 'opus']);
    expect(r.kind === 'command' && r.inv.session).toBe('work');
    expect(r.kind === 'command' && r.args).toEqual(['--force', '--', '--model', 'opus']);
  });

  it.each([['-nope'], ['work', '-nope'], ['-help', 'nope'], ['work', '-ls'], ['-version', 'extra'], ['-v', '--json']])('rejects %j with a usage error', (...argv) => {
    expect(() => route(argv)).toThrow(UsageError);
  });
});

describe('did you mean', () => {
  it.each([
    [['-sl'], /did you mean cs -ls\?/],
    [['-serach'], /did you mean cs -search\?/],
    [['-doctr'], /did you mean cs -doctor\?/],
    [['work', '-conversatons'], /did you mean cs work -conversations\?/],
    [['-zzzzzz'], /^see cs -help for the list of commands$/],
  ])('%j', (argv, hint) => {
    let err: unknown;
    try {
      route(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toMatch(hint);
  });
});
