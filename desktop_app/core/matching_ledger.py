"""Shared machinery of the matching passes: the prepared inputs, the ledger of decisions taken so
far, and the one-to-one resolution of candidate pairs.

Records are addressed by position (0..n-1 in the input frame). Each pass looks only at records the
ledger still has free, records its decisions in bulk (numpy arrays, no per-row Python), and takes
the records it decided so later passes leave them alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.countries import resolve_countries
from desktop_app.core.ids import ids_18
from desktop_app.core.link_values import LINK_PLACEHOLDERS, is_placeholder
from desktop_app.core.matching_distinct import DistinctValues, reuse_equal
from desktop_app.core.normalize import clean_company_name_list
from desktop_app.core.normalize_fields import sorted_words

ALREADY_LINKED = "already_linked"
MATCHED = "matched"
SUGGESTED = "suggested"
AMBIGUOUS = "ambiguous"
CONFLICT = "conflict"
UNMATCHED = "unmatched"
STATUSES: tuple[str, ...] = (ALREADY_LINKED, MATCHED, SUGGESTED, AMBIGUOUS, CONFLICT, UNMATCHED)

IntArray = np.ndarray
TextArray = np.ndarray


def _text(frame: pd.DataFrame, column: str) -> TextArray:
    """Column ``column`` as a trimmed object array of str ("" when missing or absent)."""
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return text_array(frame[column])


def text_array(values: pd.Series) -> TextArray:
    """``values`` as an object array of trimmed str ("" for missing values)."""
    whole = values.to_numpy(dtype=object)
    raw = whole.tolist()
    try:
        # Mapping str.strip in C is several times faster than pandas' .str.strip() on object data.
        stripped = list(map(str.strip, raw))
    except TypeError:  # missing values or numbers among the text
        return np.array(["" if v is None or v != v else str(v).strip() for v in raw], dtype=object)
    # Already trimmed (the usual case): the column's own array, not a copy (8 bytes a record per column).
    return whole if stripped == raw else np.array(stripped, dtype=object)


# A placeholder compares without its spaces and letter case, and case-folding never shortens a text:
# a value longer than the longest placeholder and without a space cannot be one.
_LONGEST_PLACEHOLDER = max(len(form) for form in LINK_PLACEHOLDERS)


def placeholder_positions(values: TextArray) -> list[int]:
    """Positions of the placeholders (``NA``, ``null``, ``0`` …) among link-field ``values``."""
    # ``isprintable`` is False for every white-space character but the plain space (tabs, no-break spaces …).
    maybe = [i for i, v in enumerate(values.tolist())
             if v and (len(v) <= _LONGEST_PLACEHOLDER or " " in v or not v.isprintable())]
    return [i for i in maybe if is_placeholder(values[i])]


def _link(trimmed: TextArray) -> TextArray:
    """The trimmed link field with a placeholder (``NA``, ``null``, ``0`` …) read as empty."""
    values = trimmed.copy()
    values[placeholder_positions(values)] = ""
    return values


def _rows(frame: pd.DataFrame) -> np.ndarray:
    """Source rows (counted from 2, as below a header line, when the frame has none): an int64
    array when they are whole numbers (a million Python ints would cost ~70 MB for the whole run),
    else the values as read ("" when missing)."""
    if "source_row" not in frame.columns:
        return np.arange(2, len(frame) + 2, dtype=np.int64)
    rows = frame["source_row"]
    if isinstance(rows.dtype, np.dtype) and rows.dtype.kind == "i":  # signed numpy ints: no missing values
        return rows.to_numpy(dtype=np.int64)
    result: TextArray = rows.astype(object).to_numpy(dtype=object, na_value="")
    return result


@dataclass
class Side:
    """One side's columns as positional arrays, plus lazily computed comparison keys."""

    frame: pd.DataFrame
    ids: TextArray  # account ids as canonical 18-char where valid; customer ids trimmed
    names: TextArray
    link: TextArray  # the other side's id in this side's link field (trimmed; "" for a placeholder)
    rows: np.ndarray  # source rows: int64, or object when the frame's are not whole numbers (see _rows)
    _country_codes: TextArray | None = field(init=False, repr=False, default=None)
    _id_index: pd.Index | None = field(init=False, repr=False, default=None)
    cache: dict[str, np.ndarray] = field(init=False, repr=False, default_factory=dict)  # matching_features
    distinct: dict[str, DistinctValues] = field(init=False, repr=False, default_factory=dict)  # matching_features
    # The other side of the same run: both share their tables of distinct values, this side's
    # records coming ``distinct_offset`` rows into them (see ``Ledger``).
    partner: Side | None = field(init=False, repr=False, default=None)
    distinct_offset: int = field(init=False, repr=False, default=0)

    def id_index(self) -> pd.Index:
        """The ids as an index, built once: checking whether they are unique builds its hash table,
        which then answers every lookup of an id (the link fields, the mapping file)."""
        if self._id_index is None:
            self._id_index = pd.Index(self.ids, dtype=object)
        return self._id_index

    def both_sides(self) -> list[Side]:
        """This side and its partner, in the order of the shared tables' rows."""
        if self.partner is None:
            return [self]
        return [self, self.partner] if self.distinct_offset == 0 else [self.partner, self]

    def column(self, name: str, positions: IntArray) -> TextArray:
        """Column ``name`` of the records at ``positions``, trimmed text ("" when there is no such column)."""
        if name not in self.frame.columns:
            return np.full(len(positions), "", dtype=object)
        whole = self.cache.get(f"_column_{name}")
        if whole is None:  # trimmed once: the passes read the same columns many times
            whole = text_array(self.frame[name])
            self.cache[f"_column_{name}"] = whole
        result: TextArray = whole[positions]
        return result

    def raw_column(self, name: str) -> np.ndarray:
        """Column ``name`` of every record as it was read (not trimmed; "" when there is no such column)."""
        if name not in self.frame.columns:
            return np.full(len(self.ids), "", dtype=object)
        result: np.ndarray = self.frame[name].to_numpy(dtype=object)
        return result

    def country_codes(self, positions: IntArray) -> TextArray:
        """ISO α-2 country codes of ``positions`` ("" when unknown); each distinct value read once."""
        if self._country_codes is None:
            if "country" in self.frame.columns:
                codes, uniques = pd.factorize(self.frame["country"].to_numpy(dtype=object))
                resolved = resolve_countries(pd.Series(text_array(pd.Series(uniques, dtype=object)), dtype=object))
                table = np.append(resolved["code"].to_numpy(dtype=object), "")  # code -1: missing value
                self._country_codes = table[codes]
            else:
                self._country_codes = np.full(len(self.ids), "", dtype=object)
        result: TextArray = self._country_codes[positions]
        return result

    def clean_names(self, positions: IntArray) -> TextArray:
        """Cleaned company names of ``positions`` (each distinct name cleaned once, on first use)."""
        return self.name_keys(positions)["clean_name"]

    def name_keys(self, positions: IntArray) -> dict[str, TextArray]:
        """``clean_name`` and ``sorted_name`` (its words in order) of ``positions``; a name both
        sides hold is cleaned once."""
        table = self.distinct.get("name")
        if table is None:
            sides = self.both_sides()
            table = DistinctValues.of_texts(np.concatenate([side.names for side in sides]))
            for side in sides:
                side.distinct["name"] = table
        return table.at(positions + self.distinct_offset, "names", _clean_and_sorted)

    def known_names(self, positions: IntArray) -> np.ndarray:
        """Which of ``positions`` have their cleaned names worked out already."""
        table = self.distinct.get("name")
        if table is None:
            return np.zeros(len(positions), dtype=bool)
        return table.known(positions + self.distinct_offset, "names")


