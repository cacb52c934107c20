"""Apply's billing side for large runs: customers read a list page at a time, batches overlapped.

Above ``PAGES_ABOVE`` open customer writes, and when the billing system lists customers with their
link (``BillingSide.reads_by_pages``: Sequence), the billing side is not read one GET per customer:
the system's list is read page by page (100 customers per request), and each page's customers that
have a write to do become one batch, handled exactly as ``apply_batches`` handles one: the values
just read are compared (``classify``), the intent is journaled and committed, the batch is sent,
its outcomes are journaled. The freshness rule: a customer is written from the page that listed
it, read moments before its batch is sent; the adapter sends the PUT from that answer only within
``FRESH_SECONDS`` of reading it (otherwise it reads the customer again first).

Up to ``IN_FLIGHT`` batches are on the wire at once: while their requests go out on the adapter's
request pool, the next page is read and journaled, so the pool never drains at a batch's edge. Each
batch is journaled intent-before-send and outcome-after on this thread alone, so a process killed at
any moment leaves at most ``IN_FLIGHT`` batches ``sending``, which ``resume`` reads back before
sending anything; a run that stops (credentials, quota) or is cancelled waits for the batches on the
wire and leaves them ``sending`` too. A batch that finds the system unreachable stops the pass before
another page is read or batch sent, and the batches it stops are journaled from what came back (the
writes not sent back to ``todo``, see ``apply_batches.journal_unreachable``).

Writes this pass does not take are left to ``one_pass`` (per-batch reads, holds, outage rules):
customers whose Account write is not done (held there), customers named by more than one plan row,
customers the list did not show, and everything after a batch failed as a whole.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from desktop_app.billing.base import BillingUnreachable
from desktop_app.core.journal import OPEN_STATES, Journal, WriteItem
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback
from desktop_app.workflow.apply_batches import (
    _FAILURES,
    STOPPING,
    RunStopped,
    classify,
    journal_answer,
    journal_unreachable,
    stopped_on,
)
from desktop_app.workflow.link_sides import BillingSide, SideResult

# Open customer writes above which the billing side is read by list pages (the adapter stops listing
# once the pages left cost more requests than one GET per customer left).
PAGES_ABOVE = 200
# Batches sent and not yet journaled at most (the next page is read while they are on the wire).
IN_FLIGHT = 3
# Plan rows per progress report.
_REPORT_EVERY = 1_000

InFlight = tuple[int, list[tuple[WriteItem, str]], "Future[list[SideResult]]"]


def pages_pay(journal: Journal, run_id: str, side: BillingSide) -> bool:
    """True when the side reads by pages and more than ``PAGES_ABOVE`` of its writes are open."""
    return side.reads_by_pages and len(journal.items(run_id, side.name, states=OPEN_STATES)) > PAGES_ABOVE


def billing_by_pages(journal: Journal, run_id: str, side: BillingSide, *, strict: bool, hold_customer: bool,
                     progress: ProgressCallback, cancel: CancelToken) -> None:
    """Write the open customer links read page by page (see the module docstring); what it leaves is
    ``one_pass``'s. ``RunStopped`` on credentials or a quota refused or the system unreachable;
    ``Cancelled`` between pages."""
    if not side.reads_by_pages:
        return
    ready = _ready_items(journal, run_id, side.name, hold_customer=hold_customer)
    if len(ready) <= PAGES_ABOVE:
        return
    total, done = len(ready), 0
    in_flight: deque[InFlight] = deque()
    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="billing-batch") as sender:
        try:
            for live in _pages(side, ready, cancel):
                cancel.raise_if_cancelled()
                _raise_if_unreachable(side, in_flight)
                items = [ready.pop(record_id) for record_id in live if record_id in ready]
                settled, to_send = classify(items, live, side.label, side.name, strict=strict)
                if settled:
                    journal.record_outcomes(run_id, side.name, settled)
                    sending = {item.record_id for item, _ in to_send}
                    side.forget_reads([item.record_id for item in items if item.record_id not in sending])
                if to_send:
                    in_flight.append(_send(journal, run_id, side, to_send, sender, cancel))
                while ready and (len(in_flight) >= IN_FLIGHT or (in_flight and in_flight[0][2].done())):
                    error = _finish(journal, run_id, side, in_flight.popleft(), cancel)  # RunStopped: unreachable
                    if error is not None:
                        ready.clear()  # a batch failed as a whole: the rest goes through one_pass's outage rules
                done += len(items)
                if done // _REPORT_EVERY != (done - len(items)) // _REPORT_EVERY or not ready:
                    progress(Progress(done, total, f"Linked {done:,} of {total:,} {side.label} customers"))
                if not ready:
                    break
            while in_flight:
                _finish(journal, run_id, side, in_flight.popleft(), cancel)
        except BaseException as stop:
            # Stopping or cancelled: the batches on the wire are waited for (their threads must not
            # outlive the run) and left ``sending``, as a killed process leaves them: resume reads
            # them back. Reading them back now would wait on a system that stopped answering. Those
            # that found it unreachable tell what they did not send: journaled without a request.
            for batch, to_send, future in in_flight:
                error = future.exception()
                if isinstance(stop, RunStopped) and isinstance(error, BillingUnreachable):
                    journal_unreachable(journal, run_id, side, to_send, batch, error)
            raise


def _raise_if_unreachable(side: BillingSide, in_flight: deque[InFlight]) -> None:
    """Stop before the next batch when a batch on the wire already found the system unreachable."""
    for _batch, _pairs, future in in_flight:
        error = future.exception() if future.done() else None
        if isinstance(error, BillingUnreachable):
            raise stopped_on(side, error)


def _ready_items(journal: Journal, run_id: str, side_name: str, *, hold_customer: bool) -> dict[str, WriteItem]:
    """The open writes this pass may take, by record id."""
    items = journal.items(run_id, side_name, states=OPEN_STATES)
    named = Counter(item.record_id for item in items)
    accounts = {i.row: i for i in journal.items(run_id, "account")} if hold_customer else {}
    ready: dict[str, WriteItem] = {}
    for item in items:
        account = accounts.get(item.row)
        if named[item.record_id] > 1:
            continue
        if account is not None and account.action == "set" and account.state not in ("written", "unchanged"):
            continue
        ready[item.record_id] = item
    return ready


def _pages(side: BillingSide, ready: dict[str, WriteItem], cancel: CancelToken) -> Iterator[dict[str, str]]:
    """The side's pages; a read failing as a whole ends this pass (``one_pass`` reads per batch)."""
    try:
        yield from side.read_pages(list(ready), cancel)
    except (*STOPPING, BillingUnreachable) as error:  # unreachable: the retries already waited it out
        raise stopped_on(side, error) from None
    except _FAILURES:
        return


def _send(journal: Journal, run_id: str, side: BillingSide, to_send: list[tuple[WriteItem, str]],
          sender: ThreadPoolExecutor, cancel: CancelToken) -> InFlight:
    """Journal the batch's intent (committed), then send it on ``sender``'s thread."""
    batch = journal.next_batch_number(run_id)
    journal.record_intent(run_id, side.name, batch, [(item.row, current) for item, current in to_send])
    pairs = [(item.record_id, item.target) for item, _ in to_send]
    return batch, to_send, sender.submit(side.write, pairs, cancel)


def _finish(journal: Journal, run_id: str, side: BillingSide, in_flight: InFlight,
            cancel: CancelToken) -> BaseException | None:
    """Wait for a batch sent by ``_send`` and journal its outcomes; the error when it failed whole."""
    batch, to_send, future = in_flight
    return journal_answer(journal, run_id, side, to_send, batch, future.result, cancel)
