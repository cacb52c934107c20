"""Small CSV input files for the command-line tests, written as an export would be (UTF-8, a header)."""

from __future__ import annotations

import csv
from pathlib import Path


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """``header`` then ``rows`` as a CSV file at ``path``; returns ``path``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
