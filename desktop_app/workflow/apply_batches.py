"""One pass over a run's open writes, batch by batch: read live values, journal intent, send, journal
outcomes. The order and the crash-safety argument are in ``desktop_app.workflow.apply``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import requests

from desktop_app.billing.base import BillingAuthError, BillingError
from desktop_app.core.journal import OPEN_STATES, Journal, Outcome, WriteItem
from desktop_app.core.link_values import holds_target, link_key, same_link
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback
from desktop_app.salesforce.errors import SalesforceError, SessionExpired
from desktop_app.workflow.link_sides import LinkSide, SideResult

ROW_BATCH = 200
# After this many batches in a row fail as a whole on one side, the run stops (system unreachable).
MAX_FAILED_BATCHES = 3
_STOPPING = (SessionExpired, BillingAuthError)


class RunStopped(Exception):
    """The run cannot continue now (credentials refused, a system unreachable); resume later."""


def one_pass(
    journal: Journal,
    run_id: str,
    sides: Mapping[str, LinkSide],
    *,
    strict: bool,
    hold_customer: bool,
    progress: ProgressCallback,
    cancel: CancelToken,
) -> None:
    """Process every open write of the run once, in plan order (Salesforce side first per batch).

    Raises ``RunStopped`` when credentials are refused or a side keeps failing whole batches, and
    ``Cancelled`` between batches when asked to stop.
    """
    total = len({i.row for i in journal.items(run_id, states=OPEN_STATES)})
    done = 0
    failed_batches = {"account": 0, "customer": 0}
    while True:
        cancel.raise_if_cancelled()
        rows = journal.open_rows(run_id, ROW_BATCH)
        if not rows:
            return
        for name in ("account", "customer"):
            side = sides[name]
            items = [i for i in journal.items_for_rows(run_id, name, rows) if i.state in OPEN_STATES]
            if name == "customer" and hold_customer:
                items = _hold_customers(journal, run_id, rows, items)
            for start in range(0, len(items), side.batch_size):
                whole_batch_failed = _process(
                    journal,
                    run_id,
                    side,
                    items[start : start + side.batch_size],
                    strict=strict,
                    cancel=cancel,
                )
                failed_batches[name] = failed_batches[name] + 1 if whole_batch_failed else 0
                if failed_batches[name] >= MAX_FAILED_BATCHES:
                    raise RunStopped(
                        f"{side.label} failed {MAX_FAILED_BATCHES} batches in a row; the run stopped "
                        "with the rest pending. Check the connection and run 'desktop-app resume'."
                    )
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
) -> bool:
    """Read, journal intent, send and journal outcomes for one batch; True when it failed as a whole."""
    if not items:
        return False
    try:
        live = side.read([i.record_id for i in items], cancel=cancel)
    except Cancelled:
        raise
    except _STOPPING as error:
        raise RunStopped(f"{side.label} refused the credentials: {error}") from None
    except (SalesforceError, BillingError, requests.RequestException, OSError) as error:
        journal.record_outcomes(
            run_id,
            side.name,
            [Outcome(i.row, "failed", "READ_FAILED", f"Could not read the current value: {error}") for i in items],
        )
        return True
    settled: list[Outcome] = []
    to_send: list[tuple[WriteItem, str]] = []
    for item in items:
        if item.record_id not in live:
            settled.append(Outcome(item.row, "not_found", "NOT_FOUND", f"{side.label} has no record {item.record_id}."))
            continue
        current = live[item.record_id]
        # An undo puts back the very text it found (a placeholder, a 15-character id); an apply
        # counts the same record in another form as already there (see core.link_values).
        if holds_target(current, item.target, side.name, planned_before=item.planned_before, exact=strict):
            state = "written" if item.live_before is not None and item.live_before != item.target else "unchanged"
            settled.append(Outcome(item.row, state, live_before=None if state == "written" else current))
            continue
        expected = item.live_before if item.live_before is not None else item.planned_before
        if not same_link(current, expected, side.name) and (strict or link_key(current, side.name) != ""):
            word = "refused" if strict else "conflict"
            settled.append(
                Outcome(
                    item.row,
                    word,
                    "CHANGED_SINCE_PLAN",
                    f"{side.label} now holds '{current}' where the plan saw '{expected}'; left alone.",
                )
            )
            continue
        to_send.append((item, current))
    if settled:
        journal.record_outcomes(run_id, side.name, settled)
    if not to_send:
        return False
    batch = journal.next_batch_number(run_id)
    journal.record_intent(run_id, side.name, batch, [(item.row, current) for item, current in to_send])
    try:
        results = side.write([(item.record_id, item.target) for item, _ in to_send], cancel=cancel)
    except Cancelled:
        raise  # rows stay 'sending': resume re-reads them before sending anything
    except _STOPPING as error:
        raise RunStopped(f"{side.label} refused the credentials: {error}") from None
    except (SalesforceError, BillingError, requests.RequestException, OSError) as error:
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
        return True
    journal.record_outcomes(run_id, side.name, _outcomes(to_send, results), batch=batch)
    return False


def _outcomes(sent: list[tuple[WriteItem, str]], results: list[SideResult]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for position, (item, _) in enumerate(sent):
        result = (
            results[position]
            if position < len(results)
            else SideResult(item.record_id, "failed", "NO_RESULT", "No answer for this record.")
        )
        state = result.state if result.state in ("written", "unchanged", "not_found") else "failed"
        if state == "unchanged" and item.live_before not in (None, item.target):
            state = "written"
        outcomes.append(
            Outcome(
                item.row,
                state,
                result.error_code if state != "written" else "",
                result.message if state != "written" else "",
            )
        )
    return outcomes
