"""The per-customer write loop every API adapter shares: one result per pair, the rest continue.

An adapter supplies ``write_one(customer_id, account_id, cancel) -> LinkWriteResult`` (read the
current value, skip when equal, write with an idempotency key), safe to call from several threads.
This loop runs it on the adapter's request pool (the system's rate limit and concurrency) and adds
what must be the same everywhere: repeated customers are refused, a write whose answer was lost becomes an
``outcome_unknown`` result (the engine reads it back before any retry), a system that stopped
answering or whose quota is used up stops the whole call, and a cancel marks the remaining pairs
as not attempted.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import requests

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
from desktop_app.billing.pool import RateLimit, RequestPool
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback, ignore_progress

WriteOne = Callable[[str, str, CancelToken | None], LinkWriteResult]


def idempotency_key(run_id: str, customer_id: str, account_id: str) -> str:
    """A stable key for writing ``account_id`` to ``customer_id`` within run ``run_id``."""
    digest = hashlib.sha256(f"crosslink\x1f{run_id}\x1f{customer_id}\x1f{account_id}".encode()).hexdigest()
    return f"crosslink-{digest[:40]}"


def address_idempotency_key(run_id: str, customer_id: str, values: Mapping[str, str]) -> str:
    """A stable key for writing the address parts ``values`` (role → value) to ``customer_id`` within
    run ``run_id``."""
    return idempotency_key(run_id, customer_id, "|".join(f"{k}={v}" for k, v in sorted(values.items())))


def write_each(
    pairs: Sequence[tuple[str, str]],
    write_one: WriteOne,
    *,
    system_name: str,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
    pool: RequestPool | None = None,
) -> list[LinkWriteResult]:
    """Run ``write_one`` for every pair, concurrently within ``pool``'s limits, one result per pair in order.

    ``BillingAuthError``, ``BillingUnreachable`` and ``BillingQuotaExceeded`` propagate (they stop
    everything: the caller reads back what this call wrote; ``BillingUnreachable.results`` tells what
    each pair got, None for those not sent); any other ``BillingConnectionError``
    fails only that customer. Account ids are written exactly as given (an undo restores spaces).
    A customer named twice (with the same account) is written once before its repeat is looked at.
    """
    clean = [(customer.strip(), account) for customer, account in pairs]
    refused = repeated_customers(clean)
    results: list[LinkWriteResult | None] = [None] * len(clean)
    rounds: list[list[int]] = []
    seen: Counter[str] = Counter()
    for position, (customer_id, account_id) in enumerate(clean):
        if position in refused:
            results[position] = LinkWriteResult(customer_id, account_id, "failed", error_code="duplicate_customer",
                                                message=refused[position])
            continue
        occurrence = seen[customer_id]
        seen[customer_id] += 1
        if occurrence == len(rounds):
            rounds.append([])
        rounds[occurrence].append(position)
    runner = pool or RequestPool(RateLimit(max_concurrent=1))
    total = sum(len(r) for r in rounds)
    done_before = 0
    reported = [0]

    def report(done: int) -> None:  # the first answer, then every 25th, and the last
        if not reported[0] or done - reported[0] >= 25 or done == total:
            reported[0] = done
            progress(Progress(done, total, f"Writing links to {system_name}"))

    def write_at(position: int) -> LinkWriteResult:
        answer = _write_or_fail(write_one, *clean[position], cancel)
        results[position] = answer
        return answer

    for positions in rounds:
        try:
            runner.map(write_at, positions, cancel=cancel,
                       on_done=lambda n, before=done_before: report(before + n))  # type: ignore[misc]
        except BillingUnreachable as stop:
            # A customer whose request found the system unreachable was not written (its write never
            # left: see ``JsonApiClient.request``); with those never started, it stays None: unsent.
            stop.results = list(results)
            raise
        done_before += len(positions)
    return [answer or LinkWriteResult(*clean[p], "failed", error_code="cancelled",
                                      message="Not attempted: the run was cancelled.")
            for p, answer in enumerate(results)]


def _write_or_fail(write_one: WriteOne, customer_id: str, account_id: str,
                   cancel: CancelToken | None) -> LinkWriteResult:
    """One customer's write, its failures turned into its result (the stopping ones raised)."""
    try:
        return write_one(customer_id, account_id, cancel)
    except (BillingAuthError, BillingUnreachable, BillingQuotaExceeded):
        raise
    except BillingWriteOutcomeUnknown as failure:
        return LinkWriteResult(customer_id, account_id, "failed", error_code=OUTCOME_UNKNOWN, message=str(failure))
    except BillingConnectionError as failure:
        return LinkWriteResult(customer_id, account_id, "failed", error_code="unreachable", message=str(failure))
    except requests.RequestException as failure:  # an answer that could not be read: it may have landed
        return LinkWriteResult(customer_id, account_id, "failed", error_code=OUTCOME_UNKNOWN,
                               message=f"{system_answer_unreadable(failure)} It is read back before any new attempt.")
    except Cancelled:
        return LinkWriteResult(
            customer_id, account_id, "failed", error_code="cancelled",
            message="Cancelled while retrying; the write may or may not have been applied — verify reads it back.",
        )


