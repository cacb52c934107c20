#!/usr/bin/env bash
# Installs what Crosslink needs on a fresh Debian machine (Python 3.11, root): the system
# libraries Qt, the virtual screen, the keyring and the browser tests use, then a venv with the
# project and its dev tools. Idempotent: a second run only checks.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

APT_PACKAGES=(
  # Qt (xcb + offscreen platforms) and fonts
  libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libnss3 libxcomposite1 libxdamage1
  libxrandr2 libxtst6 libxi6 libasound2 fonts-dejavu-core
  # virtual screen for screenshots and the app without a display
  xvfb x11-utils
  # a real Secret Service keyring for tests and the app
  dbus dbus-x11 gnome-keyring libsecret-1-0
  # the OAuth browser step in tests
  chromium chromium-driver
)

bash "$here/scripts/apt-install.sh" "${APT_PACKAGES[@]}"

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv" >&2
  "$PY" -m venv .venv
fi
stamp=".venv/.crosslink-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing Python packages into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi
