"""Read a delimited text file into a ``RawTable``: every value as text, every record accounted for.

Parsing uses pandas' C parser (``dtype=object``, no NA handling) in chunks so a million-row file
reads quickly and can be cancelled; the NumPy record map from ``intake_text`` supplies the source
line of every record and catches ragged rows before pandas sees them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from desktop_app.core.intake_text import (
    DELIMITER_NAMES,
    RecordMap,
    decode_bytes,
    looks_binary,
    map_records,
    map_records_tolerant,
    nul_lines,
    sniff_delimiter,
)
from desktop_app.core.intake_title import title_message
from desktop_app.core.intake_types import RawTable, TableError, TableIssue
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback

_CHUNK_ROWS = 200_000
_SEP_HINT = re.compile(rb"sep=([,;\t|])[ \t]*\r?\n")
_RAGGED_LINES_SHOWN = 5
_MAX_TITLE_LINES = 10  # a report's banner is a few lines; more one-field lines are data


@dataclass(frozen=True)
class _Layout:
    """Positions (into the record map) of the header and of the data records."""

    header: int
    data: np.ndarray
    issues: list[TableIssue]
    # Rows of only delimiters, more of them than the header has: harmless, but pandas refuses them.
    has_long_empty_rows: bool = False
    # The first record was a title line: pandas would read it as the header, so map the records instead.
    after_title: bool = False


def read_delimited(
    path: Path,
    data: bytes,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> RawTable:
    """Read CSV/TSV bytes into a ``RawTable``; raises ``TableError`` for anything malformed."""
    name = path.name
    decoded = decode_bytes(data, name)
    utf8 = decoded.utf8
    if not utf8.strip():
        raise TableError(f"{name} is empty: it has no header line and no data. Export the table again.")
    if looks_binary(utf8):
        raise TableError(
            f"{name} does not look like a text table (it holds binary data). Choose a CSV, TSV or "
            ".xlsx export of the table."
        )
    nul = nul_lines(utf8)
    if nul:
        where = f"line {nul[0]}" if len(nul) == 1 else "lines " + ", ".join(map(str, nul))
        raise TableError(
            f"{name}, {where}: holds a NUL byte (character 0), which no text export contains; the file is "
            "damaged there. Remove the character (or export the table again) and load it once more."
        )
    hint = _SEP_HINT.match(utf8)
    if hint is not None:  # Excel's "sep=;" first line: obey it, and keep line numbers by blanking it
        delimiter = hint.group(1).decode("utf-8")
        utf8 = b"\n" + utf8[hint.end() :]
    else:
        delimiter = sniff_delimiter(utf8)
    records: list[list[str]] | None = None
    # Lone carriage returns (old Mac line ends) end records for pandas but not for the NumPy map.
    lone_cr = utf8.count(b"\r") > utf8.count(b"\r\n")
    record_map = None if lone_cr else map_records(utf8, delimiter)
    if record_map is None:
        record_map, records = map_records_tolerant(utf8, delimiter, name)
    layout = _plan_layout(record_map, name, delimiter)
    frame = None
    if records is None and (layout.has_long_empty_rows or layout.after_title):
        record_map, records = map_records_tolerant(utf8, delimiter, name)
        layout = _plan_layout(record_map, name, delimiter)
    if records is None:
        frame = _parse_with_pandas(utf8, delimiter, record_map, layout, name, progress, cancel)
        if frame is None:  # pandas split the records differently: map them the tolerant way
            record_map, records = map_records_tolerant(utf8, delimiter, name)
            layout = _plan_layout(record_map, name, delimiter)
    if frame is None:
        assert records is not None
        frame = _frame_from_records(records, record_map, layout)
    issues = _encoding_issues(decoded.encoding, decoded.first_non_utf8_line) + layout.issues
    header = [str(v) for v in frame.iloc[0].tolist()]
    rows = frame.iloc[1:].reset_index(drop=True)
    return RawTable(
        header=header,
        header_row=int(record_map.start_line[layout.header]),
        rows=rows,
        source_rows=[int(v) for v in record_map.start_line[layout.data]],
        issues=issues,
        encoding=decoded.encoding,
        delimiter=delimiter,
    )


def _encoding_issues(encoding: str, first_bad_line: int | None) -> list[TableIssue]:
    if first_bad_line is None:
        return []
    label = "Windows-1252 (cp1252)" if encoding == "cp1252" else "Latin-1"
    return [
        TableIssue(
            row=first_bad_line,
            column="",
            kind="encoding_fallback",
            message=(
                f"Line {first_bad_line} is not valid UTF-8, so the file was read as {label}. If accented "
                "letters look wrong, save the file as 'CSV UTF-8' and load it again."
            ),
        )
    ]


def _plan_layout(record_map: RecordMap, name: str, delimiter: str) -> _Layout:
    """Find the header and data records, reject rows longer than the header, note short rows."""
    nonblank = np.flatnonzero(~record_map.blank)
    if len(nonblank) == 0:
        raise TableError(f"{name} is empty: it has no header line and no data. Export the table again.")
    header = int(nonblank[0])
    data = nonblank[1:]
    issues: list[TableIssue] = []
    titles = _title_records(record_map, nonblank)
    if titles:
        header, data = int(nonblank[titles]), nonblank[titles + 1:]
        header_line = int(record_map.start_line[header])
        for title in nonblank[:titles]:
            title_line = int(record_map.start_line[title])
            issues.append(TableIssue(title_line, "", "title_row", title_message("Line", title_line, header_line)))
    trailing = 0
    while trailing < len(data) and record_map.all_empty[data[len(data) - 1 - trailing]]:
        trailing += 1
    if trailing:
        first, last = record_map.start_line[data[len(data) - trailing]], record_map.start_line[data[-1]]
        data = data[: len(data) - trailing]
        lines = f"Line {first} holds" if first == last else f"Lines {first}–{last} hold"
        issues.append(
            TableIssue(
                row=int(first),
                column="",
                kind="trailing_empty_rows",
                message=(
                    f"{lines} no values (only delimiters) and were ignored; spreadsheets "
                    "save such rows after formatted empty cells."
                ),
            )
        )
    if len(data) == 0:
        raise TableError(
            f"{name} has a header line (line {record_map.start_line[header]}) but no data rows. Export the "
            "table again with its records."
        )
    width = int(record_map.field_count[header])
    counts = record_map.field_count[data]
    too_long = data[(counts > width) & ~record_map.all_empty[data]]
    if len(too_long):
        shown = ", ".join(
            f"line {record_map.start_line[i]} has {record_map.field_count[i]}" for i in too_long[:_RAGGED_LINES_SHOWN]
        )
        extra = len(too_long) - _RAGGED_LINES_SHOWN
        more = f" (and {extra} more lines)" if extra > 0 else ""
        raise TableError(
            f"{name}: the header has {width} fields but {shown} fields{more}. A value probably contains "
            f"an unquoted {DELIMITER_NAMES[delimiter]} ({delimiter!r}); put quotes around such values "
            "or re-export the file."
        )
    for i in data[counts < width]:
        line, have = int(record_map.start_line[i]), int(record_map.field_count[i])
        issues.append(
            TableIssue(
                row=line,
                column="",
                kind="short_row",
                message=(
                    f"Line {line} has {have} fields but the header has {width}; the missing "
                    f"{width - have} were read as empty. Check that no value moved to another column."
                ),
            )
        )
    if len(data):
        interior = np.arange(header + 1, int(data[-1]))
        for i in interior[record_map.blank[interior]]:
            line = int(record_map.start_line[i])
            issues.append(TableIssue(line, "", "blank_line", f"Line {line} is blank and was skipped."))
    long_empty = bool(((counts > width) & record_map.all_empty[data]).any())
    titled = bool(issues) and issues[0].kind == "title_row"
    return _Layout(header=header, data=data, issues=issues, has_long_empty_rows=long_empty, after_title=titled)


def _title_records(record_map: RecordMap, nonblank: np.ndarray) -> int:
    """How many one-field records (a report's title, date, author) sit above a wider record that the
    data rows follow; 0 when there are none (a title padded with delimiters is caught later, with
    the other readers, by ``skip_title_rows``)."""
    counts = record_map.field_count[nonblank]
    titles = 0
    while titles < min(_MAX_TITLE_LINES, len(counts) - 2) and counts[titles] == 1:
        titles += 1
    if titles == 0:
        return 0
    width = counts[titles]
    return titles if width >= 2 and bool((counts[titles + 1:] <= width).all()) else 0


def _parse_with_pandas(
    utf8: bytes,
    delimiter: str,
    record_map: RecordMap,
    layout: _Layout,
    name: str,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> pd.DataFrame | None:
    """Header plus data records as text via the C parser, or None when pandas saw a different
    number of records than the record map (then the caller re-maps tolerantly)."""
    width = int(record_map.field_count[layout.header])
    wanted = 1 + len(layout.data)
    total = len(layout.data)
    chunks: list[pd.DataFrame] = []
    done = 0
    try:
        reader = pd.read_csv(
            io.BytesIO(utf8),
            sep=delimiter,
            header=None,
            names=list(range(width)),
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=True,
            engine="c",
            quotechar='"',
            doublequote=True,
            encoding="utf-8",
            index_col=False,
            nrows=wanted,
            chunksize=_CHUNK_ROWS,
        )
        with reader:
            for chunk in reader:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                chunks.append(chunk)
                done = min(total, done + len(chunk))
                progress(Progress(done, total, f"Reading {name}"))
    except pd.errors.ParserError:
        return None
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    if len(frame) != wanted:
        return None
    return frame


def _frame_from_records(records: list[list[str]], record_map: RecordMap, layout: _Layout) -> pd.DataFrame:
    """Header plus data records as a text frame, short records padded with ""."""
    width = int(record_map.field_count[layout.header])
    chosen = [layout.header, *(int(i) for i in layout.data)]
    rows = [records[i][:width] + [""] * (width - len(records[i])) for i in chosen]
    return pd.DataFrame(rows, columns=list(range(width)), dtype=object)
