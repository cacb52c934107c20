"""File intake: read a CSV/TSV/XLSX export into an all-text table, losing nothing.

``read_table`` returns a ``LoadedTable``: every value as text (leading zeros, ``NA`` and dates
kept as written; an empty cell is ""), the original headers made unique, the source line or sheet
row of every record, and the problems found (``TableIssue``), including ids a spreadsheet
damaged. ``LoadedTable.canonical(side)`` maps the columns onto the side's roles. Anything that
cannot be read raises ``TableError`` with a sentence naming the file, the place and the fix.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from desktop_app.core import intake_types
from desktop_app.core.intake_csv import read_delimited
from desktop_app.core.intake_damage import (
    looks_like_salesforce_ids,
    looks_scientific,
    note_issue,
    scan_column,
)
from desktop_app.core.intake_footer import skip_footer
from desktop_app.core.intake_groups import unfold_groups
from desktop_app.core.intake_matrix import refuse_report_grids
from desktop_app.core.intake_roles import detect_roles, is_id_header, normalize_header
from desktop_app.core.intake_title import skip_title_rows
from desktop_app.core.intake_types import RawTable, RoleMapping, TableError, TableIssue
from desktop_app.core.intake_xlsx import read_sheet, workbook_sheets
from desktop_app.core.progress import CancelToken, ProgressCallback, ignore_progress
from desktop_app.core.roles import ROLES_BY_SIDE, SOURCE_ROW, Side

__all__ = [
    "LoadedTable",
    "RoleMapping",
    "TableError",
    "TableIssue",
    "detect_roles",
    "list_sheets",
    "normalize_header",
    "read_table",
]

_ID_CONTENT_SAMPLE = 1_000


@dataclass
class LoadedTable:
    """A file read as text: the frame (original headers, made unique), where each row came from,
    how it was decoded, and every problem found while reading."""

    path: Path
    frame: pd.DataFrame
    source_rows: list[int]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    issues: list[TableIssue] = field(default_factory=list)
    # The header exactly as the file has it (nameless and repeated names included), and for each
    # frame column its position in that header: a fixed copy is written back in this layout.
    original_header: list[str] = field(default_factory=list)
    column_positions: list[int] = field(default_factory=list)

    def roles(self, side: Side, overrides: Mapping[str, str] | None = None) -> RoleMapping:
        """Which header holds each role of ``side`` (see ``detect_roles``)."""
        return detect_roles(self.frame, side, overrides)

    def canonical(self, side: Side, overrides: Mapping[str, str] | None = None) -> pd.DataFrame:
        """One text column per role of ``side`` ("" where no column maps to it) plus
        ``source_row``, in the order of the side's roles."""
        mapping = self.roles(side, overrides)
        empty = pd.Series([""] * len(self.frame), dtype=object)
        data: dict[str, pd.Series] = {}
        for role in ROLES_BY_SIDE[side]:
            header = mapping.columns.get(role)
            column = self.frame[header] if header is not None else empty
            data[role] = column.reset_index(drop=True).astype(object)
        data[SOURCE_ROW] = pd.Series(self.source_rows, dtype="int64")
        return pd.DataFrame(data)


def _file_kind(path: Path) -> str:
    """ "xlsx", "csv", or the name of a known non-table format, from the first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise TableError(f"{path.name} cannot be read ({exc.strerror}). Check its permissions.") from None
    if head.startswith(b"%PDF"):
        return "PDF document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "damaged zip archive"
        return "xlsx" if "xl/workbook.xml" in names else "zip archive"
    return "csv"


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> LoadedTable:
    """Read a CSV/TSV (any of , ; | tab; UTF-8, UTF-8 BOM, UTF-16, cp1252) or an .xlsx sheet.

    Promises: every data record becomes one frame row (blank lines, trailing empty rows, a report's
    title lines above the header, its footer and a closing totals row, a grouped report's headings and
    subtotal rows are skipped and reported; a group's value reaches every row of its group),
    every value is the exact text of the cell, headers are unique, and id columns are scanned for
    spreadsheet damage. Raises ``TableError`` (never another exception
    for bad input) for a missing, empty, binary, ragged or header-only file or an unknown sheet,
    and ``Cancelled`` when ``cancel`` is set.
    """
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path} does not exist or is not a file. Check the path.")
    kind = _file_kind(path)
    if kind == "xlsx":
        raw = read_sheet(path, sheet, progress, cancel)
    elif kind == "ole":
        raise TableError(
            f"{path.name} is an old-style .xls workbook or a password-protected one. Open it in Excel and "
            "save it as .xlsx (without a password) or as CSV."
        )
    elif kind != "csv":
        raise TableError(f"{path.name} is a {kind}, not a table. Choose a CSV, TSV or .xlsx export.")
    elif sheet is not None:
        raise TableError(f"{path.name} is a text file and has no sheets; sheet {sheet!r} cannot be chosen.")
    else:
        raw = read_delimited(path, _read_bytes(path), progress, cancel)
    return _finish(path, raw)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TableError(f"{path.name} cannot be read ({exc.strerror}). Check that it is not open elsewhere.") from None


def list_sheets(path: str | Path) -> list[str]:
    """The sheet names of an .xlsx workbook in order; [] for a text file."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path} does not exist or is not a file. Check the path.")
    return workbook_sheets(path) if _file_kind(path) == "xlsx" else []


