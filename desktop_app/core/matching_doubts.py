"""Existing links whose names clearly disagree.

A link held on one side only is normally taken as it is (someone linked the records on purpose).
But people also paste the wrong id: an Account "Vandelay Industries" holding the Stripe id of
"Dunder Mifflin". When the two records' cleaned names do not resemble each other and they share no
website/e-mail domain, the link is held back from the audit (``DoubtfulLinks``) and settled after
the domain and name passes (``settle_doubtful_links``): a ``conflict`` naming both records when
those passes gave the linked record to someone else, otherwise a ``suggested`` pair to check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils

from desktop_app.core.matching_features import record_domains
from desktop_app.core.matching_ledger import (
    CONFLICT,
    SUGGESTED,
    IntArray,
    Ledger,
    Side,
    TextArray,
    describe_accounts,
    describe_customers,
    quoted,
)
from desktop_app.core.normalize import clean_company_names

RAW_NAMES_ALIKE = 90.0
NAMES_RESEMBLE = 60.0  # below this cleaned-name similarity (and without a shared domain) names "clearly differ"
DOUBTFUL_SCORE = 50.0


def names_clearly_differ(accounts: Side, acc: IntArray, customers: Side, cus: IntArray) -> np.ndarray:
    """Per pair: True when both records have a name, the cleaned names (or the customer's cleaned
    legal name) do not resemble each other, and they share no website/e-mail domain."""
    differ = np.zeros(len(acc), dtype=bool)
    acc_raw, cus_raw = accounts.names[acc], customers.names[cus]
    judged = np.flatnonzero((acc_raw != "") & (cus_raw != "") & (acc_raw != cus_raw))
    if len(judged):
        # Names this alike as written (lower case, punctuation ignored) always resemble once cleaned;
        # checking that in C first spares cleaning most names.
        raw = process.cpdist(list(acc_raw[judged]), list(cus_raw[judged]), scorer=fuzz.ratio,
                             processor=utils.default_process, workers=-1)
        judged = judged[np.asarray(raw, dtype=float) < RAW_NAMES_ALIKE]
    if not len(judged):
        return differ
    acc_name = accounts.clean_names(acc[judged])
    cus_name = customers.clean_names(cus[judged])
    similarity = _similarity(acc_name, cus_name)
    legal_raw = customers.column("legal_name", cus[judged])
    retry = np.flatnonzero((similarity < NAMES_RESEMBLE) & (legal_raw != ""))
    if len(retry):
        legal = clean_company_names(pd.Series(legal_raw[retry], dtype=object)).to_numpy(dtype=object)
        similarity[retry] = np.maximum(similarity[retry], _similarity(acc_name[retry], legal))
    low = np.flatnonzero(similarity < NAMES_RESEMBLE)
    if len(low):
        acc_domain = record_domains(accounts, acc[judged[low]])
        cus_domain = record_domains(customers, cus[judged[low]])
        shared = (acc_domain != "") & (acc_domain == cus_domain)
        differ[judged[low[~shared]]] = True
    return differ


def _similarity(left: TextArray, right: TextArray) -> np.ndarray:
    """The larger of the plain and the word-set similarity of cleaned names ("acme" and "acme
    global" resemble each other); 100 for equal names."""
    scores = np.full(len(left), 100.0)
    unequal = np.flatnonzero(left != right)
    if len(unequal):
        a, b = list(left[unequal]), list(right[unequal])
        plain = process.cpdist(a, b, scorer=fuzz.ratio, workers=-1)
        words = process.cpdist(a, b, scorer=fuzz.token_set_ratio, workers=-1)
        scores[unequal] = np.maximum(np.asarray(plain, dtype=float), np.asarray(words, dtype=float))
    return scores


@dataclass(frozen=True)
class DoubtfulLinks:
    """One-sided links held back by the audit. ``by_account``: the account's link field names the
    customer (the account is reserved, the customer left open); ``by_customer``: the reverse."""

    acc_holder: IntArray
    acc_target: IntArray
    cus_holder: IntArray
    cus_target: IntArray

    @staticmethod
    def none() -> DoubtfulLinks:
        """No doubtful links."""
        empty = np.zeros(0, dtype=np.int64)
        return DoubtfulLinks(empty, empty, empty, empty)


_HOW = {"domain": "by website/e-mail domain and name", "name": "by company name",
        "identifier_normalized": "through a link field", "mapping": "through the mapping file",
        "existing_link": "through a link field", "fuzzy": "by a similar name"}
Describe = Callable[[Side, IntArray], TextArray]


def settle_doubtful_links(ledger: Ledger, doubtful: DoubtfulLinks) -> None:
    """Decide the held-back links once the domain and name passes have run: ``conflict`` (naming
    both records) when another record took the linked one, otherwise ``suggested``."""
    accounts, customers = ledger.accounts, ledger.customers
    a, c = doubtful.acc_holder, doubtful.acc_target
    if len(a):
        held = ("The link field points to " + customers.ids[c] + " " + quoted(customers.names[c]) +
                ", whose name does not resemble " + quoted(accounts.names[a]))
        open_ = ledger.cus_free[c]
        ledger.record(a[open_], c[open_], SUGGESTED, DOUBTFUL_SCORE, held[open_] + " — check before writing",
                      "existing_link")
        reasons = _conflict_reasons(ledger, "cus", c[~open_], held[~open_], describe_accounts, accounts,
                                    describe_customers(customers, c[~open_]))
        ledger.record(a[~open_], np.full(len(reasons), -1), CONFLICT, 0.0, reasons, "existing_link")
    c, a = doubtful.cus_holder, doubtful.cus_target
    if len(c):
        held = ("The customer's link field points to account " + accounts.ids[a] + " " +
                quoted(accounts.names[a]) + ", whose name does not resemble " + quoted(customers.names[c]))
        open_ = ledger.acc_free[a]
        ledger.record(a[open_], c[open_], SUGGESTED, DOUBTFUL_SCORE, held[open_] + " — check before writing",
                      "existing_link")
        reasons = _conflict_reasons(ledger, "acc", a[~open_], held[~open_], describe_customers, customers,
                                    describe_accounts(accounts, a[~open_]))
        ledger.record(np.full(len(reasons), -1), c[~open_], CONFLICT, 0.0, reasons, "existing_link")


def _conflict_reasons(ledger: Ledger, side: str, targets: IntArray, held: TextArray, describe_other: Describe,
                      other_side: Side, target_labels: TextArray) -> TextArray:
    """Per held-back link whose target (on ``side``) another decision took: what took it."""
    if not len(targets):
        return np.zeros(0, dtype=object)
    other = "cus" if side == "acc" else "acc"
    decided = ledger.decisions()
    taken = decided[decided[side].isin(targets)].drop_duplicates(side).set_index(side)
    what = "that customer" if side == "cus" else "that account"
    reasons = []
    for target, text, label in zip(targets.tolist(), held.tolist(), target_labels.tolist(), strict=True):
        if target not in taken.index:
            reasons.append(f"{text}; {what} was decided otherwise — check before writing")
            continue
        row = taken.loc[target]
        taker = int(row[other])
        if taker < 0:
            reasons.append(f"{text}; {what} is {row['status']}: {row['reason']} — check before writing")
            continue
        how = _HOW.get(str(row["method"]), f"by {row['method']}")
        reasons.append(f"{text}; {what} is {row['status']} {how} with "
                       f"{describe_other(other_side, np.array([taker]))[0]} instead — check which record "
                       f"{label} belongs to before writing")
    return np.array(reasons, dtype=object)
