"""What a run's journal says about each link: the pair status, the results file and verification.

Pair statuses (one per plan row):

- ``linked``: both sides hold the planned values (written now, or already there);
- ``half_linked``: one side holds its value, the other failed — retried by ``resume``, never dropped;
- ``failed``: nothing could be written for the row yet (reason in the side columns);
- ``pending``: not attempted yet, or sent without an answer (``resume`` re-reads and finishes it);
- ``conflict``: a side holds another id (plan conflict, or the value changed since the plan);
- ``not_found``: a record no longer exists;
- ``refused``: an undo left a value alone because it changed again since the run;
- ``skipped``: the plan had nothing to write (for an undo: the run wrote nothing on the row, so
  there is nothing to put back);
- ``restored``: (undo runs) the row's values are back to what they were before the run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from desktop_app.core.journal import WriteItem
from desktop_app.core.link_values import holds_target, link_key, same_link
from desktop_app.core.plan import LABEL_KEYS

HOLDING_STATES = frozenset({"written", "unchanged"})
PENDING_STATES = frozenset({"todo", "sending"})
FAILED_STATES = frozenset({"failed", "held"})
RESULT_COLUMNS = (
    "row",
    "account_id",
    "customer_id",
    *LABEL_KEYS,
    "pair_status",
    "account_action",
    "account_status",
    "account_previous",
    "account_value",
    "account_error_code",
    "account_message",
    "customer_action",
    "customer_status",
    "customer_previous",
    "customer_value",
    "customer_error_code",
    "customer_message",
)


def pair_status(account: WriteItem, customer: WriteItem, *, undo: bool = False) -> str:
    """The status of one plan row from its two writes (see the module docstring); in an undo run,
    a row whose values are back where they were is ``restored``, and a row the run never wrote is
    ``skipped`` even when it holds a link (the undo leaves it as it was before and after the run)."""
    status = _pair_status(account, customer)
    if not undo:
        return status
    if account.state == customer.state == "planned_skip":
        return "skipped"
    return "restored" if status == "linked" else status


def _pair_status(account: WriteItem, customer: WriteItem) -> str:
    # Called a few times per plan row by the results file, the figures and the counts: plain
    # comparisons of the two states, no generator per test.
    first, second = account.state, customer.state
    if first in PENDING_STATES or second in PENDING_STATES:
        return "pending"
    if first in FAILED_STATES or second in FAILED_STATES:
        other_holds = first in HOLDING_STATES or second in HOLDING_STATES
        return "half_linked" if other_holds else "failed"
    if first == "refused" or second == "refused":
        return "refused"
    if first in _CONFLICT_STATES or second in _CONFLICT_STATES:
        return "conflict"
    if first == "not_found" or second == "not_found":
        return "not_found"
    if first == second == "planned_skip":
        return "linked" if _is_link(account, customer) else "skipped"
    if _keeps_another_id(account) or _keeps_another_id(customer):
        return "conflict"  # the empty side was written; the other kept its own id (policy skip_linked)
    return "linked"


_CONFLICT_STATES = frozenset({"conflict", "planned_conflict"})


def _keeps_another_id(item: WriteItem) -> bool:
    return item.state == "planned_skip" and item.action == "skip" and not _holds_partner(item)


def _holds_partner(item: WriteItem) -> bool:
    return bool(link_key(item.target, item.side)) and same_link(item.target, item.partner_id, item.side)


def _is_link(account: WriteItem, customer: WriteItem) -> bool:
    return (
        account.partner_id == customer.record_id
        and customer.partner_id == account.record_id
        and _holds_partner(account)
        and _holds_partner(customer)
    )


def _paired(items: list[WriteItem]) -> list[tuple[WriteItem, WriteItem]]:
    accounts = {i.row: i for i in items if i.side == "account"}
    customers = {i.row: i for i in items if i.side == "customer"}
    return [(accounts[row], customers[row]) for row in sorted(accounts) if row in customers]


def results_frame(items: list[WriteItem], *, undo: bool = False, labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Exactly one row per plan row, in plan order, with status, error code and message per side;
    beside the ids, the names and input-file rows of ``labels`` (``link_labels.read_labels``)."""
    records = []
    for account, customer in _paired(items):
        record: dict[str, str] = {
            "row": str(account.row),
            "account_id": account.record_id,
            "customer_id": customer.record_id,
            "pair_status": pair_status(account, customer, undo=undo),
        }
        for name, item in (("account", account), ("customer", customer)):
            record[f"{name}_action"] = item.action
            record[f"{name}_status"] = item.state
            record[f"{name}_previous"] = item.live_before if item.live_before is not None else item.planned_before
            record[f"{name}_value"] = item.target
            record[f"{name}_error_code"] = item.error_code
            record[f"{name}_message"] = item.message
        records.append(record)
    frame = pd.DataFrame(records, columns=list(RESULT_COLUMNS), dtype=object)
    if labels is not None and len(frame):
        known = labels.drop_duplicates("row").set_index("row")
        rows = frame["row"].astype(int)
        for key in LABEL_KEYS:
            frame[key] = rows.map(known[key]).fillna("").astype(object).to_numpy()
    frame[list(LABEL_KEYS)] = frame[list(LABEL_KEYS)].fillna("")
    return frame


