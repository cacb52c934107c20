"""Report-shaped files (title lines, blank rows, footers) written as CSV or XLSX for the intake tests."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def write_report(path: Path, rows: list[list[str]], *, blanks_as_empty_cells: bool = False) -> Path:
    """``rows`` as the file ``path`` names (``.xlsx`` or CSV with every value quoted). In a workbook an
    empty row is one empty cell, and with ``blanks_as_empty_cells`` every "" is an empty cell too (as
    Salesforce writes them) rather than a cell holding an empty text."""
    if path.suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            cells = [None if blanks_as_empty_cells and v == "" else v for v in row]
            sheet.append(cells or [None])
        book.save(path)
    else:
        path.write_text("".join(",".join(f'"{v}"' for v in row) + "\r\n" for row in rows), encoding="utf-8")
    return path
