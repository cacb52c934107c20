"""A title above the header: a report's banner ("Accounts — exported 3 May"), often a merged cell.

Spreadsheet reports put such a row above the real header. Taken as the header it would name one
column after the title and leave the others nameless, so every role goes undetected. A row is a
title when it holds exactly one value and the row under it names at least two columns and at
least half of the columns the data fills.
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


def skip_title_rows(raw: RawTable) -> RawTable:
    """``raw`` with any title rows above its header removed, each reported as a ``title_row`` issue."""
    row_word = "Row" if raw.sheet is not None else "Line"
    while len(raw.rows) >= 2 and _filled(raw.header) == 1:
        candidate = [str(v) for v in raw.rows.iloc[0].tolist()]
        used_columns = int((raw.rows.iloc[1:] != "").any(axis=0).sum())
        named = _filled(candidate)
        if named < 2 or named * 2 < used_columns:
            break
        title = next(v for v in raw.header if v.strip() != "").strip()
        issue = TableIssue(raw.header_row, "", "title_row",
                           title_message(row_word, raw.header_row, raw.source_rows[0], title), title)
        notes = [(pos - 1, col, kind, text) for pos, col, kind, text in raw.cell_notes if pos > 0]
        raw = replace(
            raw,
            header=candidate,
            header_row=raw.source_rows[0],
            rows=pd.DataFrame(raw.rows.iloc[1:].to_numpy(), columns=raw.rows.columns, dtype=object),
            source_rows=raw.source_rows[1:],
            issues=[*raw.issues, issue],
            cell_notes=notes,
        )
    return raw
