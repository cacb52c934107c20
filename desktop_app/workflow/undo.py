"""Use case: undo a run on both systems, and resume an undo that stopped, for the wizard and the CLI.

An undo is a journaled run of its own (``kind`` "undo"). It is journaled *first*, then the run's
address fixes are put back, then its link values; so an undo stopped at any point (a system that
stops answering, a quota, an expired login, a cancel, a killed process) is in the journal with its
reason (``workflow.stop_reason``) and ``resume_undo`` finishes it: address parts already put back
and values already restored are found as such and not written again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from desktop_app.billing.base import BillingError
from desktop_app.core.app_folders import runs_dir
from desktop_app.core.journal import Journal, RunInfo, WriteItem
from desktop_app.core.journal_addresses import AddressJournal
from desktop_app.core.journal_results import pair_counts
from desktop_app.core.progress import Cancelled, CancelToken, ProgressCallback, ignore_progress
from desktop_app.core.run_figures import RunFigures, resumable_runs, run_figures, undo_runs_of, why_not_resumable
from desktop_app.salesforce.errors import SalesforceError
from desktop_app.workflow.apply import AddressWork
from desktop_app.workflow.apply_addresses import undo_address_fixes
from desktop_app.workflow.apply_batches import STOPPING
from desktop_app.workflow.engine import RunReport, create_undo_run, interrupt, resume, stop_of
from desktop_app.workflow.link_sides import LinkSide
from desktop_app.workflow.stop_reason import CANCELLED, reason_of

# What may stop putting the address fixes back; the undo is then interrupted (resume goes on).
_ADDRESS_FAILURES = (SalesforceError, BillingError, requests.RequestException, OSError)


@dataclass(frozen=True)
class UndoOutcome:
    """The undo run's report, the records it refused to touch (changed since the run) and the
    undone run's figures as they are now."""

    report: RunReport
    refused: list[WriteItem]
    original: RunFigures | None = None


def unfinished_undo(run_id: str) -> RunInfo | None:
    """The undo of run ``run_id`` that stopped before its end (None when there is none)."""
    with Journal() as journal:
        resumable = {r.run_id for r in resumable_runs(journal, "undo")}
        return next((u for u in reversed(undo_runs_of(journal, run_id)) if u.run_id in resumable), None)


def undo_run(run_id: str, sides: Mapping[str, LinkSide], *, addresses: AddressWork | None = None,
             undo_id: str | None = None, progress: ProgressCallback = ignore_progress,
             cancel: CancelToken | None = None) -> UndoOutcome:
    """Restore what run ``run_id`` replaced (its address fixes too), journaled as a run of its own
    (``undo_id`` when given); lists what was refused. ValueError when the run cannot be undone
    (unknown, wrote nothing, or an undo of it stopped: that one is resumed instead)."""
    stopped = unfinished_undo(run_id)
    if stopped is not None:
        raise ValueError(f"An undo of run {run_id} stopped before its end ({stopped.run_id}); resume it instead.")
    with Journal() as journal:
        undo_id = create_undo_run(journal, run_id, undo_id=undo_id)
    return _undo(undo_id, run_id, sides, addresses, progress, cancel)


def resume_undo(undo_id: str, sides: Mapping[str, LinkSide], *, addresses: AddressWork | None = None,
                retry_refused: bool = False, progress: ProgressCallback = ignore_progress,
                cancel: CancelToken | None = None) -> UndoOutcome:
    """Finish the undo ``undo_id`` where it stopped: the address fixes not yet put back, then the link
    values not yet restored (each read first; nothing is written twice); writes a system refused as
    invalid only with ``retry_refused``. ValueError when it cannot be."""
    with Journal() as journal:
        info = journal.run(undo_id)
        if info is None or info.kind != "undo" or not info.undo_of:
            raise ValueError(f"There is no undo run '{undo_id}'; 'desktop-app runs' lists them.")
        why = why_not_resumable(journal, info)
    if why:
        raise ValueError(why)
    return _undo(undo_id, info.undo_of, sides, addresses, progress, cancel, retry_refused=retry_refused)


