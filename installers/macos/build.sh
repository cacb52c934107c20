#!/usr/bin/env bash
# Builds Crosslink.app and crosslink-<version>-macos-<arch>.dmg on a Mac, signs and notarizes them
# when the signing variables are set, and self-tests the built app.
#
#   bash installers/macos/build.sh
#
# Needs: Python 3.11 with the project installed in .venv (python3 -m venv .venv; .venv/bin/pip install -e .),
# Xcode command line tools (codesign, hdiutil, xcrun notarytool, stapler).
# Signing and notarization (all from the environment, never from files in the repository):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Example Ltd (TEAMID1234)" in the login keychain
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   an app-specific password for notarytool
#   (or NOTARY_KEYCHAIN_PROFILE: a profile stored once with `xcrun notarytool store-credentials`)
# Without MACOS_SIGN_IDENTITY the app is ad-hoc signed: it runs on this Mac, Gatekeeper blocks it elsewhere.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
py="$repo/.venv/bin/python"
PYINSTALLER_VERSION="6.22.3"

"$py" -m pip install --quiet "pyinstaller==$PYINSTALLER_VERSION"
version="$("$py" installers/version.py)"
installed="$("$py" -c 'from importlib.metadata import version; print(version("crosslink"))')"
[ "$installed" = "$version" ] || "$py" -m pip install --quiet --no-deps -e .

work="$repo/build/macos"
arch="$(uname -m)"
dmg="$repo/dist/crosslink-$version-macos-$arch.dmg"
rm -rf "$work" && mkdir -p "$work" "$repo/dist"
QT_QPA_PLATFORM=offscreen "$py" installers/make_icons.py "$work/icons" >/dev/null
iconutil -c icns "$work/icons/crosslink.iconset" -o "$work/icons/crosslink.icns"
CROSSLINK_ICON_DIR="$work/icons" .venv/bin/pyinstaller --noconfirm --clean \
  --distpath "$work/dist" --workpath "$work/pyinstaller" installers/crosslink.spec
app="$work/dist/Crosslink.app"

identity="${MACOS_SIGN_IDENTITY:--}"
# Sign inside-out with the hardened runtime; --deep is not enough for nested frameworks' order.
find "$app/Contents" -type f \( -name "*.so" -o -name "*.dylib" -o -perm -u+x \) -print0 |
  xargs -0 codesign --force --timestamp --options runtime --entitlements installers/macos/entitlements.plist \
    --sign "$identity"
codesign --force --timestamp --options runtime --entitlements installers/macos/entitlements.plist \
  --sign "$identity" "$app"
codesign --verify --strict --verbose=2 "$app"

reported="$("$app/Contents/MacOS/crosslink" --version)"
[ "$reported" = "Crosslink $version" ] || { echo "built app reports '$reported', expected 'Crosslink $version'" >&2; exit 1; }
"$app/Contents/MacOS/crosslink" --self-test

stage="$work/dmg"
mkdir -p "$stage" && cp -R "$app" "$stage/" && ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "Crosslink $version" -srcfolder "$stage" -ov -format UDZO "$dmg"

if [ "$identity" != "-" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  if [ -n "${NOTARY_KEYCHAIN_PROFILE:-}" ]; then
    xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_KEYCHAIN_PROFILE" --wait
  elif [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait
  else
    echo "build: signed but NOT notarized (set NOTARY_KEYCHAIN_PROFILE or APPLE_ID/APPLE_TEAM_ID/APPLE_APP_PASSWORD)" >&2
    echo "built $dmg"; exit 0
  fi
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
fi
echo "built $dmg"
