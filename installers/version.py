"""Print Crosslink's version as pyproject.toml declares it — the one source the installers read.

Used by scripts/build-installer.sh, installers/windows/build.ps1 and installers/macos/build.sh, so no
installer script carries a version number of its own. ``--numeric`` prints the four-number form
Windows file versions need (Inno Setup's ``VersionInfoVersion`` refuses ``0.2.0rc1``): the release
numbers of the version, padded with zeros.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def project_version(pyproject: Path = PYPROJECT) -> str:
    """``[project] version`` from ``pyproject``."""
    return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])


def numeric_version(version: str) -> str:
    """``major.minor.patch.build`` from a PEP 440 version: its release numbers (epoch, pre-, post-, dev-
    and local parts dropped), padded to four; ``ValueError`` when it has no release numbers or more than four."""
    found = re.match(r"^(?:\d+!)?(\d+(?:\.\d+)*)", version.strip())
    if found is None:
        raise ValueError(f"'{version}' is not a PEP 440 version")
    numbers = [str(int(n)) for n in found.group(1).split(".")]
    if len(numbers) > 4 or any(int(n) > 65535 for n in numbers):
        raise ValueError(f"'{version}' does not fit a Windows file version (four numbers up to 65535)")
    return ".".join(numbers + ["0"] * (4 - len(numbers)))


if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["--numeric"]):
        sys.exit("usage: version.py [--numeric]")
    version = project_version()
    sys.stdout.write((numeric_version(version) if sys.argv[1:] else version) + "\n")