def pair_counts(items: list[WriteItem], *, undo: bool = False) -> dict[str, int]:
    """How many plan rows have each pair status."""
    return dict(Counter(pair_status(a, c, undo=undo) for a, c in _paired(items)))


@dataclass(frozen=True)
class Verification:
    """Read-back figures: links (or restored pairs) found on both sides, and per side."""

    expected_links: int
    verified_links: int
    expected_values: dict[str, int]
    verified_values: dict[str, int]
    mismatches: tuple[tuple[int, str, str, str, str], ...]  # (row, side, record id, expected, found)

    def sentence(self, what: str = "links") -> str:
        """E.g. ``100,000 of 100,000 links verified on both sides``."""
        return f"{self.verified_links:,} of {self.expected_links:,} {what} verified on both sides"


def _should_hold(item: WriteItem) -> bool:
    return item.state in HOLDING_STATES or (item.state == "planned_skip" and item.action == "skip")


def verify(items: list[WriteItem], live: Mapping[str, Mapping[str, str]], *, undo: bool = False) -> Verification:
    """Compare what each side should hold now with ``live`` (side → record id → value read back).

    A link counts as expected when the plan means both sides to hold each other's id (for an undo:
    when a side was to be restored) and neither side is in conflict.
    """
    expected_values: Counter[str] = Counter()
    verified_values: Counter[str] = Counter()
    mismatches: list[tuple[int, str, str, str, str]] = []
    expected_links = verified_links = 0
    for account, customer in _paired(items):
        holds: list[bool] = []
        for item in (account, customer):
            if not _should_hold(item):
                holds.append(False)
                continue
            expected_values[item.side] += 1
            found = live.get(item.side, {}).get(item.record_id, "")
            if holds_target(found, item.target, item.side, planned_before=item.planned_before, exact=undo):
                verified_values[item.side] += 1
                holds.append(True)
            else:
                holds.append(False)
                mismatches.append((item.row, item.side, item.record_id, item.target, found))
        if undo:
            restored = [ok for item, ok in zip((account, customer), holds, strict=True) if _restorable(item)]
            if restored:
                expected_links += 1
                verified_links += all(restored)
        elif _link_intended(account, customer):
            expected_links += 1
            verified_links += all(holds)
    return Verification(expected_links, verified_links, dict(expected_values), dict(verified_values), tuple(mismatches))


def _link_intended(account: WriteItem, customer: WriteItem) -> bool:
    blocked = {"conflict", "planned_conflict", "not_found"}
    return _is_link(account, customer) and account.state not in blocked and customer.state not in blocked


def _restorable(item: WriteItem) -> bool:
    return item.action == "set" and item.state not in ("refused", "not_found", "conflict")
