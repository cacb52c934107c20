"""Writing CSV so that every record reads back as exactly one record.

Python's ``csv`` module quotes a value only when it holds the delimiter, the quote character or a
character of the line terminator. With ``"\\n"`` as terminator (pandas' ``to_csv`` default on
POSIX) a value holding a bare carriage return is written unquoted, and Excel, pandas and the
``csv`` reader then split the record there. Every CSV Crosslink writes goes through this module:
records end with CRLF (RFC 4180), so any CR or LF inside a value is quoted.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

RECORD_END = "\r\n"
_SPECIAL = ("\r", "\n", '"')


def record_writer(handle: TextIO, delimiter: str = ",") -> Any:
    """A ``csv.writer`` on ``handle`` (opened with ``newline=""``) that quotes CR and LF in values."""
    return csv.writer(handle, delimiter=delimiter, lineterminator=RECORD_END, quoting=csv.QUOTE_MINIMAL)


def csv_record(values: Sequence[str], delimiter: str = ",", end: str = "\n") -> str:
    """One record as text for a stream whose record end is fixed by someone else (``end``), with
    every value that holds the delimiter, a quote, CR or LF quoted."""
    return delimiter.join(_quoted(v, delimiter) for v in values) + end


def _quoted(value: str, delimiter: str) -> str:
    if delimiter in value or any(ch in value for ch in _SPECIAL):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_frame(
    path: Path,
    frame: pd.DataFrame,
    *,
    cell: Callable[[object], object] | None = None,
    header: Iterable[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """Write ``frame`` (header first: ``header`` or the column names) as CSV at ``path``.

    ``cell`` turns each value (and header) into what is written; missing values become "".
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [str(c) for c in (frame.columns if header is None else header)]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = record_writer(handle, delimiter)
        if cell is None:
            writer.writerow(names)
            writer.writerows(frame.astype(object).fillna("").itertuples(index=False, name=None))
        else:
            writer.writerow([cell(n) for n in names])
            for row in frame.itertuples(index=False, name=None):
                writer.writerow([cell(v) for v in row])
    return path
