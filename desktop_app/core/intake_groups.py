"""A grouped (summary) report exported with its layout: group headings, subtotal rows, group values
shown once per group. Read as records, each becomes an account or customer that does not exist, and
the records under a heading lose the grouped field (often the country).

Salesforce's "Formatted Report" export of a summary report (and the printable view of Classic) has:

* subtotal rows closing each group, labelled "Subtotal", "Sum of Amount", "Record Count"… in their
  first filled cell (then also "Total" and "Count"), and a "Grand Totals (N records)" row closing it;
* either a heading row per group holding one value, "Billing Country: Germany (12 records)", with the
  grouped field left out of the columns,
* or the grouped field as the leading columns, filled on the first row of each group only (a merged
  cell in the workbook).

The subtotal and heading rows are dropped and reported once each; a heading's value is given to the
rows under it (in the column of that name, added when the file lacks it), a leading group column's
value is carried down to the rows of its group. "Details Only" exports repeat the value on every row
and have no subtotal rows: nothing here applies to them. When a group's value cannot be told (the
first group's row is empty), the file is refused with the way to export it as Details Only.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from desktop_app.core.id_duplicates import rows_text
from desktop_app.core.intake_damage import looks_like_salesforce_ids
from desktop_app.core.intake_roles import normalize_header
from desktop_app.core.intake_types import RawTable, TableError, TableIssue

_RECORDS = r"(\s*\(\d[\d,.]*(\s+records?)?\))?"
# A subtotal row's label: "Subtotal", "Grand Totals (12 records)", "Record Count", "Sum of Amount"…
_SUBTOTAL = re.compile(rf"(?i)(sub\s*totals?|grand\s+totals?|record\s+count|(sum|average|avg|min|max|median|"
                       rf"count|unique\s+count)\s+of\s+.+){_RECORDS}:?")
# "Total" and "Count" alone may be a company's name (Total S.A. was "Total"): subtotals only in a grouped report.
_BARE_TOTAL = re.compile(rf"(?i)(totals?|count){_RECORDS}:?")
# A group heading: "Billing Country: Germany (12 records)"; an empty group shows "-" or nothing as its value.
_LABEL_STARTS = ["sub", "gra", "rec", "sum", "ave", "avg", "min", "max", "med", "cou", "uni", "tot"]
_HEADING = re.compile(r"(?P<label>[^:()]{1,80}?)\s*:\s*(?P<value>.*?)\s*\((?P<count>\d[\d,.]*)(\s+records?)?\)")
_EMPTY_GROUP = {"", "-", "--", "(blank)", "(empty)"}
_SHOWN = 60
DETAILS_ONLY = ("Export the report again as \"Details Only\" (Export → Details Only, .csv or .xlsx): it repeats the "
                "group's value on every row and has no subtotal rows.")


def _first_filled(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the number of filled cells and the text of the first filled one ("" for an empty row)."""
    values = rows.to_numpy(dtype=object)
    filled = values != ""
    return filled.sum(axis=1), values[np.arange(len(values)), filled.argmax(axis=1)]


def _labelled(texts: np.ndarray, pattern: re.Pattern[str]) -> np.ndarray:
    """Which ``texts`` are such a label. Python's regex runs only on the texts that start with a label's
    first three letters, found in numpy (a million rows are not matched one by one)."""
    start = texts.astype("U3")
    lower = (start.view(np.uint32) | 0x20).view("U3")  # ASCII letters lower-cased; others only need not match
    maybe = np.flatnonzero(np.isin(lower, _LABEL_STARTS))
    marked = np.zeros(len(texts), dtype=bool)
    marked[maybe] = [bool(pattern.fullmatch(str(texts[i]).strip())) for i in maybe]
    return marked


