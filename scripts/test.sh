#!/bin/sh
# Runs the suite inside a private D-Bus session with an unlocked
# gnome-keyring, so the keychain backend is tested against a real Secret
# Service. Without those tools the suite runs as is (keyring tests then
# skip, or fail under CS_REQUIRE_KEYRING=1).
set -e
if [ -z "${CS_IN_TEST_BUS:-}" ] && command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  export CS_IN_TEST_BUS=1
  exec dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec npx vitest run "$@"' sh "$@"
fi
exec npx vitest run "$@"
