// Renders the completion model as a script for bash, zsh, fish or PowerShell.
// Each script is the same three parts in its shell's syntax: the table as
// data (`word:help` lines under keys), the dynamic kinds (session names read
// from the sessions root directly, so TAB never starts Node for them; host
// aliases from `cs -completions --list hosts`), and one small driver that
// decides which key and kind apply at the cursor:
//
//   after `--`                      nothing (the rest goes to Claude Code)
//   after a flag that takes a value its kind (--on <TAB>: hosts)
//   cs <TAB>                        session names + `top`
//   cs <session> <TAB>              `after-session`
//   cs [<session>] -cmd <TAB>       `args:<cmd>` + its operand kind; `flags:<cmd>` when the word starts with -
//   cs [<session>] -cmd <sub> <TAB> `args:<cmd>:<sub>` (the subcommands of a subcommand: -secrets age <TAB>)
import { completionModel, type CompletionModel, type Kind, type Word } from './model.js';

export type Shell = 'bash' | 'zsh' | 'fish' | 'powershell';
export const SHELL_NAMES: readonly Shell[] = ['bash', 'zsh', 'fish', 'powershell'];

/** File name of each script in completions/ (and what install copies). */
export const SCRIPT_FILES: Record<Shell, string> = { bash: 'cs.bash', zsh: '_cs', fish: 'cs.fish', powershell: 'cs.ps1' };

/** The names cs is installed under; a script completes each of them. */
export const BIN_NAMES: readonly string[] = ['cs', 'claude-sessions'];

interface Tables {
  data: Array<[key: string, lines: string[]]>;
  ids: Array<[spellings: string[], id: string]>;
  sessionIds: Array<[spellings: string[], id: string]>;
  operands: Array<[id: string, kind: Kind]>;
  valueKinds: Array<[flag: string, kind: Kind]>;
}

const line = (w: Word) => `${w.word}:${w.help.replace(/[\r\n]+/g, ' ')}`;

function tables(m: CompletionModel): Tables {
  const data: Tables['data'] = [
    ['top', m.top.map(line)],
    ['after-session', m.afterSession.map(line)],
    ['kind:shell', m.shells.map(line)],
    ['kind:command', m.top.filter((w) => w.word.startsWith('-')).map(line)],
  ];
  // After a session name a command whose subcommands differ there (sessionArgs) goes by an id of its own.
  const afterSession = (c: CompletionModel['commands'][number]) => (c.sessionArgs ? `${c.id}_session` : c.id);
  for (const c of m.commands) {
    if (c.flags.length) data.push([`flags:${c.id}`, c.flags.map(line)]);
    if (c.args.length) data.push([`args:${c.id}`, c.args.map(line)]);
    if (c.sessionArgs && c.flags.length) data.push([`flags:${afterSession(c)}`, c.flags.map(line)]);
    if (c.sessionArgs?.length) data.push([`args:${afterSession(c)}`, c.sessionArgs.map(line)]);
    for (const n of c.nested ?? []) {
      data.push([`args:${c.id}:${n.sub}`, n.words.map(line)]);
      if (c.sessionArgs && !n.sessionNone) data.push([`args:${afterSession(c)}:${n.sub}`, n.words.map(line)]);
    }
  }
  return {
    data,
    ids: m.commands.filter((c) => c.spellings.length).map((c) => [c.spellings, c.id]),
    sessionIds: m.commands.filter((c) => c.sessionScoped).map((c) => [c.spellings, afterSession(c)]),
    operands: m.commands.flatMap((c) => (c.operand ? [[c.id, c.operand] as [string, Kind], ...(c.sessionArgs ? [[afterSession(c), c.operand] as [string, Kind]] : [])] : [])),
    valueKinds: m.valueFlags.map((f) => [f.flag, f.kind]),
  };
}

const HEADER = (shell: string) => [
  `# ${shell} completion for cs (and claude-sessions).`,
  '# Generated from the command table (src/commands/table.ts) by src/completions/shells.ts;',
  '# do not edit: run `node --import tsx src/completions/write.ts` (or `cs -completions <shell>`).',
];

