#!/bin/sh
# Runs the suite inside a private D-Bus session with an unlocked
# gnome-keyring, so the keychain backend is tested against a real Secret
# Service. Without those tools the suite runs as is (keyring tests then
# skip, or fail under CS_REQUIRE_KEYRING=1).
#
# The keyring's files live in a temp dir of this run (XDG_DATA_HOME of the
# daemon only): runs side by side on one machine would otherwise share
# ~/.local/share/keyrings (each daemon rewriting the file the other reads),
# and a desktop's own login keyring would be opened with the test password.
#
# Should the daemon die during the run (gnome-keyring-daemon 42.1 has trapped
# in glib under the suite's load: "trap int3 ... in libglib-2.0"), the next
# call D-Bus-activates another: a service file of this run, first in
# XDG_DATA_DIRS for the bus alone, starts it unlocked on the same files, so
# the rest of the suite meets the same keyring rather than a locked one that
# fails every call.
#
# gnome-keyring-daemon returns as soon as it has forked, before its Secret
# Service is on the bus (gkd-main.c releases the parent first): the suite
# waits (up to 10 s) until the name org.freedesktop.secrets has an owner. It
# asks the bus, not the service: a call to the service before then would
# D-Bus-activate a second daemon, one without the unlock password.
set -e
if [ -z "${CS_IN_TEST_BUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  export CS_IN_TEST_BUS=1
  keyring_data="$(mktemp -d "${TMPDIR:-/tmp}/cs-test-keyring.XXXXXX")"
  trap 'rm -rf "$keyring_data"' EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$keyring_data/share/dbus-1/services"
  printf '#!/bin/sh\nprintf pw | XDG_DATA_HOME="%s" exec gnome-keyring-daemon --unlock --foreground --components=secrets\n' "$keyring_data" > "$keyring_data/keyring.sh"
  chmod +x "$keyring_data/keyring.sh"
  printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=%s/keyring.sh\n' "$keyring_data" > "$keyring_data/share/dbus-1/services/org.freedesktop.secrets.service"
  data_dirs=${XDG_DATA_DIRS:-}
  set +e
  XDG_DATA_DIRS="$keyring_data/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" dbus-run-session -- sh -c '
    # The bus has read its service folders: the suite gets the environment it was given.
    if [ -n "$2" ]; then export XDG_DATA_DIRS="$2"; else unset XDG_DATA_DIRS; fi
    printf pw | XDG_DATA_HOME="$1" gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    shift 2
    if command -v dbus-send >/dev/null 2>&1; then
      i=0
      until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
        i=$((i + 1))
        if [ "$i" -ge 100 ]; then echo "scripts/test.sh: the Secret Service did not come up within 10 s" >&2; break; fi
        sleep 0.1
      done
    fi
    exec npx vitest run "$@"' sh "$keyring_data" "$data_dirs" "$@"
  exit $?
fi
exec npx vitest run "$@"