def _undo(undo_id: str, run_id: str, sides: Mapping[str, LinkSide], addresses: AddressWork | None,
          progress: ProgressCallback, cancel: CancelToken | None, *, retry_refused: bool = False) -> UndoOutcome:
    with Journal() as journal:
        report = _stopped_in(journal, undo_id, sides, lambda: _put_back_addresses(run_id, addresses, progress,
                                                                                   cancel))
        if report is None:
            report = resume(journal, undo_id, sides, retry_refused=retry_refused, progress=progress, cancel=cancel)
        counts = _address_counts(run_id) if addresses is not None and addresses.writers else {}
        report = dataclasses.replace(report, addresses=counts,
                                     figures=report.figures or run_figures(journal, undo_id))
        refused = journal.items(undo_id, states=["refused"])
        original = run_figures(journal, run_id)
    return UndoOutcome(report, refused, original)


def _put_back_addresses(run_id: str, addresses: AddressWork | None, progress: ProgressCallback,
                        cancel: CancelToken | None) -> None:
    if addresses is not None and addresses.writers:
        undo_address_fixes(run_id, addresses.writers, progress=progress, cancel=cancel)


def _address_counts(run_id: str) -> dict[str, dict[str, int]]:
    """Per side, the run's address parts by state now (also when putting them back stopped midway)."""
    with AddressJournal() as journal:
        return journal.counts(run_id)


def _stopped_in(journal: Journal, undo_id: str, sides: Mapping[str, LinkSide],
                phase: Callable[[], None]) -> RunReport | None:
    """Run ``phase``; when it stops (a refusal, a silent system, a cancel) the undo run is marked
    stopped with the reason and its report returned (None when the phase went through)."""
    try:
        phase()
    except Cancelled:
        return interrupt(journal, undo_id, CANCELLED)
    except (*STOPPING, *_ADDRESS_FAILURES) as error:
        return interrupt(journal, undo_id, stop_of(error, sides))
    return None


def runs_to_resume() -> list[RunInfo]:
    """Apply runs and undos that stopped before their end (and were not undone), newest first."""
    with Journal() as journal:
        return resumable_runs(journal)


def stored_report(run_id: str) -> RunReport:
    """Run ``run_id`` as the journal holds it now (for a run of an earlier session: no API call
    counts, no read-back details), with why it stopped. ValueError for an unknown run."""
    with Journal() as journal:
        info = journal.run(run_id)
        if info is None:
            raise ValueError(f"There is no run '{run_id}'; 'desktop-app runs' lists them.")
        items = journal.items(run_id)
        results = runs_dir(run_id) / "results.csv"
        return RunReport(run_id, info.kind, info.state, info.message, journal.state_counts(run_id),
                         pair_counts(items, undo=info.kind == "undo"), None, results if results.is_file() else None,
                         figures=run_figures(journal, run_id, info=info, items=items), stop=reason_of(info))


def undo_as_journaled(undo_id: str) -> UndoOutcome:
    """Undo ``undo_id`` as the journal holds it now (stopped, cancelled or finished in an earlier
    session): its report, the records it left alone and the undone run's figures."""
    report = stored_report(undo_id)
    with Journal() as journal:
        info = journal.run(undo_id)
        assert info is not None  # stored_report found it
        refused = journal.items(undo_id, states=["refused"])
        original = run_figures(journal, info.undo_of) if info.undo_of else None
    return UndoOutcome(report, refused, original)


def undo_with_its_run(undo_id: str) -> tuple[RunReport, UndoOutcome]:
    """An undo of an earlier session, as the journal holds it, and the run it undoes (ValueError when
    ``undo_id`` is not an undo)."""
    outcome = undo_as_journaled(undo_id)
    undone = outcome.original
    if outcome.report.kind != "undo" or undone is None:
        raise ValueError(f"Run {undo_id} is not an undo; 'desktop-app runs' lists the runs.")
    return stored_report(undone.run_id), outcome