// ------------------------------------------------------------- bash and zsh

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Data and lookup functions; the syntax is common to bash and zsh. */
function posixTables(t: Tables): string[] {
  const out: string[] = ['_cs_data() {', '  case $1 in'];
  for (const [key, lines] of t.data) {
    if (!lines.length) continue;
    out.push(`    ${key}) printf '%s\\n' \\`, ...lines.map((l, i) => `      ${sq(l)}${i === lines.length - 1 ? ';;' : ' \\'}`));
  }
  out.push('  esac', '}');
  const lookup = (name: string, arms: Array<[string[], string]>) => {
    out.push(`${name}() {`, '  case $1 in');
    for (const [pats, value] of arms) out.push(`    ${pats.map(sq).join('|')}) echo ${value} ;;`);
    out.push('  esac', '}');
  };
  lookup('_cs_id', t.ids);
  lookup('_cs_session_id', t.sessionIds);
  lookup('_cs_operand', t.operands.map(([id, kind]) => [[id], kind]));
  lookup('_cs_value_kind', t.valueKinds.map(([flag, kind]) => [[flag], kind]));
  out.push(
    '# $1: kind, $2: the command being completed (cs or claude-sessions)',
    '_cs_kind() {',
    '  case $1 in',
    '    session)',
    '      local root=${CS_SESSIONS_ROOT:-$HOME/.claude-sessions} d',
    '      for d in "$root"/*/.cs; do',
    '        [ -d "$d" ] || continue',
    '        d=${d%/.cs}',
    "        printf '%s\\n' \"${d##*/}:session\"",
    '      done ;;',
    '    host) "$2" -completions --list hosts 2>/dev/null ;;',
    '    *) _cs_data "kind:$1" ;;',
    '  esac',
    '}',
  );
  return out;
}

/**
 * The driver in the shared syntax. `$w[i]` is the i-th word with the command
 * as word 0 (bash: COMP_WORDS; zsh: words shifted by one), `n` the index of
 * the word under the cursor.
 */
function posixDriver(word: (i: string) => string): string[] {
  return [
    '  local key= kind= id= argi=0 i',
    `  for ((i = 1; i < n; i++)); do [[ ${word('i')} == -- ]] && return 1; done`,
    `  ((n > 1)) && kind=$(_cs_value_kind "${word('n - 1')}")`,
    '  if [[ -z $kind ]]; then',
    '    if ((n == 1)); then',
    '      kind=session key=top',
    `    elif [[ ${word('1')} == -* ]]; then`,
    `      id=$(_cs_id "${word('1')}") argi=2`,
    '    elif ((n == 2)); then',
    '      key=after-session',
    '    else',
    `      id=$(_cs_session_id "${word('2')}") argi=3`,
    '      [[ -z $id ]] && id=open argi=2',
    '    fi',
    '    if [[ -n $id ]]; then',
    '      [[ $cur == -* ]] && key=flags:$id',
    '      ((n == argi)) && key="$key args:$id" kind=$(_cs_operand "$id")',
    // Only a word that can be a subcommand's name makes a key: $key is split and globbed when read.
    `      ((argi && n == argi + 1)) && case ${word('argi')} in '' | *[!a-z-]*) ;; *) key="$key args:$id:${word('argi')}" ;; esac`,
    '    fi',
    '  fi',
  ];
}

export function bashScript(m: CompletionModel = completionModel(), names: readonly string[] = BIN_NAMES): string {
  return [
    ...HEADER('bash'),
    '# Load it with: source <(cs -completions bash), or put it in ~/.local/share/bash-completion/completions/cs',
    '',
    ...posixTables(tables(m)),
    '',
    '_cs() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} n=$COMP_CWORD',
    ...posixDriver((i) => `\${COMP_WORDS[${i}]}`),
    '  local l words=()',
    '  while IFS= read -r l; do [[ -n $l ]] && words+=("${l%%:*}"); done < <(',
    '    for l in $key; do _cs_data "$l"; done',
    '    [[ -n $kind ]] && _cs_kind "$kind" "${COMP_WORDS[0]}"',
    '  )',
    '  COMPREPLY=($(compgen -W "${words[*]}" -- "$cur"))',
    '}',
    `complete -F _cs ${names.join(' ')}`,
    '',
  ].join('\n');
}

export function zshScript(m: CompletionModel = completionModel(), names: readonly string[] = BIN_NAMES): string {
  return [
    `#compdef ${names.join(' ')}`,
    ...HEADER('zsh'),
    '# Put it as _cs in a directory on $fpath before compinit (e.g. fpath=(~/.zsh/completions $fpath)),',
    '# or load it after compinit with: source <(cs -completions zsh)',
    '',
    ...posixTables(tables(m)),
    '',
    '_cs() {',
    '  local cur=${words[CURRENT]} n=$((CURRENT - 1))',
    ...posixDriver((i) => `\${words[${i} + 1]}`),
    '  local -a lines',
    '  lines=(${(f)"$(',
    '    for i in ${=key}; do _cs_data "$i"; done',
    '    [[ -n $kind ]] && _cs_kind "$kind" "${words[1]}"',
    '  )"})',
    '  ((${#lines})) || return 1',
    "  _describe -t cs-words 'cs' lines",
    '}',
    '',
    '# Autoloaded from $fpath the file runs as _cs itself; sourced, it registers.',
    'if [[ ${funcstack[1]} == _cs ]]; then',
    '  _cs "$@"',
    'else',
    `  compdef _cs ${names.join(' ')}`,
    'fi',
    '',
  ].join('\n');
}

