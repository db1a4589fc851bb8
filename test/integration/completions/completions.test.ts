// Completions: one model from the command table, four scripts rendered from
// it (committed in completions/ and checked here to be current), and each
// script sourced in its real shell: bash driven through COMP_WORDS, fish
// through `complete -C`, zsh typed into a terminal (tmux), PowerShell
// checked as text (no pwsh on the test machines; run for real when present).
import { lacks } from '../../support/tools.js';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionModel } from '../../../src/completions/model.js';
import { completionScript, SCRIPT_FILES, SHELL_NAMES, type Shell } from '../../../src/completions/shells.js';
import { hostCandidates, sessionCandidates } from '../../../src/completions/candidates.js';
import { parseCommand } from '../../../src/commands/dispatch.js';
import { COMMANDS, OPEN, type CommandSpec } from '../../../src/commands/table.js';
import { csBin, repoRoot, runCs, sandbox, type Sandbox } from '../../support/cs.js';
import { hasTmux, startTerminal } from '../../support/tmux.js';

const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

// A small table of our own, so the shell tests do not change whenever a command is added.
const TABLE: CommandSpec[] = [
  { name: '-list', aliases: ['-ls'], scope: 'global', summary: 'List sessions', usage: [], examples: [], flags: [{ name: '--json', summary: 'print JSON' }] },
  { name: '-remove', aliases: ['-rm'], scope: 'global', summary: "Remove a session (it's gone)", usage: [], examples: [], operands: [{ name: 'name', kind: 'session' }], flags: [{ name: '--yes', summary: 'do not ask' }] },
  { name: '-help', aliases: ['-h', '--help'], scope: 'global', summary: 'Show help', usage: [], examples: [], operands: [{ name: 'command', kind: 'command', optional: true }] },
  {
    name: '-sync',
    aliases: ['-s'],
    scope: 'both',
    summary: 'Sync with a git remote',
    usage: [],
    examples: [],
    subcommands: [
      { name: 'push', summary: 'push the session' },
      { name: 'pull', summary: 'fetch and rebase' },
      { name: 'status', summary: 'ahead/behind/dirty' },
      // Takes no session: not offered after one (cs alpha -sync <TAB>).
      { name: 'clone', summary: 'make a session from a remote', session: 'none' },
    ],
  },
  {
    name: '-secrets',
    aliases: [],
    scope: 'both',
    summary: 'Manage secrets',
    usage: [],
    examples: [],
    // `age` has subcommands of its own: cs alpha -secrets age <TAB>.
    subcommands: [{ name: 'set', summary: 'store' }, { name: 'get', summary: 'print' }, { name: 'age', summary: 'age keys', subcommands: [{ name: 'init', summary: 'make a key' }, { name: 'list', summary: 'recipients' }, { name: 'old', summary: 'hidden', hidden: true }] }],
  },
  { name: '-search', aliases: [], scope: 'both', summary: 'Search', usage: [], examples: [], flags: [{ name: '--session', summary: 'only this session', value: 'session' }] },
  { name: '-completions', aliases: [], scope: 'global', summary: 'Print a completion script', usage: [], examples: [], operands: [{ name: 'shell', kind: 'shell' }] },
];
const TABLE_OPEN: CommandSpec = {
  ...OPEN,
  flags: [
    { name: '--force', summary: 'take over the lock' },
    { name: '--on', summary: 'run on a host', value: 'host' },
  ],
};
const model = completionModel(TABLE, TABLE_OPEN);
const GLOBALS = ['-list', '-ls', '-remove', '-rm', '-help', '-h', '-sync', '-s', '-secrets', '-search', '-completions'];
const SYNC = ['push', 'pull', 'status'];

