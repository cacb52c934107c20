"""Read one sheet of an .xlsx workbook into a ``RawTable`` with every cell rendered as text.

Numbers are rendered the way an id needs them (integer digits, never ``.0`` or an exponent); dates
become ISO text. Cells whose type already tells of damage (a date, a number past Excel's 15
significant digits, a long id stored as a number) are noted so the caller can report them when
the column holds ids.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from desktop_app.core.intake_types import RawTable, TableError, TableIssue
from desktop_app.core.intake_xlsx_guard import MAX_CELLS, MAX_SHEET_ROWS, check_expansion, part_has_formulas
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback

_PROGRESS_EVERY = 10_000
_ZERO_PADDED_FORMAT = re.compile(r"0+")
# Excel's General format shows integers of 12 or more digits in scientific notation.
_EXCEL_SCIENTIFIC_DIGITS = 12
_EXCEL_PRECISION_DIGITS = 15
_UNSAVED_SHOWN = 5
# Excel stores characters XML cannot hold as _x000B_ (and a literal "_x" as _x005F_x); openpyxl
# hands the escape over as it is.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


# Where a damaged workbook makes its error: the readers of zip, XML and spreadsheet parts.
_FILE_READERS = ("openpyxl", "et_xmlfile", "lxml", "xml", "zipfile", "zlib", "defusedxml")


def raised_by_our_code(error: BaseException) -> bool:
    """True when ``error`` did not come from reading the file: the innermost frame of its traceback
    is not in openpyxl or the zip and XML readers below it (a bug of ours keeps its traceback)."""
    trace = error.__traceback__
    if trace is None:
        return False
    while trace.tb_next is not None:
        trace = trace.tb_next
    parts = Path(trace.tb_frame.f_code.co_filename).parts
    return not any(part.removesuffix(".py") in _FILE_READERS for part in parts)


@contextmanager
def open_workbook(path: Path, *, data_only: bool = True) -> Iterator[Workbook]:
    """Open an .xlsx read-only (streaming); raises ``TableError`` when it is not a workbook or
    would inflate past the limits of ``intake_xlsx_guard``.

    The file is passed as a handle so a workbook saved under another extension still opens.
    ``data_only`` False gives formula cells their formula (data type ``f``) instead of the saved value.
    """
    check_expansion(path)
    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many kinds for damaged parts; each means "unreadable"
            if raised_by_our_code(exc):
                raise  # a bug of ours, not the file: keep its traceback
            raise TableError(
                f"{path.name} cannot be opened as an Excel workbook ({type(exc).__name__}). Open it in "
                "Excel and save it again as .xlsx, or export the table as CSV."
            ) from None
        try:
            yield workbook
        finally:
            workbook.close()


def workbook_sheets(path: Path) -> list[str]:
    """The names of the sheets in the workbook, in order."""
    with open_workbook(path) as workbook:
        return list(workbook.sheetnames)


def _has_content(row: tuple[Any, ...]) -> bool:
    return any(cell.value is not None and str(cell.value) != "" for cell in row)


def _first_non_empty_sheet(workbook: Workbook, name: str) -> str:
    for title in workbook.sheetnames:
        sheet = workbook[title]
        if not isinstance(sheet, ReadOnlyWorksheet):  # a chart sheet holds no cells
            continue
        sheet.reset_dimensions()
        if any(_has_content(row) for row in sheet.iter_rows()):
            return str(title)
    sheets = ", ".join(workbook.sheetnames)
    raise TableError(f"{name} is empty: none of its sheets ({sheets}) holds any value.")


def cell_text(value: object, number_format: str = "General") -> tuple[str, str | None]:
    """A cell's value as text, and a note kind when the value type suggests id damage.

    Integers and integer-valued floats → their digits; other floats → positional decimal text;
    dates → ISO text (note ``became_date``); booleans → ``TRUE``/``FALSE``; empty → "".
    """
    if value is None:
        return "", None
    if isinstance(value, str):
        return (_OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value), None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat(), "became_date"
        return value.isoformat(timespec="seconds"), "became_date"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(), "became_date"
    if isinstance(value, float) and value.is_integer():
        # Shortest round-trip digits (1234567890123456800), not the binary value's tail (…6768).
        digits = int(Decimal(repr(value)))
        return _integer_text(digits, number_format, inexact=abs(value) >= 10**_EXCEL_PRECISION_DIGITS)
    if isinstance(value, int):
        return _integer_text(value, number_format, inexact=False)
    if isinstance(value, float):
        return str(np.format_float_positional(value, trim="-")), None
    return str(value), None


def _integer_text(value: int, number_format: str, inexact: bool) -> tuple[str, str | None]:
    digits = str(abs(value))
    if _ZERO_PADDED_FORMAT.fullmatch(number_format):
        digits = digits.zfill(len(number_format))
    text = ("-" if value < 0 else "") + digits
    significant = len(digits.lstrip("0").rstrip("0"))
    if inexact or significant > _EXCEL_PRECISION_DIGITS:
        return text, "precision_lost"
    if len(digits) >= _EXCEL_SCIENTIFIC_DIGITS:
        return text, "stored_as_number"
    return text, None


def _unsaved_formulas(row: tuple[Any, ...], formulas: tuple[Any, ...], sheet: str, number: int) -> list[str]:
    """``Sheet1!B2`` for each cell of ``row`` that is a formula (in ``formulas``) without a value."""
    prefix = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return [
        f"{prefix}!{get_column_letter(col + 1)}{number}"
        for col, cell in enumerate(formulas)
        if getattr(cell, "data_type", None) == "f" and (col >= len(row) or row[col].value is None)
    ]


def read_sheet(
    path: Path,
    sheet: str | None,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> RawTable:
    """Read the named sheet (default: the first sheet holding any value) as a ``RawTable``.

    Raises ``TableError`` for an unknown sheet (listing those that exist), an empty sheet or a
    sheet with a header but no data rows.
    """
    name = path.name
    with open_workbook(path) as workbook:
        if sheet is None:
            sheet = _first_non_empty_sheet(workbook, name)
        elif sheet not in workbook.sheetnames:
            raise TableError(
                f"{name} has no sheet named {sheet!r}; its sheets are: "
                f"{', '.join(repr(s) for s in workbook.sheetnames)}. Choose one of those."
            )
        worksheet = workbook[sheet]
        if not isinstance(worksheet, ReadOnlyWorksheet):
            raise TableError(f"{name}: sheet {sheet!r} is a chart, not a table. Choose a sheet with cells.")
        worksheet.reset_dimensions()
        try:
            part = str(getattr(worksheet, "_worksheet_path", ""))
            if part and part_has_formulas(path, part):
                with open_workbook(path, data_only=False) as formulas_book:
                    formulas = formulas_book[sheet]
                    assert isinstance(formulas, ReadOnlyWorksheet)
                    formulas.reset_dimensions()
                    return _read_rows(worksheet.iter_rows(), name, sheet, progress, cancel, formulas.iter_rows())
            return _read_rows(worksheet.iter_rows(), name, sheet, progress, cancel)
        except (TableError, Cancelled):
            raise
        except Exception as exc:  # a damaged sheet part surfaces as any openpyxl/XML error
            if raised_by_our_code(exc):
                raise  # a bug of ours, not the file: keep its traceback
            raise TableError(
                f"{name}: sheet {sheet!r} cannot be read ({type(exc).__name__}). Open the file in Excel and "
                "save it again, or export the sheet as CSV."
            ) from None


def _read_rows(
    rows: Iterator[tuple[Any, ...]],
    name: str,
    sheet: str,
    progress: ProgressCallback,
    cancel: CancelToken | None,
    formula_rows: Iterator[tuple[Any, ...]] | None = None,
) -> RawTable:
    """The sheet's rows as a ``RawTable``. ``formula_rows`` (the same sheet read with formulas)
    lets a formula cell without a saved value be named instead of read as a blank."""
    header: list[str] | None = None
    header_row = 0
    values: list[list[str]] = []
    source_rows: list[int] = []
    notes: list[tuple[int, int, str, str]] = []
    empty_rows: list[int] = []
    unsaved: list[str] = []
    cells = 0
    for number, row in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:
            raise TableError(
                f"{name}: sheet {sheet!r} goes on past row {MAX_SHEET_ROWS:,}, Excel's last row (a damaged "
                "or malicious workbook). Open and save it again in Excel, or export the table as CSV."
            )
        cells += len(row)
        if cells > MAX_CELLS:
            raise TableError(
                f"{name}: sheet {sheet!r} holds more than {MAX_CELLS:,} cells by row {number:,}, more than "
                "Crosslink holds in memory. Export only the columns you need, as CSV."
            )
        if formula_rows is not None:
            unsaved += _unsaved_formulas(row, next(formula_rows, ()), sheet, number)
        if number % _PROGRESS_EVERY == 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(Progress(number, 0, f"Reading {name} ({sheet})"))
        if not _has_content(row):
            if header is not None:
                empty_rows.append(number)
            continue
        if header is None:
            header = [cell_text(cell.value)[0] for cell in row]
            header_row = number
            continue
        texts: list[str] = []
        for col, cell in enumerate(row):
            text, note = cell_text(cell.value, getattr(cell, "number_format", "General") or "General")
            texts.append(text)
            if note is not None:
                notes.append((len(values), col, note, text))
        values.append(texts)
        source_rows.append(number)
    if unsaved:
        more = f" (and {len(unsaved) - _UNSAVED_SHOWN:,} more cells)" if len(unsaved) > _UNSAVED_SHOWN else ""
        raise TableError(
            f"{name}: {', '.join(unsaved[:_UNSAVED_SHOWN])}{more} "
            f"{'holds a formula' if len(unsaved) == 1 else 'hold formulas'} with no saved value: open and save "
            "it in Excel, or export CSV. (A program wrote the file without the values, so they would read "
            "as blanks.)"
        )
    if header is None:
        raise TableError(f"{name}: sheet {sheet!r} is empty. Choose the sheet that holds the table.")
    if not values:
        raise TableError(
            f"{name}: sheet {sheet!r} has a header (row {header_row}) but no data rows. Choose the sheet "
            "that holds the records, or export them again."
        )
    last = source_rows[-1]
    issues = [
        TableIssue(r, "", "blank_line", f"Row {r} of sheet {sheet!r} is empty and was skipped.")
        for r in empty_rows
        if r < last
    ]
    width = max(len(header), *(len(v) for v in values))
    header = header + [""] * (width - len(header))
    padded = [v + [""] * (width - len(v)) for v in values]
    frame = pd.DataFrame(padded, columns=list(range(width)), dtype=object)
    progress(Progress(len(values), len(values), f"Read {name} ({sheet})"))
    return RawTable(
        header=header,
        header_row=header_row,
        rows=frame,
        source_rows=source_rows,
        issues=issues,
        sheet=sheet,
        cell_notes=notes,
    )
