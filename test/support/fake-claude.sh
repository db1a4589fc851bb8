#!/bin/sh
# Stands in for Claude Code where only "a process that runs for a while" is
# needed (locks, signals, argument passing). Records how it was started as
# one JSON line (one write, so readers never see half a line), then sleeps
# FAKE_CLAUDE_SLEEP seconds and exits FAKE_CLAUDE_EXIT.
# JSON string escaping, newlines included (a queued task's prompt has them).
esc() { printf '%s' "$1" | awk 'BEGIN { ORS = "" } NR > 1 { print "\\n" } { gsub(/\\/, "&&"); gsub(/"/, "\\\""); print }'; }
line='{"argv":['
sep=''
for a in "$@"; do line="$line$sep\"$(esc "$a")\""; sep=','; done
line="$line],\"cwd\":\"$(esc "$PWD")\",\"env\":{"
sep=''
for v in CLAUDE_SESSION_NAME CLAUDE_SESSION_DIR CLAUDE_SESSION_META_DIR CLAUDE_ARTIFACT_DIR CLAUDE_CODE_TASK_LIST_ID CS_HOOK_SERVER; do
  eval "val=\${$v-}"
  line="$line$sep\"$v\":\"$(esc "$val")\""; sep=','
done
line="$line},\"pid\":$$}"
printf '%s\n' "$line" >> "${FAKE_CLAUDE_LOG:-/dev/null}"
# FAKE_CLAUDE_TRANSCRIPT=1: the conversation of --session-id <uuid> gets a
# transcript, as Claude Code writes one with the first message (without it,
# cs takes back a new conversation it pinned: nothing was said in it).
if [ -n "${FAKE_CLAUDE_TRANSCRIPT:-}" ]; then
  prev=''
  for a in "$@"; do
    if [ "$prev" = --session-id ]; then
      dir="${CLAUDE_CONFIG_DIR:-$HOME/.claude}/projects/$(pwd -P | sed 's/[^a-zA-Z0-9]/-/g')"
      mkdir -p "$dir" && printf '{"type":"user","message":{"role":"user","content":"hi"}}\n' >> "$dir/$a.jsonl"
    fi
    prev="$a"
  done
fi
# FAKE_CLAUDE_SAY: a line to draw first (what the terminal shows of "Claude").
if [ -n "${FAKE_CLAUDE_SAY:-}" ]; then printf '%s\n' "$FAKE_CLAUDE_SAY"; fi
# exec, so a signal sent to "claude" reaches the sleeping process itself.
if [ -n "${FAKE_CLAUDE_SLEEP:-}" ]; then exec sleep "$FAKE_CLAUDE_SLEEP"; fi
exit "${FAKE_CLAUDE_EXIT:-0}"
