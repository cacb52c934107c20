"""A title above the header: a report's banner ("Accounts — exported 3 May"), often a merged cell.

Spreadsheet reports put such a row above the real header. Taken as the header it would name one
column after the title and leave the others nameless, so every role goes undetected. A banner of
rows holding at most one value each (up to ten) is a title when the first row under it that names
at least two columns names at least half of the columns the data below fills.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from desktop_app.core.intake_types import RawTable, TableIssue


def _filled(values: list[str]) -> int:
    return sum(1 for v in values if v.strip() != "")


def title_message(row_word: str, title_row: int, header_row: int, title: str | None = None) -> str:
    """The sentence for a skipped title row."""
    what = f"only a title ({title!r})" if title else "only one value (a title)"
    return (
        f"{row_word} {title_row} holds {what} above the header; the header was read from "
        f"{row_word.lower()} {header_row}. Delete the title row if that is wrong."
    )


_MAX_TITLE_ROWS = 10  # a report's banner is a few rows (title, date, author); more one-value rows are data


def _header_below(raw: RawTable) -> int | None:
    """The frame position of the real header under a banner of one-value rows, or None."""
    for position in range(min(_MAX_TITLE_ROWS, len(raw.rows) - 1)):
        candidate = [str(v) for v in raw.rows.iloc[position].tolist()]
        named = _filled(candidate)
        if named <= 1:
            continue
        used_columns = int((raw.rows.iloc[position + 1:] != "").any(axis=0).sum())
        return position if named * 2 >= used_columns else None
    return None


def skip_title_rows(raw: RawTable) -> RawTable:
    """``raw`` with any title rows above its header removed, each reported as a ``title_row`` issue."""
    if _filled(raw.header) != 1:
        return raw
    position = _header_below(raw)
    if position is None:
        return raw
    row_word = "Row" if raw.sheet is not None else "Line"
    header_row = raw.source_rows[position]
    banner = [(raw.header_row, raw.header)] + [
        (raw.source_rows[i], [str(v) for v in raw.rows.iloc[i].tolist()]) for i in range(position)
    ]
    issues = [
        TableIssue(row, "", "title_row", title_message(row_word, row, header_row, title), title)
        for row, values in banner
        for title in [v.strip() for v in values if v.strip() != ""]
    ]
    notes = [(pos - position - 1, col, kind, text) for pos, col, kind, text in raw.cell_notes if pos > position]
    return replace(
        raw,
        header=[str(v) for v in raw.rows.iloc[position].tolist()],
        header_row=header_row,
        rows=pd.DataFrame(raw.rows.iloc[position + 1:].to_numpy(), columns=raw.rows.columns, dtype=object),
        source_rows=raw.source_rows[position + 1:],
        issues=[*raw.issues, *issues],
        cell_notes=notes,
    )
