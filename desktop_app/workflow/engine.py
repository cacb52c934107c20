"""Apply a plan to both systems through the journal; resume, undo and verify runs.

Order, per batch of plan rows: the **Salesforce side first**, then the billing side. A billing write
waits (``held``) while its Account's write failed, so a link is never announced to the billing
system before Salesforce has it; a pair whose Account was written but whose customer write failed is
*half linked*: it is reported as such and retried by the next pass and by ``resume``.

Per side and batch: (1) read the live values of the batch's records; values that already equal the
target are done (``unchanged``, or ``written`` when an earlier attempt of this run wrote them), values
that changed since the plan are left alone (``conflict``); (2) journal the intent with the live values
(kept for undo); (3) send; (4) journal each record's outcome. A process killed between (2) and (4)
leaves rows in ``sending``: ``resume`` re-reads them and sends only what is not there yet, so no value
is written twice. Cancel is honoured between batches and leaves the journal consistent.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from desktop_app.billing.base import BillingError
from desktop_app.core.app_folders import private_file, runs_dir
from desktop_app.core.journal import OPEN_STATES, RETRY_STATES, Journal, WriteItem
from desktop_app.core.journal_results import Verification, pair_counts
from desktop_app.core.link_labels import LABELS_FILE, write_labels
from desktop_app.core.plan import Plan
from desktop_app.core.plan_file import plan_id
from desktop_app.core.progress import Cancelled, CancelToken, ProgressCallback, ignore_progress
from desktop_app.core.run_figures import VERIFICATION_KEY, RunFigures, run_figures, verification_summary
from desktop_app.salesforce.errors import SalesforceError
from desktop_app.workflow.apply_batches import STOPPING, RunStopped, is_refusal, one_pass
from desktop_app.workflow.apply_billing_pages import billing_by_pages, pages_pay
from desktop_app.workflow.apply_bulk import salesforce_by_size
from desktop_app.workflow.link_sides import BillingSide, LinkSide, SalesforceSide
from desktop_app.workflow.run_files import run_labels, write_results
from desktop_app.workflow.stop_reason import (
    CANCELLED,
    READ_BACK_CANCELLED,
    STOP_KEY,
    StopReason,
    failed_writes,
    read_back_failed,
    stop_reason,
)
from desktop_app.workflow.verify import verify_run

# What may end a read-back early; the run is then interrupted (resume reads back again).
_READ_BACK_FAILURES = (SalesforceError, BillingError, requests.RequestException, OSError)


@dataclass(frozen=True)
class RunReport:
    """Where a run ended: state, per-side write states, pair statuses, verification and results file."""

    run_id: str
    kind: str
    state: str
    message: str
    write_counts: dict[str, dict[str, int]]
    pairs: dict[str, int]
    verification: Verification | None
    results_path: Path | None
    api_calls: dict[str, int] = field(default_factory=dict)
    addresses: dict[str, dict[str, int]] = field(default_factory=dict)  # per side, address parts by state
    figures: RunFigures | None = None  # the journal's figures (``core.run_figures``)
    stop: StopReason | None = None  # why it stopped before its end (None: done)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (``--json``)."""
        v = self.verification
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "state": self.state,
            "message": self.message,
            "writes": self.write_counts,
            "pairs": self.pairs,
            "verified": None
            if v is None
            else {
                "links": v.verified_links,
                "expected_links": v.expected_links,
                "values": v.verified_values,
                "expected_values": v.expected_values,
                "mismatches": len(v.mismatches),
            },
            "results": str(self.results_path) if self.results_path else None,
            "api_calls": self.api_calls,
            "addresses": self.addresses,
            "figures": None if self.figures is None else self.figures.as_dict(),
            "stop": None if self.stop is None else self.stop.as_dict(),
        }


def new_run_id() -> str:
    """A short unique run id (sortable by nothing; runs are listed by creation time)."""
    return "run-" + uuid.uuid4().hex[:10]