def _clean_and_sorted(names: list[Any]) -> dict[str, Sequence[str]]:
    clean = clean_company_name_list(names)
    return {"clean_name": clean, "sorted_name": reuse_equal(clean, [sorted_words(name) for name in clean])}


def prepare_accounts(frame: pd.DataFrame) -> Side:
    """Accounts as arrays; ids turned into their 18-character form where they are valid ids."""
    frame = frame.reset_index(drop=True)
    ids, _ = ids_18(_text(frame, "account_id"))
    return _side(frame, ids, "link_customer_id")


def prepare_customers(frame: pd.DataFrame) -> Side:
    """Customers as arrays."""
    frame = frame.reset_index(drop=True)
    return _side(frame, _text(frame, "customer_id"), "sf_account_id")


def _side(frame: pd.DataFrame, ids: TextArray, link_column: str) -> Side:
    names, link = _text(frame, "name"), _text(frame, link_column)
    side = Side(frame, ids, names, _link(link), _rows(frame))
    # Trimmed once: ``column`` hands these out again (the reasons quote the link field as written).
    for column, values in (("name", names), (link_column, link)):
        if column in frame.columns:
            side.cache[f"_column_{column}"] = values
    return side


_DECISION_FIELDS = ("acc", "cus", "status", "score", "reason", "method", "candidates")


