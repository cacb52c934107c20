#!/usr/bin/env bash
# Installs Crosslink for the current user only (no root): the app under ~/.local/lib/crosslink, the
# `crosslink` command in ~/.local/bin, a menu entry and its icon. Run it from the unpacked tarball.
# PREFIX=/some/dir bash install.sh installs under another prefix (default ~/.local).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${PREFIX:-$HOME/.local}"
app_dir="$prefix/lib/crosslink"
bin_dir="$prefix/bin"
apps_dir="$prefix/share/applications"
icon_dir="$prefix/share/icons/hicolor/scalable/apps"

if [ ! -x "$here/crosslink/crosslink" ]; then
  echo "install.sh: $here/crosslink/crosslink not found; run this script from the unpacked Crosslink folder" >&2
  exit 2
fi
mkdir -p "$bin_dir" "$apps_dir" "$icon_dir" "$prefix/lib"
rm -rf "$app_dir.new"
cp -a "$here/crosslink" "$app_dir.new"
rm -rf "$app_dir"
mv "$app_dir.new" "$app_dir"
ln -sfn "$app_dir/crosslink" "$bin_dir/crosslink"
install -m 0644 "$here/crosslink.svg" "$icon_dir/crosslink.svg"
# The menu entry points at the absolute path: ~/.local/bin is not on every desktop session's PATH.
sed "s|^Exec=crosslink|Exec=\"$app_dir/crosslink\"|" "$here/crosslink.desktop" > "$apps_dir/crosslink.desktop"
chmod 0644 "$apps_dir/crosslink.desktop"
install -m 0755 "$here/uninstall.sh" "$app_dir/uninstall.sh"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps_dir" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true

echo "Crosslink $(cat "$here/VERSION") installed in $app_dir"
echo "Start it from the applications menu, or run: $bin_dir/crosslink"
case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "(add $bin_dir to PATH to type just 'crosslink')";; esac
echo "Check the installation: $bin_dir/crosslink --self-test"
echo "Uninstall: bash $app_dir/uninstall.sh"
