"""Small value types shared by the file-intake modules (``tables`` re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# A damaged or suspicious value is reported row by row up to this many times per column and
# kind; past it one summary issue says how many more rows share the problem, so a million
# damaged rows do not become a million objects.
MAX_ISSUES_PER_KIND = 10_000


class TableError(ValueError):
    """A file cannot be read as a table; the message names the file, where, and what to do."""


@dataclass(frozen=True)
class TableIssue:
    """One problem found while reading, pointing at the file.

    ``row`` is the 1-based line of a CSV (the header is line 1) or the sheet row of an XLSX;
    ``column`` is the original header text, "" when the issue is about a whole row or the file.
    """

    row: int
    column: str
    kind: str
    message: str
    value: str = ""


@dataclass(frozen=True)
class RoleMapping:
    """Which original header holds each canonical role, and why it was chosen.

    ``reasons`` may also explain a role that is absent from ``columns`` (for example a header that
    matched by name but was rejected because its content did not fit).
    """

    columns: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


@dataclass
class RawTable:
    """What a reader hands back before headers are made unique and damage is scanned.

    ``rows`` has positional integer columns matching ``header``; every cell is a ``str``.
    ``cell_notes`` lists (frame position, column index, kind, cell text) for cells the reader itself found
    suspicious (XLSX: a date cell, a number with more than 15 significant digits); they become
    issues only when the column holds ids.
    """

    header: list[str]
    header_row: int
    rows: pd.DataFrame
    source_rows: list[int]
    issues: list[TableIssue] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    cell_notes: list[tuple[int, int, str, str]] = field(default_factory=list)
