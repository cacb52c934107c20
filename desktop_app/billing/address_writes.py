"""The per-customer loop that writes accepted address fixes, shared by the API adapters.

An adapter supplies ``read(customer_id, cancel)`` → ``(current parts, raw record)`` or None when the
customer is gone, and ``send(customer_id, raw, values, cancel)`` → None when the system took the
values, else a refusal. The loop does the rest the same way everywhere: compare-and-set
(``core.address_changes.decide``), one result per customer, the rest continue, cancel stops cleanly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import requests

from desktop_app.billing.base import (
    OUTCOME_UNKNOWN,
    BillingAuthError,
    BillingConnectionError,
    BillingWriteOutcomeUnknown,
)
from desktop_app.core.address_changes import AddressWriteResult, RecordChange, decide
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback, ignore_progress


@dataclass(frozen=True)
class Refusal:
    """The system refused the new values (``code`` short and machine-readable, ``message`` a sentence)."""

    code: str
    message: str


class AddressReadFailed(Exception):
    """Reading a customer failed for a reason other than it being gone (the text is a sentence)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


ReadAddress = Callable[[str, CancelToken | None], tuple[dict[str, str], Any] | None]
SendAddress = Callable[[str, Any, Mapping[str, str], CancelToken | None], Refusal | None]


@runtime_checkable
class AddressWriter(Protocol):
    """A billing system that can set parts of its customers' billing addresses."""

    def update_addresses(self, changes: Sequence[RecordChange], *, progress: ProgressCallback = ignore_progress,
                         cancel: CancelToken | None = None) -> list[AddressWriteResult]:
        """Compare-and-set each customer's address parts; one result per change, in order."""
        ...


def update_each(changes: Sequence[RecordChange], read: ReadAddress, send: SendAddress, *, system_name: str,
                progress: ProgressCallback = ignore_progress,
                cancel: CancelToken | None = None) -> list[AddressWriteResult]:
    """Write every change in order; ``BillingAuthError`` stops everything, anything else one customer."""
    results: list[AddressWriteResult] = []
    total = len(changes)
    for position, change in enumerate(changes):
        if cancel is not None and cancel.cancelled:
            results.extend(AddressWriteResult(c.record_id, "failed", {}, "cancelled",
                                              "Not attempted: the run was cancelled.") for c in changes[position:])
            break
        try:
            results.append(_update_one(change, read, send, system_name, cancel))
        except BillingAuthError:
            raise
        except BillingConnectionError as failure:
            results.append(AddressWriteResult(change.record_id, "failed", {}, "unreachable", str(failure)))
        except BillingWriteOutcomeUnknown as failure:  # the next attempt's compare-and-set reads it back
            results.append(AddressWriteResult(change.record_id, "failed", {}, OUTCOME_UNKNOWN, str(failure)))
        except AddressReadFailed as failure:
            results.append(AddressWriteResult(change.record_id, "failed", {}, failure.code, str(failure)))
        except requests.RequestException as failure:  # an answer that could not be read: it may have landed
            results.append(AddressWriteResult(change.record_id, "failed", {}, OUTCOME_UNKNOWN,
                                              f"{system_name}'s answer could not be read ({type(failure).__name__}); "
                                              "the next attempt reads the customer first."))
        except Cancelled:
            results.append(AddressWriteResult(change.record_id, "failed", {}, "cancelled",
                                              "Cancelled while retrying; resume checks what was applied."))
        if position % 25 == 0 or position + 1 == total:
            progress(Progress(position + 1, total, f"Writing address fixes to {system_name}"))
    return results


def _update_one(change: RecordChange, read: ReadAddress, send: SendAddress, system_name: str,
                cancel: CancelToken | None) -> AddressWriteResult:
    found = read(change.record_id, cancel)
    if found is None:
        return AddressWriteResult(change.record_id, "not_found", {}, "",
                                  f"{system_name} has no customer {change.record_id} (deleted?).")
    current, raw = found
    decision = decide(change, current)
    if decision.action == "unchanged":
        return AddressWriteResult(change.record_id, "unchanged", {})
    if decision.action == "conflict":
        return AddressWriteResult(change.record_id, "conflict", {}, "changed", decision.message)
    previous = {role: current.get(role, "") for role in decision.values}
    refusal = send(change.record_id, raw, decision.values, cancel)
    if refusal is not None:
        return AddressWriteResult(change.record_id, "failed", {}, refusal.code, refusal.message)
    return AddressWriteResult(change.record_id, "written", previous)
