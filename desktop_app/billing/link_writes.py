"""The per-customer write loop every API adapter shares: one result per pair, the rest continue.

An adapter supplies ``write_one(customer_id, account_id, cancel) -> LinkWriteResult`` (read the
current value, skip when equal, write with an idempotency key). This loop adds what must be the
same everywhere: repeated customers are refused, a write whose answer was lost becomes an
``outcome_unknown`` result (the engine reads it back before any retry), a system that stopped
answering or whose quota is used up stops the whole call, and a cancel marks the remaining pairs
as not attempted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from desktop_app.billing.base import (
    OUTCOME_UNKNOWN,
    BillingAuthError,
    BillingConnectionError,
    BillingQuotaExceeded,
    BillingUnreachable,
    BillingWriteOutcomeUnknown,
    LinkWriteResult,
    repeated_customers,
)
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback, ignore_progress

WriteOne = Callable[[str, str, CancelToken | None], LinkWriteResult]


def idempotency_key(run_id: str, customer_id: str, account_id: str) -> str:
    """A stable key for writing ``account_id`` to ``customer_id`` within run ``run_id``."""
    digest = hashlib.sha256(f"crosslink\x1f{run_id}\x1f{customer_id}\x1f{account_id}".encode()).hexdigest()
    return f"crosslink-{digest[:40]}"


def write_each(
    pairs: Sequence[tuple[str, str]],
    write_one: WriteOne,
    *,
    system_name: str,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> list[LinkWriteResult]:
    """Run ``write_one`` for every pair in order and return one result per pair.

    ``BillingAuthError``, ``BillingUnreachable`` and ``BillingQuotaExceeded`` propagate (they stop
    everything: the caller reads back what this call wrote); any other ``BillingConnectionError``
    fails only that customer. Account ids are written exactly as given (an undo restores spaces).
    """
    clean = [(customer.strip(), account) for customer, account in pairs]
    refused = repeated_customers(clean)
    results: list[LinkWriteResult] = []
    total = len(clean)
    for position, (customer_id, account_id) in enumerate(clean):
        if cancel is not None and cancel.cancelled:
            results.extend(
                LinkWriteResult(c, a, "failed", error_code="cancelled",
                                message="Not attempted: the run was cancelled.")
                for c, a in clean[position:]
            )
            break
        if position in refused:
            results.append(LinkWriteResult(customer_id, account_id, "failed", error_code="duplicate_customer",
                                           message=refused[position]))
            continue
        try:
            results.append(write_one(customer_id, account_id, cancel))
        except (BillingAuthError, BillingUnreachable, BillingQuotaExceeded):
            raise
        except BillingWriteOutcomeUnknown as failure:
            results.append(LinkWriteResult(customer_id, account_id, "failed", error_code=OUTCOME_UNKNOWN,
                                           message=str(failure)))
        except BillingConnectionError as failure:
            results.append(LinkWriteResult(customer_id, account_id, "failed", error_code="unreachable",
                                           message=str(failure)))
        except Cancelled:
            results.append(LinkWriteResult(
                customer_id, account_id, "failed", error_code="cancelled",
                message="Cancelled while retrying; the write may or may not have been applied — "
                        "verify reads it back.",
            ))
        if position % 25 == 0 or position + 1 == total:
            progress(Progress(position + 1, total, f"Writing links to {system_name}"))
    return results


WriteBatch = Callable[[list[tuple[int, str, str]], CancelToken | None], dict[int, LinkWriteResult]]


def write_in_batches(
    pairs: Sequence[tuple[str, str]],
    results: dict[int, LinkWriteResult],
    write_batch: WriteBatch,
    *,
    batch_size: int,
    system_name: str,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> list[LinkWriteResult]:
    """The batch loop of adapters whose system takes many customers per request.

    ``results`` already holds the pairs refused before anything is sent (by position); the rest go to
    ``write_batch`` ``batch_size`` at a time, as ``(position, customer_id, account_id)``. A cancel
    marks what was not attempted, and a cancel during a batch's retries leaves that batch for the
    read-back to settle. One result per pair, in order."""
    todo = [position for position in range(len(pairs)) if position not in results]
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        if cancel is not None and cancel.cancelled:
            for position in todo[start:]:
                results[position] = LinkWriteResult(*pairs[position], "failed", error_code="cancelled",
                                                    message="Not attempted: the run was cancelled.")
            break
        try:
            results.update(write_batch([(p, *pairs[p]) for p in chunk], cancel))
        except Cancelled:
            for position in chunk:
                results.setdefault(position, LinkWriteResult(
                    *pairs[position], "failed", error_code="cancelled",
                    message="Cancelled while retrying; the write may or may not have been applied — "
                            "verify reads it back."))
        progress(Progress(min(start + len(chunk), len(todo)), len(todo), f"Writing links to {system_name}"))
    return [results[position] for position in range(len(pairs))]