// --------------------------------------------------------------------- fish

const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function fishScript(m: CompletionModel = completionModel(), names: readonly string[] = BIN_NAMES): string {
  const t = tables(m);
  const out = [
    ...HEADER('fish'),
    '# Put it in ~/.config/fish/completions/cs.fish, or load it with: cs -completions fish | source',
    '',
    'function __cs_data',
    '    switch $argv[1]',
  ];
  for (const [key, lines] of t.data) {
    if (!lines.length) continue;
    out.push(`        case ${fq(key)}`, `            printf '%s\\n' \\`, ...lines.map((l, i) => `                ${fq(l)}${i === lines.length - 1 ? '' : ' \\'}`));
  }
  out.push('    end', 'end');
  const lookup = (name: string, arms: Array<[string[], string]>) => {
    out.push(`function ${name}`, '    switch $argv[1]');
    for (const [pats, value] of arms) out.push(`        case ${pats.map(fq).join(' ')}`, `            echo ${value}`);
    out.push('    end', 'end');
  };
  lookup('__cs_id', t.ids);
  lookup('__cs_session_id', t.sessionIds);
  lookup('__cs_operand', t.operands.map(([id, kind]) => [[id], kind]));
  lookup('__cs_value_kind', t.valueKinds.map(([flag, kind]) => [[flag], kind]));
  out.push(
    '# $argv[1]: kind, $argv[2]: the command being completed',
    'function __cs_kind',
    '    switch $argv[1]',
    '        case session',
    '            set -l root $CS_SESSIONS_ROOT',
    '            test -n "$root"; or set root $HOME/.claude-sessions',
    '            for d in $root/*/.cs',
    '                test -d $d; or continue',
    '                printf \'%s:session\\n\' (path basename (path dirname $d))',
    '            end',
    '        case host',
    '            $argv[2] -completions --list hosts 2>/dev/null',
    '        case \'*\'',
    '            __cs_data kind:$argv[1]',
    '    end',
    'end',
    '',
    'function __cs_complete',
    '    set -l words (commandline -opc)',
    '    set -l cur (commandline -ct)',
    '    set -l n (count $words)',
    '    set -l before $words',
    '    set -e before[1]',
    '    contains -- -- $before; and return',
    '    set -l key',
    '    set -l kind',
    '    set -l id',
    '    set -l argi 0',
    '    test $n -gt 1; and set kind (__cs_value_kind $words[-1])',
    '    if test -z "$kind"',
    '        if test $n -eq 1',
    '            set kind session',
    '            set key top',
    '        else if string match -q -- \'-*\' $words[2]',
    '            set id (__cs_id $words[2])',
    '            set argi 2',
    '        else if test $n -eq 2',
    '            set key after-session',
    '        else',
    '            set id (__cs_session_id $words[3])',
    '            set argi 3',
    '            if test -z "$id"',
    '                set id open',
    '                set argi 2',
    '            end',
    '        end',
    '        if test -n "$id"',
    '            string match -q -- \'-*\' "$cur"; and set key flags:$id',
    '            if test $n -eq $argi',
    '                set -a key args:$id',
    '                set kind (__cs_operand $id)',
    '            end',
    '            if test $argi -gt 0; and test $n -eq (math $argi + 1); and string match -qr -- \'^[a-z][a-z-]*$\' $words[$n]',
    '                set -a key args:$id:$words[$n]',
    '            end',
    '        end',
    '    end',
    '    begin',
    '        for k in $key',
    '            __cs_data $k',
    '        end',
    '        test -n "$kind"; and __cs_kind $kind $words[1]',
    '    end | string replace -r \':\' \\t',
    'end',
    '',
    ...names.map((b) => `complete -c ${b} -f -a '(__cs_complete)'`),
    '',
  );
  return out.join('\n');
}

// --------------------------------------------------------------- PowerShell