@dataclass
class Ledger:
    """Decisions so far and which records are still free."""

    accounts: Side
    customers: Side
    one_to_one: bool = True
    # Namesakes found by passes 4-6 are left open for the weighed-evidence pass (when it runs)
    # instead of being suggested there.
    defer_namesakes: bool = False
    # Pairs passes 4-6 left to pass 7: (method, auto_accept, margin, pairs); see settle_deferred.
    deferred: list[tuple[str, float, float, pd.DataFrame]] = field(default_factory=list)
    # Per account / customer position, its closest candidate the evidence spoke against (matching_unlikely).
    closest_notes: tuple[dict[int, str], dict[int, str]] = field(default_factory=lambda: ({}, {}))
    acc_free: np.ndarray = field(init=False)
    cus_free: np.ndarray = field(init=False)
    chunks: list[pd.DataFrame] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.accounts.partner, self.customers.partner = self.customers, self.accounts
        self.accounts.distinct_offset, self.customers.distinct_offset = 0, len(self.accounts.ids)
        self.acc_free = np.ones(len(self.accounts.ids), dtype=bool)
        self.cus_free = np.ones(len(self.customers.ids), dtype=bool)

    def free_accounts(self) -> IntArray:
        """Positions of accounts no pass has decided yet."""
        return np.flatnonzero(self.acc_free)

    def free_customers(self) -> IntArray:
        """Positions of customers no pass has decided yet."""
        return np.flatnonzero(self.cus_free)

    def record(self, acc: IntArray, cus: IntArray, status: str | TextArray, score: float | np.ndarray,
               reason: str | TextArray, method: str, candidates: str | TextArray = "") -> None:
        """Record decisions (``acc`` or ``cus`` = -1 where the row has no record on that side) and
        take the records they name."""
        acc = np.asarray(acc, dtype=np.int64)
        cus = np.asarray(cus, dtype=np.int64)
        if len(acc) == 0:
            return
        n = len(acc)
        chunk = pd.DataFrame({
            "acc": acc, "cus": cus,
            "status": _broadcast(status, n) if isinstance(status, str) else _one_per_value(status),
            "score": np.broadcast_to(np.asarray(score, dtype=float), (n,)),
            "reason": _broadcast(reason, n), "method": _broadcast(method, n),
            "candidates": _broadcast(candidates, n),
        })
        self.chunks.append(chunk)
        self.acc_free[acc[acc >= 0]] = False
        self.cus_free[cus[cus >= 0]] = False

    def decisions(self) -> pd.DataFrame:
        """All recorded decisions (columns acc, cus, status, score, reason, method, candidates)."""
        if not self.chunks:
            return pd.DataFrame({
                name: pd.Series(dtype=np.int64 if name in ("acc", "cus") else float if name == "score" else object)
                for name in _DECISION_FIELDS
            })
        return pd.concat(self.chunks, ignore_index=True)