def system_answer_unreadable(failure: requests.RequestException) -> str:
    """The sentence for an answer the adapter could not read (a broken or non-JSON body)."""
    return f"The billing system's answer could not be read ({type(failure).__name__})."


def refused_before_send(
    pairs: Sequence[tuple[str, str]], *, max_length: int | None = None, too_long: str = ""
) -> dict[int, LinkWriteResult]:
    """The pairs a batch adapter refuses before anything is sent, by position: a customer named with two
    different accounts (the first wins), and an account id longer than the field takes (``too_long``
    says which field, e.g. "Xero's 50-character ContactNumber")."""
    refused = repeated_customers(pairs)
    results = {position: LinkWriteResult(*pairs[position], "failed", error_code="duplicate_customer",
                                         message=reason) for position, reason in refused.items()}
    if max_length is not None:
        for position, (customer_id, account_id) in enumerate(pairs):
            if position not in results and len(account_id) > max_length:
                results[position] = LinkWriteResult(customer_id, account_id, "failed", error_code="validation",
                                                    message=f"{account_id!r} is longer than {too_long}; "
                                                            "nothing was sent.")
    return dict(sorted(results.items()))


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
    pool: RequestPool | None = None,
) -> list[LinkWriteResult]:
    """The batch loop of adapters whose system takes many customers per request.

    ``results`` already holds the pairs refused before anything is sent (by position); the rest go to
    ``write_batch`` ``batch_size`` at a time, as ``(position, customer_id, account_id)``, several
    batches at once within ``pool``'s limits. A cancel marks what was not attempted, and a cancel
    during a batch's retries leaves that batch for the read-back to settle. One result per pair, in
    order.

    ``BillingUnreachable`` out of ``write_batch`` means that batch's write request never left (the
    client gave up unsent; its ``results``, when set, is one per item, None for those not sent): it
    is raised again with ``results`` one per pair, None for every pair not sent, so the engine keeps
    them pending. A batch that failed otherwise meanwhile may have reached the system: its pairs are
    ``outcome_unknown``, read back before any new attempt."""
    todo = [position for position in range(len(pairs)) if position not in results]
    chunks = [todo[start : start + batch_size] for start in range(0, len(todo), batch_size)]

    unreachable: list[BillingUnreachable] = []

    def send(chunk: list[int]) -> dict[int, LinkWriteResult]:
        try:
            answer = write_batch([(p, *pairs[p]) for p in chunk], cancel)
        except Cancelled:
            answer = {position: LinkWriteResult(
                *pairs[position], "failed", error_code="cancelled",
                message="Cancelled while retrying; the write may or may not have been applied — "
                        "verify reads it back.") for position in chunk}
        except BillingUnreachable as stop:
            sent = stop.results if stop.results is not None and len(stop.results) == len(chunk) else []
            results.update({p: result for p, result in zip(chunk, sent, strict=False) if result is not None})
            unreachable.append(stop)
            raise
        except Exception as failure:
            results.update({position: LinkWriteResult(
                *pairs[position], "failed", error_code=OUTCOME_UNKNOWN,
                message=f"{failure} It is read back before any new attempt.") for position in chunk})
            raise
        results.update(answer)  # kept as each batch ends: a stop elsewhere still tells what this one did
        return answer

    def report(done: int) -> None:
        written = min(sum(len(chunk) for chunk in chunks[:done]), len(todo))
        progress(Progress(written, len(todo), f"Writing links to {system_name}"))

    runner = pool or RequestPool(RateLimit(max_concurrent=1))
    try:
        runner.map(send, chunks, cancel=cancel, on_done=report)
    except Exception:
        # Whichever batch's failure reached the pool first: once one batch found the system unreachable,
        # the run stops as for an outage, with every pair's result (None: not sent, pending).
        if not unreachable:
            raise
        stop = unreachable[0]
        stop.results = [results.get(position) for position in range(len(pairs))]
        raise stop from None
    for position in todo:
        results.setdefault(position, LinkWriteResult(*pairs[position], "failed", error_code="cancelled",
                                                     message="Not attempted: the run was cancelled."))
    return [results[position] for position in range(len(pairs))]


@contextmanager
def none_sent_if_unreachable(pairs: Sequence[tuple[str, str]],
                             results: Mapping[int, LinkWriteResult] | None = None) -> Iterator[None]:
    """Around a request made before any write of ``pairs`` (a credential check): when it finds the
    system unreachable, no write was sent, so ``BillingUnreachable.results`` says so (None for each
    pair, or its result in ``results`` when it was refused before sending)."""
    try:
        yield
    except BillingUnreachable as stop:
        stop.results = [(results or {}).get(position) for position in range(len(pairs))]
        raise
