"""Limits on what an .xlsx may make us inflate, checked before openpyxl reads a byte of XML.

An .xlsx is a zip archive; a small workbook can declare parts that inflate a thousandfold (a zip
bomb), and openpyxl reads the shared strings whole on open. The sizes the archive declares bound
what Python's zipfile will ever inflate, so checking them first refuses a bomb at once, with
memory untouched. Real workbooks compress their XML 5-30 times; bombs far more.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from desktop_app.core.intake_types import TableError

MAX_PART_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
# Parts smaller than this may compress as well as they like (an empty sheet is all repetition).
RATIO_FREE_BYTES = 32 * 1024 * 1024
MAX_RATIO = 200
# Excel's own limits: rows per sheet; and the cells we hold in memory as text (about 1M rows × 25).
MAX_SHEET_ROWS = 1_048_576
MAX_CELLS = 25_000_000
# A formula element, with or without a namespace prefix (plain substring tests: memchr-fast; a rare
# false hit only costs a second read of the sheet).
_FORMULA_MARKS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_SCAN_CHUNK = 1024 * 1024


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def check_expansion(path: Path) -> None:
    """Raise ``TableError`` when the workbook's parts would inflate past the limits (or at a
    ratio no real workbook has); a damaged archive is left for openpyxl to name."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        too_big = info.file_size > MAX_PART_BYTES
        if too_big or (info.file_size > RATIO_FREE_BYTES and ratio > MAX_RATIO):
            why = (f"would inflate to {_mib(info.file_size)}" if too_big else
                   f"would inflate {ratio:,.0f} times, to {_mib(info.file_size)}")
            raise TableError(
                f"{path.name}: the part {info.filename} {why}, far more than a table this size holds "
                "(a damaged or malicious workbook). It was not opened. Export the table as CSV, or "
                "open and save it again in Excel."
            )
    if total > MAX_TOTAL_BYTES:
        raise TableError(
            f"{path.name}: the workbook would inflate to {_mib(total)} in all, more than Crosslink reads "
            f"(limit {_mib(MAX_TOTAL_BYTES)}). Export the sheet you need as CSV."
        )


def part_has_formulas(path: Path, part: str) -> bool:
    """True when the sheet part ``part`` of the archive holds any formula element."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as source:
            tail = b""
            while chunk := source.read(_SCAN_CHUNK):
                window = tail + chunk
                if any(mark in window for mark in _FORMULA_MARKS):
                    return True
                tail = chunk[-8:]
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return False
