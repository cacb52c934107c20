#!/usr/bin/env bash
# Runs every check: ruff, mypy (strict on the core), the import-layer contracts and the whole
# pytest suite (Qt offscreen, a real keyring on a private D-Bus, real Chromium for OAuth).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/bootstrap.sh"
cd "$here"
export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1
echo "== ruff"; .venv/bin/ruff check desktop_app tests benchmarks
echo "== mypy"; .venv/bin/mypy
echo "== import contracts"; .venv/bin/lint-imports
echo "== workflows"; .venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
echo "== zuora-sdk venv"; bash scripts/zuora-sdk-venv.sh >/dev/null
echo "== pytest"
CROSSLINK_PRIVATE_KEYRING=1 bash scripts/with-keyring.sh .venv/bin/python -m pytest --durations=15 "$@"
