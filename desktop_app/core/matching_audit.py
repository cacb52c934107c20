"""Pass 1, the audit of existing links: what the Account's link field and the customer's link
field already say, whether they agree, and where they contradict each other.

Customer ids are compared exactly (trimmed); Salesforce ids through ``normalize_id`` (15 ↔ 18
characters, upper-cased 18-character ids repaired). Values that point nowhere are left to the
identifier pass, which retries them leniently and reports them when that fails too. A placeholder
in a link field (``NA``, ``null`` …) was already read as empty by ``matching_ledger``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop_app.core.ids import to_18_series
from desktop_app.core.matching_doubts import DoubtfulLinks, names_clearly_differ
from desktop_app.core.matching_ledger import (
    ALREADY_LINKED,
    CONFLICT,
    MATCHED,
    IntArray,
    Ledger,
    TextArray,
    quoted,
)


def lookup(keys: TextArray, ids: TextArray) -> IntArray:
    """Position of each key among ``ids`` (first occurrence); -1 for empty or absent keys."""
    table = pd.Series(np.arange(len(ids), dtype=np.int64), index=pd.Index(ids, dtype=object))
    table = table[~table.index.duplicated()]
    if table.empty:
        return np.full(len(keys), -1, dtype=np.int64)
    found = table.index.get_indexer(pd.Index(keys, dtype=object))
    result: IntArray = np.where(found >= 0, table.to_numpy()[np.maximum(found, 0)], -1)
    result[np.asarray(keys, dtype=object) == ""] = -1
    return result


@dataclass(frozen=True)
class Pointers:
    """Where each side's link field points: a position on the other side, or -1."""

    acc_to_cus: IntArray  # per account
    cus_to_acc: IntArray  # per customer
    cus_link18: TextArray  # customer link field as an 18-character id ("" when not an id)


def read_pointers(ledger: Ledger) -> Pointers:
    """Resolve both sides' link fields exactly (Salesforce ids via their 18-character form)."""
    accounts, customers = ledger.accounts, ledger.customers
    acc_to_cus = lookup(accounts.link, customers.ids)
    link18 = to_18_series(pd.Series(customers.link, dtype=object)).to_numpy(dtype=object)
    link18 = np.where(pd.isna(link18), "", link18).astype(object)
    return Pointers(acc_to_cus, lookup(link18, accounts.ids), link18)


def _format_note(raw: TextArray, id18: TextArray) -> TextArray:
    """How the customer holds the account id when not in its 18-character form (the same Account:
    the link stands; only ``plan --normalize-ids`` rewrites it)."""
    note = np.full(len(raw), "", dtype=object)
    short = np.array([len(v) == 15 for v in raw], dtype=bool)
    note[short] = (" (in its 15-character form, the same Account; the plan leaves it as it is unless asked to "
                   "rewrite ids in their 18-character form)")
    other = ~short & (raw != id18)
    note[other] = (" (in another letter case, the same Account " + id18[other] + "; the plan leaves it as it is "
                   "unless asked to rewrite ids in their 18-character form)")
    return note


