// The one command table: dispatch, help and shell completions all read it.
// Loaders are lazy so that `cs -version` loads nothing else.
import type { Command } from './types.js';

export interface FlagDoc {
  name: string;
  summary: string;
  /** Takes a value; completions offer this kind of candidate. */
  value?: 'session' | 'host' | 'shell' | 'text' | 'number';
}

export interface CommandSpec {
  /** Primary spelling, e.g. `-list`. The `open` command has the name ''. */
  name: string;
  aliases: readonly string[];
  /** global: `cs -x`; session: `cs <s> -x` (or inside a session); both. */
  scope: 'global' | 'session' | 'both';
  summary: string;
  usage: readonly string[];
  flags?: readonly FlagDoc[];
  subcommands?: readonly { name: string; summary: string }[];
  /** Lines of help text after the options (defaults, environment). */
  notes?: readonly string[];
  examples: readonly string[];
  /** What the command's first argument names; completions offer candidates of this kind. */
  operand?: 'session' | 'host' | 'shell' | 'command';
  load?: () => Promise<Command<unknown>>;
}

// A command module exports parse/run, or a `command` object holding them.
const cmd = (m: Promise<object>) => m.then((mod) => ('command' in mod ? mod.command : mod) as Command<unknown>);

export const OPEN: CommandSpec = {
  name: '',
  aliases: [],
  scope: 'session',
  summary: 'Create a session, or resume it, and launch Claude Code inside it',
  usage: [
    'cs <name> [--force] [--new | --resume <#|uuid>] [-- <claude args>...]',
    'cs <name> --on <alias|user@host[:port]>   (also: cs <alias|user@host>:<name>)',
    'cs <name> --move-to <alias|user@host[:port]>',
    'cs <base>@<feature> [--from-head]   (a feature session on a git worktree, branch cs/<feature>)',
    'cs <base> --merge <feature> [--keep]',
  ],
  flags: [
    { name: '--force', summary: 'take over the session lock from another running cs' },
    { name: '--new', summary: 'start a new conversation instead of resuming the latest one' },
    { name: '--resume', summary: 'resume this pinned conversation (its number or uuid in cs <name> -conversations)', value: 'text' },
    { name: '--on', summary: 'run the session on a host, inside tmux there (remembered: later just cs <name>)', value: 'host' },
    { name: '--move-to', summary: 'copy the session to a host (verified), leave a stub here that connects to it', value: 'host' },
    { name: '--from-head', summary: 'a new feature starts from the last commit even though the base has uncommitted changes' },
    { name: '--merge', summary: 'merge this feature of the session (--no-ff), fold its records in, remove its worktree and branch', value: 'text' },
    { name: '--keep', summary: 'with --merge: keep the worktree and branch' },
  ],
  examples: ['$ cs debug-api', '$ cs debug-api --new', '$ cs debug-api --resume 2', '$ cs debug-api --force', '$ cs debug-api -- --model opus', '$ cs debug-api --on mini', '$ cs me@build-box:debug-api', '$ cs debug-api --move-to mini', '$ cs api@retry-logic', '$ cs api --merge retry-logic'],
  load: () => cmd(import('./open.js')),
};

