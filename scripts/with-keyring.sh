#!/usr/bin/env bash
# Runs a command with a real Secret Service keyring (gnome-keyring) on a private D-Bus session,
# unless a desktop session bus already exists (then the person's own keyring is used).
# The private keyring lives in a throwaway folder and is gone when the command ends: it is for
# tests and for headless runs, never for keeping a person's credentials.
set -euo pipefail
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${CROSSLINK_PRIVATE_KEYRING:-}" ]; then
  exec "$@"
fi
if [ -z "${CROSSLINK_IN_DBUS:-}" ]; then
  export CROSSLINK_IN_DBUS=1
  exec dbus-run-session -- "$0" "$@"
fi
keyring_home="$(mktemp -d)"
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"
# --unlock reads a password on stdin and creates the default "login" collection with it, so no
# prompt ever appears. The password only guards this throwaway keyring.
eval "$(printf 'crosslink-throwaway' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"
