"""Print Crosslink's version as pyproject.toml declares it — the one source the installers read.

Used by scripts/build-installer.sh, installers/windows/build.ps1 and installers/macos/build.sh, so no
installer script carries a version number of its own.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def project_version(pyproject: Path = PYPROJECT) -> str:
    """``[project] version`` from ``pyproject``."""
    return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])


if __name__ == "__main__":
    sys.stdout.write(project_version() + "\n")