def audit_existing_links(ledger: Ledger, pointers: Pointers) -> DoubtfulLinks:
    """Pass 1: agreeing links → already_linked; a link held on one side only, pointing at a record
    whose own field is empty → matched (existing_link); every contradiction → conflict.

    One-sided links whose names clearly differ are not decided here: the record holding the link
    is reserved and the links are returned, for ``settle_doubtful_links`` after the name passes."""
    accounts, customers = ledger.accounts, ledger.customers
    a2c, c2a = pointers.acc_to_cus, pointers.cus_to_acc
    n_acc, n_cus = len(a2c), len(c2a)
    if n_acc == 0 or n_cus == 0:
        return DoubtfulLinks.none()  # nothing can point anywhere; the identifier pass reports dangling values
    acc_pos = np.arange(n_acc)
    mutual_acc = (a2c >= 0) & (c2a[np.maximum(a2c, 0)] == acc_pos)
    pair_acc, pair_cus = acc_pos[mutual_acc], a2c[mutual_acc]
    reason = ("Both sides already hold the link: the account's link field holds " + customers.ids[pair_cus] +
              " and the customer's field holds this account" +
              _format_note(customers.link[pair_cus], accounts.ids[pair_acc]))
    unlike = names_clearly_differ(accounts, pair_acc, customers, pair_cus)
    reason[unlike] = reason[unlike] + "; note that the names differ (" + quoted(accounts.names[pair_acc[unlike]]) + \
        " and " + quoted(customers.names[pair_cus[unlike]]) + "), but both systems hold this link, so it is kept"
    ledger.record(pair_acc, pair_cus, ALREADY_LINKED, 100.0, reason, "existing_link")
    in_pair_acc = np.zeros(n_acc, dtype=bool)
    in_pair_acc[pair_acc] = True
    in_pair_cus = np.zeros(n_cus, dtype=bool)
    in_pair_cus[pair_cus] = True

    # Pointers outside the agreeing pairs.
    acc_edge = (a2c >= 0) & ~in_pair_acc
    cus_edge = (c2a >= 0) & ~in_pair_cus
    holders = np.bincount(a2c[acc_edge], minlength=n_cus)  # accounts pointing at each customer
    claimers = np.bincount(c2a[cus_edge], minlength=n_acc)  # customers pointing at each account
    one_sided_acc = acc_edge & ~in_pair_cus[np.maximum(a2c, 0)]
    one_sided_acc &= (holders[np.maximum(a2c, 0)] == 1) & (customers.link[np.maximum(a2c, 0)] == "")
    one_sided_acc &= claimers == 0
    one_sided_cus = cus_edge & ~in_pair_acc[np.maximum(c2a, 0)]
    one_sided_cus &= (claimers[np.maximum(c2a, 0)] == 1) & (accounts.link[np.maximum(c2a, 0)] == "")
    one_sided_cus &= holders == 0

    a, c = acc_pos[one_sided_acc], a2c[one_sided_acc]
    doubt = names_clearly_differ(accounts, a, customers, c)
    doubt_acc = (a[doubt], c[doubt])
    a, c = a[~doubt], c[~doubt]
    ledger.record(a, c, MATCHED, 98.0,
                  "The account's link field already holds " + customers.ids[c] +
                  "; the customer's side is empty — it will be written", "existing_link")
    c2 = np.flatnonzero(one_sided_cus)
    a2 = c2a[c2]
    doubt = names_clearly_differ(accounts, a2, customers, c2)
    doubt_cus = (c2[doubt], a2[doubt])
    a2, c2 = a2[~doubt], c2[~doubt]
    ledger.record(a2, c2, MATCHED, 98.0,
                  "The customer's link field already holds this account (" + quoted(customers.link[c2]) +
                  "); the account's side is empty — it will be written", "existing_link")

    # Everything else that points somewhere, or is pointed at, contradicts something.
    bad_acc = ledger.acc_free & ((acc_edge & ~one_sided_acc) | (claimers > 0))
    bad_cus = ledger.cus_free & ((cus_edge & ~one_sided_cus) | (holders > 0))
    # A doubtful link's holder is reserved until it is settled; its target stays open to the other passes.
    ledger.acc_free[doubt_acc[0]] = False
    ledger.cus_free[doubt_cus[0]] = False
    bad_cus[doubt_acc[1]] = False
    bad_acc[doubt_cus[1]] = False
    _record_conflicts(ledger, pointers, np.flatnonzero(bad_acc), np.flatnonzero(bad_cus))
    return DoubtfulLinks(doubt_acc[0], doubt_acc[1], doubt_cus[0], doubt_cus[1])


