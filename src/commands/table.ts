// The one command table: plain data, imported by nothing that runs a
// command. Parsing (src/commands/argv.ts), help (help.ts) and shell
// completions (src/completions/) all read these declarations, so they
// cannot disagree; the code of each command is reached through the lazy
// loaders in loaders.ts, so `cs -version` loads nothing else.

/** What a flag's value or an operand names; completions offer candidates of the first four kinds. */
export type ValueKind = 'session' | 'host' | 'shell' | 'command' | 'text' | 'number' | 'file';

export interface FlagDecl {
  name: string;
  /** Other spellings, e.g. `-y` for `--yes`; parsing reports the flag under `name`. */
  aliases?: readonly string[];
  summary: string;
  /** Takes a value of this kind (`--port 80` or `--port=80`); a boolean flag otherwise. */
  value?: ValueKind;
  /** What the value is called in usage lines (`--tag <tag>`), when not the kind's own name (`<text>`, `<N>`): the help's lines and the usage errors print the same. */
  placeholder?: string;
  /** May be given more than once; every value is kept. */
  repeatable?: boolean;
  /** Accepted but not shown in help or completions (machine-to-machine use). */
  hidden?: boolean;
}

export interface OperandDecl {
  name: string;
  kind?: ValueKind;
  optional?: boolean;
  /** Takes every remaining word (one or more, none when optional). */
  variadic?: boolean;
}

/**
 * How a command finds the session it works on (src/session/resolve.ts):
 * given before the command (`cs <s> -x`), else CLAUDE_SESSION_NAME (unless
 * `env: false`), else for a required one the session whose directory this is.
 */
export interface SessionDecl {
  need: 'required' | 'optional';
  /** Works on a feature session `base@feature` (false: refused with a pointer to the base). */
  feature?: boolean;
  /** Works on the local stub of a session that runs on another host (false: refused). */
  stub?: boolean;
  /** CLAUDE_SESSION_NAME and the current directory name the session when none is given (default true). */
  env?: boolean;
  /** May name a session that does not exist yet (the command makes it): the command looks it up itself. */
  create?: boolean;
}

/** What a command or subcommand accepts: parsing checks argv against exactly this. */
export interface Decl {
  flags?: readonly FlagDecl[];
  operands?: readonly OperandDecl[];
  /** Words after `--` go to the command untouched (Claude Code's arguments); otherwise they are operands. */
  passthrough?: boolean;
  subcommands?: readonly SubcommandDecl[];
  /** The subcommand meant when none is given (else one is required). */
  defaultSubcommand?: string;
  /** The session this works on; `'none'` refuses one (inherited by subcommands otherwise). */
  session?: SessionDecl | 'none';
}

export interface SubcommandDecl extends Decl {
  name: string;
  aliases?: readonly string[];
  summary: string;
  hidden?: boolean;
}

export interface CommandSpec extends Decl {
  /** Primary spelling, e.g. `-list`. The `open` command has the name ''. */
  name: string;
  aliases: readonly string[];
  /** global: `cs -x`; session: `cs <s> -x` (or inside a session); both. */
  scope: 'global' | 'session' | 'both';
  summary: string;
  usage: readonly string[];
  /** Lines of help text after the options (defaults, environment). */
  notes?: readonly string[];
  examples: readonly string[];
  /** Without a subcommand: show this command's help (instead of an error). */
  helpWhenBare?: boolean;
  /** Has no code of its own (-help, -version: the dispatcher answers). */
  builtin?: boolean;
}