def plan_items(plan: Plan) -> list[WriteItem]:
    """The journal writes for every link and side of ``plan``."""
    items: list[WriteItem] = []
    for link in plan.links:
        for name, side, record_id, partner in (
            ("account", link.account, link.account_id, link.customer_id),
            ("customer", link.customer, link.customer_id, link.account_id),
        ):
            state = {"set": "todo", "skip": "planned_skip", "conflict": "planned_conflict"}[side.action]
            items.append(
                WriteItem(
                    link.row,
                    name,
                    record_id,
                    partner,
                    side.after,
                    side.before,
                    side.action,
                    state,
                    message=link.note if side.action != "set" else "",
                )
            )
    return items


def start_apply(
    journal: Journal,
    plan: Plan,
    sides: Mapping[str, LinkSide],
    *,
    plan_path: str = "",
    run_id: str | None = None,
    settings: Mapping[str, str] | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> RunReport:
    """Journal a new run of ``plan`` and execute it (see the module docstring for the order)."""
    run_id = create_apply_run(journal, plan, plan_path=plan_path, run_id=run_id, settings=settings)
    return execute(journal, run_id, sides, progress=progress, cancel=cancel)


def create_apply_run(journal: Journal, plan: Plan, *, plan_path: str = "", run_id: str | None = None,
                     settings: Mapping[str, str] | None = None) -> str:
    """Journal a new run of ``plan`` (every write ``todo``) without sending anything; returns its id."""
    run_id = run_id or new_run_id()
    labels = write_labels(runs_dir(run_id) / LABELS_FILE, plan)  # so the results can name each link
    if labels is not None:
        private_file(labels)
    stored = {
        "policy": plan.policy,
        "link_field": plan.source.link_field,
        "billing_system": plan.source.billing_system,
        **dict(settings or {}),
    }
    journal.create_run(
        run_id,
        kind="apply",
        plan_id=plan_id(plan),
        plan_path=plan_path,
        settings=stored,
        items=plan_items(plan),
    )
    return run_id


def resume(
    journal: Journal,
    run_id: str,
    sides: Mapping[str, LinkSide],
    *,
    retry_refused: bool = False,
    changed: Collection[tuple[str, str]] = (),
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> RunReport:
    """Continue a run where it stopped: unanswered batches are re-read first, failed writes retried.

    A write the system refused as invalid is sent again only with ``retry_refused`` or when its
    record is in ``changed`` (``(side, record_id)`` whose input changed since, e.g. an address fix
    written by this resume).
    """
    reopen_retries(journal, run_id, retry_refused=retry_refused, changed=changed)
    return execute(journal, run_id, sides, progress=progress, cancel=cancel)


def reopen_retries(journal: Journal, run_id: str, *, retry_refused: bool = False,
                   changed: Collection[tuple[str, str]] = ()) -> int:
    """Put the run's failed and held writes back to ``todo``, refused ones only when allowed; how many."""
    changed = set(changed)
    reopened = 0
    for name in ("account", "customer"):
        kept = [] if retry_refused else [
            i.row for i in journal.items(run_id, name, states=["failed"])
            if is_refusal(i) and (name, i.record_id) not in changed
        ]
        reopened += journal.reopen(run_id, name, RETRY_STATES, keep_rows=kept)
    return reopened


def start_undo(
    journal: Journal,
    run_id: str,
    sides: Mapping[str, LinkSide],
    *,
    undo_id: str | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> RunReport:
    """Restore the values run ``run_id`` replaced, as a journaled run of its own.

    A value that no longer holds what the run wrote is left alone (``refused``, listed in the results).
    """
    undo_id = create_undo_run(journal, run_id, undo_id=undo_id)
    return execute(journal, undo_id, sides, progress=progress, cancel=cancel)


def _unsent(items: list[WriteItem]) -> int:
    """Writes that failed or were never sent (a read-back that stops must not say every write was sent)."""
    return sum(item.state in RETRY_STATES or item.state in OPEN_STATES for item in items)


def create_undo_run(journal: Journal, run_id: str, *, undo_id: str | None = None) -> str:
    """Journal the undo of run ``run_id`` (every value it wrote, ``todo``) without sending; its id."""
    original = journal.run(run_id)
    if original is None:
        raise ValueError(f"There is no run '{run_id}'; 'desktop-app runs' lists them.")
    items: list[WriteItem] = []
    for item in journal.items(run_id):
        if item.state == "written" and item.live_before is not None:
            items.append(
                WriteItem(
                    item.row,
                    item.side,
                    item.record_id,
                    item.partner_id,
                    item.live_before,
                    item.target,
                    "set",
                    "todo",
                )
            )
        else:
            items.append(
                WriteItem(
                    item.row,
                    item.side,
                    item.record_id,
                    item.partner_id,
                    item.target,
                    item.target,
                    "none",
                    "planned_skip",
                    message="Not written by the run.",
                )
            )
    if not any(i.action == "set" for i in items):
        raise ValueError(f"Run '{run_id}' wrote nothing, so there is nothing to undo.")
    undo_id = undo_id or new_run_id()
    settings = {**original.settings, "undo_of": run_id}
    journal.create_run(
        undo_id,
        kind="undo",
        plan_id=original.plan_id,
        plan_path=original.plan_path,
        settings=settings,
        items=items,
        undo_of=run_id,
    )
    return undo_id


def execute(
    journal: Journal,
    run_id: str,
    sides: Mapping[str, LinkSide],
    *,
    retry_rounds: int = 1,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> RunReport:
    """Run every open write of ``run_id``, retry failures ``retry_rounds`` times, verify, write results.

    ``RunBusy`` when another process is executing the same run right now.
    """
    key_billing_writes(sides, run_id)
    with _run_lock(run_id):
        return _execute(journal, run_id, sides, retry_rounds=retry_rounds, progress=progress, cancel=cancel)


def key_billing_writes(sides: Mapping[str, LinkSide], run_id: str) -> None:
    """Key the billing adapter's idempotent writes (links and address fixes) to the journal's run, and
    let it forget an outage an earlier run met (the system is asked afresh)."""
    for side in sides.values():
        if isinstance(side, BillingSide):
            side.key_writes_to(run_id)
            side.forget_outage()


class RunBusy(Exception):
    """Another process is executing this run now."""


@contextmanager
def _run_lock(run_id: str) -> Iterator[None]:
    """An exclusive lock on the run; the operating system releases it when the process dies (kill -9)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one desktop app runs one run at a time anyway
        yield
        return
    with (runs_dir(run_id) / "lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RunBusy(f"Run {run_id} is being applied by another process; wait for it to finish.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _execute(
    journal: Journal,
    run_id: str,
    sides: Mapping[str, LinkSide],
    *,
    retry_rounds: int,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> RunReport:
    info = journal.run(run_id)
    if info is None:
        raise ValueError(f"There is no run '{run_id}'.")
    undo = info.kind == "undo"
    cancel = cancel or CancelToken()
    journal.set_run_state(run_id, "running")
    stop: StopReason | None = None
    try:
        for round_number in range(retry_rounds + 1):
            if round_number and not reopen_retries(journal, run_id):
                break
            account = sides["account"]
            if isinstance(account, SalesforceSide):  # large runs write the Account side through Bulk 2.0 first
                salesforce_by_size(journal, run_id, account, strict=undo, progress=progress, cancel=cancel)
            customer = sides["customer"]
            if isinstance(customer, BillingSide) and pages_pay(journal, run_id, customer):
                # Customers read by list pages, two batches in flight: the Account side goes first
                # (as with Bulk), so that customers are not held waiting for their Account write.
                one_pass(journal, run_id, sides, strict=undo, hold_customer=False, progress=progress, cancel=cancel,
                         only="account")
                billing_by_pages(journal, run_id, customer, strict=undo, hold_customer=not undo, progress=progress,
                                 cancel=cancel)
            one_pass(journal, run_id, sides, strict=undo, hold_customer=not undo, progress=progress, cancel=cancel)
    except Cancelled:
        stop = CANCELLED
    except RunStopped as stopped:
        stop = stopped.reason
    items = journal.items(run_id)
    verification = None
    # The results file depends on the writes alone, not on the read-back: it is written on a thread of
    # its own while the read-back waits on the two systems (seconds of CPU on a large run).
    with ThreadPoolExecutor(1, thread_name_prefix="results-file") as writer:
        results_file = writer.submit(write_results, run_id, items, undo=undo, labels=run_labels(info))
        if stop is None:
            try:
                verification = verify_run(items, sides, undo=undo, cancel=cancel)
            except Cancelled:
                stop = READ_BACK_CANCELLED
            except STOPPING as error:
                stop = stop_of(error, sides).during_read_back(_unsent(items))
            except _READ_BACK_FAILURES as error:
                stop = read_back_failed(error, _unsent(items))
        results_path = results_file.result()
    if stop is None and any(i.state in RETRY_STATES | OPEN_STATES for i in items):
        stop = _failed_writes(items, sides)
    state, message = ("done", "") if stop is None else (stop.state, stop.cli_message())
    pairs = pair_counts(items, undo=undo)
    summary: dict[str, object] = {"pairs": pairs}
    if stop is not None:
        summary[STOP_KEY] = stop.as_dict()
    if verification is not None:
        summary["verified"] = verification.sentence("restored records" if undo else "links")
        summary[VERIFICATION_KEY] = verification_summary(verification)
    figures = run_figures(journal, run_id, items=items,
                          info=dataclasses.replace(info, state=state, message=message, summary=summary))
    journal.set_run_state(run_id, state, message, summary)
    calls = {name: int(getattr(getattr(side, "client", None), "calls", 0) or 0) for name, side in sides.items()}
    return RunReport(
        run_id,
        info.kind,
        state,
        message,
        journal.state_counts(run_id),
        pairs,
        verification,
        results_path,
        calls,
        figures=figures,
        stop=stop,
    )


def _failed_writes(items: list[WriteItem], sides: Mapping[str, LinkSide]) -> StopReason:
    refused: Counter[str] = Counter(sides[i.side].label for i in items if is_refusal(i))
    held = sum(i.state == "held" for i in items)
    others = sum(i.state in RETRY_STATES | OPEN_STATES for i in items) - held - sum(refused.values())
    return failed_writes(refused, others, held)


def stop_of(error: BaseException, sides: Mapping[str, LinkSide]) -> StopReason:
    """Why a run stopped on ``error`` (from whichever side raised it)."""
    side = sides["account"] if isinstance(error, SalesforceError) else sides["customer"]
    return stop_reason(side.label, error, side.name)


def stop_sentence(error: BaseException, sides: Mapping[str, LinkSide]) -> str:
    """Why a run stopped on one of ``STOPPING`` (raised by whichever side) and what to do next."""
    return stop_of(error, sides).cli_message()


def interrupt(journal: Journal, run_id: str, stop: StopReason) -> RunReport | None:
    """Mark run ``run_id`` stopped for ``stop`` and write its results file (None: no such run).

    For a phase outside ``execute`` (address fixes, undo preparation) that met one of ``STOPPING``.
    """
    info = journal.run(run_id)
    if info is None:
        return None
    items = journal.items(run_id)
    undo = info.kind == "undo"
    results_path = write_results(run_id, items, undo=undo)
    pairs = pair_counts(items, undo=undo)
    journal.set_run_state(run_id, stop.state, stop.cli_message(), {"pairs": pairs, STOP_KEY: stop.as_dict()})
    return RunReport(run_id, info.kind, stop.state, stop.cli_message(), journal.state_counts(run_id), pairs, None,
                     results_path, stop=stop)
