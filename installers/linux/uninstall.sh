#!/usr/bin/env bash
# Removes what install.sh put under PREFIX (default ~/.local). Settings, data, logs and keychain
# entries are left alone; docs/install.md says where they are.
set -euo pipefail
prefix="${PREFIX:-$HOME/.local}"
rm -f "$prefix/bin/crosslink" "$prefix/share/applications/crosslink.desktop" \
  "$prefix/share/icons/hicolor/scalable/apps/crosslink.svg"
rm -rf "$prefix/lib/crosslink"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$prefix/share/applications" || true
echo "Crosslink removed from $prefix"