export const OPEN: CommandSpec = {
  name: '',
  aliases: [],
  scope: 'session',
  summary: 'Create a session, or resume it, and launch Claude Code inside it',
  usage: [
    'cs <name> [--force] [--new [--from-handoff | --no-handoff] | --resume <#|uuid>] [--foreground] [-- <claude args>...]',
    'cs <name> --on <alias|user@host[:port]>   (also: cs <alias|user@host>:<name>)',
    'cs <name> --move-to <alias|user@host[:port]>',
    'cs <base>@<feature> [--from-head] [--allow-setup]   (a feature session on a git worktree, branch cs/<feature>)',
    'cs <base> --merge <feature> [--keep]',
  ],
  flags: [
    { name: '--force', summary: 'take over the session lock from another running cs' },
    { name: '--new', summary: 'start a new conversation instead of resuming the latest one' },
    { name: '--resume', summary: 'resume this pinned conversation (its number or uuid in cs <name> -conversations)', value: 'text', placeholder: '#|uuid' },
    { name: '--from-handoff', summary: "start a new conversation from the session's latest unused handoff (.cs/handoffs/)" },
    { name: '--no-handoff', summary: 'with --new: do not offer the latest handoff' },
    { name: '--on', summary: 'run the session on a host, hosted by cs there (remembered: later just cs <name>)', value: 'host', placeholder: 'alias|user@host[:port]' },
    { name: '--move-to', summary: 'copy the session to a host (verified), leave a stub here that connects to it', value: 'host', placeholder: 'alias|user@host[:port]' },
    { name: '--foreground', summary: "run Claude in this terminal instead of cs's tmux server (ends with the terminal)" },
    { name: '--from-head', summary: 'a new feature starts from the last commit even though the base has uncommitted changes' },
    { name: '--allow-setup', summary: "a new feature runs the base's .cs/worktree-setup though this machine has not run its text yet (it came with a sync)" },
    { name: '--merge', summary: 'merge this feature of the session (--no-ff), fold its records in, remove its worktree and branch', value: 'text', placeholder: 'feature' },
    { name: '--keep', summary: 'with --merge: keep the worktree and branch' },
  ],
  passthrough: true,
  session: { need: 'required', feature: true, stub: true, env: false, create: true },
  notes: [
    "On a terminal with tmux installed the session is hosted in cs's own tmux server: Ctrl-\\ detaches",
    '(Claude keeps running), cs <name> attaches again from any terminal, cs <name> -stop ends it.',
    'Without a terminal, with --foreground or CS_HOST=foreground, Claude runs in the foreground as a child of cs.',
    "--move-to leaves the session's secrets in this machine's store (the summary says how the host gets them)",
    'and replaces a stub of the session on the host (set aside there); a session there is never replaced.',
  ],
  examples: ['$ cs debug-api', '$ cs debug-api --foreground', '$ cs debug-api --new', '$ cs debug-api --resume 2', '$ cs debug-api --force', '$ cs debug-api -- --model opus', '$ cs debug-api --on mini', '$ cs me@build-box:debug-api', '$ cs debug-api --move-to mini', '$ cs api@retry-logic', '$ cs api --merge retry-logic'],
};

/** `cs` alone on a terminal (cli.ts decides); not a flag, so not in COMMANDS. */
export const PICK: CommandSpec = {
  name: '',
  aliases: [],
  scope: 'global',
  summary: 'Pick a session: filter as you type, Enter resumes, Tab for sync and remove',
  usage: ['cs'],
  examples: ['$ cs'],
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: '-adopt',
    aliases: [],
    scope: 'global',
    summary: 'Turn the current directory into a session in place',
    usage: ['cs -adopt <name> [--from <url>]'],
    flags: [{ name: '--from', summary: "a second checkout: take the session's records from this remote (pushed there by cs <name> -sync push)", value: 'text', placeholder: 'url' }],
    operands: [{ name: 'name', kind: 'text' }],
    notes: [
      'Run it at the root of the project. cs never commits, stages or edits your tracked files there:',
      'its protocol goes to CLAUDE.local.md, its rules to .git/info/exclude and .git/info/attributes,',
      'and its records (.cs/) travel on the private ref refs/cs/session.',
      "--from checks the remote's records before writing anything (only .cs/, without .cs/local/ and",
      '.cs/archives/, no links); a refusal leaves the project as it was.',
    ],
    examples: ['$ cd ~/src/api && cs -adopt api', '$ cd ~/src/api && cs -adopt api --from git@github.com:me/api.git'],
  },
  {
    name: '-list',
    aliases: ['-ls'],
    scope: 'global',
    summary: 'List sessions',
    usage: ['cs -list [--json] [--remote] [--tag <tag>] [--archived | --all] [--scrub]'],
    flags: [
      { name: '--json', summary: 'print JSON for scripts' },
      { name: '--scrub', summary: "show each objective with the session's stored secret values as [secret: KEY] (a keychain look-up per session; cs -serve asks other hosts for this)" },
      { name: '--remote', summary: 'also ask every registered host for its sessions (in parallel; unreachable hosts are reported)' },
      { name: '--tag', summary: 'only sessions with this tag', value: 'text', placeholder: 'tag' },
      { name: '--archived', summary: 'only archived sessions' },
      { name: '--all', summary: 'archived sessions too' },
    ],
    notes: ['STATUS is the state cs -live shows: working, needs-you, idle, closed, starting, or ended-unexpectedly (until the next cs <name>).'],
    examples: ['$ cs -ls', '$ cs -ls --json | jq -r ".[].name"', '$ cs -ls --remote', '$ cs -ls --tag client-x', '$ cs -ls --archived'],
  },
  {
    name: '-tag',
    aliases: [],
    scope: 'session',
    summary: "List, add or remove a session's tags (synced; cs -ls --tag, #tag in the picker)",
    usage: ['cs <name> -tag [add|rm <tag>...] [--json]'],
    flags: [{ name: '--json', summary: 'print the tags as a JSON array' }],
    session: { need: 'required', feature: false },
    defaultSubcommand: 'list',
    subcommands: [
      { name: 'list', summary: 'the tags (the default)', hidden: true },
      { name: 'add', summary: 'add tags', operands: [{ name: 'tag', kind: 'text', variadic: true }] },
      { name: 'rm', summary: 'remove tags', operands: [{ name: 'tag', kind: 'text', variadic: true }] },
    ],
    examples: ['$ cs api -tag add client-x urgent', '$ cs api -tag', '$ cs api -tag rm urgent', '$ cs -ls --tag client-x'],
  },
  {
    name: '-queue',
    aliases: [],
    scope: 'session',
    summary: 'Line up tasks for Claude: while armed, each time Claude stops it gets the next one',
    usage: ['cs <name> -queue [list] [--json]', 'cs <name> -queue {add <task>|add -|rm <n>|clear|log [--json]|start|stop}'],
    session: { need: 'required', feature: false },
    defaultSubcommand: 'list',
    subcommands: [
      { name: 'list', summary: 'the tasks and their state (the default)', flags: [{ name: '--json', summary: 'print the queue (or the journal) as JSON' }] },
      { name: 'add', summary: 'queue a task (- reads it from stdin)', operands: [{ name: 'task', kind: 'text', variadic: true, optional: true }], flags: [{ name: '--json', summary: 'print the queued task as JSON' }] },
      { name: 'rm', summary: 'remove a task by its number', operands: [{ name: 'n', kind: 'number' }] },
      { name: 'clear', summary: 'remove every task that is not running' },
      { name: 'log', summary: 'what the queue did: .cs/queue/journal.jsonl', flags: [{ name: '--json', summary: 'print the queue (or the journal) as JSON' }] },
      { name: 'start', summary: 'arm: at each Stop Claude gets the next pending task' },
      { name: 'stop', summary: 'disarm after the running task' },
    ],
    notes: [
      'Safety stops park the queue (disarmed, the rest left pending) with a debrief line: CS_QUEUE_MAX_FAILURES',
      'tool failures in one task (5), context at CS_QUEUE_MAX_CTX % (85), the 5-hour limit at CS_QUEUE_MAX_5H %',
      '(85, from the status line: cs -statusline enable), a task running over CS_QUEUE_MAX_MINUTES (60).',
    ],
    examples: ['$ cs api -queue add "make the flaky login test pass"', '$ git diff | cs api -queue add -', '$ cs api -queue start', '$ cs api -queue', '$ cs api -queue log', '$ cs -spawn api --task "update the changelog"'],
  },
  {
    name: '-archive',
    aliases: [],
    scope: 'global',
    summary: 'Archive sessions: hidden from -ls, the picker, -search and -serve unless asked for (--archived, --all)',
    usage: ['cs -archive <name>...'],
    operands: [{ name: 'name', kind: 'session', variadic: true }],
    notes: ['A session that is open is refused, and nothing is changed: stop it first (cs <name> -stop), or close its terminal.'],
    examples: ['$ cs -archive old-spike older-spike', '$ cs -ls --archived'],
  },
  {
    name: '-unarchive',
    aliases: [],
    scope: 'global',
    summary: 'Bring archived sessions back into the listings (opening one does it too)',
    usage: ['cs -unarchive <name>...'],
    operands: [{ name: 'name', kind: 'session', variadic: true }],
    examples: ['$ cs -unarchive old-spike'],
  },
  {
    name: '-mv',
    aliases: ['-rename'],
    scope: 'global',
    summary: 'Rename a session: workspace, secrets, conversations, tags and settings move together',
    usage: ['cs -mv <old> <new> [--json]'],
    operands: [{ name: 'old', kind: 'session' }, { name: 'new', kind: 'text' }],
    flags: [{ name: '--json', summary: 'print what moved as JSON' }],
    notes: ['Refused while the session is open. An adopted project stays where it is: only its name changes.'],
    examples: ['$ cs -mv spike auth-refresh', '$ cs -rename api api-v1'],
  },
  {
    name: '-statusline',
    aliases: [],
    scope: 'global',
    summary: "Show session, state, context %, 5-hour and weekly limits and git in Claude Code's status line",
    usage: ['cs -statusline {enable [--replace]|disable}'],
    subcommands: [
      { name: 'enable', summary: "register cs's status line in Claude Code's settings.json", flags: [{ name: '--replace', summary: 'replace a status line of your own (disable puts it back)' }] },
      { name: 'disable', summary: 'remove it, and put back the one it replaced' },
    ],
    notes: ['The line is drawn by a POSIX sh script (no Node per refresh); it also records the latest context % and limits in .cs/local/statusline.json.'],
    examples: ['$ cs -statusline enable', '$ cs -statusline enable --replace', '$ cs -statusline disable'],
  },
  {
    name: '-usage',
    aliases: [],
    scope: 'both',
    summary: 'Tokens spent per session (input, output, cache write, cache read) over the last 5 hours and 7 days',
    usage: ['cs -usage [<name>] [--since <30m|5h|2d|1w|date>] [--json]', 'cs <name> -usage [--since <30m|5h|2d|1w|date>] [--json]'],
    operands: [{ name: 'name', kind: 'session', optional: true }],
    session: { need: 'optional', feature: false, env: false },
    flags: [
      { name: '--since', summary: 'one window from then to now instead of 5 hours and 7 days', value: 'text', placeholder: '30m|5h|2d|1w|date' },
      { name: '--json', summary: 'print JSON for scripts' },
    ],
    notes: ["Read from Claude Code's transcripts on this machine, each API request counted once; with a session, per conversation."],
    examples: ['$ cs -usage', '$ cs api -usage', '$ cs -usage --since 1d --json | jq ".windows[0].sessions[0]"'],
  },
  {
    name: '-remove',
    aliases: ['-rm'],
    scope: 'global',
    summary: 'Remove a session (an adopted one is only unlinked)',
    usage: ['cs -remove <name> [--yes]', 'cs -remove <base>@<feature> [--force] [--yes]'],
    operands: [{ name: 'name', kind: 'session' }],
    flags: [
      { name: '--yes', aliases: ['-y'], summary: 'do not ask for confirmation' },
      { name: '--force', summary: 'a feature: drop its unmerged commits and uncommitted changes too (asks on a terminal)' },
    ],
    notes: [
      'The secrets go first: when their store cannot be opened (the encrypted file without',
      "CS_SECRETS_PASSWORD) nothing is removed. The stub of a session on another host is only",
      "forgotten: the session stays there, and this machine's secrets of it stay here. A feature",
      'with work not merged is refused with the commands that keep it (merge) or drop it (--force).',
    ],
    examples: ['$ cs -rm old-experiment', '$ cs -rm old-experiment --yes', '$ cs -rm api@spike --force'],
  },
  {
    name: '-help',
    aliases: ['-h', '--help'],
    scope: 'global',
    summary: 'Show help, for everything or for one command',
    usage: ['cs -help [command]', 'cs <command> -help'],
    operands: [{ name: 'command', kind: 'command', optional: true }],
    builtin: true,
    examples: ['$ cs -help', '$ cs -ls -help'],
  },
  {
    name: '-sync',
    aliases: ['-s'],
    scope: 'both',
    summary: 'Sync the session with a git remote across machines',
    usage: [
      'cs <name> -sync {remote [url]|push [--create]|pull [--force]|status [--json] [--no-fetch]|auto {on|off}|snapshot}',
      'cs -sync clone <name|url> [name]',
    ],
    session: { need: 'required', feature: false, stub: false },
    subcommands: [
      { name: 'remote', summary: 'set the sync remote (default: $CS_SYNC_PREFIX<name>.git)', operands: [{ name: 'url', kind: 'text', optional: true }] },
      { name: 'push', summary: 'commit what changed and push it (--create: make a missing local bare repository first)', flags: [{ name: '--create', summary: 'with push: make a missing local bare repository first, without asking' }] },
      { name: 'pull', summary: 'fetch and rebase onto the remote (logs merge line by line); refused while the session is open', flags: [{ name: '--force', summary: 'with pull: pull even while the session is open (its files change under Claude)' }] },
      {
        name: 'status',
        summary: 'ahead/behind/dirty, remote, auto-sync (--no-fetch: offline)',
        flags: [
          { name: '--json', summary: 'with status: print JSON for scripts' },
          { name: '--no-fetch', summary: 'with status: do not ask the remote (offline)' },
        ],
      },
      { name: 'auto', summary: 'pull at session start, push at session end (on|off)', operands: [{ name: 'on|off', kind: 'text' }] },
      { name: 'snapshot', summary: 'autosave the workspace to refs/cs/auto now' },
      { name: 'clone', summary: 'make a session from a remote on this machine', session: 'none', operands: [{ name: 'name|url', kind: 'text' }, { name: 'name', kind: 'text', optional: true }] },
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
  },
  {
    name: '-secrets',
    aliases: [],
    scope: 'both',
    summary: 'Manage the secrets of a session (keychain or encrypted file; age sync)',
    usage: [
      'cs <name> -secrets set [--force] KEY [VALUE]',
      'cs <name> -secrets {get KEY|list [--json]|rm [--here] KEY|purge [--yes]|export}',
      'cs <name> -secrets {render FILE|exec -- <command> [args]}',
      'cs <name> -secrets {export-file [--force] [FILE]|import-file [FILE]}',
      'cs <name> -secrets {backend|migrate-backend {keychain|encrypted}}',
      'cs <name> -secrets age {init|pubkey|list [--json]|add <recipient> <age1…>|remove <recipient>}',
    ],
    subcommands: [
      { name: 'set', summary: 'store a secret (no VALUE: hidden prompt, or stdin); --force replaces a different value', flags: [{ name: '--force', summary: 'with set: replace a different value; with export-file: write even so' }], operands: [{ name: 'KEY', kind: 'text' }, { name: 'VALUE', kind: 'text', optional: true }] },
      { name: 'get', summary: "print a secret's value", operands: [{ name: 'KEY', kind: 'text' }] },
      { name: 'list', summary: 'list secret names and the captured files that use each', flags: [{ name: '--json', summary: 'with list: print JSON for scripts' }] },
      { name: 'rm', summary: 'remove a secret, from .cs/secrets.age too (the other machines remove it at their next sync)', flags: [{ name: '--here', summary: "with rm: from this machine's store only" }], operands: [{ name: 'KEY', kind: 'text' }] },
      { name: 'purge', summary: 'remove every secret of the session', flags: [{ name: '--yes', aliases: ['-y'], summary: 'with purge: do not ask for confirmation' }] },
      { name: 'export', summary: "print export KEY='value' lines for eval" },
      { name: 'render', summary: "print a captured file with its secrets' values filled in", operands: [{ name: 'FILE', kind: 'file' }] },
      { name: 'exec', summary: 'run a command with the secrets in its environment', operands: [{ name: 'command', kind: 'text', variadic: true }] },
      { name: 'export-file', summary: 'encrypt the secrets to .cs/secrets.age for every recipient', flags: [{ name: '--force', summary: 'with set: replace a different value; with export-file: write even so' }], operands: [{ name: 'FILE', kind: 'file', optional: true }] },
      { name: 'import-file', summary: "decrypt .cs/secrets.age with this machine's key and store it", operands: [{ name: 'FILE', kind: 'file', optional: true }] },
      { name: 'backend', summary: 'show where the secrets are kept, and why' },
      { name: 'migrate-backend', summary: 'move every secret of the session to the other backend', operands: [{ name: 'keychain|encrypted', kind: 'text' }] },
      {
        name: 'age',
        summary: "this machine's age identity and the session's recipients",
        subcommands: [
          { name: 'init', summary: "make this machine's age identity and add it to the session", session: { need: 'optional', feature: true, stub: false } },
          { name: 'pubkey', summary: "print this machine's age public key", session: { need: 'optional', feature: true, stub: false } },
          { name: 'list', summary: "the session's recipients", flags: [{ name: '--json', summary: 'with list: print JSON for scripts' }] },
          { name: 'add', summary: 'add a recipient', operands: [{ name: 'recipient', kind: 'text' }, { name: 'age1…', kind: 'text' }] },
          { name: 'remove', aliases: ['rm'], summary: 'remove a recipient', operands: [{ name: 'recipient', kind: 'text' }] },
        ],
      },
    ],
    session: { need: 'required', feature: true, stub: false },
    helpWhenBare: true,
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
  },
  {
    name: '-conversations',
    aliases: [],
    scope: 'session',
    summary: 'List the Claude Code conversations pinned to a session (synced, encrypted, across machines)',
    usage: ['cs <name> -conversations [--json]'],
    flags: [{ name: '--json', summary: 'print JSON for scripts' }],
    session: { need: 'required', feature: true },
    examples: ['$ cs api -conversations', '$ cs api --resume 2', '$ cs api -conversations --json | jq -r ".[-1].uuid"'],
  },
  {
    name: '-spawn',
    aliases: [],
    scope: 'global',
    summary: "Start a session in cs's tmux server without attaching a terminal",
    usage: ['cs -spawn <name> [--prompt <text>] [--task <text>] [--new | --resume <#|uuid>] [--force] [-- <claude args>...]'],
    operands: [{ name: 'name', kind: 'session' }],
    passthrough: true,
    flags: [
      { name: '--prompt', summary: "Claude's first prompt", value: 'text' },
      { name: '--task', summary: 'queue this task and arm the queue (cs <name> -queue); without --prompt Claude starts on it', value: 'text' },
      { name: '--new', summary: 'start a new conversation instead of resuming the latest one' },
      { name: '--resume', summary: 'resume this pinned conversation', value: 'text', placeholder: '#|uuid' },
      { name: '--force', summary: 'take over the session lock from another running cs' },
    ],
    notes: ['Needs tmux. Attach with cs <name>; Ctrl-\\ detaches again.'],
    examples: ['$ cs -spawn fix-ci --prompt "make the failing test pass"', '$ cs -spawn fix-ci --task "update the changelog"', '$ cs fix-ci'],
  },
  {
    name: '-live',
    aliases: [],
    scope: 'global',
    summary: 'List running sessions: state, since when, attached terminals, conversation',
    usage: ['cs -live [--json]'],
    flags: [{ name: '--json', summary: 'print JSON for scripts' }],
    notes: ['A hosted session is starting until Claude is launched. Sessions whose last run ended unexpectedly are listed too (state ended-unexpectedly) until the next cs <name>.'],
    examples: ['$ cs -live', '$ cs -live --json | jq -r \'.[] | select(.state=="needs-you") | .name\''],
  },
  {
    name: '-stop',
    aliases: [],
    scope: 'session',
    summary: 'End a running session like /exit (a signal after the timeout), then commit and export as usual',
    usage: ['cs <name> -stop [--timeout S]'],
    // A feature session is hosted like any other: it is stopped by its own name. A session on
    // another host is stopped there, over ssh.
    session: { need: 'required', feature: true, stub: true },
    flags: [{ name: '--timeout', summary: 'seconds Claude gets after /exit, and again after SIGTERM (default 10)', value: 'number' }],
    notes: ['A session that runs on another host is stopped there, over ssh.'],
    examples: ['$ cs fix-ci -stop', '$ cs fix-ci -stop --timeout 30'],
  },
  {
    name: '-features',
    aliases: [],
    scope: 'session',
    summary: 'List the feature sessions of a session: branch, commits ahead/behind, dirty, running, merged',
    usage: ['cs <base> -features [--json]'],
    session: { need: 'required', feature: true },
    flags: [{ name: '--json', summary: 'print JSON for scripts' }],
    notes: [
      'A feature session cs <base>@<feature> is a git worktree of the base on branch cs/<feature>,',
      'kept in $CS_SESSIONS_ROOT/.features/<base>@<feature>/; merge it with cs <base> --merge <feature>.',
      'One whose worktree was deleted by hand shows as missing (TREE), its branch and commits kept;',
      'cs <base>@<feature> makes the worktree again on that branch.',
    ],
    examples: ['$ cs api -features', '$ cs api -features --json | jq -r ".[] | select(.ahead > 0) | .name"'],
  },
  {
    name: '-diff',
    aliases: [],
    scope: 'session',
    summary: 'Show what a session changed: a feature since it branched, any session since it started',
    usage: ['cs <name> -diff [--stat]'],
    session: { need: 'required', feature: true },
    flags: [{ name: '--stat', summary: 'only the files and line counts' }],
    examples: ['$ cs api@retry-logic -diff', '$ cs api -diff --stat'],
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
  },
  {
    name: '-doctor',
    aliases: [],
    scope: 'both',
    summary: 'Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts',
    usage: ['cs -doctor [--json]', 'cs <name> -doctor [--json]'],
    session: { need: 'optional', feature: false },
    flags: [{ name: '--json', summary: 'print JSON for scripts' }],
    examples: ['$ cs -doctor', '$ cs api -doctor', '$ cs api -doctor --json | jq ".[] | select(.level==\"fail\")"'],
  },
  {
    name: '-log',
    aliases: [],
    scope: 'session',
    summary: "Show the session's timeline: starts, tool calls, artifacts, discoveries, autosaves, syncs",
    usage: ['cs <name> -log [-n N] [--follow] [--json]'],
    session: { need: 'required', feature: true },
    flags: [
      { name: '-n', aliases: ['--lines'], summary: 'only the newest N events', value: 'number' },
      { name: '--follow', aliases: ['-f'], summary: 'keep printing new events as they happen (Ctrl-C ends)' },
      { name: '--json', summary: 'print JSON (one object a line with --follow)' },
    ],
    examples: ['$ cs api -log', '$ cs api -log -n 20 --follow', '$ cs api -log --json | jq -r \'.[] | select(.type=="discovery") | .title\''],
  },
  {
    name: '-serve',
    aliases: [],
    scope: 'global',
    summary: 'Serve the web page and JSON API of all sessions: live timelines and conversations, prompts to hosted sessions (sign-in required)',
    usage: ['cs -serve [--port N] [--bind ADDR] [--token-file FILE] [--tls-cert FILE --tls-key FILE]', 'cs -serve --link [--json]', 'cs -serve --devices [--json]', 'cs -serve --revoke <id>'],
    flags: [
      { name: '--port', summary: 'port to listen on (default 7420; 0 picks a free one)', value: 'number' },
      { name: '--bind', summary: 'address to listen on (default 127.0.0.1; others need a configured token and TLS)', value: 'text' },
      { name: '--token-file', summary: 'read the access token from FILE (else $CS_SERVE_TOKEN, else a random one)', value: 'text' },
      { name: '--tls-cert', summary: 'PEM certificate: serve HTTPS (with --tls-key)', value: 'text' },
      { name: '--tls-key', summary: 'PEM private key of --tls-cert', value: 'text' },
      { name: '--devices', summary: 'list the signed-in devices (each lasts 30 days)' },
      { name: '--revoke', summary: 'sign out the device with this id', value: 'text', placeholder: 'id' },
      { name: '--link', summary: 'print a new one-time sign-in link for the cs -serve running here (each works once, for 15 minutes)' },
      { name: '--json', summary: 'with --devices or --link: print JSON' },
    ],
    examples: ['$ cs -serve', '$ cs -serve --link   # from any terminal: a new link for the running server', '$ ssh -L 7420:127.0.0.1:7420 workstation   # then open the printed link on this side', '$ cs -serve --devices', '$ cs -serve --revoke 3f9a0c12', '$ CS_SERVE_TOKEN=... cs -serve --bind 0.0.0.0 --tls-cert host.crt --tls-key host.key'],
  },
  {
    name: '-notify',
    aliases: [],
    scope: 'global',
    summary: 'Send a notification (ntfy-compatible POST) when a session needs you, finishes a turn or dies with no terminal attached',
    usage: ['cs -notify [show [--json]]', 'cs -notify set <url> [--token-secret KEY]', 'cs -notify {test|off}'],
    defaultSubcommand: 'show',
    subcommands: [
      { name: 'set', summary: 'send notifications to this URL', operands: [{ name: 'url', kind: 'text' }], flags: [{ name: '--token-secret', summary: 'name of the variable (or session secret) holding the bearer token for the URL', value: 'text' }] },
      { name: 'test', summary: 'send a test notification now' },
      { name: 'off', summary: 'send none' },
      { name: 'show', summary: 'where notifications go', flags: [{ name: '--json', summary: 'with show: print JSON' }] },
    ],
    notes: [
      "The body is a short summary; the session's stored values and what the secret detector finds show as [secret: KEY].",
      "Delivery failures go to notify.log in cs's config dir and never hold Claude up.",
    ],
    examples: ['$ cs -notify set https://ntfy.sh/my-cs-topic-7f3a', '$ cs -notify set https://ntfy.example.com/cs --token-secret NTFY_TOKEN', '$ cs -notify test', '$ cs -notify off'],
  },
  {
    name: '-search',
    aliases: [],
    scope: 'both',
    summary: 'Search discoveries, changes, artifacts and Claude transcripts of all sessions',
    usage: ['cs -search <text> [--session NAME] [--limit N] [--json] [--archived | --all]', 'cs <name> -search <text> [--json]'],
    operands: [{ name: 'text', kind: 'text', variadic: true }],
    session: { need: 'optional', feature: false, stub: true, env: false },
    flags: [
      { name: '--archived', summary: 'search only archived sessions' },
      { name: '--all', summary: 'search archived sessions too' },
      { name: '--session', summary: 'search only this session', value: 'session' },
      { name: '--limit', summary: 'show at most N results (default 20)', value: 'number' },
      { name: '--json', summary: 'print JSON for scripts' },
    ],
    examples: ['$ cs -search "refresh token"', '$ cs -search ECONNRESET --session api --json | jq ".[0]"'],
  },
  {
    name: '-remote',
    aliases: [],
    scope: 'global',
    summary: 'Register the hosts sessions can run on (cs <name> --on <alias>)',
    usage: ['cs -remote {add <alias> <user@host[:port]>|list [--json]|remove <alias>}'],
    subcommands: [
      { name: 'add', summary: 'register a host under a short name', operands: [{ name: 'alias', kind: 'text' }, { name: 'user@host[:port]', kind: 'text' }] },
      { name: 'list', aliases: ['ls'], summary: 'registered hosts', flags: [{ name: '--json', summary: 'print JSON for scripts (list)' }] },
      { name: 'remove', aliases: ['rm'], summary: 'forget a host (its sessions stay there)', operands: [{ name: 'alias', kind: 'host' }] },
      // What another machine's cs asks over ssh (src/remote/): one JSON line each.
      { name: 'probe', summary: 'whether a session can be made or opened here', hidden: true, operands: [{ name: 'name', kind: 'text' }], flags: [{ name: '--mkroot', summary: 'make the sessions root when missing' }] },
      { name: 'digest', summary: "a workspace's digest, to verify a copy", hidden: true, operands: [{ name: 'dir', kind: 'file' }] },
      { name: 'transcripts', summary: 'install the transcripts --move-to sends on stdin', hidden: true, operands: [{ name: 'dir', kind: 'file' }] },
    ],
    examples: ['$ cs -remote add mini me@mac-mini.local', '$ cs -remote list', '$ cs -remote remove mini'],
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
      'For the login shell ($SHELL) it prints the line its rc file still needs to load the completions.',
    ],
    examples: ['$ npm i -g claude-sessions && cs -install', '$ npx claude-sessions -install'],
  },
  {
    name: '-uninstall',
    aliases: [],
    scope: 'global',
    summary: 'Remove cs: links, hooks, commands; keeps sessions and secrets unless --purge',
    usage: ['cs -uninstall [--purge] [--yes]'],
    flags: [
      { name: '--purge', summary: 'also delete all sessions and secrets (asks first)' },
      { name: '--yes', aliases: ['-y'], summary: 'do not ask for confirmation' },
    ],
    examples: ['$ cs -uninstall', '$ cs -uninstall --purge --yes'],
  },
  {
    name: '-completions',
    aliases: [],
    scope: 'global',
    summary: 'Print the shell completion script for bash, zsh, fish or PowerShell',
    usage: ['cs -completions {bash|zsh|fish|powershell}'],
    operands: [{ name: 'shell', kind: 'shell', optional: true }],
    flags: [{ name: '--list', summary: 'print the candidates of a kind (sessions, hosts) as word:help lines, for the scripts', value: 'text', hidden: true }],
    examples: ['$ cs -completions bash > ~/.local/share/bash-completion/completions/cs', '$ cs -completions fish | source'],
  },
  {
    name: '-version',
    aliases: ['-v', '--version'],
    scope: 'global',
    summary: 'Show the version',
    usage: ['cs -version'],
    builtin: true,
    examples: ['$ cs -v'],
  },
];

