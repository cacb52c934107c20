"""Ids that cannot name one record: empty ones, and one id on several rows of a file.

An Account Id is compared in its 18-character form (15-character and case-damaged copies of one
Account are the same Account); a customer id as written, trimmed. Intake reports each such row
with its line; matching takes those rows out of play, so no id is ever given two partners.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.ids import to_18_series
from desktop_app.core.intake_types import MAX_ISSUES_PER_KIND, TableIssue
from desktop_app.core.roles import Side

ID_WORDS = {Side.ACCOUNTS: "Account Id", Side.CUSTOMERS: "customer id"}
_ROWS_NAMED = 6


def id_keys(values: pd.Series, side: Side) -> np.ndarray:
    """The comparison key of each id: trimmed text, accounts in their 18-character form."""
    raw = np.array(["" if v is None or v != v else str(v).strip() for v in values.tolist()], dtype=object)
    if side != Side.ACCOUNTS or not len(raw):
        return raw
    id18 = to_18_series(pd.Series(raw, dtype=object)).to_numpy(dtype=object)
    return np.where(pd.isna(id18), raw, id18).astype(object)


def duplicate_groups(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Each non-empty key found on more than one row → its positions, in order."""
    series = pd.Series(keys, dtype=object)
    repeated = series[(series != "") & series.duplicated(keep=False)]
    return {str(key): group.index.to_numpy() for key, group in repeated.groupby(repeated, sort=False)}


def rows_text(rows: list[str]) -> str:
    """``3, 7 and 9`` (``3, 7, … and 9 more`` past a few)."""
    if len(rows) > _ROWS_NAMED:
        return ", ".join(rows[:_ROWS_NAMED]) + f" and {len(rows) - _ROWS_NAMED:,} more"
    return rows[0] if len(rows) == 1 else ", ".join(rows[:-1]) + " and " + rows[-1]


def id_issues(values: pd.Series, source_rows: list[int], side: Side, header: str, row_word: str) -> list[TableIssue]:
    """An issue for every row whose id (column ``header``) is empty or also on another row."""
    word = ID_WORDS.get(side)
    if word is None:
        return []
    keys = id_keys(values, side)
    issues: list[TableIssue] = []
    empty = np.flatnonzero(keys == "")
    for position in empty[:MAX_ISSUES_PER_KIND]:
        row = source_rows[position]
        issues.append(TableIssue(row, header, "empty_id",
                                 f"{row_word} {row} has no {word} (column '{header}'); it cannot be linked "
                                 "until the id is filled in."))
    if len(empty) > MAX_ISSUES_PER_KIND:
        issues.append(TableIssue(source_rows[empty[MAX_ISSUES_PER_KIND]], header, "empty_id",
                                 f"…and {len(empty) - MAX_ISSUES_PER_KIND:,} more rows have no {word}."))
    for key, positions in duplicate_groups(keys).items():
        rows = [source_rows[p] for p in positions]
        for position, row in zip(positions[:MAX_ISSUES_PER_KIND], rows, strict=False):
            others = rows_text([str(r) for r in rows if r != row])
            issues.append(TableIssue(
                row, header, "duplicate_id",
                f"{row_word} {row}: {word} {key!r} is also on {row_word.lower()} {others}; one id can have only "
                "one partner, so none of these rows is matched. Keep one row per id.",
                str(values.iloc[position]),
            ))
    return issues
