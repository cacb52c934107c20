"""One pass over a run's open writes, batch by batch: read live values, journal intent, send, journal
outcomes. The order and the crash-safety argument are in ``desktop_app.workflow.engine``.

A write whose answer was lost (``WriteOutcomeUnknown``, ``BillingWriteOutcomeUnknown`` or a billing
result ``outcome_unknown``) is read back at once: found there it is ``written``, otherwise ``failed``
and sent again only by a later pass, which reads it again first. Nothing is ever re-sent blindly.

A billing system found unreachable (``BillingUnreachable``: its client already waited out a read
timeout and a probe) stops the run at once: the writes of the batch that were not sent go back to
``todo`` (pending for resume), those answered are journaled as answered, and no batch is started.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import requests

from desktop_app.billing.base import (
    OUTCOME_UNKNOWN,
    BillingAuthError,
    BillingError,
    BillingQuotaExceeded,
    BillingUnreachable,
    BillingWriteOutcomeUnknown,
)
from desktop_app.core.journal import OPEN_STATES, Journal, Outcome, WriteItem
from desktop_app.core.link_values import holds_target, holds_text, link_key, same_link
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback
from desktop_app.salesforce.errors import RequestLimitExceeded, SalesforceError, SessionExpired, WriteOutcomeUnknown
from desktop_app.workflow.link_sides import LinkSide, SideResult
from desktop_app.workflow.stop_reason import StopReason, stop_reason

ROW_BATCH = 200
# A side that fails whole batches this many times in a row, or for this long, is taken as down: the
# run stops with the rest pending (each batch already waited out its own retries).
MAX_FAILED_BATCHES = 3
OUTAGE_SECONDS = 30.0
# Errors after which nothing more can be done now, whatever the phase: the run is interrupted.
STOPPING = (SessionExpired, RequestLimitExceeded, BillingAuthError, BillingQuotaExceeded)
_FAILURES = (SalesforceError, BillingError, requests.RequestException, OSError)
# Per-record answers that refuse the record itself (validation): sending it again changes nothing
# until its input changes, so neither a retry pass nor ``resume`` re-sends it unless asked.
REFUSAL_CODES = frozenset({
    "validation",  # billing adapters: HTTP 400/422 on the customer
    "FIELD_CUSTOM_VALIDATION_EXCEPTION", "REQUIRED_FIELD_MISSING", "STRING_TOO_LONG", "DUPLICATE_VALUE",
    "INVALID_TYPE_ON_FIELD_IN_RECORD", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "FIELD_INTEGRITY_EXCEPTION",
    "INVALID_FIELD_FOR_INSERT_UPDATE", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", "MALFORMED_ID",
})
REFUSED_NOTE = ("Not sent again by 'resume' until the record changes (an address fix) or you ask "
                "('desktop-app resume --retry-refused').")


def is_refusal(item: WriteItem) -> bool:
    """True for a write the system refused as invalid (kept out of retries until its input changes)."""
    return item.state == "failed" and item.error_code in REFUSAL_CODES
_LOST = (WriteOutcomeUnknown, BillingWriteOutcomeUnknown)


class RunStopped(Exception):
    """The run cannot continue now (credentials refused, quota used up, a system down); resume later."""

    def __init__(self, reason: StopReason) -> None:
        super().__init__(reason.cli_message())
        self.reason = reason


def stopped_on(side: LinkSide, error: BaseException) -> RunStopped:
    """The stop of a run on ``error`` from ``side`` (see ``workflow.stop_reason``)."""
    return RunStopped(stop_reason(side.label, error, side.name))


def one_pass(
    journal: Journal,
    run_id: str,
    sides: Mapping[str, LinkSide],
    *,
    strict: bool,
    hold_customer: bool,
    progress: ProgressCallback,
    cancel: CancelToken,
    only: str | None = None,
) -> None:
    """Process every open write of the run once, in plan order (Salesforce side first per batch);
    with ``only``, the writes of that side alone.

    Raises ``RunStopped`` when credentials or a quota are refused, the billing system is unreachable,
    or a side keeps failing whole batches (``MAX_FAILED_BATCHES`` in a row or for ``OUTAGE_SECONDS``),
    and ``Cancelled`` between batches when asked to stop.
    """
    total = len({i.row for i in journal.items(run_id, only, states=OPEN_STATES)})
    done = 0
    failed_batches = {"account": 0, "customer": 0}
    failing_since: dict[str, float] = {}
    while True:
        cancel.raise_if_cancelled()
        rows = journal.open_rows(run_id, ROW_BATCH, only)
        if not rows:
            return
        for name in (only,) if only else ("account", "customer"):
            side = sides[name]
            items = [i for i in journal.items_for_rows(run_id, name, rows) if i.state in OPEN_STATES]
            if name == "customer" and hold_customer:
                items = _hold_customers(journal, run_id, rows, items)
            for start in range(0, len(items), side.batch_size):
                started = time.monotonic()
                error = _process(journal, run_id, side, items[start : start + side.batch_size], strict=strict,
                                 cancel=cancel)
                if error is None:
                    failed_batches[name] = 0
                    failing_since.pop(name, None)
                    continue
                failed_batches[name] += 1
                since = failing_since.setdefault(name, started)
                if failed_batches[name] >= MAX_FAILED_BATCHES or time.monotonic() - since >= OUTAGE_SECONDS:
                    raise stopped_on(side, error)
        done += len(rows)
        progress(Progress(min(done, total), total, f"Linked {min(done, total):,} of {total:,} rows"))


def _hold_customers(journal: Journal, run_id: str, rows: Sequence[int], items: list[WriteItem]) -> list[WriteItem]:
    """Customer writes whose Account write did not succeed are held (or blocked when it never can)."""
    accounts = {i.row: i for i in journal.items_for_rows(run_id, "account", rows)}
    ready: list[WriteItem] = []
    outcomes: list[Outcome] = []
    for item in items:
        account = accounts.get(item.row)
        if account is None or account.action != "set" or account.state in ("written", "unchanged"):
            ready.append(item)
        elif account.state in ("not_found", "conflict"):
            outcomes.append(
                Outcome(
                    item.row,
                    "conflict",
                    "ACCOUNT_NOT_WRITTEN",
                    f"Not written: the Account side ended '{account.state}' ({account.message}).",
                )
            )
        else:
            outcomes.append(
                Outcome(
                    item.row,
                    "held",
                    "WAITING_FOR_ACCOUNT",
                    f"Waiting for the Account write ({account.error_code}); retried on resume.",
                )
            )
    if outcomes:
        journal.record_outcomes(run_id, "customer", outcomes)
    return ready


def _process(
    journal: Journal,
    run_id: str,
    side: LinkSide,
    items: list[WriteItem],
    *,
    strict: bool,
    cancel: CancelToken,
) -> BaseException | None:
    """Read, journal intent, send and journal outcomes for one batch; the error when it failed as a whole."""
    if not items:
        return None
    try:
        live = side.read([i.record_id for i in items], cancel=cancel)
    except Cancelled:
        raise
    except (*STOPPING, BillingUnreachable) as error:  # unreachable: nothing of the batch was sent; it stays todo
        raise stopped_on(side, error) from None
    except _FAILURES as error:
        journal.record_outcomes(
            run_id,
            side.name,
            [Outcome(i.row, "failed", "READ_FAILED", f"Could not read the current value: {error}") for i in items],
        )
        return error
    settled, to_send = classify(items, live, side.label, side.name, strict=strict)
    if settled:
        journal.record_outcomes(run_id, side.name, settled)
    if not to_send:
        return None
    batch = journal.next_batch_number(run_id)
    journal.record_intent(run_id, side.name, batch, [(item.row, current) for item, current in to_send])
    return journal_answer(journal, run_id, side, to_send, batch,
                          lambda: side.write([(item.record_id, item.target) for item, _ in to_send], cancel=cancel),
                          cancel)


def journal_answer(journal: Journal, run_id: str, side: LinkSide, to_send: Sequence[tuple[WriteItem, str]],
                   batch: int, answer: Callable[[], list[SideResult]], cancel: CancelToken) -> BaseException | None:
    """Journal the outcome of batch ``batch`` (intent already journaled) from ``answer()``: the side's
    write itself, or the wait for it when it was sent from another thread; the error when it failed
    as a whole (a lost answer is read back first, see the module docstring)."""
    try:
        results = answer()
    except Cancelled:
        raise  # rows stay 'sending': resume re-reads them before sending anything
    except STOPPING as error:
        raise stopped_on(side, error) from None
    except BillingUnreachable as error:
        journal_unreachable(journal, run_id, side, to_send, batch, error)
        raise stopped_on(side, error) from None
    except _LOST as error:
        return _read_back(journal, run_id, side, [item for item, _ in to_send], batch, error, cancel)
    except _FAILURES as error:
        code = getattr(error, "code", "") or type(error).__name__
        journal.record_outcomes(
            run_id,
            side.name,
            [
                Outcome(item.row, "failed", code, f"{error} The value is re-read before any new attempt.")
                for item, _ in to_send
            ],
            batch=batch,
        )
        return error
    journal.record_outcomes(run_id, side.name, outcomes_of(to_send, results), batch=batch)
    lost = [item for (item, _), result in zip(to_send, results, strict=False) if result.error_code == OUTCOME_UNKNOWN]
    if lost:
        _read_back(journal, run_id, side, lost, batch, None, cancel)
    return None


def journal_unreachable(journal: Journal, run_id: str, side: LinkSide, to_send: Sequence[tuple[WriteItem, str]],
                        batch: int, error: BillingUnreachable) -> None:
    """Journal batch ``batch`` stopped by ``error``: the writes not sent back to ``todo`` (pending), the
    rest as answered. Every adapter gives per-customer results (``billing.link_writes``); without them
    nothing would be known of any write: all ``failed``, read again before any new attempt. Nothing is
    read back: the system is down."""
    partial = error.results
    if partial is None or len(partial) != len(to_send):
        journal.record_outcomes(run_id, side.name, [
            Outcome(item.row, "failed", type(error).__name__, f"{error} The value is re-read before any new attempt.")
            for item, _ in to_send], batch=batch)
        return
    outcomes: list[Outcome] = []
    for sent, result in zip(to_send, partial, strict=True):
        if result is None:
            outcomes.append(Outcome(sent[0].row, "todo", "NOT_SENT",
                                    f"Not sent: {side.label} stopped answering. Sent by 'resume'."))
        else:
            outcomes += outcomes_of([sent], [SideResult(result.customer_id, result.status, result.error_code or "",
                                                        result.message)])
    journal.record_outcomes(run_id, side.name, outcomes, batch=batch)


def classify(
    items: Sequence[WriteItem], live: Mapping[str, str], label: str, side_name: str, *, strict: bool
) -> tuple[list[Outcome], list[tuple[WriteItem, str]]]:
    """Compare each write with the live value just read: the outcomes settled without sending (gone,
    already there, changed since the plan) and the ``(item, live value)`` pairs still to send."""
    settled: list[Outcome] = []
    to_send: list[tuple[WriteItem, str]] = []
    for item in items:
        if item.record_id not in live:
            settled.append(Outcome(item.row, "not_found", "NOT_FOUND", f"{label} has no record {item.record_id}."))
            continue
        current = live[item.record_id]
        # An undo puts back the very text it found (a placeholder, a 15-character id); an apply
        # counts the same record in another form as already there (see core.link_values).
        if holds_target(current, item.target, side_name, planned_before=item.planned_before, exact=strict):
            state = "written" if item.live_before is not None and item.live_before != item.target else "unchanged"
            settled.append(Outcome(item.row, state, live_before=None if state == "written" else current))
            continue
        expected = item.live_before if item.live_before is not None else item.planned_before
        if not same_link(current, expected, side_name) and (strict or link_key(current, side_name) != ""):
            word = "refused" if strict else "conflict"
            settled.append(
                Outcome(
                    item.row,
                    word,
                    "CHANGED_SINCE_PLAN",
                    f"{label} now holds '{current}' where the plan saw '{expected}'; left alone.",
                )
            )
            continue
        to_send.append((item, current))
    return settled, to_send


def _read_back(
    journal: Journal,
    run_id: str,
    side: LinkSide,
    items: list[WriteItem],
    batch: int,
    error: BaseException | None,
    cancel: CancelToken,
) -> BaseException | None:
    """Settle writes whose answer was lost by reading them back; the error when none could be confirmed."""
    why = f"{error} " if error is not None else ""
    try:
        live = side.read([i.record_id for i in items], cancel=cancel)
    except Cancelled:
        raise
    except STOPPING as stop:
        raise stopped_on(side, stop) from None
    except _FAILURES as failure:
        journal.record_outcomes(
            run_id, side.name,
            [Outcome(i.row, "failed", OUTCOME_UNKNOWN,
                     f"{why}The answer was lost and the read-back failed too ({failure}); the value is "
                     "read again before any new attempt.") for i in items],
            batch=batch,
        )
        return error or failure
    outcomes: list[Outcome] = []
    for item in items:
        if item.record_id not in live:
            outcomes.append(Outcome(item.row, "not_found", "NOT_FOUND",
                                    f"{side.label} has no record {item.record_id}."))
        elif holds_text(live[item.record_id], item.target):
            outcomes.append(Outcome(item.row, "written"))
        else:
            outcomes.append(Outcome(item.row, "failed", OUTCOME_UNKNOWN,
                                    f"{why}The answer was lost and the value is not there; it is sent again "
                                    "by the next attempt."))
    journal.record_outcomes(run_id, side.name, outcomes, batch=batch)
    confirmed = any(o.state in ("written", "not_found") for o in outcomes)
    return None if confirmed or error is None else error


def outcomes_of(sent: Sequence[tuple[WriteItem, str]], results: Sequence[SideResult]) -> list[Outcome]:
    """The journal outcome of each sent write from its system's answer (refusals say how to retry)."""
    outcomes: list[Outcome] = []
    for position, (item, _) in enumerate(sent):
        result = (
            results[position]
            if position < len(results)
            else SideResult(item.record_id, "failed", "NO_RESULT", "No answer for this record.")
        )
        state = result.state if result.state in ("written", "unchanged", "not_found") else "failed"
        if state == "unchanged" and item.live_before is not None and not holds_text(item.live_before, item.target):
            state = "written"
        message = result.message if state != "written" else ""
        if state == "failed" and result.error_code in REFUSAL_CODES:
            message = f"{message.rstrip()} {REFUSED_NOTE}".strip()
        outcomes.append(Outcome(item.row, state, result.error_code if state != "written" else "", message))
    return outcomes
