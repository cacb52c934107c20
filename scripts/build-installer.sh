#!/usr/bin/env bash
# Builds the Linux artifact: a self-contained tarball crosslink-<version>-linux-<arch>.tar.gz holding
# the PyInstaller app folder, a .desktop file, the icon and a no-root install script for ~/.local.
# Then runs the built binary's --version and --self-test; fails if either is wrong.
#
#   bash scripts/build-installer.sh [OUT_DIR]      (default: dist/ in the repository)
#
# Environment: CROSSLINK_BUILD_DIR  scratch folder for PyInstaller (default: a temporary folder).
# PyInstaller is installed into the project venv here, pinned, for the build only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$here/dist}" && cd "${1:-$here/dist}" && pwd)"
PYINSTALLER_VERSION="6.22.3"
start_seconds=$SECONDS

bash "$here/scripts/bootstrap.sh"
cd "$here"
py="$here/.venv/bin/python"
if ! "$py" -c "import PyInstaller, sys; sys.exit(PyInstaller.__version__ != '$PYINSTALLER_VERSION')" 2>/dev/null; then
  echo "build-installer: installing PyInstaller $PYINSTALLER_VERSION into .venv"
  .venv/bin/pip install --quiet "pyinstaller==$PYINSTALLER_VERSION"
fi

# The frozen app reads its version from the bundled crosslink metadata; it must be pyproject's.
version="$("$py" installers/version.py)"
installed="$("$py" -c 'from importlib.metadata import version; print(version("crosslink"))')"
if [ "$installed" != "$version" ]; then
  echo "build-installer: refreshing the installed metadata ($installed -> $version)"
  .venv/bin/pip install --quiet --no-deps -e .
fi

work="${CROSSLINK_BUILD_DIR:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
arch="$(uname -m)"
name="crosslink-$version-linux-$arch"
stage="$work/$name"

export QT_QPA_PLATFORM=offscreen
"$py" installers/make_icons.py "$work/icons" >/dev/null
CROSSLINK_ICON_DIR="$work/icons" .venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath "$work/dist" --workpath "$work/pyinstaller" installers/crosslink.spec

rm -rf "$stage" && mkdir -p "$stage"
cp -a "$work/dist/crosslink" "$stage/crosslink"
cp installers/linux/crosslink.desktop installers/linux/install.sh installers/linux/uninstall.sh "$stage/"
cp resources/crosslink.svg "$stage/crosslink.svg"
echo "$version" > "$stage/VERSION"
chmod +x "$stage/install.sh" "$stage/uninstall.sh"

echo "== smoke test of the built binary"
reported="$("$stage/crosslink/crosslink" --version)"
if [ "$reported" != "Crosslink $version" ]; then
  echo "build-installer: the built app reports '$reported', expected 'Crosslink $version'" >&2
  exit 1
fi
"$stage/crosslink/crosslink" --self-test

tarball="$out/$name.tar.gz"
tar -C "$work" -czf "$tarball" "$name"
echo "== built $tarball"
echo "   app folder $(du -sh "$stage/crosslink" | cut -f1), tarball $(du -sh "$tarball" | cut -f1), $((SECONDS - start_seconds)) s"
