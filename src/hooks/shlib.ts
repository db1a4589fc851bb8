// dist/hook.sh: the sh that every script in hooks/ sources first. The build
// (scripts/build.mjs) writes it from the TypeScript that owns each fact (the
// session lookup, which hooks the HTTP endpoint serves, the tracked file
// names, file names and size bounds, the path rule), so the sh fast paths
// and the Node handlers cannot drift apart; test/hooks/parity.test.ts runs
// both on one corpus and requires the same files.
import * as path from 'node:path';
import { sessionPaths } from '../session/paths.js';
import { SESSION_NAME_FILE } from '../session/session-name.js';
import { FUTURE_TOLERANCE_MS, LOG_KEEP_LINES, LOG_MAX_BYTES, REPEAT_MS, STATUS_FILE, STATUS_LOG } from '../status/status.js';
import { MAX_TARGET, TARGET_KEYS } from '../timeline/hooks.js';
import { MAX_BYTES as TIMELINE_MAX_BYTES, TIMELINE_FILE } from '../timeline/timeline.js';
import { SECRET_NAME_WORDS, TRACKED_EXTENSIONS } from './artifacts.js';
import { CHANGE_TOOLS } from './changes.js';
import { AUTOSAVE_MATCHER, HOOKS } from './registry.js';
import { residentSocket } from './resident.js';
import { SESSION_MARKS } from './session.js';
import { SOCKET_SUFFIX, SPOOL_OWNER, SPOOL_SUFFIX } from './spool.js';
import { AUTOSAVE_STAMP } from '../git/autosave.js';
import { SERVED } from './server.js';
import { PREPARED_ANSWER, PREPARED_ENV_LINE, STARTS_LEFT } from './prepared.js';
import { runtimeBase, sessionEnvFilePath } from '../secrets/keys.js';
import { DETECTION_CUES, PATH_CUES } from '../secrets/detect.js';
import { MIN_SCRUB_LENGTH } from '../secrets/scrub.js';

/** Bytes of the hook input the sh scripts read (cs_read_head) and decide on. */
const HEAD_BYTES = 16384;

/** Bytes into a JSON text within which cs_json_str looks for a key (see there). */
const JSON_KEY_WITHIN = 2048;

/** The file name, beside dist/hook.js. */
export const HOOK_SH = 'hook.sh';

/** A case pattern list: `a|b|c`, each word checked to need no quoting in a pattern. */
function alternatives(words: Iterable<string>, wrap = (w: string) => w): string {
  const out: string[] = [];
  for (const w of words) {
    if (!/^[A-Za-z0-9_.-]+$/.test(w)) throw new Error(`cannot put '${w}' in an sh case pattern`);
    out.push(wrap(w));
  }
  return out.join('|');
}

/** `s` as a literal part of an sh case pattern: letters, digits, '_', '-' and '.' only (literal outside brackets). */
function shGlobLiteral(s: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(s)) throw new Error(`cannot put '${s}' in an sh case pattern`);
  return s;
}

