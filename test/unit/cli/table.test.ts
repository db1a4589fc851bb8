// The command table is the one declaration of every command: this walks all
// of it and checks that parsing accepts exactly what is declared (every flag
// of every command and subcommand, in every spelling; an undeclared one is
// refused), that each leaf has a module to run it, and that the usage lines
// of the help name only declared flags.
import { describe, expect, it } from 'vitest';
import { flagPlaceholder, parseArgv, usageOf } from '../../../src/commands/argv.js';
import { LOADERS, loaderKey } from '../../../src/commands/loaders.js';
import { COMMANDS, declaredFlags, OPEN, PICK, type CommandSpec, type Decl, type SubcommandDecl } from '../../../src/commands/table.js';
import { UsageError } from '../../../src/lib/errors.js';

interface Leaf {
  spec: CommandSpec;
  chain: SubcommandDecl[];
  decl: Decl;
}

function leaves(spec: CommandSpec): Leaf[] {
  const out: Leaf[] = [];
  const walk = (decl: Decl, chain: SubcommandDecl[]) => {
    if (!decl.subcommands?.length) out.push({ spec, chain, decl });
    for (const s of decl.subcommands ?? []) walk(s, [...chain, s]);
  };
  walk(spec, []);
  return out;
}

const runnable = [OPEN, ...COMMANDS.filter((c) => !c.builtin)];
const all = runnable.flatMap(leaves);
const label = (l: Leaf) => [l.spec.name || 'cs <name>', ...l.chain.map((s) => s.name)].join(' ');

/** argv that satisfies a leaf's operands: its subcommand words, then one word per required operand. */
function baseArgv(l: Leaf): string[] {
  return [...l.chain.map((s) => s.name), ...(l.decl.operands ?? []).filter((o) => !o.optional).map((o) => `${o.name.replace(/\W/g, '')}1`)];
}

const given = (l: Leaf) => (l.spec === OPEN ? { session: 'api' } : {});