def _finish(path: Path, raw: RawTable) -> LoadedTable:
    raw = unfold_groups(skip_footer(skip_title_rows(refuse_report_grids(raw, path.name))), path.name)
    frame, issues, kept_positions = _named_frame(path, raw)
    row_word = "Row" if raw.sheet is not None else "Line"
    id_columns = [h for h in frame.columns if _holds_ids(str(h), frame[h])]
    found: list[TableIssue] = []
    for header in id_columns:
        found += scan_column(frame[header], raw.source_rows, str(header), row_word)
    headers = [str(h) for h in frame.columns]
    found += _note_issues(raw, headers, kept_positions, id_columns, row_word)
    seen: set[tuple[int, str, str]] = set()
    for issue in sorted(found, key=lambda i: (i.row, i.column)):
        if (issue.row, issue.column, issue.kind) not in seen:
            seen.add((issue.row, issue.column, issue.kind))
            issues.append(issue)
    return LoadedTable(
        path=path,
        frame=frame,
        source_rows=list(raw.source_rows),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=raw.sheet,
        issues=issues,
        original_header=list(raw.header),
        column_positions=list(kept_positions),
    )


def _note_issues(
    raw: RawTable, headers: list[str], kept_positions: list[int], id_columns: list[str], row_word: str
) -> list[TableIssue]:
    """Issues for the cells the reader noted in id columns, capped per column and kind."""
    header_at = {col: headers[i] for i, col in enumerate(kept_positions)}
    counts: Counter[tuple[str, str]] = Counter()
    first_over: dict[tuple[str, str], int] = {}
    issues: list[TableIssue] = []
    for position, col, kind, text in raw.cell_notes:
        header = header_at.get(col)
        if header is None or header not in id_columns:
            continue
        key = (header, kind)
        counts[key] += 1
        if counts[key] <= intake_types.MAX_ISSUES_PER_KIND:
            issues.append(note_issue(row_word, raw.source_rows[position], header, kind, text))
        else:
            first_over.setdefault(key, raw.source_rows[position])
    for (header, kind), row in first_over.items():
        rest = counts[(header, kind)] - intake_types.MAX_ISSUES_PER_KIND
        summary = f"…and {rest} more rows in column '{header}' have the same problem ({kind})."
        issues.append(TableIssue(row, header, kind, summary))
    return issues


def _holds_ids(header: str, values: pd.Series) -> bool:
    if is_id_header(header):
        return True
    sample = values.head(_ID_CONTENT_SAMPLE)
    return looks_like_salesforce_ids(sample) >= 0.5 or looks_scientific(sample) >= 0.5


def _named_frame(path: Path, raw: RawTable) -> tuple[pd.DataFrame, list[TableIssue], list[int]]:
    """The rows with unique header names (nameless empty columns dropped, nameless filled ones
    named), the issues so far, and the raw column position of each kept column."""
    issues = list(raw.issues)
    if all(h.strip() == "" for h in raw.header):
        where = f"row {raw.header_row}" if raw.sheet is not None else f"line {raw.header_row}"
        raise TableError(
            f"{path.name}: the header ({where}) has no column names. The first non-empty line must name the columns."
        )
    names: list[str] = []
    positions: list[int] = []
    taken = {h for h in raw.header if h != ""}
    seen: set[str] = set()
    for col, header in enumerate(raw.header):
        if header == "":
            if not (raw.rows[col] != "").any():
                continue
            header = f"Column {get_column_letter(col + 1) if raw.sheet is not None else col + 1}"
            issues.append(
                TableIssue(
                    raw.header_row,
                    header,
                    "missing_header",
                    f"Column {col + 1} has values but no header; it is shown as '{header}'. Name it in "
                    "the file if it matters.",
                )
            )
        name = header
        copy = 1
        while name in seen or (name != header and name in taken):
            copy += 1
            name = f"{header} ({copy})"
        if name != header:
            issues.append(
                TableIssue(
                    raw.header_row,
                    name,
                    "duplicate_header",
                    f"Column {col + 1} repeats the header '{header}'; it is shown as '{name}'. Rename one of "
                    "them in the file if both matter.",
                    header,
                )
            )
        seen.add(name)
        names.append(name)
        positions.append(col)
    frame = raw.rows[positions].copy()
    frame.columns = pd.Index(names, dtype=object)
    return frame, issues, positions
