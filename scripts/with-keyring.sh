#!/usr/bin/env bash
# Runs a command with a real Secret Service keyring (gnome-keyring) on a private D-Bus session,
# unless a session bus already exists (a normal desktop).
set -euo pipefail
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${CROSSLINK_PRIVATE_KEYRING:-}" ]; then
  exec "$@"
fi
if [ -z "${CROSSLINK_IN_DBUS:-}" ]; then
  export CROSSLINK_IN_DBUS=1
  exec dbus-run-session -- "$0" "$@"
fi
# A throwaway keyring home so tests never touch a person's real keyring.
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
# An empty password unlocks (and creates) the login keyring non-interactively.
eval "$(printf '' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
eval "$(gnome-keyring-daemon --start --components=secrets 2>/dev/null)" || true
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
