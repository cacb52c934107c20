"""Reports a person opens in Excel: XLSX workbooks and CSV files, safe against formula injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by a spreadsheet (CSV/formula injection). In CSV such a cell gets a leading apostrophe; in
XLSX it is stored as an explicit text cell, which spreadsheets never evaluate.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.core.csv_out import write_frame
from desktop_app.core.report_counts import STATUS_ORDER, DecisionCounts

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_DATA_ROWS = 1_048_575  # Excel's row limit less the header row
__all__ = ["STATUS_ORDER"]  # re-exported: pages and commands order statuses by it
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


# The control characters XML 1.0 cannot hold (tab, LF and CR it can); openpyxl refuses them.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Text that already reads like an OOXML escape must itself be escaped, or Excel would decode it.
_XLSX_ESCAPE_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def xlsx_text(value: str) -> str:
    """``value`` as an XLSX cell can hold it: each control character XML cannot carry becomes the
    OOXML escape ``_x000B_`` (Excel shows the original character again); all else unchanged."""
    if "_x" in value:
        value = _XLSX_ESCAPE_LOOKALIKE.sub(r"_x005F_\1", value)
    return _XLSX_ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


class ReportError(ValueError):
    """A report or output file could not be saved; the message names the file, why, and what to do."""


def save_atomically(path: Path, save: Callable[[Path], object]) -> None:
    """Run ``save`` on a temporary file next to ``path`` and move it into place only when it
    succeeded, so a failed save never leaves a half-written file a person cannot open.

    Raises ``ReportError`` when the file system refuses (folder missing or read-only, the file
    open in Excel on Windows, disk full)."""
    partial = _partial(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(partial)
        os.replace(partial, path)
    except OSError as exc:
        raise _save_error(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def ensure_writable(path: Path) -> None:
    """Raise ``ReportError`` now when nothing can be saved at ``path`` (before work is spent on it)."""
    partial = _partial(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.touch()
        partial.unlink()
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(13, "Permission denied", str(path))
    except OSError as exc:
        raise _save_error(path, exc) from None


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _save_error(path: Path, exc: OSError) -> ReportError:
    reason = exc.strerror or type(exc).__name__
    return ReportError(
        f"{path.name} could not be saved in {path.parent} ({reason}). If the file is open in Excel, close "
        "it; otherwise choose another folder, then save again."
    )


def is_formula_like(value: object) -> bool:
    """True when a spreadsheet would treat this text cell as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralize(value: object) -> object:
    """The value made safe for a CSV opened in a spreadsheet (apostrophe before a formula start)."""
    return "'" + value if isinstance(value, str) and is_formula_like(value) else value


def write_data_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as plain UTF-8 CSV, every value exactly as it is.

    For data files a program reads back (exports, fixed copies to re-import): a phone number
    ``+44 20…`` must stay itself. Files meant to be opened by a person go through ``write_csv``.
    """
    save_atomically(path, lambda target: write_frame(target, frame))
    return path


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as CSV for a person, every formula-like text cell neutralised, that Excel opens
    right on Windows too: UTF-8 with a BOM (without it Excel reads the bytes as the local code page),
    CRLF between records, and any value holding a CR, LF, quote or comma quoted. Saved atomically."""
    save_atomically(path, lambda target: write_frame(target, frame, cell=_person_cell, encoding="utf-8-sig"))
    return path


def _person_cell(value: object) -> object:
    """``neutralize(_plain(value))``, with the usual cell (exactly a ``str``) taken the short way:
    a run's results file has millions of cells."""
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    return neutralize(_plain(value))


def _plain(value: object) -> object:
    """Cell value as spreadsheets and CSV readers expect: NaN/None → "", numpy scalars → Python."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str):
        return item()
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return value


def _cell(sheet: Worksheet, value: object, *, header: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=None)
    plain = _plain(value)
    if isinstance(plain, str):
        plain = xlsx_text(plain)
    cell.value = plain
    if isinstance(plain, str):
        cell.data_type = "s"  # explicit text: never evaluated, even when it starts with "="
    if header:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    return cell


def _add_table_sheet(book: Workbook, title: str, frame: pd.DataFrame) -> int:
    """Append a sheet with a styled, filterable, frozen header; returns the rows written."""
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    columns = [str(c) for c in frame.columns]
    for index, name in enumerate(columns, start=1):
        longest = max([len(name), *(len(str(v)) for v in frame.iloc[:200, index - 1].tolist())])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, longest + 2))
    written = min(len(frame), XLSX_MAX_DATA_ROWS)
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{written + 1}"
    sheet.append([_cell(sheet, name, header=True) for name in columns])
    for row in frame.iloc[:written].itertuples(index=False, name=None):
        sheet.append([_cell(sheet, v) for v in row])
    return written


def _summary_rows(summary: Mapping[str, object], counts: DecisionCounts | None) -> Iterable[tuple[object, ...]]:
    yield from summary.items()
    if counts is None:
        return
    # a status sheet holds accounts and the customers no account took: say how many of each
    yield ("status (rows on its sheet)", "rows", "of them accounts", "of them customers no account took")
    yield from counts.report_rows()


def write_xlsx_report(
    path: Path,
    *,
    decisions: pd.DataFrame | None = None,
    address_problems: pd.DataFrame | None = None,
    summary: Mapping[str, object] | None = None,
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
) -> list[str]:
    """Write a workbook: a Summary sheet, one sheet per match status, an address-issues sheet.

    Returns notes for the caller to show (e.g. a sheet cut at Excel's row limit, with the CSV
    to use instead). Every sheet has a bold frozen header and filters.
    """
    ensure_writable(path)
    notes: list[str] = []
    book = Workbook(write_only=True)
    counts: DecisionCounts | None = None
    status_frames: dict[str, pd.DataFrame] = {}
    if decisions is not None and "status" in decisions.columns:
        counts = DecisionCounts.of(decisions)
        for status in STATUS_ORDER:
            part = decisions[decisions["status"] == status]
            if len(part):
                status_frames[status] = part
    summary_sheet = book.create_sheet("Summary")
    summary_sheet.column_dimensions["A"].width = 34
    summary_sheet.column_dimensions["B"].width = 60
    summary_sheet.column_dimensions["C"].width = 18
    summary_sheet.column_dimensions["D"].width = 34
    summary_sheet.append([_cell(summary_sheet, "Item", header=True), _cell(summary_sheet, "Value", header=True)])
    for row in _summary_rows(summary or {}, counts):
        summary_sheet.append([_cell(summary_sheet, value) for value in row])
    if address_problems is not None:
        summary_sheet.append([_cell(summary_sheet, "address problems"), _cell(summary_sheet, len(address_problems))])
    sheets = {status.replace("_", " ").title(): frame for status, frame in status_frames.items()}
    if address_problems is not None:
        sheets["Address issues"] = address_problems
    sheets.update(extra_sheets or {})
    for title, frame in sheets.items():
        written = _add_table_sheet(book, title, frame)
        if written < len(frame):
            notes.append(
                f"Sheet '{title}' holds the first {written:,} of {len(frame):,} rows (Excel's limit); "
                "the CSV export has them all."
            )
    save_atomically(path, lambda target: book.save(target))
    return notes
