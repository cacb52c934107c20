"""Accepted address fixes as writes: which record, which part of the address, from what to what.

A fix is written only as a compare-and-set: the live value must still be the one the check saw
(``before``); a value someone changed since is left alone and reported. Writing the reverse change
(``reversed_change``) is how a fix is undone, under the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from desktop_app.core.roles import Side

# The parts of an address a fix can set. A street is not among them: checks only say it is missing,
# and systems split it into lines differently; such records are fixed in the exported files.
WRITABLE_ROLES = ("city", "state", "postcode", "country")
SIDE_NAMES = ("account", "customer")
# How address problems name the records' side (the ``side`` column), for the tables that have addresses.
PROBLEM_SIDE: dict[Side, str] = {Side.ACCOUNTS: "account", Side.CUSTOMERS: "customer", Side.CONTACTS: "contact"}


@dataclass(frozen=True)
class FieldChange:
    """One part of one record's address: the value the check saw and the fixed value."""

    role: str
    before: str
    after: str


@dataclass(frozen=True)
class RecordChange:
    """Every accepted fix of one record (``side`` is ``account`` or ``customer``)."""

    side: str
    record_id: str
    changes: tuple[FieldChange, ...]

    def targets(self) -> dict[str, str]:
        """Role → the value to write."""
        return {change.role: change.after for change in self.changes}


@dataclass(frozen=True)
class Decision:
    """What a compare-and-set does with one record: ``write`` (``values`` to send), ``unchanged``
    (it already holds the fixed values) or ``conflict`` (changed since the check; nothing sent)."""

    action: str
    values: dict[str, str]
    message: str = ""


@dataclass(frozen=True)
class AddressWriteResult:
    """What writing one ``RecordChange`` did: ``state`` is written, unchanged, conflict, failed or
    not_found; ``previous`` holds the live values of the parts it wrote (for undo)."""

    record_id: str
    state: str
    previous: dict[str, str]
    error_code: str = ""
    message: str = ""


def record_changes(accepted: pd.DataFrame) -> list[RecordChange]:
    """The writes of the accepted fixes (``check_addresses`` rows with ``side``), one per record.

    Rows without a suggestion, of parts that cannot be written, or without a record id are left out;
    of two fixes for the same part the more confident wins."""
    usable = _usable(accepted)
    if usable.empty:
        return []
    records: list[RecordChange] = []
    for (side, record_id), group in usable.groupby(["side", "record_id"], sort=False):
        changes = tuple(FieldChange(str(r.field), str(r.value), str(r.suggestion))
                        for r in group.sort_values("field").itertuples(index=False))
        records.append(RecordChange(str(side), str(record_id), changes))
    return records


def _usable(accepted: pd.DataFrame) -> pd.DataFrame:
    needed = {"side", "record_id", "field", "value", "suggestion"}
    if accepted.empty or not needed <= set(accepted.columns):
        return accepted.iloc[0:0]
    frame = accepted.assign(
        side=accepted["side"].astype(str), record_id=accepted["record_id"].fillna("").astype(str).str.strip(),
        field=accepted["field"].astype(str), value=accepted["value"].fillna("").astype(str),
        suggestion=accepted["suggestion"].fillna("").astype(str),
        confidence=accepted["confidence"].astype(float) if "confidence" in accepted.columns else 1.0)
    keep = (frame["side"].isin(SIDE_NAMES) & (frame["record_id"] != "") & frame["field"].isin(WRITABLE_ROLES)
            & (frame["suggestion"] != "") & (frame["suggestion"] != frame["value"]))
    frame = frame[keep].sort_values("confidence", ascending=False, kind="stable")
    return frame.drop_duplicates(["side", "record_id", "field"])


def decide(change: RecordChange, current: Mapping[str, str]) -> Decision:
    """Compare ``current`` (role → live value) with what the fix expects."""
    values: dict[str, str] = {}
    changed: list[str] = []
    for field in change.changes:
        now = (current.get(field.role) or "").strip()
        if now == field.after:
            continue
        if now != field.before.strip():
            changed.append(f"{field.role} is now '{now}' (the check saw '{field.before}')")
            continue
        values[field.role] = field.after
    if changed:
        return Decision("conflict", {}, "Changed since the check, so left alone: " + "; ".join(changed) + ".")
    if not values:
        return Decision("unchanged", {})
    return Decision("write", values)


def reversed_change(change: RecordChange) -> RecordChange:
    """The change that puts back what ``change`` replaced, where its fixed value still holds.

    Because a fix is written only while a part holds ``before``, ``before`` is what it replaced."""
    return RecordChange(change.side, change.record_id,
                        tuple(FieldChange(f.role, f.after, f.before) for f in change.changes))
