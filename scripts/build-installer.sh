#!/usr/bin/env bash
# Builds the Linux artifact: a self-contained tarball crosslink-<version>-linux-<arch>.tar.gz holding
# the PyInstaller app folder, a .desktop file, the icon and a no-root install script for ~/.local.
# Then runs the built binary's --version and --self-test; fails if either is wrong.
#
#   bash scripts/build-installer.sh [OUT_DIR]      (default: dist/ in the repository)
#
# Environment: CROSSLINK_BUILD_DIR  scratch folder for PyInstaller (default: a temporary folder).
# PyInstaller is installed into the project venv here, pinned, for the build only, and the Debian
# packages it needs are installed if missing (binutils; libpython3.X with Debian's own Python).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$here/dist}" && cd "${1:-$here/dist}" && pwd)"
PYINSTALLER_VERSION="6.22.3"
start_seconds=$SECONDS

bash "$here/scripts/bootstrap.sh"
cd "$here"
py="$here/.venv/bin/python"
# PyInstaller on Linux refuses to start without objdump (and appends the app to its bootloader with
# objcopy): binutils, which a fresh Debian does not have.
bash scripts/apt-install.sh binutils
if ! "$py" -c "import PyInstaller, sys; sys.exit(PyInstaller.__version__ != '$PYINSTALLER_VERSION')" 2>/dev/null; then
  echo "build-installer: installing PyInstaller $PYINSTALLER_VERSION into .venv"
  .venv/bin/pip install --quiet "pyinstaller==$PYINSTALLER_VERSION"
fi
# The app bundles the Python shared library. Debian's own python3.X is linked statically and ships that
# library separately, in libpython3.X (python3-venv does not pull it in); other Pythons (pyenv, built
# with --enable-shared) have it already. Ask PyInstaller whether it finds one.
find_libpython='from PyInstaller.depend.bindepend import get_python_library_path as find; print(find())'
if ! "$py" -c "$find_libpython" >/dev/null 2>&1 && [ -f /etc/debian_version ]; then
  bash scripts/apt-install.sh "libpython$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
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
pyinstaller_start=$SECONDS
CROSSLINK_ICON_DIR="$work/icons" .venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath "$work/dist" --workpath "$work/pyinstaller" installers/crosslink.spec
pyinstaller_seconds=$((SECONDS - pyinstaller_start))

rm -rf "$stage" && mkdir -p "$stage"
cp -a "$work/dist/crosslink" "$stage/crosslink"
cp installers/linux/crosslink.desktop installers/linux/install.sh installers/linux/uninstall.sh "$stage/"
cp desktop_app/resources/crosslink.svg "$stage/crosslink.svg"
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
echo "   app folder $(du -sh "$stage/crosslink" | cut -f1), tarball $(du -sh "$tarball" | cut -f1)," \
  "$((SECONDS - start_seconds)) s (PyInstaller $pyinstaller_seconds s)"
