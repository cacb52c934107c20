"""Similar names the weighed evidence speaks against are not suggested, and the record says why.

The similar-names pass (6) leaves a pair whose place disagrees to the weighed evidence (pass 7).
When pass 7 does not take it either, it used to come back as a suggestion ("a namesake? check
before linking"): "Willow Pioneer Motors Inc" for "Willow Iris Motors Ltd", 74 % alike, in another
country with another postcode. Two firms that share a word and a trade are not a namesake, and a
review full of them hides the real questions. Such a pair, names only partly agreeing (similar,
or a word in common: below ``NAME_NEARLY_AGREES``) and weighed below the suggestion threshold, is
dropped; both records stay unmatched and their reason names the closest candidate and what the
evidence found, so nothing is hidden. Names nearly the same stay suggested as namesakes, however
unlikely: the person should know of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.matching_evidence import Evidence, probability, reason_text
from desktop_app.core.matching_features import NAME_NEARLY_AGREES, compare_pairs
from desktop_app.core.matching_ledger import Ledger, Side


def _closest(rows: pd.DataFrame, key: str, other: Side, other_key: str, other_label: str,
             texts: np.ndarray) -> dict[int, str]:
    """Per record of column ``key``, the sentence naming its best-scoring dropped candidate."""
    best = rows.assign(text=texts).sort_values("score", ascending=False, kind="stable").drop_duplicates(key)
    return {
        int(own): f"the closest {other_label}, {other.ids[them]} ('{other.names[them]}'), is not suggested. {text}"
        for own, them, text in zip(best[key].tolist(), best[other_key].tolist(), best["text"].tolist(), strict=True)
    }


def drop_unlikely(ledger: Ledger, evidence: Evidence, pairs: pd.DataFrame, suggest_min: float) -> pd.DataFrame:
    """``pairs`` (acc, cus, score, …; the similar-names pass's, left to pass 7) without those whose
    names only partly agree (below ``NAME_NEARLY_AGREES``) and whose weighed evidence is below
    ``suggest_min`` %; the dropped pairs are noted on the ledger (``closest_notes``) for the records'
    reasons."""
    if not len(pairs):
        return pairs
    accounts, customers = ledger.accounts, ledger.customers
    acc, cus = pairs["acc"].to_numpy(dtype=np.int64), pairs["cus"].to_numpy(dtype=np.int64)
    levels = compare_pairs(accounts, acc, customers, cus)
    total, _ = evidence.weigh(accounts, acc, customers, cus, levels)
    chance = probability(total)
    unlikely = (chance * 100 < suggest_min) & (levels["name"] < NAME_NEARLY_AGREES)
    if not unlikely.any():
        return pairs
    text = reason_text({field: level[unlikely] for field, level in levels.items()}, chance[unlikely])
    dropped = pairs[unlikely]
    for position, note in _closest(dropped, "acc", customers, "cus", "customer", text).items():
        ledger.closest_notes[0].setdefault(position, note)
    for position, note in _closest(dropped, "cus", accounts, "acc", "account", text).items():
        ledger.closest_notes[1].setdefault(position, note)
    return pairs[~unlikely]