const byName = new Map<string, CommandSpec>();
for (const c of COMMANDS) for (const n of [c.name, ...c.aliases]) byName.set(n, c);

export function findCommand(token: string): CommandSpec | undefined {
  return byName.get(token);
}

/** How a command is typed, its session included: `cs -ls`, `cs <name> -queue`, `cs [<name>] -sync` (help's overview, hints). */
export function commandLine(spec: CommandSpec): string {
  const prefix = spec.scope === 'global' ? 'cs' : spec.scope === 'both' ? 'cs [<name>]' : 'cs <name>';
  return spec.name ? `${prefix} ${spec.name}` : prefix;
}

/** A command's first usage line, for the hint of a usage error. */
export function usageLine(name: string): string {
  return findCommand(name)?.usage[0] ?? `cs ${name}`;
}

/** Every flag a command takes, its subcommands' included (the first declaration of a name wins), hidden ones left out: help and completions list these. */
export function declaredFlags(d: Decl, into = new Map<string, FlagDecl>()): FlagDecl[] {
  for (const f of d.flags ?? []) if (!f.hidden && !into.has(f.name)) into.set(f.name, f);
  for (const s of d.subcommands ?? []) declaredFlags(s, into);
  return [...into.values()];
}

export function allCommandNames(): string[] {
  return COMMANDS.flatMap((c) => [c.name, ...c.aliases]);
}