class _Pointing:
    """Which records point at a given record (a sorted index over all pointers; lookups are cheap)."""

    def __init__(self, targets: IntArray) -> None:
        sources = np.flatnonzero(targets >= 0)
        order = np.argsort(targets[sources], kind="stable")
        self._sources = sources[order]
        self._targets = targets[sources][order]

    def at(self, target: int) -> list[int]:
        lo, hi = np.searchsorted(self._targets, [target, target + 1])
        return [int(p) for p in self._sources[lo:hi]]


def _record_conflicts(ledger: Ledger, pointers: Pointers, bad_acc: IntArray, bad_cus: IntArray) -> None:
    """Explain each contradicting record in a sentence naming the records involved."""
    accounts, customers = ledger.accounts, ledger.customers
    a2c, c2a = pointers.acc_to_cus, pointers.cus_to_acc
    if not len(bad_acc) and not len(bad_cus):
        return
    holders = _Pointing(a2c)  # accounts holding a customer
    claimers = _Pointing(c2a)  # customers naming an account

    def acc_label(p: int) -> str:
        return f"account {accounts.ids[p]} '{accounts.names[p]}' (row {accounts.rows[p]})"

    def cus_label(p: int) -> str:
        return f"customer {customers.ids[p]} '{customers.names[p]}' (row {customers.rows[p]})"

    def others(positions: list[int], exclude: int, label: Callable[[int], str]) -> str:
        return ", ".join(label(p) for p in positions if p != exclude)

    holders_of = holders.at
    claimers_of = claimers.at

    reasons = []
    for a in bad_acc:
        parts = []
        c = int(a2c[a])
        if c >= 0:
            back = int(c2a[c])
            if back >= 0 and back != a:
                parts.append(f"its link field holds {customers.ids[c]}, but that customer's field names "
                             f"{acc_label(back)}")
            elif back < 0 and customers.link[c]:
                parts.append(f"its link field holds {customers.ids[c]}, but that customer's field holds "
                             f"'{customers.link[c]}', which is not this account")
            sharing = others(holders_of(c), a, acc_label)
            if sharing:
                parts.append(f"{customers.ids[c]} is also held by {sharing}")
        claims = claimers_of(a)
        if claims:
            parts.append(f"{', '.join(cus_label(d) for d in claims)} name{'s' if len(claims) == 1 else ''} "
                         f"this account in {'its' if len(claims) == 1 else 'their'} link field" +
                         (f", while the account's own link field holds '{accounts.link[a]}'" if accounts.link[a]
                          and (c < 0 or c not in claims) else ""))
            for d in claims:
                held_elsewhere = others(holders_of(d), a, acc_label)
                if held_elsewhere:
                    parts.append(f"{customers.ids[d]} is held by {held_elsewhere}")
        reasons.append("Existing links disagree: " + "; ".join(parts or ["links contradict each other"]))
    ledger.record(bad_acc, np.full(len(bad_acc), -1), CONFLICT, 0.0, np.array(reasons, dtype=object),
                  "existing_link")

    reasons = []
    for c in bad_cus:
        parts = []
        a = int(c2a[c])
        if a >= 0:
            there = int(a2c[a])
            if there >= 0 and there != c:
                parts.append(f"its link field names {acc_label(a)}, but that account's link field holds "
                             f"{customers.ids[there]}")
            elif there < 0 and accounts.link[a]:
                parts.append(f"its link field names {acc_label(a)}, whose link field holds "
                             f"'{accounts.link[a]}' instead")
            sharing = others(claimers_of(a), c, cus_label)
            if sharing:
                parts.append(f"{accounts.ids[a]} is also named by {sharing}")
        held_by = holders_of(c)
        if held_by:
            parts.append(f"held by {', '.join(acc_label(h) for h in held_by)}" +
                         (f", while the customer's own link field holds '{customers.link[c]}'"
                          if customers.link[c] and (a < 0 or a not in held_by) else ""))
        reasons.append("Existing links disagree: " + "; ".join(parts or ["links contradict each other"]))
    ledger.record(np.full(len(bad_cus), -1), bad_cus, CONFLICT, 0.0, np.array(reasons, dtype=object),
                  "existing_link")
