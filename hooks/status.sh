# Sourced by the hooks/status-* scripts after dist/hook.sh, with $state and
# $event set: records the session's live status without starting Node, as
# writeStatus in src/status/status.ts does (test/hooks/parity.test.ts holds
# the two to the same files). status.json is replaced atomically and never by
# an older status (async hooks may finish out of order); status.log gets a
# line when the state changes, and is cut to its newest lines past its bound.
# The hook input is not read: Claude Code takes a hook that exits without
# reading it as run (test/e2e/claude/hook-facts.test.ts), and a cat to drain
# it was a process on every tool call.
file=$cs_status_file
log=$cs_status_log
local_dir=${file%/*}
# Never through a symlink (a cloned session could carry one); a linked
# status.log costs only the log its line, as in Node.
[ -L "$dir/.cs" ] || [ -L "$local_dir" ] || [ -L "$file" ] && exit 0
[ -d "$local_dir" ] || mkdir -p "$local_dir" 2>/dev/null || exit 0
# One clock reading, as seconds, nanoseconds (a date without %N prints no
# digits there) and the ISO time; a hook that has read the clock already
# gives it in $cs_now, in that form.
now=${cs_now:-$(date -u '+%s.%N.%Y-%m-%dT%H:%M:%S' 2>/dev/null)}
s=${now%%.*}; rest=${now#*.}; ns=${rest%%.*}; iso=${rest#*.}
case $s in '' | *[!0-9]*) exit 0 ;; esac
case $ns in [0-9][0-9][0-9]*) frac=${ns%"${ns#???}"} ;; *) frac=000 ;; esac
ms=$s$frac
prev=
[ -f "$file" ] && read -r prev < "$file"
# A newer status wins, unless its stamp is further ahead of this clock than
# the tolerance (the clock was set back): such a stamp must not block every later write.
case $prev in
  *'"ms":'*)
    pms=${prev##*\"ms\":}
    pms=${pms%%[!0-9]*}
    [ -n "$pms" ] && [ "$pms" -gt "$ms" ] && [ "$pms" -le $((ms + cs_status_future_ms)) ] && exit 0
    # The same state again within REPEAT_MS, whatever the event: not written again.
    case $prev in
      *"\"state\":\"$state\","*)
        [ -n "$pms" ] && [ "$ms" -ge "$pms" ] && [ "$ms" -lt $((pms + cs_status_repeat_ms)) ] && exit 0 ;;
    esac ;;
esac
line="{\"state\":\"$state\",\"event\":\"$event\",\"at\":\"$iso.${frac}Z\",\"ms\":$ms}"
# From here the files are private (0600, as writeStatus makes them: a
# status.json that had more is narrowed, never widened; one made read-only is
# left alone), and a temp file is created afresh (noclobber: a link planted at
# its name is never written through, nor removed). No subshell: no fork.
umask 077
set -C
[ -e "$file" ] && [ ! -w "$file" ] && exit 0
tmp="$local_dir/.status.json.$$.tmp"
{ printf '%s\n' "$line" > "$tmp"; } 2>/dev/null || exit 0
mv -f "$tmp" "$file" 2>/dev/null || { rm -f "$tmp"; exit 0; }
[ -L "$log" ] && exit 0
case $prev in
  *"\"state\":\"$state\""*) ;;
  *) # A last line cut off mid-write gets its newline first.
    nl=; [ -s "$log" ] && [ -n "$(tail -c 1 "$log")" ] && nl='
'
    printf '%s%s\n' "$nl" "$line" >> "$log"
    size=$(wc -c < "$log" 2>/dev/null); size=${size##* }
    if [ "${size:-0}" -gt "$cs_status_log_max_bytes" ] 2>/dev/null; then
      tmp="$local_dir/.status.log.$$.tmp"
      if { sed '/^$/d' "$log" | tail -n "$cs_status_log_keep" > "$tmp"; } 2>/dev/null; then
        mv -f "$tmp" "$log" 2>/dev/null || rm -f "$tmp"
      fi
    fi ;;
esac
exit 0