def _one_per_value(values: TextArray) -> TextArray:
    """``values`` with one str object per distinct text (a status built with np.where is a copy per row)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    shared = {status: status for status in STATUSES}  # the module's own objects, shared by every chunk
    result: TextArray = np.array([shared.get(value, value) for value in uniques.tolist()], dtype=object)[codes]
    return result


def _broadcast(value: str | TextArray, n: int) -> TextArray:
    if isinstance(value, str):  # one shared str: np.full(n, text, dtype=object) makes n copies of a non-empty text
        shared = np.empty(n, dtype=object)
        shared.fill(value)
        return shared
    return np.asarray(value, dtype=object)


def quoted(values: TextArray) -> TextArray:
    """``'value'`` for each value, for reasons."""
    result: TextArray = "'" + np.asarray(values, dtype=object) + "'"
    return result


def row_text(side: Side, positions: IntArray) -> TextArray:
    """The source rows of ``positions`` as text."""
    return np.array([str(v) for v in side.rows[positions].tolist()], dtype=object)


def describe_accounts(side: Side, positions: IntArray) -> TextArray:
    """``account 001… 'Acme' (row 12)`` for each position."""
    text: TextArray = "account " + side.ids[positions] + " " + quoted(side.names[positions]) + " (row " + \
        row_text(side, positions) + ")"
    return text


def describe_customers(side: Side, positions: IntArray) -> TextArray:
    """``customer cus_… 'Acme' (row 7)`` for each position."""
    text: TextArray = "customer " + side.ids[positions] + " " + quoted(side.names[positions]) + " (row " + \
        row_text(side, positions) + ")"
    return text


@dataclass(frozen=True)
class Resolution:
    """Outcome of resolving candidate pairs one-to-one.

    ``accepted``: the pairs taken (rows of the input, all columns kept). ``ambiguous_accounts`` and
    ``ambiguous_customers``: position and candidate text of records with no clear winner.
    """

    accepted: pd.DataFrame
    ambiguous_accounts: pd.DataFrame  # columns acc, candidates, contested (its best customer fits others too)
    ambiguous_customers: pd.DataFrame  # columns cus, candidates


def _best_per(pairs: pd.DataFrame, key: str, margin: float) -> pd.DataFrame:
    """Per ``key``: the pairs within ``margin`` of its best score; a tie is broken by ``tiebreak``
    (e.g. same country, or how many places agree) when exactly one of the tied pairs has the
    highest value."""
    best = pairs.groupby(key)["score"].transform("max")
    top = pairs[pairs["score"] >= best - margin]
    size = top.groupby(key)[key].transform("size")
    tied = top[size > 1]
    if len(tied):
        breaker = tied["tiebreak"].astype(np.int64)
        highest = breaker == breaker.groupby(tied[key]).transform("max")
        holders = highest.groupby(tied[key]).transform("sum")
        loser = (holders == 1) & ~highest
        top = top.drop(index=loser[loser].index)
    return top


def candidate_text(pairs: pd.DataFrame, key: str, other_ids: TextArray, other_names: TextArray) -> pd.DataFrame:
    """Per ``key``: ``"cus_1 Acme Ltd (92); cus_2 Acme Limited (92)"`` from the pairs' other side."""
    other = "cus" if key == "acc" else "acc"
    ordered = pairs.sort_values([key, "score"], ascending=[True, False], kind="stable")
    label = (other_ids[ordered[other].to_numpy()] + " " + other_names[ordered[other].to_numpy()] + " (" +
             ordered["score"].round(0).astype(int).astype(str).to_numpy(dtype=object) + ")")
    text = pd.Series(label, index=ordered.index).groupby(ordered[key].to_numpy()).agg("; ".join)
    return pd.DataFrame({key: text.index.to_numpy(dtype=np.int64), "candidates": text.to_numpy(dtype=object)})


def resolve(pairs: pd.DataFrame, accounts: Side, customers: Side, *, margin: float,
            one_to_one: bool = True) -> Resolution:
    """Resolve candidate pairs (columns acc, cus, score, tiebreak, plus any payload) so that no
    customer goes to two accounts and, with ``one_to_one``, no account takes two customers.

    An account whose best candidates tie (within ``margin``, tie-break not decisive) is ambiguous;
    a customer that is the clear choice of several accounts goes to the one that clearly scores
    highest, otherwise it and all those accounts are ambiguous.
    """
    empty = pd.DataFrame({"acc": pd.Series(dtype=np.int64), "candidates": pd.Series(dtype=object)})
    if pairs.empty:
        return Resolution(pairs, empty.assign(contested=False), empty.rename(columns={"acc": "cus"}))
    pairs = pairs.drop_duplicates(["acc", "cus"]).reset_index(drop=True)
    if one_to_one:
        top = _best_per(pairs, "acc", margin)
        count = top.groupby("acc")["acc"].transform("size")
        unsure_acc = top[count > 1]
        chosen = top[count == 1]
    else:
        unsure_acc = pairs.iloc[0:0]
        chosen = pairs
    # Several accounts chose the same customer: the clear winner keeps it, otherwise all unsure.
    claimed = _best_per(chosen, "cus", margin)
    claims = claimed.groupby("cus")["cus"].transform("size")
    accepted = claimed[claims == 1]
    contested_customers = claimed.loc[claims > 1, "cus"].unique()
    # Accounts that lost their customer to a clear winner stay free for later passes.
    contested = chosen[chosen["cus"].isin(contested_customers)]
    parts = [candidate_text(group, "acc", customers.ids, customers.names).assign(contested=flag)
             for group, flag in ((unsure_acc, False), (contested, True)) if len(group)]
    amb_accounts = pd.concat(parts, ignore_index=True) if parts else empty.assign(contested=False)
    amb_cus_pairs = pairs[pairs["cus"].isin(contested_customers)]
    amb_customers = candidate_text(amb_cus_pairs, "cus", accounts.ids, accounts.names)
    if not len(amb_cus_pairs):
        amb_customers = empty.rename(columns={"acc": "cus"})
    return Resolution(accepted.reset_index(drop=True), amb_accounts, amb_customers)
