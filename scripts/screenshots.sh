#!/usr/bin/env bash
# Walks every wizard page on demo data under a virtual screen and saves one PNG per page into
# screenshots/ (or the folder given as $1), for a person to look at.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/screenshots}"
cd "$here"
# Demo files, settings and logs of the walk go to a scratch folder, not the person's own.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export CROSSLINK_CONFIG_DIR="$scratch/config" CROSSLINK_DATA_DIR="$scratch/data" CROSSLINK_LOG_DIR="$scratch/log"
unset QT_QPA_PLATFORM
exec xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python -m desktop_app gui --screenshots "$out"