def _holds_ids(rows: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """For each row at ``positions``: does any of its cells look like a Salesforce id (then it is a record)?"""
    if not len(positions):
        return np.zeros(0, dtype=bool)
    part = rows.iloc[positions]
    return np.array([looks_like_salesforce_ids(part.iloc[i]) > 0 for i in range(len(part))], dtype=bool)


def unfold_groups(raw: RawTable, name: str) -> RawTable:
    """``raw`` as records: a grouped report's subtotal and heading rows dropped, group values given to the
    rows of their group, each change reported once. Raises ``TableError`` when a group's value cannot be
    told (see the module doc); ``name`` is the file's name for that message."""
    if len(raw.rows) < 2:
        return raw
    counts, texts = _first_filled(raw.rows)
    subtotal, bare = _labelled(texts, _SUBTOTAL), _labelled(texts, _BARE_TOTAL)
    headings = np.zeros(len(texts), dtype=bool)
    single = np.flatnonzero(counts == 1)  # a heading is a row of one value
    headings[single] = [bool(_HEADING.fullmatch(str(texts[i]).strip())) for i in single]
    candidates = np.flatnonzero(subtotal | headings | bare)
    records = candidates[_holds_ids(raw.rows, candidates)]
    subtotal[records] = headings[records] = bare[records] = False
    if not subtotal.any() and not headings.any():
        return raw
    subtotal |= bare
    row_word = "Row" if raw.sheet is not None else "Line"
    issues: list[TableIssue] = []
    header, rows = list(raw.header), raw.rows.copy()
    if headings.any():
        header, rows, note = _headings_to_columns(header, rows, headings, texts, raw.source_rows, row_word)
        issues.append(note)
    dropped = subtotal | headings
    if subtotal.any():
        lines = [raw.source_rows[p] for p in np.flatnonzero(subtotal)]
        label = str(texts[np.flatnonzero(subtotal)[0]]).strip()
        issues.append(TableIssue(lines[0], "", "subtotal_rows", (
            f"{row_word}{'s' if len(lines) > 1 else ''} {rows_text([str(n) for n in lines])} "
            f"{'are subtotals' if len(lines) > 1 else 'is a subtotal'} of a grouped report (such as "
            f"{_clip(label)!r}), not records, so {'they were' if len(lines) > 1 else 'it was'} not read."), label))
    keep = np.flatnonzero(~dropped)
    starts = _segment_starts(dropped)
    kept = rows.iloc[keep].reset_index(drop=True)
    source_rows = [raw.source_rows[p] for p in keep]
    kept, carried = _carry_group_values(kept, header, starts, source_rows, row_word, name)
    issues += carried
    new_position = {int(old): new for new, old in enumerate(keep)}
    notes = [(new_position[p], c, k, t) for p, c, k, t in raw.cell_notes if p in new_position]
    return replace(raw, header=header, rows=kept, source_rows=source_rows, issues=[*raw.issues, *issues],
                   cell_notes=notes)


def _clip(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _headings_to_columns(header: list[str], rows: pd.DataFrame, headings: np.ndarray, texts: np.ndarray,
                         source_rows: list[int], row_word: str) -> tuple[list[str], pd.DataFrame, TableIssue]:
    """Each heading's value written into the rows under it, in the column its label names (added at the end
    when the file has none); an outer heading clears the inner levels' values."""
    by_key = {normalize_header(h): i for i, h in enumerate(header) if h.strip()}
    levels: list[str] = []  # labels in their order of first appearance: outer groups first
    current: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for position in range(len(rows)):
        if headings[position]:
            match = _HEADING.fullmatch(str(texts[position]).strip())
            assert match is not None
            label, value = match["label"].strip(), match["value"].strip()
            if label not in levels:
                levels.append(label)
            for inner in levels[levels.index(label) + 1:]:
                current[inner] = ""
            current[label] = "" if value in _EMPTY_GROUP else value
        for label in levels:
            values.setdefault(label, [""] * position).append(current.get(label, ""))
    added: list[str] = []
    for label in levels:
        column = pd.Series(values[label], index=rows.index, dtype=object)
        at = by_key.get(normalize_header(label))
        if at is None:
            at = len(header)
            header = [*header, label]
            rows[at] = ""
            added.append(label)
        rows[at] = rows[at].where(rows[at] != "", column)
    lines = [source_rows[p] for p in np.flatnonzero(headings)]
    first = str(texts[np.flatnonzero(headings)[0]]).strip()
    where = (f"given to the rows under them, in a column {_quoted(added)} added for them" if added
             else f"given to the rows under them, in column {_quoted(levels)}")
    message = (f"{row_word}{'s' if len(lines) > 1 else ''} {rows_text([str(n) for n in lines])} "
               f"{'are group headings' if len(lines) > 1 else 'is a group heading'} of a grouped report (such as "
               f"{_clip(first)!r}), not records; their values were {where}.")
    return header, rows, TableIssue(lines[0], "", "group_headings", message, first)


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _segment_starts(dropped: np.ndarray) -> np.ndarray:
    """Per kept row: does a group start there (the first row, or the first after dropped rows)?"""
    kept = np.flatnonzero(~dropped)
    if not len(kept):
        return np.zeros(0, dtype=bool)
    starts = np.ones(len(kept), dtype=bool)
    starts[1:] = np.diff(kept) > 1
    return starts


def _carry_group_values(rows: pd.DataFrame, header: list[str], starts: np.ndarray, source_rows: list[int],
                        row_word: str, name: str) -> tuple[pd.DataFrame, list[TableIssue]]:
    """The leading columns filled only where a group starts, carried down to the rows of the group."""
    issues: list[TableIssue] = []
    if len(rows) < 2 or starts.all():
        return rows, issues
    first = next((i for i, h in enumerate(header) if h.strip()), 0)
    for column in range(first, len(header)):
        filled = (rows[column] != "").to_numpy()
        if filled.all() or not filled.any() or (filled & ~starts).any():
            break  # the first column filled between group starts holds the records' own values
        if not filled[0]:
            raise TableError(
                f"{name}: it is a grouped report exported with its layout: column '{header[column]}' holds the "
                f"group's value only on the first row of each group, and the first group ({row_word.lower()} "
                f"{source_rows[0]}) shows none, so its rows cannot be told apart. {DETAILS_ONLY}")
        rows[column] = rows[column].where(filled).ffill().fillna("").astype(object)
        issues.append(TableIssue(source_rows[0], header[column], "group_values", (
            f"{row_word}s {source_rows[0]}–{source_rows[-1]}: column '{header[column]}' holds each group's value only "
            "on the group's first row (a grouped report exported with its layout); the value was carried down to "
            "every row of its group."), ""))
    return rows, issues
