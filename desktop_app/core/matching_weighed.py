"""Pass 7, weighed evidence: among the records no earlier pass decided, candidate pairs scored by the
fitted Fellegi–Sunter model over every shared attribute; plus the namesake rule every name-based
pass applies.

A pair is matched only when the model is nearly sure (``AUTO_PROBABILITY``) and it is no namesake
(names agree, the place taken together disagrees: ``weighed_namesakes``); otherwise it is
suggested, with what agrees and what differs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.matching_evidence import Evidence, candidate_pairs, probability, reason_text
from desktop_app.core.matching_features import (
    NAME_NEARLY_AGREES,
    NAME_QUALIFIER,
    NAME_SIMILAR,
    PLACE_FIELDS,
    PLACE_GROUPS,
    compare_pairs,
    features,
    namesakes,
    place_agreements,
    place_differs,
    renamed,
)
from desktop_app.core.matching_fs import Levels
from desktop_app.core.matching_ledger import (
    AMBIGUOUS,
    MATCHED,
    SUGGESTED,
    IntArray,
    Ledger,
    Side,
    TextArray,
    resolve,
)
from desktop_app.core.progress import CancelToken

AUTO_PROBABILITY = 0.995
WEIGHT_MARGIN = 3.0  # candidates within 3 bits (8× the likelihood) of the best one make a record ambiguous
PLACE_WEIGHED = ("street", "postcode", "phone", "email", "city")
_PLACE_WORDS = {"street": "street", "postcode": "postcode", "phone": "phone"}
_FEATURE_OF = {"street": "street_key", "postcode": "postcode", "phone": "phone"}


def weighed_namesakes(levels: Levels, weights: dict[str, np.ndarray]) -> np.ndarray:
    """Namesakes by the fitted model: names that agree, a place field that disagrees with none that
    confirms (``namesakes``), and the place's evidence taken together — street, postcode, phone,
    e-mail and city, each weighed by how telling it is in these files — against the pair. A typo'd
    postcode in the same small town outweighs another street; another street, postcode and phone
    in the same big city do not."""
    place = np.sum([weights[field] for field in PLACE_WEIGHED], axis=0)
    result: np.ndarray = namesakes(levels) & (place < 0)
    return result


def loosely_named(levels: Levels) -> np.ndarray:
    """Pairs whose names share no more than a word ("ocean avenue" / "ocean park cafe") and whose
    place nothing confirms — no street with its number, postcode, phone, e-mail or website agrees.
    A city is too coarse to vouch for them, however the model weighs it in files with few fields."""
    confirmed = ((levels["street"] >= 2) | (levels["postcode"] >= 1) | (levels["phone"] >= 1)
                 | (levels["email"] == 1) | (levels["domain"] == 1))
    # A name that agrees only without its bracketed branch or place ("acme (uk)" / "acme") needs the same.
    qualified = levels.get(NAME_QUALIFIER, np.zeros(len(confirmed), dtype=bool))
    result: np.ndarray = ((levels["name"] == 1) | qualified) & ~confirmed
    return result


def place_differences(accounts: Side, acc: IntArray, customers: Side, cus: IntArray, levels: Levels) -> TextArray:
    """Per pair, ``"the street differs ('12 baker st' / '40 elm rd')"`` for each place field that
    disagrees outright, joined with "and"; "" where none does."""
    fa, fc = features(accounts, acc, PLACE_GROUPS), features(customers, cus, PLACE_GROUPS)
    text = np.full(len(acc), "", dtype=object)
    for field in PLACE_FIELDS:
        differs = (levels[field] == 0) | ((field == "street") & (levels[field] == 1))
        key = _FEATURE_OF[field]
        part = ("the " + _PLACE_WORDS[field] + " differs ('" + fa[key] + "' / '" + fc[key] + "')").astype(object)
        text = np.where(differs, np.where(text != "", text + " and ", text) + part, text).astype(object)
    return text


def place_levels(ledger: Ledger, acc: IntArray, cus: IntArray) -> Levels:
    """Levels of street, postcode, phone and e-mail (others missing). A street written the same on
    both sides (letter case and spaces aside) agrees without being parsed, so most pairs of a
    large file never are."""
    accounts, customers = ledger.accounts, ledger.customers
    levels = compare_pairs(accounts, acc, customers, cus, ("email", "postcode", "phone"))
    a_street, c_street = accounts.column("street", acc), customers.column("street", cus)
    present = np.flatnonzero((a_street != "") & (c_street != ""))
    street = np.full(len(acc), -1, dtype=np.int8)
    street[present] = 3
    alike = a_street[present] == c_street[present]
    unequal = np.flatnonzero(~alike)
    alike[unequal] = [a.lower() == c.lower() for a, c in zip(a_street[present[unequal]].tolist(),
                                                             c_street[present[unequal]].tolist(), strict=True)]
    parse = present[~alike]
    if len(parse):
        street[parse] = compare_pairs(accounts, acc[parse], customers, cus[parse], ("street",))["street"]
    levels["street"] = street
    return levels


def guard_namesakes(ledger: Ledger, pairs: pd.DataFrame) -> pd.DataFrame:
    """Add to candidate ``pairs`` (acc, cus, score, tiebreak, reason): ``namesake`` (names agree,
    place disagrees) with the disagreement appended to the reason, ``placed`` (both records have
    a street, postcode, phone or e-mail to compare), and a tie-break that prefers the candidate
    whose street, postcode, phone or e-mail agree."""
    accounts, customers = ledger.accounts, ledger.customers
    acc, cus = pairs["acc"].to_numpy(), pairs["cus"].to_numpy()
    # Only the place is compared here: these pairs' names already agree (exactly from 92 on).
    levels = place_levels(ledger, acc, cus)
    levels["name"] = np.where(pairs["score"].to_numpy(dtype=float) >= NAME_SIMILAR, NAME_NEARLY_AGREES,
                              NAME_NEARLY_AGREES - 1).astype(np.int8)
    # Every pair of these passes has agreeing or similar names: a different place makes it a namesake.
    namesake = place_differs(levels)
    reason = pairs["reason"].to_numpy(dtype=object).copy()
    if namesake.any():
        at = np.flatnonzero(namesake)
        differences = place_differences(accounts, acc[at], customers, cus[at],
                                        {field: level[at] for field, level in levels.items()})
        reason[at] = reason[at] + "; but " + differences + " — a namesake? Check before linking"
    tiebreak = pairs["tiebreak"].to_numpy(dtype=np.int64) + 2 * place_agreements(levels)
    placed = np.zeros(len(acc), dtype=bool)
    for field in (*PLACE_FIELDS, "email"):
        placed |= levels[field] >= 0
    return pairs.assign(namesake=namesake, reason=reason, tiebreak=tiebreak, placed=placed)


def match_by_evidence(ledger: Ledger, evidence: Evidence, *, auto_accept: float, suggest_min: float,
                      cancel: CancelToken | None = None) -> None:
    """Pass 7: pairs the model finds likely (≥ ``suggest_min`` %) among the open records; matched
    when at least ``AUTO_PROBABILITY`` and ``auto_accept`` % sure and no namesake, else suggested."""
    accounts, customers = ledger.accounts, ledger.customers
    acc_open, cus_open = ledger.free_accounts(), ledger.free_customers()
    if not len(acc_open) or not len(cus_open):
        return
    pairs, levels = evidence.candidates, evidence.levels
    acc, cus = pairs["acc"].to_numpy(dtype=np.int64), pairs["cus"].to_numpy(dtype=np.int64)
    if not levels or not (ledger.acc_free[acc].all() and ledger.cus_free[cus].all()):
        pairs = candidate_pairs(accounts, acc_open, customers, cus_open, cancel)
        acc, cus = pairs["acc"].to_numpy(dtype=np.int64), pairs["cus"].to_numpy(dtype=np.int64)
        levels = compare_pairs(accounts, acc, customers, cus)
    if not len(acc):
        return
    total, weights = evidence.weigh(accounts, acc, customers, cus, levels)
    chance = probability(total)
    namesake = weighed_namesakes(levels, weights)
    # A namesake is always shown, however unlikely the model finds it: the person should know of it.
    keep = (chance * 100 >= suggest_min) | namesake
    if not keep.any():
        return
    kept_levels = {field: level[keep] for field, level in levels.items()}
    acc, cus, total, chance, namesake = acc[keep], cus[keep], total[keep], chance[keep], namesake[keep]
    differences = place_differences(accounts, acc, customers, cus, kept_levels)
    reason = reason_text(kept_levels, chance)
    reason = np.where(namesake, reason + "; but " + differences + " — a namesake? Check before linking",
                      reason).astype(object)
    candidates = pd.DataFrame({"acc": acc, "cus": cus, "score": total, "tiebreak": place_agreements(kept_levels),
                               "chance": chance, "namesake": namesake,
                               "renamed": renamed(kept_levels) | loosely_named(kept_levels), "reason": reason})
    outcome = resolve(candidates, accounts, customers, margin=WEIGHT_MARGIN, one_to_one=ledger.one_to_one)
    good = outcome.accepted
    sure = (good["chance"].to_numpy() >= AUTO_PROBABILITY) & (good["chance"].to_numpy() * 100 >= auto_accept)
    doubtful = good["namesake"].to_numpy(dtype=bool) | good["renamed"].to_numpy(dtype=bool)
    status = np.where(sure & ~doubtful, MATCHED, SUGGESTED).astype(object)
    score = np.floor(good["chance"].to_numpy(dtype=float) * 1000) / 10
    ledger.record(good["acc"].to_numpy(), good["cus"].to_numpy(), status, score,
                  good["reason"].to_numpy(dtype=object), "evidence")
    amb = outcome.ambiguous_accounts
    ledger.record(amb["acc"].to_numpy(), np.full(len(amb), -1), AMBIGUOUS, 0.0,
                  "Several customers are about as likely by the weighed attributes; please choose (candidates "
                  "with their match weight)", "evidence", amb["candidates"].to_numpy(dtype=object))
    amb = outcome.ambiguous_customers
    ledger.record(np.full(len(amb), -1), amb["cus"].to_numpy(), AMBIGUOUS, 0.0,
                  "Several accounts are about as likely by the weighed attributes; please choose one", "evidence",
                  amb["candidates"].to_numpy(dtype=object))