/** `cs` alone on a terminal (cli.ts decides); not a flag, so not in COMMANDS. */
export const PICK: CommandSpec = {
  name: '',
  aliases: [],
  scope: 'global',
  summary: 'Pick a session: filter as you type, Enter resumes, Tab for sync and remove',
  usage: ['cs'],
  examples: ['$ cs'],
  load: () => cmd(import('./pick.js')),
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: '-adopt',
    aliases: [],
    scope: 'global',
    summary: 'Turn the current directory into a session in place',
    usage: ['cs -adopt <name> [--from <url>]'],
    flags: [{ name: '--from', summary: "a second checkout: take the session's records from this remote (pushed there by cs <name> -sync push)" }],
    notes: [
      'Run it at the root of the project. cs never commits, stages or edits your tracked files there:',
      'its protocol goes to CLAUDE.local.md, its rules to .git/info/exclude and .git/info/attributes,',
      'and its records (.cs/) travel on the private ref refs/cs/session.',
    ],
    examples: ['$ cd ~/src/api && cs -adopt api', '$ cd ~/src/api && cs -adopt api --from git@github.com:me/api.git'],
    load: () => cmd(import('./adopt.js')),
  },
  {
    name: '-list',
    aliases: ['-ls'],
    scope: 'global',
    summary: 'List sessions',
    usage: ['cs -list [--json] [--remote]'],
    flags: [
      { name: '--json', summary: 'print JSON for scripts' },
      { name: '--remote', summary: 'also ask every registered host for its sessions (in parallel; unreachable hosts are reported)' },
    ],
    examples: ['$ cs -ls', '$ cs -ls --json | jq -r ".[].name"', '$ cs -ls --remote'],
    load: () => cmd(import('./list.js')),
  },
  {
    name: '-remove',
    aliases: ['-rm'],
    scope: 'global',
    summary: 'Remove a session (an adopted one is only unlinked)',
    usage: ['cs -remove <name> [--yes]', 'cs -remove <base>@<feature> [--force] [--yes]'],
    operand: 'session',
    flags: [
      { name: '--yes', summary: 'do not ask for confirmation' },
      { name: '--force', summary: 'a feature: drop its unmerged commits and uncommitted changes too (asks on a terminal)' },
    ],
    examples: ['$ cs -rm old-experiment', '$ cs -rm old-experiment --yes', '$ cs -rm api@spike --force'],
    load: () => cmd(import('./remove.js')),
  },
  {
    name: '-help',
    aliases: ['-h', '--help'],
    scope: 'global',
    summary: 'Show help, for everything or for one command',
    usage: ['cs -help [command]', 'cs <command> -help'],
    operand: 'command',
    examples: ['$ cs -help', '$ cs -ls -help'],
  },
  {
    name: '-sync',
    aliases: ['-s'],
    scope: 'both',
    summary: 'Sync the session with a git remote across machines',
    usage: [
      'cs <name> -sync {remote [url]|push [--create]|pull|status [--json] [--no-fetch]|auto {on|off}|snapshot}',
      'cs -sync clone <name|url> [name]',
    ],
    subcommands: [
      { name: 'remote', summary: 'set the sync remote (default: $CS_SYNC_PREFIX<name>.git)' },
      { name: 'push', summary: 'commit what changed and push it (--create: make a missing local bare repository first)' },
      { name: 'pull', summary: 'fetch and rebase onto the remote (logs merge line by line)' },
      { name: 'status', summary: 'ahead/behind/dirty, remote, auto-sync (--no-fetch: offline)' },
      { name: 'auto', summary: 'pull at session start, push at session end (on|off)' },
      { name: 'snapshot', summary: 'autosave the workspace to refs/cs/auto now' },
      { name: 'clone', summary: 'make a session from a remote on this machine' },
    ],
    notes: [
      'An adopted session syncs only its records (refs/cs/session) with the remote (default: the',
      "project's origin); push and pull your own code with git yourself. On another checkout of the",
      'project run cs -adopt <name> --from <url> instead of -sync clone.',
    ],
    examples: [
      '$ cs fix-auth -sync remote git@github.com:me/fix-auth.git',
      '$ cs fix-auth -sync push',
      '$ CS_SYNC_PREFIX=git@github.com:me/ cs -sync clone fix-auth',
      '$ cs fix-auth -sync status --json | jq .behind',
    ],
    load: () => cmd(import('./sync.js')),
  },
  {
    name: '-secrets',
    aliases: [],
    scope: 'both',
    summary: 'Manage the secrets of a session (keychain or encrypted file; age sync)',
    usage: [
      'cs <name> -secrets set [--force] KEY [VALUE]',
      'cs <name> -secrets {get KEY|list [--json]|rm KEY|purge [--yes]|export}',
      'cs <name> -secrets {render FILE|exec -- <command> [args]}',
      'cs <name> -secrets {export-file [--force] [FILE]|import-file [FILE]}',
      'cs <name> -secrets {backend|migrate-backend {keychain|encrypted}}',
      'cs <name> -secrets age {init|pubkey|list [--json]|add <recipient> <age1…>|remove <recipient>}',
    ],
    subcommands: [
      { name: 'set', summary: 'store a secret (no VALUE: hidden prompt, or stdin); --force replaces a different value' },
      { name: 'get', summary: "print a secret's value" },
      { name: 'list', summary: 'list secret names and the captured files that use each' },
      { name: 'rm', summary: 'remove a secret' },
      { name: 'purge', summary: 'remove every secret of the session' },
      { name: 'export', summary: "print export KEY='value' lines for eval" },
      { name: 'render', summary: "print a captured file with its secrets' values filled in" },
      { name: 'exec', summary: 'run a command with the secrets in its environment' },
      { name: 'export-file', summary: 'encrypt the secrets to .cs/secrets.age for every recipient' },
      { name: 'import-file', summary: "decrypt .cs/secrets.age with this machine's key and store it" },
      { name: 'backend', summary: 'show where the secrets are kept, and why' },
      { name: 'migrate-backend', summary: 'move every secret of the session to the other backend' },
      { name: 'age', summary: "this machine's age identity and the session's recipients" },
    ],
    notes: [
      'Inside a session the name may be left out (CLAUDE_SESSION_NAME).',
      'Backends: the OS keychain when it answers, else ~/.cs-secrets/<name>.enc',
      '(AES-256-GCM; key from CS_SECRETS_PASSWORD or ~/.cs-secrets/machine.key).',
      'CS_SECRETS_BACKEND=keychain|encrypted overrides the choice.',
    ],
    examples: [
      '$ cs api-fix -secrets set GITHUB_TOKEN',
      '$ printf %s "$TOKEN" | cs api-fix -secrets set GITHUB_TOKEN',
      '$ eval "$(cs api-fix -secrets export)"',
      '$ cs api-fix -secrets exec -- sh deploy.sh',
      '$ cs api-fix -secrets age init',
      '$ cs api-fix -secrets age add alice@laptop age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq',
    ],
    load: () => cmd(import('./secrets.js')),
  },
  {
    name: '-conversations',
    aliases: [],
    scope: 'session',
    summary: 'List the Claude Code conversations pinned to a session (synced, encrypted, across machines)',
    usage: ['cs <name> -conversations [--json]'],
    flags: [{ name: '--json', summary: 'print JSON for scripts' }],
    examples: ['$ cs api -conversations', '$ cs api --resume 2', '$ cs api -conversations --json | jq -r ".[-1].uuid"'],
    load: () => cmd(import('./conversations.js')),
  },
  {
    name: '-features',
    aliases: [],
    scope: 'session',
    summary: 'List the feature sessions of a session: branch, commits ahead/behind, dirty, running, merged',
    usage: ['cs <base> -features [--json]'],
    flags: [{ name: '--json', summary: 'print JSON for scripts' }],
    notes: [
      'A feature session cs <base>@<feature> is a git worktree of the base on branch cs/<feature>,',
      'kept in $CS_SESSIONS_ROOT/.features/<base>@<feature>/; merge it with cs <base> --merge <feature>.',
    ],
    examples: ['$ cs api -features', '$ cs api -features --json | jq -r ".[] | select(.ahead > 0) | .name"'],
    load: () => cmd(import('./features.js')),
  },
  {
    name: '-diff',
    aliases: [],
    scope: 'session',
    summary: 'Show what a session changed: a feature since it branched, any session since it started',
    usage: ['cs <name> -diff [--stat]'],
    flags: [{ name: '--stat', summary: 'only the files and line counts' }],
    examples: ['$ cs api@retry-logic -diff', '$ cs api -diff --stat'],
    load: () => cmd(import('./diff.js')),
  },
  {
    name: '-watch',
    aliases: [],
    scope: 'global',
    summary: 'Follow the status of all sessions (working, needs you, idle, closed) as it changes',
    usage: ['cs -watch [--notify] [--json] [--interval MS]'],
    flags: [
      { name: '--notify', summary: 'ring the bell and call notify-send (when installed) when a session starts needing you' },
      { name: '--json', summary: 'one JSON object a line' },
      { name: '--interval', summary: 'milliseconds between polls (default 500)', value: 'number' },
    ],
    examples: ['$ cs -watch', '$ cs -watch --notify', '$ cs -watch --json | jq -r "select(.to==\"needs-you\") | .session"'],
    load: () => cmd(import('./watch.js')),
  },
  {
    name: '-doctor',
    aliases: [],
    scope: 'both',
    summary: 'Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts',
    usage: ['cs -doctor [--json]', 'cs <name> -doctor [--json]'],
    flags: [{ name: '--json', summary: 'print JSON for scripts' }],
    examples: ['$ cs -doctor', '$ cs api -doctor', '$ cs api -doctor --json | jq ".[] | select(.level==\"fail\")"'],
    load: () => cmd(import('./doctor.js')),
  },
  {
    name: '-log',
    aliases: [],
    scope: 'session',
    summary: "Show the session's timeline: starts, tool calls, artifacts, discoveries, autosaves, syncs",
    usage: ['cs <name> -log [-n N] [--follow] [--json]'],
    flags: [
      { name: '-n', summary: 'only the newest N events', value: 'number' },
      { name: '--follow', summary: 'keep printing new events as they happen (Ctrl-C ends)' },
      { name: '--json', summary: 'print JSON (one object a line with --follow)' },
    ],
    examples: ['$ cs api -log', '$ cs api -log -n 20 --follow', '$ cs api -log --json | jq -r \'.[] | select(.type=="discovery") | .title\''],
    load: () => cmd(import('./log.js')),
  },
  {
    name: '-serve',
    aliases: [],
    scope: 'global',
    summary: 'Serve a read-only web page and JSON API of all sessions with live timelines (token required)',
    usage: ['cs -serve [--port N] [--bind ADDR] [--token-file FILE]'],
    flags: [
      { name: '--port', summary: 'port to listen on (default 7420; 0 picks a free one)', value: 'number' },
      { name: '--bind', summary: 'address to listen on (default 127.0.0.1; others need a configured token)', value: 'text' },
      { name: '--token-file', summary: 'read the access token from FILE (else $CS_SERVE_TOKEN, else a random one)', value: 'text' },
    ],
    examples: ['$ cs -serve', '$ ssh -L 7420:127.0.0.1:7420 workstation   # then open the printed link on this side', '$ CS_SERVE_TOKEN=... cs -serve --bind 0.0.0.0'],
    load: () => cmd(import('./serve.js')),
  },
  {
    name: '-search',
    aliases: [],
    scope: 'both',
    summary: 'Search discoveries, changes, artifacts and Claude transcripts of all sessions',
    usage: ['cs -search <text> [--session NAME] [--limit N] [--json]', 'cs <name> -search <text> [--json]'],
    flags: [
      { name: '--session', summary: 'search only this session', value: 'session' },
      { name: '--limit', summary: 'show at most N results (default 20)', value: 'number' },
      { name: '--json', summary: 'print JSON for scripts' },
    ],
    examples: ['$ cs -search "refresh token"', '$ cs -search ECONNRESET --session api --json | jq ".[0]"'],
    load: () => cmd(import('./search.js')),
  },
  {
    name: '-remote',
    aliases: [],
    scope: 'global',
    summary: 'Register the hosts sessions can run on (cs <name> --on <alias>)',
    usage: ['cs -remote {add <alias> <user@host[:port]>|list [--json]|remove <alias>}'],
    flags: [{ name: '--json', summary: 'print JSON for scripts (list)' }],
    subcommands: [
      { name: 'add', summary: 'register a host under a short name' },
      { name: 'list', summary: 'registered hosts' },
      { name: 'remove', summary: 'forget a host (its sessions stay there)' },
    ],
    examples: ['$ cs -remote add mini me@mac-mini.local', '$ cs -remote list', '$ cs -remote remove mini'],
    load: () => cmd(import('./remote.js')),
  },
  {
    name: '-update',
    aliases: [],
    scope: 'global',
    summary: 'Update cs to the latest release, verified by SHA-256 and minisign',
    usage: ['cs -update [--check | --rollback] [--json]'],
    flags: [
      { name: '--check', summary: 'only report whether a newer version exists' },
      { name: '--rollback', summary: 'switch back to the previously installed version' },
      { name: '--json', summary: 'print the result as JSON' },
    ],
    examples: ['$ cs -update --check', '$ cs -update', '$ cs -update --rollback'],
    load: () => cmd(import('./update.js')),
  },
  {
    name: '-install',
    aliases: [],
    scope: 'global',
    summary: 'Register cs with Claude Code: hooks, slash commands, skill, completions',
    usage: ['cs -install'],
    notes: [
      'Run once after npm i -g claude-sessions (a clone runs it through npm run setup).',
      'settings.json is checked before anything is placed and backed up before it changes;',
      'only cs\'s own entries are touched, and files of yours with the same names are left alone.',
      'Running it again changes nothing; cs -uninstall removes exactly what it added.',
    ],
    examples: ['$ npm i -g claude-sessions && cs -install', '$ npx claude-sessions -install'],
    load: () => cmd(import('./install.js')),
  },
  {
    name: '-uninstall',
    aliases: [],
    scope: 'global',
    summary: 'Remove cs: links, hooks, commands; keeps sessions and secrets unless --purge',
    usage: ['cs -uninstall [--purge] [--yes]'],
    flags: [
      { name: '--purge', summary: 'also delete all sessions and secrets (asks first)' },
      { name: '--yes', summary: 'do not ask for confirmation' },
    ],
    examples: ['$ cs -uninstall', '$ cs -uninstall --purge --yes'],
    load: () => cmd(import('./uninstall.js')),
  },
  {
    name: '-completions',
    aliases: [],
    scope: 'global',
    summary: 'Print the shell completion script for bash, zsh, fish or PowerShell',
    usage: ['cs -completions {bash|zsh|fish|powershell}'],
    operand: 'shell',
    examples: ['$ cs -completions bash > ~/.local/share/bash-completion/completions/cs', '$ cs -completions fish | source'],
    load: () => cmd(import('./completions.js')),
  },
  {
    name: '-version',
    aliases: ['-v', '--version'],
    scope: 'global',
    summary: 'Show the version',
    usage: ['cs -version'],
    examples: ['$ cs -v'],
  },
];

const byName = new Map<string, CommandSpec>();
for (const c of COMMANDS) for (const n of [c.name, ...c.aliases]) byName.set(n, c);

export function findCommand(token: string): CommandSpec | undefined {
  return byName.get(token);
}

/** A command's first usage line, for the hint of a usage error. */
export function usageLine(name: string): string {
  return findCommand(name)?.usage[0] ?? `cs ${name}`;
}

export function allCommandNames(): string[] {
  return COMMANDS.flatMap((c) => [c.name, ...c.aliases]);
}