describe('the command table', () => {
  it('has leaves to walk', () => expect(all.length).toBeGreaterThan(60));

  it.each(all.map((l) => [label(l), l] as const))('%s accepts each of its declared flags, in every spelling', (_name, l) => {
    const flags = [...(l.spec.flags ?? []), ...l.chain.flatMap((s) => s.flags ?? [])];
    for (const f of flags) {
      for (const spelled of [f.name, ...(f.aliases ?? [])]) {
        const argv = [...baseArgv(l), spelled, ...(f.value ? ['7'] : [])];
        const a = parseArgv(l.spec, argv, given(l), {});
        expect(a.sub, argv.join(' ')).toEqual(l.chain.map((s) => s.name));
        expect(a.flags.get(f.name), argv.join(' ')).toBe(f.value ? '7' : true);
        if (f.value) expect(parseArgv(l.spec, [...baseArgv(l), `${spelled}=8`], given(l), {}).flags.get(f.name)).toBe('8');
      }
      if (f.value) expect(() => parseArgv(l.spec, [...baseArgv(l), f.name], given(l), {}), `${f.name} without a value`).toThrow(/needs a value/);
      // A switch given a value is named as such, not called unknown.
      else expect(() => parseArgv(l.spec, [...baseArgv(l), `${f.name}=1`], given(l), {}), `${f.name}=1`).toThrow(new RegExp(`^${f.name} takes no value, not '1'$`));
    }
  });

  it.each(all.map((l) => [label(l), l] as const))('%s refuses an undeclared flag, and flags of its sibling subcommands', (_name, l) => {
    expect(() => parseArgv(l.spec, [...baseArgv(l), '--no-such-flag'], given(l), {})).toThrow(UsageError);
    expect(() => parseArgv(l.spec, [...baseArgv(l), '--no-such-flag'], given(l), {})).toThrow(/unknown option '--no-such-flag'/);
    const mine = new Set([...(l.spec.flags ?? []), ...l.chain.flatMap((s) => s.flags ?? [])].flatMap((f) => [f.name, ...(f.aliases ?? [])]));
    for (const f of declaredFlags(l.spec).filter((f) => !mine.has(f.name))) {
      expect(() => parseArgv(l.spec, [...baseArgv(l), f.name, ...(f.value ? ['7'] : [])], given(l), {}), `${label(l)} ${f.name}`).toThrow(/does not apply/);
    }
  });

  it.each(all.map((l) => [label(l), l] as const))('%s counts its operands', (_name, l) => {
    const ops = l.decl.operands ?? [];
    expect(parseArgv(l.spec, baseArgv(l), given(l), {}).operands).toHaveLength(ops.filter((o) => !o.optional).length);
    if (ops.some((o) => !o.optional)) expect(() => parseArgv(l.spec, l.chain.map((s) => s.name), given(l), {})).toThrow(/missing argument/);
    if (!ops.some((o) => o.variadic)) expect(() => parseArgv(l.spec, [...l.chain.map((s) => s.name), ...ops.map(() => 'x'), 'one-too-many'], given(l), {})).toThrow(/unexpected argument 'one-too-many'/);
  });

  it.each(all.map((l) => [label(l), l] as const))('%s has a module to run it', (_name, l) => {
    expect(LOADERS[loaderKey(l.spec.name, l.chain.map((s) => s.name))], label(l)).toBeTypeOf('function');
  });

  it('has no loader for anything the table does not declare', () => {
    const keys = new Set([...all.map((l) => loaderKey(l.spec.name, l.chain.map((s) => s.name))), 'pick']);
    expect(Object.keys(LOADERS).filter((k) => !keys.has(k))).toEqual([]);
    expect(PICK.name).toBe('');
  });

  it.each([OPEN, ...COMMANDS].map((c) => [c.name || 'cs <name>', c] as const))('%s: the usage lines and examples of its help name only declared flags', (_name, c) => {
    const known = new Set([...declaredFlags(c), ...(c.flags ?? [])].flatMap((f) => [f.name, ...(f.aliases ?? [])]));
    // Flags for Claude Code after `--`, and the help flags, are not ours to declare.
    // An example may show another command (cs -ls --tag after -tag add): only lines running this one count.
    const runs = (line: string) => (c.name === '' ? !/ -[a-z]/.test(line.split(' -- ')[0]!) : [c.name, ...c.aliases].some((n) => line.includes(` ${n}`)));
    const mentioned = [...c.usage, ...c.examples]
      .filter(runs)
      .map((line) => line.split(' -- ')[0]!.replace(/\| *jq.*$/, ''))
      .flatMap((line) => line.match(/(?<=[\s[{|])--?[a-z][a-z-]*/g) ?? [])
      .filter((f) => f.startsWith('--') || f === '-n' || f === '-y' || f === '-f')
      .filter((f) => !['--help', '--version'].includes(f));
    expect(mentioned.filter((f) => !known.has(f)), `${c.name} mentions undeclared flags`).toEqual([]);
  });

  it('points text that starts with a dash at --, with the command as typed', () => {
    const queue = COMMANDS.find((c) => c.name === '-queue')!;
    let err: unknown;
    try {
      parseArgv(queue, ['add', "-fix the user's login"], { session: 'api' }, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe("unknown option '-fix the user's login' for -queue");
    expect((err as UsageError).hint).toBe("text that starts with '-' goes after --: cs api -queue add -- '-fix the user'\\''s login'");
    // A word without spaces may be a mistyped flag: the help, as before.
    expect(() => parseArgv(queue, ['add', '-fx'], { session: 'api' }, {})).toThrow(/unknown option '-fx' for -queue/);
  });

  it('names each value in the help\'s usage lines as the usage errors do (one placeholder per flag)', () => {
    const differ: string[] = [];
    for (const spec of runnable) {
      const text = spec.usage.join('\n');
      for (const f of declaredFlags(spec)) {
        if (!f.value) continue;
        for (const m of text.matchAll(new RegExp(`${f.name}[ =]<([^>]+)>`, 'g'))) if (m[1] !== flagPlaceholder(f)) differ.push(`${spec.name || 'cs <name>'} ${f.name}: <${m[1]}> in the help, <${flagPlaceholder(f)}> in errors`);
      }
    }
    expect(differ).toEqual([]);
    // And an error's usage shows it.
    const list = COMMANDS.find((c) => c.name === '-list')!;
    expect(usageOf(list, [], false)).toContain('[--tag <tag>]');
  });
});

