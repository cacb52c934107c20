"""Salesforce matrix and joined reports exported with their layout: refused, not misread as records.

A matrix report (grouped by rows and by columns) exports as a grid of totals: a first header row naming the
column groups ("Type", then "Customer", "Prospect", …, "Total", each over its summaries), a second naming the
row groups and the summaries ("Billing Country", "Record Count", "Sum of Annual Revenue"…), rows holding
group labels then numbers only, "Subtotal" rows and a closing "Total" row. There is no record and no id in it.

A joined report exports its blocks each under its own name and header row: side by side (an empty column
between them) or one under the other (a blank row, the block's name, its header). Read as one table, the
second block's header becomes a record and the columns mean different things on different rows.

Neither can be turned into records, so both are refused with the way to export the records. A table that
merely has a "Total" column, many numeric columns or a totals row is not a matrix: it also has record
columns (text other than the leading group labels), an id, or a single header row.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from desktop_app.core.intake_damage import looks_like_salesforce_ids
from desktop_app.core.intake_roles import is_id_header
from desktop_app.core.intake_types import RawTable, TableError

FIX = ("Export the report as Details Only (Export → Details Only, .csv or .xlsx), or turn it into a tabular report "
       "with the Account ID column and export that.")
JOINED_FIX = ("Turn the block you need into a tabular report with the Account ID column and export that as Details "
              "Only (Export → Details Only, .csv or .xlsx): a joined report exports only with its layout.")
_TOTAL = re.compile(r"(?i)(grand\s+)?totals?(\s*\(\d[\d,.]*(\s+records?)?\))?:?")
# A summary cell: a count, a sum with thousands separators, a currency, a percentage, a negative in brackets.
_NUMBER = re.compile(r"[-+(−]?\s*(?:[A-Z]{3}\s?|[$€£¥₹])?\s*[-+(−]?\d[\d.,'\u00a0\u202f ]*\)?\s*%?(?:\s?[A-Z]{3})?")
_TOP_ROWS = 20  # a report's banner and header band fit in these; nothing past them is searched for a header
_SAMPLE_ROWS = 5_000  # body rows whose cells are classified (a matrix is small; a huge table is not one)
_TAIL_ROWS = 60  # where a matrix's "Total" row is looked for: the grid's end, before the footer
_MAX_ROW_GROUPS = 4  # label columns left of the numbers: two row groupings, a summary label, a spare
_NUMERIC_SHARE = 0.9
_SHOWN = 4


def refuse_report_grids(raw: RawTable, name: str) -> RawTable:
    """``raw`` unchanged, or ``TableError`` when it is a matrix or joined report exported with its layout
    (see the module doc); ``name`` is the file's name for the message."""
    grid = pd.DataFrame([raw.header], dtype=object)
    width = max(len(raw.header), raw.rows.shape[1])
    top = pd.concat([grid.reindex(columns=range(width), fill_value=""),
                     raw.rows.iloc[:_TOP_ROWS].reindex(columns=range(width), fill_value="")], ignore_index=True)
    rows = [raw.header_row, *raw.source_rows[:_TOP_ROWS]]
    row_word = "Row" if raw.sheet is not None else "Line"
    matrix = _matrix(top, rows, raw, row_word)
    if matrix:
        raise TableError(f"{name}: it is a Salesforce matrix report exported with its layout, a grid of totals "
                         f"({matrix}), not a list of records, so it cannot be read. {FIX}")
    blocks = _side_by_side_blocks(top, rows) or _stacked_blocks(raw)
    if blocks:
        names = [n for n, _ in blocks if n]
        named = f" ({_listed([repr(n) for n in names])})" if len(names) == len(blocks) else ""
        lines = [str(r) for r in dict.fromkeys(r for _, r in blocks)]
        where = f"{row_word.lower()}{'s' if len(lines) > 1 else ''} {_listed(lines)}"
        raise TableError(f"{name}: it is a Salesforce joined report: {len(blocks)} blocks{named}, each with its own "
                         f"header ({where}), not one list of records, so it cannot be read. {JOINED_FIX}")
    return raw


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _texts(row: pd.Series) -> list[str]:
    return [str(v).strip() for v in row.tolist()]


def _is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text))


# --- matrix ------------------------------------------------------------------------------------------------


def _matrix(top: pd.DataFrame, rows: list[int], raw: RawTable, row_word: str) -> str | None:
    """What shows ``raw`` is a matrix report (for the message), or None. ``top`` is its header and first
    rows as one grid, ``rows`` their lines or sheet rows."""
    found = _total_column(top)
    if found is None:
        return None
    band_start, total_column = found
    body_start = band_start + 1
    while body_start < len(top) and not any(_is_number(t) for t in _texts(top.iloc[body_start])):
        body_start += 1
    band = [_texts(top.iloc[i]) for i in range(band_start, body_start)]
    # Column groups need a second header line (the row groups and summaries) or an empty corner over the labels.
    if len(band) < 2 and band[0][0] != "":
        return None
    # The last header line names the columns (the first holds the column groups' values, "Customer" among them).
    if len(band) > 1 and any(is_id_header(t) for t in band[-1] if t):
        return None
    body = _body(raw, top, body_start)
    if body is None or body.empty:
        return None
    shape = _grid_shape(body)
    if shape is None:
        return None
    labels, values = shape
    if total_column not in values or not values or min(values) <= max(labels):
        return None
    if any(looks_like_salesforce_ids(body[c]) > 0 for c in labels):
        return None
    total_row = _total_row(raw, labels)
    if total_row is None:
        return None
    groups = [t for t in dict.fromkeys(band[0][min(values):]) if t]
    shown = ", ".join(f"'{g}'" for g in groups[:_SHOWN]) + (", …" if len(groups) > _SHOWN else "")
    return (f"{row_word.lower()} {rows[band_start]} names the column groups {shown}, {row_word.lower()} "
            f"{total_row} is its {str(_total_label(raw, total_row, labels))!r} row")


