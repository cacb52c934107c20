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

from desktop_app.core.ids import differs_only_in_case, ids_18
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


def lookup(keys: TextArray, ids: TextArray, index: pd.Index | None = None) -> IntArray:
    """Position of each key among ``ids`` (first occurrence); -1 for empty or absent keys. ``index``:
    ``ids`` as an index already built (``Side.id_index``)."""
    index = pd.Index(ids, dtype=object) if index is None else index
    if not len(index):
        return np.full(len(keys), -1, dtype=np.int64)
    if index.is_unique:  # the usual case: the hash table built for this check answers the lookup too
        result: IntArray = index.get_indexer(pd.Index(keys, dtype=object)).astype(np.int64)
    else:
        table = pd.Series(np.arange(len(ids), dtype=np.int64), index=index)
        table = table[~table.index.duplicated()]
        found = table.index.get_indexer(pd.Index(keys, dtype=object))
        result = np.where(found >= 0, table.to_numpy()[np.maximum(found, 0)], -1)
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
    acc_to_cus = lookup(accounts.link, customers.ids, customers.id_index())
    link18, is_id = ids_18(customers.link)
    link18[~is_id] = ""
    return Pointers(acc_to_cus, lookup(link18, accounts.ids, accounts.id_index()), link18)


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


@dataclass(frozen=True)
class _SideView:
    """One side of the existing links, as a conflict sentence speaks of it."""

    noun: str  # "account"
    verb: str  # what its link field does to a record of the other side: "holds" / "names"
    past: str  # the same, said of the record pointed at: "held" / "named"
    field: str  # how the other side's sentence calls this side's link field
    ids: TextArray
    link: TextArray  # the raw link field
    to_other: IntArray  # position on the other side its link field points at (-1: none)
    pointing_at: Callable[[int], list[int]]  # positions on this side whose link field points at a given other record
    label: Callable[[int], str]  # how a record of this side is named in a sentence
    ref: Callable[[int], str]  # how the other side's sentence names a record of this side


def _conflict_reason(r: int, me: _SideView, other: _SideView) -> str:
    """The one rule for both sides: why record ``r`` of side ``me`` contradicts the existing links."""
    parts = []
    p = int(me.to_other[r])
    if p >= 0:
        back = int(other.to_other[p])
        if back >= 0 and back != r:
            parts.append(f"its link field {me.verb} {other.ref(p)}, but that {other.noun}'s {other.field} "
                         f"{other.verb} {me.ref(back)}")
        elif back < 0 and other.link[p]:
            parts.append(f"its link field {me.verb} {other.ref(p)}, but that {other.noun}'s {other.field} holds "
                         f"'{other.link[p]}', which is not this {me.noun}" + _case_note(other.link[p], me.ids[r]))
        sharing = ", ".join(me.label(q) for q in me.pointing_at(p) if q != r)
        if sharing:
            parts.append(f"{other.ids[p]} is also {me.past} by {sharing}")
    pointed = other.pointing_at(r)
    if pointed:
        one = len(pointed) == 1
        own = (f", while the {me.noun}'s own link field holds '{me.link[r]}'"
               if me.link[r] and (p < 0 or p not in pointed) else "")
        parts.append(f"{', '.join(other.label(d) for d in pointed)} {other.verb if one else other.verb[:-1]} this "
                     f"{me.noun} in {'its' if one else 'their'} link field{own}")
        for d in pointed:
            elsewhere = ", ".join(me.label(q) for q in me.pointing_at(d) if q != r)
            if elsewhere:
                parts.append(f"{other.ids[d]} is {me.past} by {elsewhere}")
    return "Existing links disagree: " + "; ".join(parts or ["links contradict each other"])


def _case_note(held: str, account_id: str) -> str:
    """Why a customer's value that differs from the account's id only in letter case is still another id."""
    if not differs_only_in_case(held, account_id):
        return ""
    return (f" (it differs from this account's id {account_id[:15]} only in letter case: Salesforce tells "
            "15-character ids apart by case, so it names another record; a spreadsheet may have changed it. "
            "Accept the pair with the overwrite policy to write the 18-character id)")


def _record_conflicts(ledger: Ledger, pointers: Pointers, bad_acc: IntArray, bad_cus: IntArray) -> None:
    """Explain each contradicting record in a sentence naming the records involved (same rule per side)."""
    if not len(bad_acc) and not len(bad_cus):
        return
    accounts, customers = ledger.accounts, ledger.customers

    def acc_label(p: int) -> str:
        return f"account {accounts.ids[p]} '{accounts.names[p]}' (row {accounts.rows[p]})"

    def cus_label(p: int) -> str:
        return f"customer {customers.ids[p]} '{customers.names[p]}' (row {customers.rows[p]})"

    account_side = _SideView("account", "holds", "held", "link field", accounts.ids, accounts.link,
                             pointers.acc_to_cus, _Pointing(pointers.acc_to_cus).at, acc_label, acc_label)
    customer_side = _SideView("customer", "names", "named", "field", customers.ids, customers.link,
                              pointers.cus_to_acc, _Pointing(pointers.cus_to_acc).at, cus_label,
                              lambda p: str(customers.ids[p]))
    for side, other, bad in ((account_side, customer_side, bad_acc), (customer_side, account_side, bad_cus)):
        reasons = np.array([_conflict_reason(int(r), side, other) for r in bad], dtype=object)
        acc, cus = (bad, np.full(len(bad), -1)) if side is account_side else (np.full(len(bad), -1), bad)
        ledger.record(acc, cus, CONFLICT, 0.0, reasons, "existing_link")