describe('the completion model', () => {
  it('takes commands, aliases, flags, subcommands and operands from the table', () => {
    expect(model.top.map((w) => w.word)).toEqual(GLOBALS);
    expect(model.afterSession.map((w) => w.word)).toEqual(['-sync', '-s', '-secrets', '-search', '-help', '-h', '--force', '--on', '--']);
    const sync = model.commands.find((c) => c.id === 'sync')!;
    expect(sync).toMatchObject({ spellings: ['-sync', '-s'], sessionScoped: true, args: [...SYNC, 'clone'].map((word) => expect.objectContaining({ word })), sessionArgs: SYNC.map((word) => expect.objectContaining({ word })) });
    expect(model.commands.find((c) => c.id === 'remove')).toMatchObject({ operand: 'session', sessionScoped: false });
    expect(model.valueFlags).toEqual([
      { flag: '--on', kind: 'host' },
      { flag: '--session', kind: 'session' },
    ]);
  });

  it('covers every command of the real table', () => {
    const real = completionModel();
    for (const spec of COMMANDS) {
      const words = [...real.top, ...real.afterSession].map((w) => w.word);
      expect(words, spec.name).toContain(spec.name);
      for (const s of (spec.subcommands ?? []).filter((x) => !x.hidden)) expect(real.commands.find((c) => c.spellings.includes(spec.name))!.args.map((a) => a.word)).toContain(s.name);
    }
    expect(real.commands.find((c) => c.id === 'sync')!.args.map((a) => a.word)).toEqual(expect.arrayContaining(['push', 'pull', 'status']));
    expect(real.commands.find((c) => c.id === 'secrets')!.args.map((a) => a.word)).toEqual(expect.arrayContaining(['set', 'get', 'list', 'rm']));
    // A subcommand's own subcommands, from the table too.
    const age = COMMANDS.find((c) => c.name === '-secrets')!.subcommands!.find((s) => s.name === 'age')!;
    expect(real.commands.find((c) => c.id === 'secrets')!.nested).toContainEqual(expect.objectContaining({ sub: 'age', words: age.subcommands!.map((s) => expect.objectContaining({ word: s.name })) }));
  });
});

describe('completions/ is generated from the table', () => {
  it.each(SHELL_NAMES)('completions/%s is current', (shell) => {
    const file = path.join(repoRoot, 'completions', SCRIPT_FILES[shell]);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    expect(committed === completionScript(shell), `${file} is stale: run node --import tsx src/completions/write.ts and commit completions/`).toBe(true);
  });
});

describe('cs -completions', () => {
  const cases: Array<[string[], unknown]> = [
    [['bash'], { kind: 'script', shell: 'bash' }],
    [['pwsh'], { kind: 'script', shell: 'powershell' }],
    [['--list', 'sessions'], { kind: 'list', list: 'sessions' }],
    [['--list=hosts'], { kind: 'list', list: 'hosts' }],
  ];
  it.each(cases)('%j parses', async (argv, want) => expect((await parseCommand('-completions', argv)).opts).toEqual(want));
  it.each([[[]], [['tcsh']], [['bash', 'zsh']], [['--list', 'files']], [['--list', 'hosts', 'bash']]])('%j is a usage error', async (argv) => {
    await expect(parseCommand('-completions', argv)).rejects.toThrow();
  });

  it('prints the same script as the committed file, and lists candidates', async () => {
    const sb = sandbox();
    try {
      const r = await runCs(['-completions', 'fish'], { env: sb.env });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(fs.readFileSync(path.join(repoRoot, 'completions', 'cs.fish'), 'utf8'));
      expect((await runCs(['-completions', 'tcsh'], { env: sb.env })).code).toBe(2);

      fs.mkdirSync(path.join(sb.root, 'api', '.cs'), { recursive: true });
      fs.mkdirSync(path.join(sb.root, '.removing-old-1', '.cs'), { recursive: true });
      fs.mkdirSync(path.join(sb.root, 'not-a-session'), { recursive: true });
      expect((await runCs(['-completions', '--list', 'sessions'], { env: sb.env })).stdout).toBe('api:session\n');
      expect((await runCs(['-completions', '--list', 'hosts'], { env: sb.env })).stdout).toBe('');
      const config = path.join(sb.home, '.config', 'cs');
      fs.mkdirSync(config, { recursive: true });
      fs.writeFileSync(path.join(config, 'hosts.json'), JSON.stringify({ version: 1, hosts: { mini: { host: 'me@mini.local' }, 'build-box': { host: 'ci@10.0.0.7:2222' } } }));
      expect((await runCs(['-completions', '--list', 'hosts'], { env: sb.env })).stdout).toBe('build-box:ci@10.0.0.7 2222\nmini:me@mini.local\n');
      fs.writeFileSync(path.join(config, 'hosts.json'), '{ not json');
      const broken = await runCs(['-completions', '--list', 'hosts'], { env: sb.env });
      expect([broken.code, broken.stdout, broken.stderr]).toEqual([0, '', '']);
    } finally {
      sb.cleanup();
    }
  });

  it('candidates: sessions need a .cs folder and a valid name', () => {
    const sb = sandbox();
    try {
      for (const d of ['b/.cs', 'a/.cs', '.staging-x/.cs', 'plain']) fs.mkdirSync(path.join(sb.root, d), { recursive: true });
      expect(sessionCandidates(sb.root)).toEqual(['a', 'b']);
      expect(sessionCandidates(path.join(sb.root, 'missing'))).toEqual([]);
      expect(hostCandidates(sb.env)).toEqual([]);
    } finally {
      sb.cleanup();
    }
  });
});

