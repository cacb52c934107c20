"""Why an unmatched record found nothing when its obvious partner went to another record.

An account left unmatched often shares its website domain or its cleaned name with a customer that
another account took first (one customer per account): "ACME Corp." and "Acme Corporation West"
both use acme.com, and the customer went to the one whose street and phone also agree. Saying "no
open customer shares its domain" is then true but hides the customer a consultant would look for.
These functions name it, and where it went, so the review can move it deliberately.

Only held records whose domain or name a pass already worked out are looked at (those the domain,
name, fuzzy and evidence passes compared, and linked pairs whose names the audit compared): a
record decided on its ids alone is not normalised again just for this hint, which would cost a
pass's worth of time at a million records. 1M × 1M: 1.7 s on a loaded machine (load 3.8).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from desktop_app.core.matching_features import known_domains, record_domains
from desktop_app.core.matching_ledger import ALREADY_LINKED, MATCHED, Ledger, Side

# How the other record holds the partner, by the status of its decision row.
_HELD_AS = {MATCHED: "matched to", ALREADY_LINKED: "already linked to"}


class _Sharing(NamedTuple):
    """Open records (positions) and, for each, the held record of the other side sharing a key."""

    open: np.ndarray
    held: np.ndarray
    field: list[str]
    value: list[str]


def _key(side: Side, positions: np.ndarray, field: str) -> np.ndarray:
    """The exact key ``field`` of ``positions`` ("" where missing): "domain" the website/e-mail
    domain, "name" the cleaned company name."""
    keys: np.ndarray = record_domains(side, positions) if field == "domain" else side.clean_names(positions)
    return keys


def _known(side: Side, positions: np.ndarray, field: str) -> np.ndarray:
    """``positions`` whose key an earlier pass worked out (reading it normalises nothing)."""
    known = known_domains(side, positions) if field == "domain" else side.known_names(positions)
    result: np.ndarray = positions[known]
    return result


def _first_sharing(open_positions: np.ndarray, open_side: Side, held_positions: np.ndarray,
                   held_side: Side) -> _Sharing:
    """Per open record that shares its domain, else its cleaned name, with a held record of the
    other side: the first such held record and what they share. Held records whose key no pass
    worked out (decided on their ids alone, never compared) are not looked at: normalising them
    would cost a pass's worth of time at a million records for a hint."""
    found = _Sharing(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), [], [])
    left = open_positions
    for field in ("domain", "name"):
        if not len(left) or not len(held_positions):
            break
        wanted = _key(open_side, left, field)
        keys = pd.Index(pd.unique(wanted[wanted != ""]))
        held = _known(held_side, held_positions, field)
        # The held records are probed against the few open keys (not hashed into a table of their own).
        hit = keys.get_indexer(_key(held_side, held, field))
        codes, first = np.unique(hit, return_index=True)
        first_held = np.full(len(keys) + 1, -1, dtype=np.int64)  # per key code (+1: -1 is "no key")
        first_held[codes + 1] = held[first]
        first_held[0] = -1
        sharer = first_held[keys.get_indexer(wanted) + 1]
        at = np.flatnonzero(sharer >= 0)
        found = _Sharing(np.concatenate([found.open, left[at]]), np.concatenate([found.held, sharer[at]]),
                         found.field + [field] * len(at), found.value + wanted[at].tolist())
        left = np.delete(left, at)
    return found


def _texts(found: _Sharing, decided: pd.DataFrame, held_column: str, held: Side, holder: Side,
           open_label: str) -> dict[int, str]:
    """Per open position, the sentence naming the record it shares a key with and where that went."""
    holder_column = "acc" if held_column == "cus" else "cus"
    rows_held = decided[held_column].to_numpy(dtype=np.int64)
    rows_holder = decided[holder_column].to_numpy(dtype=np.int64)
    both = np.flatnonzero((rows_held >= 0) & (rows_holder >= 0) & np.isin(rows_held, found.held))
    # The first row pairing each held record with a record of the other side (-1: it has none, as
    # a customer held only by a row of its own).
    held_values, first = np.unique(rows_held[both], return_index=True)
    at = np.minimum(np.searchsorted(held_values, found.held), max(len(held_values) - 1, 0))
    paired = (held_values[at] == found.held) if len(held_values) else np.zeros(len(found.held), dtype=bool)
    row = np.where(paired, both[first[at]] if len(both) else -1, -1)
    status = decided["status"].to_numpy(dtype=object)
    held_label, holder_label = ("customer", "account") if held_column == "cus" else ("account", "customer")
    what = {"domain": "website/e-mail domain", "name": "cleaned company name"}
    # Review calls are made on account rows: a customer is chosen for an account, never the reverse.
    target = "it for this account" if open_label == "account" else "this customer on that account's row"
    out: dict[int, str] = {}
    for position, held_at, field, value, row_at in zip(found.open.tolist(), found.held.tolist(), found.field,
                                                        found.value, row.tolist(), strict=True):
        if row_at < 0:
            continue
        holder_at, row_status = int(rows_holder[row_at]), str(status[row_at])
        linked = row_status in _HELD_AS
        held_as = _HELD_AS[row_status] if linked else f"in the {row_status} row of"
        # The review refuses to choose a record another row links (it would be linked twice).
        how = f"reject that link in the review, then choose {target}" if linked else f"choose {target} in the review"
        out[int(position)] = (
            f"{held_label} {held.ids[held_at]} ('{held.names[held_at]}') shares this {open_label}'s {what[field]} "
            f"'{value}' but is {held_as} {holder_label} {holder.ids[holder_at]} ('{holder.names[holder_at]}'); "
            f"one {held_label} links to one {holder_label}: if this {open_label} is the right one, {how}"
        )
    return out


def taken_partner_notes(ledger: Ledger, open_acc: np.ndarray, open_cus: np.ndarray,
                        decided: pd.DataFrame) -> tuple[dict[int, str], dict[int, str]]:
    """For open accounts and customers whose domain or cleaned name a record of the other side
    shares that another decision row holds: per position (into ``open_acc`` / ``open_cus``, both
    sorted), a sentence naming that record and where it went. Empty when records may take several
    partners."""
    if not ledger.one_to_one:
        return {}, {}
    accounts, customers = ledger.accounts, ledger.customers
    by_account = _texts(_first_sharing(open_acc, accounts, np.flatnonzero(~ledger.cus_free), customers),
                        decided, "cus", customers, accounts, "account")
    by_customer = _texts(_first_sharing(open_cus, customers, np.flatnonzero(~ledger.acc_free), accounts),
                         decided, "acc", accounts, customers, "customer")
    return by_index(by_account, open_acc), by_index(by_customer, open_cus)


def by_index(texts: dict[int, str], open_positions: np.ndarray) -> dict[int, str]:
    """``texts`` (keyed by record position) keyed by the index into ``open_positions`` (sorted)
    instead; texts of records not among them are left out."""
    if not texts or not len(open_positions):
        return {}
    positions = np.fromiter(texts, dtype=np.int64, count=len(texts))
    at = np.minimum(np.searchsorted(open_positions, positions), len(open_positions) - 1)
    kept = open_positions[at] == positions
    return {int(i): text for i, text, keep in zip(at.tolist(), texts.values(), kept.tolist(), strict=True) if keep}