// PowerShell also closes single-quoted strings at typographic quotes.
const pq = (s: string) => `'${s.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;

export function powershellScript(m: CompletionModel = completionModel(), names: readonly string[] = BIN_NAMES): string {
  const t = tables(m);
  const out = [
    ...HEADER('PowerShell'),
    '# Load it from your $PROFILE: . ~/.config/powershell/completions/cs.ps1',
    '',
    'function __cs_data([string]$Key) {',
    '    switch -CaseSensitive ($Key) {',
  ];
  for (const [key, lines] of t.data) {
    if (!lines.length) continue;
    out.push(`        ${pq(key)} {`, ...lines.map((l) => `            ${pq(l)}`), '        }');
  }
  out.push('    }', '}');
  const lookup = (name: string, param: string, arms: Array<[string[], string]>) => {
    out.push(`function ${name}([string]$${param}) {`, `    switch -CaseSensitive ($${param}) {`);
    for (const [pats, value] of arms) for (const p of pats) out.push(`        ${pq(p)} { ${pq(value)} }`);
    out.push(`        default { '' }`, '    }', '}');
  };
  lookup('__cs_id', 'Word', t.ids);
  lookup('__cs_session_id', 'Word', t.sessionIds);
  lookup('__cs_operand', 'Id', t.operands.map(([id, kind]) => [[id], kind]));
  lookup('__cs_value_kind', 'Flag', t.valueKinds.map(([flag, kind]) => [[flag], kind]));
  out.push(
    'function __cs_kind([string]$Kind, [string]$Exe) {',
    '    switch ($Kind) {',
    "        'session' {",
    "            $root = if ($env:CS_SESSIONS_ROOT) { $env:CS_SESSIONS_ROOT } else { Join-Path $HOME '.claude-sessions' }",
    '            Get-ChildItem -LiteralPath $root -Directory -ErrorAction SilentlyContinue |',
    "                Where-Object { Test-Path -LiteralPath (Join-Path $_.FullName '.cs') -PathType Container } |",
    '                ForEach-Object { "$($_.Name):session" }',
    '        }',
    "        'host' { & $Exe -completions --list hosts 2>$null }",
    '        default { __cs_data "kind:$Kind" }',
    '    }',
    '}',
    '',
    `Register-ArgumentCompleter -Native -CommandName ${names.map(pq).join(', ')} -ScriptBlock {`,
    '    param($wordToComplete, $commandAst, $cursorPosition)',
    '    # Words before the one under the cursor; $w[0] is the command itself.',
    '    $w = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })',
    '    $n = $w.Count',
    "    if ($n -gt 1 -and ($w[1..($n - 1)] -ccontains '--')) { return }",
    "    $keys = @(); $kind = ''; $id = ''; $argi = 0",
    '    if ($n -gt 1) { $kind = __cs_value_kind $w[$n - 1] }',
    '    if (-not $kind) {',
    "        if ($n -eq 1) { $kind = 'session'; $keys += 'top' }",
    "        elseif ($w[1].StartsWith('-')) { $id = __cs_id $w[1]; $argi = 2 }",
    "        elseif ($n -eq 2) { $keys += 'after-session' }",
    '        else {',
    '            $id = __cs_session_id $w[2]; $argi = 3',
    "            if (-not $id) { $id = 'open'; $argi = 2 }",
    '        }',
    '        if ($id) {',
    "            if ($wordToComplete.StartsWith('-')) { $keys += \"flags:$id\" }",
    '            if ($n -eq $argi) { $keys += "args:$id"; $kind = __cs_operand $id }',
    "            if ($argi -and $n -eq $argi + 1 -and $w[$argi] -cmatch '^[a-z][a-z-]*$') { $keys += \"args:${id}:$($w[$argi])\" }",
    '        }',
    '    }',
    '    $lines = @()',
    '    foreach ($k in $keys) { $lines += @(__cs_data $k) }',
    '    if ($kind) { $lines += @(__cs_kind $kind $w[0]) }',
    '    foreach ($l in $lines) {',
    '        if (-not $l) { continue }',
    "        $word, $help = $l -split ':', 2",
    '        if ($word.StartsWith($wordToComplete, [System.StringComparison]::Ordinal)) {',
    "            [System.Management.Automation.CompletionResult]::new($word, $word, 'ParameterValue', $(if ($help) { $help } else { $word }))",
    '        }',
    '    }',
    '}',
    '',
  );
  return out.join('\n');
}

export function completionScript(shell: Shell, m: CompletionModel = completionModel(), names: readonly string[] = BIN_NAMES): string {
  switch (shell) {
    case 'bash':
      return bashScript(m, names);
    case 'zsh':
      return zshScript(m, names);
    case 'fish':
      return fishScript(m, names);
    case 'powershell':
      return powershellScript(m, names);
  }
}
