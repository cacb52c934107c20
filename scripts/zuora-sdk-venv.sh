#!/usr/bin/env bash
# A venv of its own for zuora-sdk, which tests/billing/test_vendor_sdks.py drives against the Zuora
# sandbox: zuora-sdk pins urllib3 < 2.1 and certifi ~= 2023.11.17, which conflict with selenium in
# the dev extra, so it cannot live in .venv. Idempotent: a second run only checks. Prints the
# venv's python.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv-zuora"
want="zuora-sdk==3.21.0"
stamp="$venv/.crosslink-installed"
if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv" >&2
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "zuora-sdk-venv: installing $want into .venv-zuora" >&2
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$want" >&2
  echo "$want" > "$stamp"
fi
echo "$venv/bin/python"