def _total_column(top: pd.DataFrame) -> tuple[int, int] | None:
    """The first row of ``top`` with a "Total" cell right of the first column, and that column."""
    for position in range(len(top)):
        texts = _texts(top.iloc[position])
        if sum(1 for t in texts if t) < 2:
            continue
        for column, text in enumerate(texts[1:], start=1):
            if _TOTAL.fullmatch(text):
                return position, column
    return None


def _body(raw: RawTable, top: pd.DataFrame, body_start: int) -> pd.DataFrame | None:
    """The grid's rows under its header band (a sample of them), columns numbered as in ``raw.rows``."""
    first = body_start - 1  # ``top`` holds the header first, then raw.rows
    if first < 0 or first >= len(raw.rows):
        return None
    return raw.rows.iloc[first:first + _SAMPLE_ROWS]


def _grid_shape(body: pd.DataFrame) -> tuple[list[int], list[int]] | None:
    """The label columns (text) and value columns (numbers) of the body, or None when a column is neither
    (mixed text and numbers is a record's column)."""
    labels: list[int] = []
    values: list[int] = []
    for column in body.columns:
        filled = [t for t in (str(v).strip() for v in body[column].tolist()) if t and t != "-"]
        if not filled:
            continue
        share = sum(1 for t in filled if _is_number(t)) / len(filled)
        if share >= _NUMERIC_SHARE:
            values.append(int(column))
        elif share <= 1 - _NUMERIC_SHARE:
            labels.append(int(column))
        else:
            return None
    if not labels or len(labels) > _MAX_ROW_GROUPS or len(values) < 2:
        return None
    return labels, values


def _first_label(raw: RawTable, position: int, labels: list[int]) -> str:
    return next((str(raw.rows.iat[position, c]).strip() for c in labels if str(raw.rows.iat[position, c]).strip()),
                "")


def _total_row(raw: RawTable, labels: list[int]) -> int | None:
    """The line or sheet row of the grid's "Total" row (its first label reads "Total"), near its end."""
    for position in range(len(raw.rows) - 1, max(-1, len(raw.rows) - 1 - _TAIL_ROWS), -1):
        if _TOTAL.fullmatch(_first_label(raw, position, labels)):
            return raw.source_rows[position]
    return None


def _total_label(raw: RawTable, source_row: int, labels: list[int]) -> str:
    return _first_label(raw, raw.source_rows.index(source_row), labels)


# --- joined ------------------------------------------------------------------------------------------------


def _header_like(texts: list[str]) -> bool:
    """Field labels: at least two, none with a digit (ids, amounts, dates, postcodes and streets have them)."""
    filled = [t for t in texts if t]
    return len(filled) >= 2 and not any(any(ch.isdigit() for ch in t) or len(t) > 60 for t in filled)


def _side_by_side_blocks(top: pd.DataFrame, rows: list[int]) -> list[tuple[str, int]]:
    """The name and header row of each block, when a row of block names sits over a header row split into blocks by
    empty columns; [] otherwise."""
    for position in range(len(top) - 1):
        if rows[position + 1] != rows[position] + 1:
            continue
        names, header = _texts(top.iloc[position]), _texts(top.iloc[position + 1])
        if not _header_like(header):
            continue
        spans = _filled_runs(header)
        if len(spans) < 2 or any(end - start < 2 for start, end in spans):
            continue
        named = [c for c, t in enumerate(names) if t]
        if len(named) == len(spans) and all(start <= c < end for c, (start, end) in zip(named, spans, strict=True)):
            return [(names[c], rows[position + 1]) for c in named]
    return []


def _filled_runs(texts: list[str]) -> list[tuple[int, int]]:
    """[start, end) of each run of filled cells."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for column, text in enumerate([*texts, ""]):
        if text and start is None:
            start = column
        elif not text and start is not None:
            runs.append((start, column))
            start = None
    return runs


def _stacked_blocks(raw: RawTable) -> list[tuple[str, int]]:
    """The name ("" when not shown) and header row of each block, when blocks stand one under the other (a
    blank row, a row holding only the block's name, its header row): the table's own header is the first
    block's. [] for one block."""
    if len(raw.header) < 2 or len(raw.rows) < 3:
        return []
    first, second = raw.rows[0].to_numpy(dtype=object) != "", raw.rows[1].to_numpy(dtype=object) != ""
    source = np.asarray(raw.source_rows)
    blank_before = np.ones(len(first), dtype=bool)
    blank_before[1:] = (~first[:-1] & ~second[:-1]) | (np.diff(source) > 1)
    follows = np.zeros(len(first), dtype=bool)
    follows[:-1] = first[1:] & second[1:] & (np.diff(source) == 1)
    candidates = np.flatnonzero(first & ~second & blank_before & follows)
    starts: list[tuple[str, int]] = []
    for position in candidates[:50]:
        title = [t for t in _texts(raw.rows.iloc[position]) if t]
        if len(title) == 1 and len(title[0]) <= 80 and _header_like(_texts(raw.rows.iloc[position + 1])):
            starts.append((title[0], int(source[position + 1])))
    if not starts:
        return []
    header_is_block = any(t for t in raw.header) and _header_like([str(h).strip() for h in raw.header])
    return [("", raw.header_row), *starts] if header_is_block else (starts if len(starts) >= 2 else [])