/** A case pattern for `word` in any letter case: `sh` -> `[sS][hH]`. */
function anyCase(word: string): string {
  return word.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** A path relative to the session directory, for `"$dir"/<rel>`. */
function rel(p: string): string {
  if (!/^[A-Za-z0-9_./-]+$/.test(p) || p.startsWith('/')) throw new Error(`cannot put '${p}' in an sh string`);
  return p;
}

/**
 * The user's runtime folder (runtimeBase, src/secrets/keys.ts) below
 * $XDG_RUNTIME_DIR and below $HOME, for sh.
 */
function runtimeFolders(): { runtime: string; home: string } {
  return { runtime: rel(path.relative('/r', runtimeBase({ XDG_RUNTIME_DIR: '/r' }))), home: rel(path.relative('/h', runtimeBase({ HOME: '/h' }))) };
}

/**
 * The folder below the runtime folder that `fileOf` names a file `leaf` in,
 * the same with either root (the env files of secrets, the resident sockets).
 */
function inRuntime(fileOf: (env: NodeJS.ProcessEnv) => string, leaf: string): string {
  const below = (env: NodeJS.ProcessEnv) => {
    const file = fileOf(env);
    if (path.basename(file) !== leaf) throw new Error(`cannot put ${file} in sh`);
    return rel(path.relative(runtimeBase(env), path.dirname(file)));
  };
  const [a, b] = [below({ XDG_RUNTIME_DIR: '/r' }), below({ HOME: '/h' })];
  if (a !== b) throw new Error(`${leaf} lies in different folders of the runtime folder: ${a}, ${b}`);
  return a;
}

/** `case` arms giving cs_max_time, the timeout (s) Claude Code gives each hook script (HOOKS, registry.ts). */
function maxTimes(): string {
  const byTimeout = new Map<number, string[]>();
  for (const h of HOOKS) if (h.timeout) byTimeout.set(h.timeout, [...(byTimeout.get(h.timeout) ?? []), h.script]);
  return [...byTimeout].map(([t, scripts]) => `${alternatives(new Set(scripts))}) cs_max_time=${t} ;;`).join('\n  ');
}

/**
 * The text of dist/hook.sh (POSIX sh). Sourced with `$0` the hook script:
 * it exits 0 silently when the script has nothing to do (outside a session,
 * or its event served over HTTP), else sets `dir` (the session directory,
 * no trailing slash), `node`, `handler` and the `cs_*` facts and functions.
 */
export function hookSh(): string {
  const p = sessionPaths('/s', 's');
  const inSession = (file: string) => rel(path.relative(p.dir, file));
  const served = [...new Set(SERVED.map((s) => s.script))];
  const runtime = runtimeFolders();
  return `# dist/hook.sh, written by the build from src/hooks/shlib.ts: edit that, not this.
# Sourced first by every script in hooks/ (see hooks/README.md).

# Served over HTTP to a Claude that cs launched (SERVED in src/hooks/server.ts): step aside.
case \${0##*/} in
  ${alternatives(served)}) [ -z "\${CS_HOOK_SERVER:-}" ] || exit 0 ;;
esac

# The session, found as locateSession in src/hooks/session.ts finds it:
# CLAUDE_SESSION_DIR when it holds .cs/, else the nearest .cs/ of cs's own
# (SESSION_MARKS) up from CLAUDE_PROJECT_DIR. None: exit at once, print nothing.
dir=\${CLAUDE_SESSION_DIR:-}
cs_name=\${CLAUDE_SESSION_NAME:-}
if [ -z "$dir" ] || [ ! -d "$dir/.cs" ]; then
  cs_name=
  dir=\${CLAUDE_PROJECT_DIR:-}
  case $dir in /*) ;; *) exit 0 ;; esac
  until [ -d "$dir/.cs" ] && { ${SESSION_MARKS.map((m) => `[ -f "$dir/.cs/${m}" ]`).join(' || ')}; }; do
    [ -n "$dir" ] || exit 0
    dir=\${dir%/*}
  done
  [ -n "$dir" ] || dir=/
fi
while :; do case $dir in ?*/) dir=\${dir%/} ;; *) break ;; esac; done
# Its name, as locateSession has it: CLAUDE_SESSION_NAME beside CLAUDE_SESSION_DIR, else the
# name the session recorded (an adopted project's folder is the project's), else the folder's.
if [ -z "$cs_name" ] && [ -f "$dir/${SESSION_NAME_FILE}" ]; then
  IFS= read -r cs_name < "$dir/${SESSION_NAME_FILE}" || :
  case $cs_name in [A-Za-z0-9_]*) ;; *) cs_name= ;; esac
  case $cs_name in *[!A-Za-z0-9._-]*) cs_name= ;; esac
  [ \${#cs_name} -le 64 ] || cs_name=
  # Only a session of that name that leads here vouches for it (recordedSessionName).
  cs_root=\${CS_SESSIONS_ROOT:-\${HOME:+$HOME/.claude-sessions}}
  [ -n "$cs_root" ] && [ -n "$cs_name" ] && [ "$cs_root/$cs_name" -ef "$dir" ] || cs_name=
fi
[ -n "$cs_name" ] || cs_name=\${dir##*/}

# The Node the installer linked at <data dir>/node, found lexically from the
# registered path <data dir>/current/hooks/<name> (Claude may run hooks with a
# PATH without Node); elsewhere (a checkout) the one on PATH.
node=\${0%/current/hooks/*}/node; [ -x "$node" ] || node=node
handler=\${0%/*}/../dist/hook.js

# The clock a script has read for hooks/status.sh (see there): none yet, whatever the environment holds.
cs_now=

# Files and bounds (src/session/paths.ts, src/timeline/, src/status/status.ts).
cs_changes=$dir/${inSession(p.changes)}
cs_timeline=$dir/${inSession(path.join(p.meta, TIMELINE_FILE))}
cs_timeline_max_bytes=${TIMELINE_MAX_BYTES}
cs_target_keys='${TARGET_KEYS.join(' ')}'
cs_target_max=${MAX_TARGET}
cs_autosave_stamp=$dir/${rel(AUTOSAVE_STAMP)}
cs_status_file=$dir/${rel(STATUS_FILE)}
cs_status_log=$dir/${rel(STATUS_LOG)}
cs_status_log_max_bytes=${LOG_MAX_BYTES}
cs_status_log_keep=${LOG_KEEP_LINES}
cs_status_future_ms=${FUTURE_TOLERANCE_MS}
cs_status_repeat_ms=${REPEAT_MS}
# The first SessionStart of a Claude cs launched, prepared by cs (src/hooks/prepared.ts).
cs_prepared_answer=$dir/${rel(PREPARED_ANSWER)}
cs_prepared_env_line=$dir/${rel(PREPARED_ENV_LINE)}
cs_starts_left=$dir/${rel(STARTS_LEFT)}

# True when cs launched this Claude with its hook endpoint and prepared the
# SessionStart answer, none of it through a symlink.
cs_prepared() {
  [ -n "\${CS_HOOK_SERVER:-}" ] && [ -f "$cs_prepared_answer" ] && [ ! -L "$dir/.cs" ] && [ ! -L "$dir/.cs/local" ] && [ ! -L "$cs_prepared_answer" ] && [ ! -L "$cs_starts_left" ]
}

# The user's runtime folder (runtimeBase, src/secrets/keys.ts), in
# $cs_runtime; empty when neither XDG_RUNTIME_DIR nor HOME is an absolute
# path (Node then asks the user database, which sh cannot).
cs_runtime_folder() {
  case \${XDG_RUNTIME_DIR:-} in
    /*) cs_runtime=$XDG_RUNTIME_DIR/${runtime.runtime} ;;
    *) case \${HOME:-} in /*) cs_runtime=$HOME/${runtime.home} ;; *) cs_runtime= ;; esac ;;
  esac
}

# The running session's env file of secrets for Bash (sessionEnvFilePath,
# src/secrets/keys.ts), in $cs_env; empty without a runtime folder.
cs_env_file() {
  cs_runtime_folder
  cs_env=\${cs_runtime:+$cs_runtime/${inRuntime((env) => sessionEnvFilePath('s', env), 's.sh')}/$cs_name.sh}
}

# True when $1 may hold a value of that file (read as runningSessionSecrets
# reads it, src/secrets/scrub.ts) that scrubKnown takes out: one of at least
# ${MIN_SCRUB_LENGTH} (MIN_SCRUB_LENGTH) bytes, which skips no value Node counts in UTF-16
# units. Then only Node records the text. A line sh does not read as one
# export KEY='value' (a value with a quote in it, or spanning lines), or a
# file sh cannot find (HOME unset), counts as a hit. Builtins only: a value
# never reaches a command's argv.
cs_secret_in() {
  cs_env_file
  [ -n "$cs_env" ] || return 0
  [ -s "$cs_env" ] || return 1
  while IFS= read -r cs_line || [ -n "$cs_line" ]; do
    case $cs_line in
      "export "*"='"*"'") cs_v=\${cs_line#*"='"}; cs_v=\${cs_v%"'"} ;;
      *) return 0 ;;
    esac
    case $cs_v in *"'"*) return 0 ;; esac
    [ \${#cs_v} -lt ${MIN_SCRUB_LENGTH} ] && continue
    case $1 in *"$cs_v"*) return 0 ;; esac
  done < "$cs_env"
  return 1
}

# A run of 20 characters the secret detector's shapes are made of
# ([A-Za-z0-9_-], see DETECTION_CUES in src/secrets/detect.ts), and of 20
# letters and digits: case patterns.
cs_run_word='${'[A-Za-z0-9_-]'.repeat(20)}'
cs_run_alnum='${'[A-Za-z0-9]'.repeat(20)}'

# False when the secret detector (src/secrets/detect.ts, with secretlint's
# preset) may find something in $1 outside a run of $cs_run_word: it holds
# '=' or ':', or one of DETECTION_CUES. The caller checks the runs.
cs_undetectable() {
  case $1 in *[=:]* | ${DETECTION_CUES.map((c) => `*${shGlobLiteral(c)}*`).join(' | ')}) return 1 ;; esac
  return 0
}

# True when the part of a path shown ($1) holds nothing the secret detector
# could find in a run of $cs_run_word (the caller checks cs_undetectable): no
# run of 20 letters and digits, and no such run at all with one of PATH_CUES
# (src/secrets/detect.ts), the prefixes of keys that '-' and '_' break up.
cs_path_clean() {
  case $1 in *$cs_run_alnum*) return 1 ;; esac
  case $1 in ${PATH_CUES.map((c) => `*${shGlobLiteral(c)}*`).join(' | ')}) case $1 in *$cs_run_word*) return 1 ;; esac ;; esac
  return 0
}

# The socket of this Claude's resident (residentSocket, src/hooks/resident.ts),
# in $cs_sock: named by the hook's parent, the Claude that started it; empty
# without a runtime folder. Its folder in $cs_sock_dir, the runtime folder
# in $cs_base, its spool (spoolOf, src/hooks/spool.ts) in $cs_spool.
cs_resident_socket() {
  cs_runtime_folder
  cs_sock=\${cs_runtime:+$cs_runtime/${inRuntime((env) => residentSocket(env, 1), '1.sock')}/$PPID.sock}
  cs_sock_dir=\${cs_sock%/*}
  cs_base=\${cs_sock_dir%/*}
  cs_spool=\${cs_sock:+\${cs_sock%${SOCKET_SUFFIX}}${SPOOL_SUFFIX}}
}

# True when the resident's folder and the runtime folder are this user's, no link.
cs_resident_folders() {
  [ ! -L "$cs_sock_dir" ] && [ -O "$cs_sock_dir" ] && [ ! -L "$cs_base" ] && [ -O "$cs_base" ]
}

# True when $cs_sock may be given the hook input (which may hold a secret):
# a socket of this user's, no link, in a folder of this user's (no link) in
# the user's runtime folder (no link), neither writable by others. The
# resident listens only where those hold (startResident); this keeps the
# hooks from a socket someone else put there. The permissions take one find.
cs_resident_trusted() {
  [ ! -L "$cs_sock" ] && [ -S "$cs_sock" ] && [ -O "$cs_sock" ] && cs_resident_folders &&
    [ -z "$(find "$cs_base" "$cs_sock_dir" -prune \\( -perm -002 -o -perm -020 \\) -print 2>/dev/null)" ]
}

# Writes the whole hook input into this Claude's resident's spool
# (src/hooks/spool.ts), as a file named by this script's process id, for the
# resident to record as \`dist/hook.js post-tool\` would: builtins and one cat.
# Only while the resident named in the spool's ${SPOOL_OWNER} file runs (kill -0)
# and its socket is there (a hand-over it did not answer takes both away:
# cs_node), in folders of this user's, no link (the resident keeps them
# private, and reads only files of this user's); the file is new
# (noclobber) and this user's alone (umask 077). False with stdin untouched
# when there is no such spool or the file cannot be made there. When cat
# fails on the way (a full disk), the input is partly read and cannot be
# recorded: the part written goes, and the answer is true.
cs_spooled() {
  cs_resident_socket
  [ -n "$cs_sock" ] && [ -S "$cs_sock" ] && [ -d "$cs_spool" ] && [ ! -L "$cs_spool" ] && [ -O "$cs_spool" ] && cs_resident_folders &&
    [ -f "$cs_spool/${SPOOL_OWNER}" ] && [ ! -L "$cs_spool/${SPOOL_OWNER}" ] || return 1
  read -r cs_drainer < "$cs_spool/${SPOOL_OWNER}" || return 1
  case $cs_drainer in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$cs_drainer" 2>/dev/null && [ ! -e "$cs_spool/$$" ] && [ ! -L "$cs_spool/$$" ] || return 1
  (umask 077; set -C; exec cat > "$cs_spool/$$") && return 0
  [ -f "$cs_spool/$$" ] && [ ! -L "$cs_spool/$$" ] || return 1
  rm -f "$cs_spool/$$"
}

# Starts this Claude's resident (src/hooks/resident.ts) in the background
# when none listens yet: for a Claude that cs did not launch (no hook
# endpoint: CS_HOOK_SERVER unset). Detached and holding none of the hook's
# files: Claude neither waits for it nor kills it; it goes when this Claude
# ($PPID) has. For SessionStart, once Claude has its answer. Without curl
# it still takes hooks/post-tool-use's spool.
cs_start_resident() {
  [ -z "\${CS_HOOK_SERVER:-}" ] || return 0
  cs_resident_socket
  [ -n "$cs_sock" ] && [ ! -S "$cs_sock" ] || return 0
  CS_CLAUDE_PID=$PPID "$node" "$handler" resident </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
}

# The timeout Claude Code gives this script (HOOKS, src/hooks/registry.ts), in s.
case \${0##*/} in
  ${maxTimes()}
  *) cs_max_time=600 ;;
esac

# Runs the Node handler(s) $1 on the hook input: $input (cs_read_head) and
# the rest of stdin, or all of stdin when the script has read none. Through
# this Claude's resident (src/hooks/resident.ts) when its socket is there and
# trusted (cs_resident_trusted), curl is, and the input is whole in $input:
# one curl where Node would start (its answer printed as Node prints it).
# Else, or when the resident does not answer, a Node of its own:
# - refused (a socket left by a resident that was killed): the socket and
#   the spool's owner file go, and a new resident is started for the later
#   hooks (it takes the spool over and records what it holds first);
# - no answer within $2 seconds when given (a stopped or stuck resident),
#   else within the hook's timeout: the socket and the spool's owner file
#   go, so later hooks start Node or write their records themselves, and
#   the resident ends when it can (recording what was spooled to it). With
#   $2 the call is redone in Node (a capture's answer must not be lost:
#   Claude would write the file as it is); without, it is left to the
#   resident (Claude gives up on the hook then anyway, and the work must not
#   be done twice).
cs_node() {
  cs_resident_socket
  if [ -n "$cs_sock" ] && [ -S "$cs_sock" ] && command -v curl >/dev/null 2>&1 && cs_resident_trusted; then
    [ -n "\${cs_have_head:-}" ] || cs_read_head
    if ! cs_head_cut; then
      cs_out=$(printf '%s' "$input" | curl -q -s -f --noproxy '*' --max-time "\${2:-$cs_max_time}" --unix-socket "$cs_sock" -H 'Content-Type: application/json' --data-binary @- "http://cs/hook/$1" 2>/dev/null)
      case $? in
        0) [ -z "$cs_out" ] || printf '%s\n' "$cs_out"; return 0 ;;
        7) rm -f "$cs_sock" "$cs_spool/${SPOOL_OWNER}"; cs_start_resident ;;
        28) rm -f "$cs_sock" "$cs_spool/${SPOOL_OWNER}"; [ -n "\${2:-}" ] || return 0 ;;
      esac
    fi
  fi
  if [ -n "\${cs_have_head:-}" ]; then
    { printf '%s' "$input"; cat; } | "$node" "$handler" "$1"
  else
    "$node" "$handler" "$1"
  fi
}

# A tool whose calls go to changes.md (CHANGE_TOOLS, src/hooks/changes.ts).
cs_change_tool() {
  case $1 in ${alternatives(CHANGE_TOOLS)}) return 0 ;; esac
  return 1
}

# A tool after which the workspace is autosaved when due (AUTOSAVE_MATCHER, src/hooks/registry.ts).
cs_autosave_tool() {
  case $1 in ${alternatives(AUTOSAVE_MATCHER.split('|'))}) return 0 ;; esac
  return 1
}

# A base name PreToolUse captures, in any case (isTrackedFile, src/hooks/artifacts.ts).
cs_tracked_name() {
  case $1 in
    .${anyCase('env')}|*.${anyCase('env')}) return 0 ;;
    ${alternatives(TRACKED_EXTENSIONS, (e) => `?*.${anyCase(e)}`)}) return 0 ;;
    ${alternatives(SECRET_NAME_WORDS, (w) => `*${anyCase(w)}*`)}) return 0 ;;
  esac
  return 1
}

# An absolute path with no empty, . or .. part and no trailing slash: one
# where workspaceRelative (src/hooks/session.ts) comes down to cutting "$dir/".
cs_plain_path() {
  case $1 in /*) ;; *) return 1 ;; esac
  case $1 in *//* | */./* | */../* | */. | */.. | */) return 1 ;; esac
  return 0
}

# cs_shown: plain path $1 relative to the workspace ('.' for the workspace
# itself); false, and empty, outside it. Needs a plain $dir as well.
cs_relative() {
  case $1 in
    "$dir") cs_shown=. ;;
    "$dir"/*) cs_shown=\${1#"$dir"/} ;;
    *) cs_shown=; return 1 ;;
  esac
  return 0
}

# The parts of the hook input ($input) a script decides on, found without a
# process: cs_before, the top level before "tool_input"; cs_ti, what follows
# "tool_input" up to "tool_response"; cs_flat, cs_ti up to its first nested
# object or array (a key found there is one of tool_input's own: an
# unescaped '":{' or '":[' cannot be in a string). False without a
# "tool_input" before "tool_response".
cs_tool_parts() {
  cs_before=\${input%%\\"tool_response\\"*}
  case $cs_before in *'"tool_input"'*) ;; *) return 1 ;; esac
  cs_ti=\${cs_before#*\\"tool_input\\"}
  cs_before=\${cs_before%%\\"tool_input\\"*}
  cs_flat=\${cs_ti%%[!\\\\]\\":\\{*}; cs_flat=\${cs_flat%%[!\\\\]\\":\\[*}
  cs_flat=\${cs_flat%%[!\\\\]\\": \\{*}; cs_flat=\${cs_flat%%[!\\\\]\\": \\[*}
}

# cs_str: the value of key "$1" in JSON text "$2" at its first "$1", when it
# is a plain string there (no escapes; optional blanks around the ':'); else
# false, and empty. Builtins only: no process per field. False too when a
# "$1" that is a string value comes first, or "$1" is past the first
# ${JSON_KEY_WITHIN} bytes (dash's prefix removal grows with the square of
# the prefix): the caller then hands the input to Node.
cs_json_str() {
  cs_str=
  cs_rest=\${2%%"\\"$1\\""*}
  [ \${#cs_rest} -lt \${#2} ] && [ \${#cs_rest} -le ${JSON_KEY_WITHIN} ] || return 1
  cs_rest=\${2#"$cs_rest\\"$1\\""}
  while :; do case $cs_rest in [[:space:]]*) cs_rest=\${cs_rest#?} ;; *) break ;; esac; done
  case $cs_rest in :*) cs_rest=\${cs_rest#:} ;; *) return 1 ;; esac
  while :; do case $cs_rest in [[:space:]]*) cs_rest=\${cs_rest#?} ;; *) break ;; esac; done
  case $cs_rest in \\"*\\"*) cs_rest=\${cs_rest#\\"} ;; *) return 1 ;; esac
  cs_str=\${cs_rest%%\\"*}
  case $cs_str in *\\\\*) cs_str=; return 1 ;; esac
  return 0
}

# The head of the hook input, in $input: what a script decides on comes
# before a Write's content (tens of MB for a big file), and Node gets the
# whole stream ($input, then the rest of stdin) when it must look. Small,
# because every expansion of $input copies it (dash: about 7 ms a pass over
# 64 KB, against 2 ms over ${HEAD_BYTES / 1024} KB).
cs_read_head() {
  input=$(head -c ${HEAD_BYTES})
  cs_have_head=1
}

# True when $input may not be all of the input: under ${HEAD_BYTES - 100} bytes, head met
# the end ($(...) drops trailing newlines only).
cs_head_cut() {
  # Bytes: bash in a UTF-8 locale counts characters. The script goes on in
  # the C locale, as the scripts that read fields set it themselves.
  LC_ALL=C
  [ \${#input} -ge ${HEAD_BYTES - 100} ]
}

# cs_utc: epoch seconds $1 (0 or more) as the ISO UTC time Node's
# toISOString gives to the second (2026-11-30T19:45:21Z), by arithmetic: one
# date process then gives a hook both its local and its UTC time. Days to
# the civil date as in H. Hinnant, "chrono-Compatible Low-Level Date
# Algorithms" (civil_from_days).
cs_utc() {
  cs_d=$(($1 / 86400)); cs_r=$(($1 % 86400))
  cs_z=$((cs_d + 719468)); cs_era=$((cs_z / 146097)); cs_doe=$((cs_z - cs_era * 146097))
  cs_yoe=$(((cs_doe - cs_doe / 1460 + cs_doe / 36524 - cs_doe / 146096) / 365))
  cs_doy=$((cs_doe - (365 * cs_yoe + cs_yoe / 4 - cs_yoe / 100))); cs_mp=$(((5 * cs_doy + 2) / 153))
  cs_dd=$((cs_doy - (153 * cs_mp + 2) / 5 + 1)); cs_mm=$((cs_mp < 10 ? cs_mp + 3 : cs_mp - 9))
  cs_yy=$((cs_yoe + cs_era * 400 + (cs_mm <= 2)))
  cs_hh=$((cs_r / 3600)); cs_mi=$((cs_r % 3600 / 60)); cs_ss=$((cs_r % 60))
  case $cs_mm in ?) cs_mm=0$cs_mm ;; esac; case $cs_dd in ?) cs_dd=0$cs_dd ;; esac
  case $cs_hh in ?) cs_hh=0$cs_hh ;; esac; case $cs_mi in ?) cs_mi=0$cs_mi ;; esac; case $cs_ss in ?) cs_ss=0$cs_ss ;; esac
  cs_utc=$cs_yy-$cs_mm-\${cs_dd}T$cs_hh:$cs_mi:\${cs_ss}Z
}

# The scripts source this with "command . <this> || exit 0": end on success.
:
`;
}
