#!/usr/bin/env bash
# Runs Crosslink. With no credentials it opens on the built-in sandbox org and billing sandbox.
# Without a display it starts a virtual one (Xvfb) so the app still runs (e.g. over SSH).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/bootstrap.sh"
cd "$here"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  echo "run-app: no display found; running on a virtual screen (xvfb-run)" >&2
  exec xvfb-run -a -s "-screen 0 1400x900x24" bash "$here/scripts/with-keyring.sh" .venv/bin/desktop-app "$@"
fi
exec .venv/bin/desktop-app "$@"
