# Sourced by the hooks/status-* scripts, with $dir, $state and $event set:
# records the session's live status without starting Node, the same way as
# src/status/status.ts (keep the two in step). status.json is replaced
# atomically and never by an older status (async hooks may finish out of
# order); status.log gets a line when the state changes.
cat >/dev/null 2>&1
local_dir="$dir/.cs/local"
[ -d "$local_dir" ] || mkdir -p "$local_dir" 2>/dev/null || exit 0
ms=$(date +%s%3N 2>/dev/null)
case $ms in '' | *[!0-9]*) ms=$(date +%s)000 ;; esac
file="$local_dir/status.json"
prev=
# Never through a symlink (a cloned session could carry one).
[ -L "$dir/.cs" ] || [ -L "$local_dir" ] || [ -L "$file" ] || [ -L "$local_dir/status.log" ] && exit 0
[ -f "$file" ] && read -r prev < "$file"
# A newer status wins, unless its stamp is more than 5 s ahead of this clock
# (the clock was set back): such a stamp must not block every later write.
case $prev in
  *'"ms":'*)
    pms=${prev##*\"ms\":}
    pms=${pms%%[!0-9]*}
    [ -n "$pms" ] && [ "$pms" -gt "$ms" ] && [ "$pms" -le $((ms + 5000)) ] && exit 0 ;;
esac
line="{\"state\":\"$state\",\"event\":\"$event\",\"ms\":$ms}"
tmp="$local_dir/.status.json.$$.tmp"
{ printf '%s\n' "$line" > "$tmp" && mv -f "$tmp" "$file"; } 2>/dev/null || { rm -f "$tmp"; exit 0; }
case $prev in
  *"\"state\":\"$state\""*) ;;
  *) # A last line cut off mid-write gets its newline first.
    nl=; [ -s "$local_dir/status.log" ] && [ -n "$(tail -c 1 "$local_dir/status.log")" ] && nl='
'
    printf '%s%s\n' "$nl" "$line" >> "$local_dir/status.log" ;;
esac
exit 0
