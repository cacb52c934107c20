"""The first matching pass: records whose id cannot name one record are decided ``unmatched``.

An empty id cannot be written as a link, and an id on several rows would be linked once per row
(one Account on three rows "matched" three times). Such rows are taken out before any other pass,
with a reason naming the rows, so no id ever gets two partners and no empty id gets one.
"""

from __future__ import annotations

import numpy as np

from desktop_app.core.id_duplicates import ID_WORDS, duplicate_groups, rows_text
from desktop_app.core.matching_ledger import UNMATCHED, Ledger
from desktop_app.core.matching_ledger import Side as LedgerSide
from desktop_app.core.roles import Side

METHOD = "id check"


def _unusable(side: LedgerSide, word: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the side's unusable records and the reason for each."""
    positions: list[int] = []
    reasons: list[str] = []
    for position in np.flatnonzero(side.ids == ""):
        positions.append(int(position))
        reasons.append(f"Not matched: row {side.rows[position]} has no {word}, so it cannot be linked. "
                       "Fill in the id.")
    # Unique ids (the usual case) need no grouping; the index's hash table serves the link lookups next.
    for key, group in ({} if side.id_index().is_unique else duplicate_groups(side.ids)).items():
        rows = [str(side.rows[p]) for p in group]
        reason = (f"Not matched: {word} {key} is on rows {rows_text(rows)}; one id can have only one partner. "
                  "Keep one row per id, then match again.")
        positions += [int(p) for p in group]
        reasons += [reason] * len(group)
    return np.array(positions, dtype=np.int64), np.array(reasons, dtype=object)


def hold_unusable_ids(ledger: Ledger) -> None:
    """Decide every account and customer with an empty or repeated id as ``unmatched``."""
    acc, acc_reasons = _unusable(ledger.accounts, ID_WORDS[Side.ACCOUNTS])
    ledger.record(acc, np.full(len(acc), -1), UNMATCHED, 0.0, acc_reasons, METHOD)
    cus, cus_reasons = _unusable(ledger.customers, ID_WORDS[Side.CUSTOMERS])
    ledger.record(np.full(len(cus), -1), cus, UNMATCHED, 0.0, cus_reasons, METHOD)
