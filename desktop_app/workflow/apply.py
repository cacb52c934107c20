"""The wizard's apply, resume and undo: the engine's runs with per-side progress, rate and time left.

Each call opens its own ``Journal`` on the calling (worker) thread. Progress reports are
``RunProgress``: the engine's row progress plus, per side, how many planned writes are finished and
how many failed, read from the journal between batches. A run may carry the accepted address fixes
(``AddressWork``): they are written first, under the same run id (so that a billing system which
refuses invalid addresses takes the links), resumed and undone with the links.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from desktop_app.billing.address_writes import AddressWriter
from desktop_app.core.address_changes import RecordChange, record_changes
from desktop_app.core.journal import FINAL_STATES, RETRY_STATES, Journal, RunInfo
from desktop_app.core.plan import Plan
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.core.run_figures import resumable_runs
from desktop_app.workflow.apply_addresses import fixed_records, write_address_fixes
from desktop_app.workflow.apply_batches import STOPPING
from desktop_app.workflow.engine import (
    RunReport,
    create_apply_run,
    execute,
    interrupt,
    key_billing_writes,
    new_run_id,
    resume,
    stop_of,
)
from desktop_app.workflow.link_sides import LinkSide


@dataclass(frozen=True)
class SideFigures:
    """One side's planned writes: finished (any final state), failed so far, and in all."""

    finished: int
    failed: int
    total: int


@dataclass(frozen=True)
class RunProgress(Progress):
    """Row progress plus per-side figures, rows per second and seconds left (None until known)."""

    sides: Mapping[str, SideFigures] = field(default_factory=dict)
    rate: float = 0.0
    seconds_left: float | None = None


def side_figures(journal: Journal, run_id: str) -> dict[str, SideFigures]:
    """Per side: writes to do (planned ``set``), finished and failed, from the journal."""
    return figures_from_counts(journal.state_counts(run_id))


def figures_from_counts(state_counts: Mapping[str, Mapping[str, int]]) -> dict[str, SideFigures]:
    """Per side figures from per-side write-state counts (``RunReport.write_counts``)."""
    figures: dict[str, SideFigures] = {}
    for side, counts in state_counts.items():
        planned = {k: v for k, v in counts.items() if not k.startswith("planned_")}
        finished = sum(v for k, v in planned.items() if k in FINAL_STATES)
        failed = sum(v for k, v in planned.items() if k in RETRY_STATES or k == "not_found")
        figures[side] = SideFigures(finished, failed, sum(planned.values()))
    return figures


def _reporting(journal: Journal, run_id: str, progress: ProgressCallback) -> ProgressCallback:
    started = time.monotonic()
    first_done: list[int] = []

    def report(step: Progress) -> None:
        if not first_done:
            first_done.append(step.done)
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = (step.done - first_done[0]) / elapsed
        left = (step.total - step.done) / rate if rate > 0 else None
        progress(RunProgress(step.done, step.total, step.message, side_figures(journal, run_id), rate, left))

    return report


def _run(work: Callable[[Journal, ProgressCallback], RunReport], run_id: str,
         progress: ProgressCallback, sides: Mapping[str, LinkSide]) -> RunReport:
    with Journal() as journal:
        try:
            return work(journal, _reporting(journal, run_id, progress))
        except STOPPING as error:  # met while writing address fixes: the run is interrupted, resumable
            stopped = interrupt(journal, run_id, stop_of(error, sides))
            if stopped is None:
                raise
            return stopped


@dataclass(frozen=True)
class AddressWork:
    """The accepted address fixes of a run and the sides that can take them."""

    writers: Mapping[str, AddressWriter]
    accepted: pd.DataFrame | None = None  # the Data quality page's accepted fixes (None: resume or undo)

    def changes(self) -> Sequence[RecordChange]:
        """The fixes as writes (computed on the worker: there may be many)."""
        return record_changes(self.accepted) if self.accepted is not None and len(self.accepted) else []


def _addresses(run_id: str, work: AddressWork | None, progress: ProgressCallback,
               cancel: CancelToken | None) -> dict[str, dict[str, int]]:
    if work is None or not work.writers:
        return {}
    return write_address_fixes(run_id, work.changes(), work.writers, progress=progress, cancel=cancel).counts


class NothingToWrite(ValueError):
    """A plan without a single link and no address fix: a run of it would report "done" for nothing."""


def nothing_to_write(plan: Plan, accepted_fixes: pd.DataFrame | None = None) -> str | None:
    """Why a run of ``plan`` would write nothing at all (None: it has links or fixes to write)."""
    if plan.links or (accepted_fixes is not None and len(accepted_fixes)):
        return None
    statuses = " or ".join(plan.statuses) or "none"
    return (f"The plan holds no links: no reviewed row has the status {statuses}, and there is no address fix "
            "to write, so a run would write nothing. Accept the matches you want linked and build the plan again.")


def apply_plan(plan: Plan, sides: Mapping[str, LinkSide], settings: Mapping[str, str], *,
               addresses: AddressWork | None = None, plan_path: str = "", run_id: str | None = None,
               progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None) -> RunReport:
    """Journal a new run of ``plan`` (``run_id`` when the sides were made for it: their idempotency
    keys carry it), write its address fixes, then its links (Salesforce first). The wizard and
    ``desktop-app apply`` both run a plan through here. Raises ``NothingToWrite`` (before anything
    is journaled) for a plan with no links and no address fixes."""
    empty = nothing_to_write(plan, addresses.accepted if addresses is not None else None)
    if empty is not None:
        raise NothingToWrite(empty)
    run_id = run_id or new_run_id()

    def work(journal: Journal, reporting: ProgressCallback) -> RunReport:
        create_apply_run(journal, plan, plan_path=plan_path, run_id=run_id, settings=settings)
        key_billing_writes(sides, run_id)  # the address fixes go out before execute() would do it
        counts = _addresses(run_id, addresses, progress, cancel)
        return dataclasses.replace(execute(journal, run_id, sides, progress=reporting, cancel=cancel),
                                   addresses=counts)

    return _run(work, run_id, progress, sides)


def resume_run(run_id: str, sides: Mapping[str, LinkSide], *, addresses: AddressWork | None = None,
               retry_refused: bool = False, progress: ProgressCallback = ignore_progress,
               cancel: CancelToken | None = None) -> RunReport:
    """Continue an interrupted run where it stopped, address fixes first (nothing is written twice).

    Records a system refused as invalid are sent again only when an address fix for them was written
    now, or with ``retry_refused``."""

    def work(journal: Journal, reporting: ProgressCallback) -> RunReport:
        fixed_before = fixed_records(run_id)
        key_billing_writes(sides, run_id)
        counts = _addresses(run_id, addresses, progress, cancel)
        changed = fixed_records(run_id) - fixed_before
        report = resume(journal, run_id, sides, retry_refused=retry_refused, changed=changed,
                        progress=reporting, cancel=cancel)
        return dataclasses.replace(report, addresses=counts)

    return _run(work, run_id, progress, sides)


def unfinished_runs() -> list[RunInfo]:
    """Apply runs that did not finish (app closed, crash, cancel, failures left) and were not undone,
    newest first."""
    with Journal() as journal:
        return resumable_runs(journal, "apply")


def resumable_here(runs: list[RunInfo], settings: Mapping[str, str]) -> RunInfo | None:
    """The newest of ``runs`` made against the same systems and link field as ``settings``."""
    keys = ("instance_url", "billing_system", "billing_url", "billing_file", "link_field")
    for info in runs:
        if all(info.settings.get(k, "") == settings.get(k, "") for k in keys):
            return info
    return None