// ---------------------------------------------------------------- real shells

let sb: Sandbox;
let scripts: string;

beforeAll(() => {
  sb = sandbox();
  for (const name of ['alpha', 'beta']) fs.mkdirSync(path.join(sb.root, name, '.cs'), { recursive: true });
  fs.mkdirSync(path.join(sb.root, '.removing-gone-1', '.cs'), { recursive: true });
  fs.mkdirSync(path.join(sb.root, 'stray'), { recursive: true });
  // hosts come from `cs -completions --list hosts`: the built cs on PATH.
  const bin = path.join(sb.dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(csBin, path.join(bin, 'cs'));
  sb.env.PATH = `${bin}${path.delimiter}${sb.env.PATH}`;
  const config = path.join(sb.home, '.config', 'cs');
  fs.mkdirSync(config, { recursive: true });
  fs.writeFileSync(path.join(config, 'hosts.json'), JSON.stringify({ version: 1, hosts: { mini: { host: 'me@mini.local' } } }));
  scripts = path.join(sb.dir, 'scripts');
  fs.mkdirSync(scripts);
  for (const shell of SHELL_NAMES) fs.writeFileSync(path.join(scripts, SCRIPT_FILES[shell as Shell]), completionScript(shell, model));
});
afterAll(() => sb?.cleanup());

const SESSIONS = ['alpha', 'beta'];
const sorted = (xs: string[]) => [...xs].sort();

// What each line must offer, the same for every shell.
const EXPECT: Array<[line: string, words: string[]]> = [
  ['cs ', [...SESSIONS, ...GLOBALS]],
  ['cs al', ['alpha']],
  ['cs -s', ['-s', '-secrets', '-search', '-sync']],
  ['cs alpha ', ['-sync', '-s', '-secrets', '-search', '-help', '-h', '--force', '--on', '--']],
  ['cs alpha -sync ', SYNC],
  ['cs alpha -s p', ['push', 'pull']],
  ['cs -sync ', [...SYNC, 'clone']],
  // (fish falls back to matching the help text: 'cl' is in none of it.)
  ['cs -sync cl', ['clone']],
  ['cs alpha -sync cl', []],
  ['cs alpha -secrets ', ['set', 'get', 'age']],
  ['cs alpha -secrets age ', ['init', 'list']],
  ['cs -secrets age ', ['init', 'list']],
  ['cs alpha -secrets age i', ['init']],
  ['cs alpha -secrets age init ', []],
  ['cs alpha -secrets set ', []],
  ['cs alpha -secrets "a*" ', []],
  ['cs -rm ', SESSIONS],
  ['cs -rm -', ['--yes']],
  ['cs -ls --', ['--json']],
  ['cs alpha --on ', ['mini']],
  ['cs -search x --session ', SESSIONS],
  ['cs -completions ', ['bash', 'zsh', 'fish', 'powershell']],
  ['cs -help -l', ['-list', '-ls']],
  ['cs alpha -- ', []],
  ['cs alpha -sync push ', []],
  ['claude-sessions alpha -sync ', SYNC],
];

describe.skipIf(lacks(has('bash')))('bash', () => {
  it.each(EXPECT)('%j', (line, words) => {
    const driver = [
      `source ${JSON.stringify(path.join(scripts, SCRIPT_FILES.bash))}`,
      'read -ra COMP_WORDS <<< "$LINE"',
      '[[ $LINE == *" " ]] && COMP_WORDS+=("")',
      'COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
      'COMP_LINE=$LINE COMP_POINT=${#LINE}',
      '_cs',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', driver], { env: { ...sb.env, LINE: line }, encoding: 'utf8', timeout: 10_000 });
    expect(sorted(out.split('\n').filter(Boolean))).toEqual(sorted(words));
  });

  it('registers for both command names', () => {
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source ${path.join(scripts, SCRIPT_FILES.bash)}; complete -p cs claude-sessions`], { env: sb.env, encoding: 'utf8' });
    expect(out).toContain('complete -F _cs cs');
    expect(out).toContain('complete -F _cs claude-sessions');
  });
});

describe.skipIf(lacks(has('fish')))('fish', () => {
  it.each(EXPECT)('%j', (line, words) => {
    const out = execFileSync('fish', ['--no-config', '-c', `source ${path.join(scripts, SCRIPT_FILES.fish)}; complete -C ${JSON.stringify(line)}`], { env: sb.env, encoding: 'utf8', timeout: 10_000 });
    const got = out.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
    expect(sorted(got)).toEqual(sorted(words));
  });

  it('describes candidates', () => {
    const out = execFileSync('fish', ['--no-config', '-c', `source ${path.join(scripts, SCRIPT_FILES.fish)}; complete -C 'cs -r'`], { env: sb.env, encoding: 'utf8' });
    expect(out).toContain("-rm\tRemove a session (it's gone)");
  });
});

describe.skipIf(lacks(has('zsh') && hasTmux()))('zsh (typed into a terminal)', () => {
  // compinit in a fresh `zsh -f`; the script either sourced or autoloaded from $fpath as _cs.
  const setups: Array<[string, () => string]> = [
    ['sourced', () => `autoload -Uz compinit && compinit -u -D && source ${path.join(scripts, SCRIPT_FILES.zsh)}`],
    ['from $fpath', () => `fpath=(${scripts} $fpath) && autoload -Uz compinit && compinit -u -D`],
  ];
  const lines: Array<[string, string[], string[]]> = [
    ['cs ', [...SESSIONS, '-sync', '-secrets', '-completions', '-list'], ['stray', 'removing', 'push']],
    ['cs alpha -sync ', SYNC, ['alpha', '-list']],
    ['cs -rm ', SESSIONS, ['-list', 'push']],
    ['cs alpha --on ', ['mini'], ['alpha']],
    ['cs alpha -secrets age ', ['init', 'list'], ['set', 'old', 'alpha']],
  ];
  it.each(setups)('%s', async (_how, setup) => {
    const t = startTerminal(['zsh', '-f'], { env: sb.env, width: 150, height: 40 });
    const cleanPrompt = () => t.waitFor((s) => s.trim() === '%', 'a clean prompt');
    try {
      t.type(`PROMPT='%% '; ${setup()}; clear`);
      t.keys('Enter');
      await cleanPrompt();
      for (const [line, want, not] of lines) {
        t.type(line);
        t.keys('Tab');
        // One candidate is inserted into the line; several are listed under it.
        const offered = (s: string) => {
          const [prompt = '', ...listing] = s.split('\n');
          const words = listing.join(' ').split(/\s+/);
          return { prompt: prompt.trimEnd(), words };
        };
        const screen = await t.waitFor((s) => {
          const o = offered(s);
          return want.length === 1 ? o.prompt === `% ${line}${want[0]}` : want.every((w) => o.words.includes(w));
        }, `candidates for ${JSON.stringify(line)}`);
        for (const n of not) expect(offered(screen).words, `${line} offers ${n}`).not.toContain(n);
        t.keys('C-c');
        // zsh takes the interrupt asynchronously: type only at the fresh, empty prompt.
        await t.waitFor((s) => s.trimEnd().split('\n').at(-1) === '%', 'a fresh prompt');
        t.type('clear');
        t.keys('Enter');
        await cleanPrompt();
      }
    } finally {
      t.close();
    }
  }, 30_000);
});

describe('PowerShell (as text)', () => {
  const text = () => completionScript('powershell', model);

  it('registers a native completer for both names and balances its brackets outside strings', () => {
    const t = text();
    expect(t).toContain("Register-ArgumentCompleter -Native -CommandName 'cs', 'claude-sessions' -ScriptBlock {");
    const depth: Record<string, number> = { '{': 0, '(': 0, '[': 0 };
    const close: Record<string, string> = { '}': '{', ')': '(', ']': '[' };
    let quote: string | null = null;
    for (let i = 0; i < t.length; i++) {
      const ch = t[i]!;
      if (quote) {
        if (ch === quote && t[i + 1] === quote && quote === "'") i++; // '' inside '...'
        else if (ch === quote) quote = null;
        else if (ch === '`' && quote === '"') i++;
        continue;
      }
      if (ch === '#' && (i === 0 || t[i - 1] === '\n' || t[i - 1] === ' ')) {
        i = t.indexOf('\n', i);
        if (i < 0) break;
        continue;
      }
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch in depth) depth[ch]!++;
      else if (ch in close) expect(--depth[close[ch]!]!, `unbalanced ${ch} at ${i}`).toBeGreaterThanOrEqual(0);
    }
    expect(quote).toBeNull();
    expect(depth).toEqual({ '{': 0, '(': 0, '[': 0 });
  });

  it('quotes the table safely and knows every key it asks for', () => {
    const t = text();
    expect(t).toContain("'-rm:Remove a session (it''s gone)'");
    const defined = new Set([...t.matchAll(/^ {8}'([^']+)' \{$/gm)].map((m) => m[1]));
    for (const key of ['top', 'after-session', 'kind:shell', 'flags:open', 'args:sync', 'args:secrets', 'flags:list']) expect(defined, key).toContain(key);
    expect(t).toMatch(/'-s' \{ 'sync' \}/);
    expect(t).toMatch(/'--on' \{ 'host' \}/);
  });

  it.skipIf(!has('pwsh', '-Version'))('offers the same candidates in pwsh', () => {
    const file = path.join(scripts, SCRIPT_FILES.powershell);
    for (const [line, words] of EXPECT.filter(([l]) => !l.startsWith('claude-sessions'))) {
      const ps = `. '${file}'; (TabExpansion2 -inputScript '${line}' -cursorColumn ${line.length}).CompletionMatches | ForEach-Object { $_.CompletionText }`;
      const out = execFileSync('pwsh', ['-NoProfile', '-NonInteractive', '-Command', ps], { env: sb.env, encoding: 'utf8', timeout: 20_000 });
      expect(sorted(out.split('\n').map((l) => l.trim()).filter(Boolean)), line).toEqual(sorted(words));
    }
  });
});
