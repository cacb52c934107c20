"""Apply's Salesforce side by size: above ``BULK_ABOVE`` open Account writes the run reads the live
values with one Bulk API 2.0 query and writes them with Bulk 2.0 update jobs instead of 200-row
sObject Collections. The crash-safety argument is in docs/engine.md ("The Bulk path").

Per job: (1) the rows' intent is journaled (state ``sending``, live value kept for undo) under a new
batch number; (2) the job is created, and its id journaled, before any data goes to it; (3) the CSV is
uploaded and the job closed; (4) its outcome is read from its counters and, only when some records
failed, its result files, matched back by Id. A row with no answer stays ``sending`` and is read again
before anything is sent for it. A journaled job whose outcome is not journaled is looked up first,
every time the engine starts on the run: finished → its results are taken; still running → waited
for; still Open (maybe half uploaded) → aborted, so its data is never processed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import requests

from desktop_app.core.csv_out import csv_record
from desktop_app.core.ids import normalize_id
from desktop_app.core.journal import OPEN_STATES, Journal, WriteItem
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback
from desktop_app.salesforce import bulk_steps
from desktop_app.salesforce.bulk import FINAL_STATES, MAX_UPLOAD_BYTES, NULL_MARKER
from desktop_app.salesforce.errors import SalesforceError, WriteOutcomeUnknown
from desktop_app.workflow.apply_batches import STOPPING, classify, outcomes_of, stopped_on
from desktop_app.workflow.link_sides import GONE_CODES, SalesforceSide, SideResult

# Open Account writes above which apply goes through Bulk API 2.0 (below it, a run is a few
# Collections calls and answers in seconds; a Bulk job waits for Salesforce's queue).
BULK_ABOVE = 2_000
# Salesforce splits a Bulk 2.0 job into internal batches of this many records and runs them in
# parallel; children of one parent in two internal batches fight over the parent's lock.
INTERNAL_BATCH = 10_000
# Records refused with UNABLE_TO_LOCK_ROW (another process held them) are sent again this many times
# within one pass, after re-reading them; what is still locked then is left to the retry pass.
LOCK_ROUNDS = 2
LOCKED = "UNABLE_TO_LOCK_ROW"
_FAILURES = (SalesforceError, requests.RequestException, OSError)

Pair = tuple[WriteItem, str]  # a write to send and the live value read just before


def salesforce_by_size(journal: Journal, run_id: str, side: SalesforceSide, *, strict: bool,
                       progress: ProgressCallback, cancel: CancelToken) -> None:
    """Settle the Bulk jobs a stopped process left, then, when more than ``BULK_ABOVE`` Account writes
    are open, write them all through Bulk jobs. ``RunStopped`` when Salesforce fails a whole step."""
    try:
        settle_open_jobs(journal, run_id, side, cancel)
        for round_number in range(LOCK_ROUNDS + 1):
            open_items = journal.items(run_id, side.name, states=OPEN_STATES)
            if not open_items or (round_number == 0 and len(open_items) <= BULK_ABOVE):
                return
            locked = _bulk_round(journal, run_id, side, open_items, strict=strict, progress=progress,
                                 cancel=cancel)
            if locked and round_number < LOCK_ROUNDS:
                if cancel.wait(side.transport.retry.delay(round_number + 1)):
                    cancel.raise_if_cancelled()
                journal.reopen(run_id, side.name, ["failed"], keep_rows=_not_locked(journal, run_id, side))
    except STOPPING as error:
        raise stopped_on(side, error) from None
    except _FAILURES as error:
        raise stopped_on(side, error) from None


def _not_locked(journal: Journal, run_id: str, side: SalesforceSide) -> list[int]:
    return [i.row for i in journal.items(run_id, side.name, states=["failed"]) if i.error_code != LOCKED]


def settle_open_jobs(journal: Journal, run_id: str, side: SalesforceSide, cancel: CancelToken) -> None:
    """Look up every journaled job whose outcome is not journaled and journal it."""
    for batch, job_id in journal.open_jobs(run_id, side.name):
        items = journal.batch_items(run_id, side.name, batch)
        info = bulk_steps.job_state(side.transport, job_id, cancel)
        if info is not None and info.get("state") == "Open":
            info = bulk_steps.abort(side.transport, job_id, cancel)
            if info is not None and info.get("state") == "Open":
                raise SalesforceError(f"Bulk job {job_id} of an earlier attempt could not be aborted.")
        if info is not None and info.get("state") not in FINAL_STATES:
            info = bulk_steps.wait_until_final(side.transport, job_id, rows=len(items), cancel=cancel)
        _journal_outcome(journal, run_id, side, batch, job_id, info, items, cancel)


def _bulk_round(journal: Journal, run_id: str, side: SalesforceSide, items: list[WriteItem], *, strict: bool,
                progress: ProgressCallback, cancel: CancelToken) -> bool:
    """Read, classify and send ``items`` in Bulk jobs; True when some came back locked."""
    total = len(items)
    progress(Progress(0, total, f"Reading {total:,} Salesforce values"))
    live, parents = side.read_all({i.record_id for i in items}, cancel=cancel)
    settled, to_send = classify(items, live, side.label, side.name, strict=strict)
    if settled:
        journal.record_outcomes(run_id, side.name, settled)
    done = len(settled)
    locked = False
    for job_pairs in jobs_for(to_send, lambda record_id: parents.get(record_id, ""), field=side.link_field):
        cancel.raise_if_cancelled()
        locked |= _send_job(journal, run_id, side, job_pairs, cancel)
        done += len(job_pairs)
        progress(Progress(done, total, f"Wrote {done:,} of {total:,} Salesforce values"))
    return locked


def _send_job(journal: Journal, run_id: str, side: SalesforceSide, pairs: Sequence[Pair],
              cancel: CancelToken) -> bool:
    """One job: intent, job id, upload and close, outcome. True when some records came back locked."""
    batch = journal.next_batch_number(run_id)
    journal.record_intent(run_id, side.name, batch, [(item.row, current) for item, current in pairs])
    job_id = bulk_steps.create_update_job(side.transport, side.sobject, cancel)
    journal.record_job(run_id, batch, job_id)
    items = [item for item, _ in pairs]
    try:
        bulk_steps.upload_and_close(side.transport, job_id, ingest_text(pairs, side.link_field), cancel)
    except WriteOutcomeUnknown:
        # The upload may have arrived: abort the job so its data is never processed; the rows stay
        # 'sending' and are read again before they are sent in a new job.
        info = bulk_steps.abort(side.transport, job_id, cancel)
        if info is not None and info.get("state") not in FINAL_STATES:
            raise
        return _journal_outcome(journal, run_id, side, batch, job_id, info, items, cancel)
    info = bulk_steps.wait_until_final(side.transport, job_id, rows=len(pairs), cancel=cancel)
    return _journal_outcome(journal, run_id, side, batch, job_id, info, items, cancel)


def _journal_outcome(journal: Journal, run_id: str, side: SalesforceSide, batch: int, job_id: str,
                     info: dict[str, object] | None, items: list[WriteItem], cancel: CancelToken) -> bool:
    """Journal each row's answer from the finished job (rows without one stay 'sending'); True when
    some came back locked."""
    if info is None or (info.get("state") == "Aborted" and not int(str(info.get("numberRecordsProcessed") or 0))):
        journal.close_batch(run_id, batch)  # nothing of it was processed (or Salesforce forgot it): read back
        return False
    key = {item.row: normalize_id(item.record_id) or item.record_id for item in items}
    outcome = bulk_steps.job_outcome(side.transport, job_id, dict(info), sorted(set(key.values())), cancel)
    answered: list[Pair] = []
    results: list[SideResult] = []
    for item in items:
        record_id = key[item.row]
        if record_id in outcome.written:
            results.append(SideResult(item.record_id, "written"))
        elif record_id in outcome.failed:
            code, message = outcome.failed[record_id]
            state = "not_found" if code in GONE_CODES else "failed"
            results.append(SideResult(item.record_id, state, code, message))
        else:
            continue
        answered.append((item, item.live_before or ""))
    journal.record_outcomes(run_id, side.name, outcomes_of(answered, results), batch=batch)
    return any(r.error_code == LOCKED for r in results)


def ingest_text(pairs: Sequence[Pair], field: str) -> str:
    """The job's CSV: Id and the link field (``#N/A`` clears it; an empty cell would leave it as is)."""
    lines = [csv_record(["Id", field])]
    lines += [csv_record([item.record_id, item.target if item.target != "" else NULL_MARKER]) for item, _ in pairs]
    return "".join(lines)


def jobs_for(pairs: Sequence[Pair], parent_of: Callable[[str], str], *, field: str) -> list[list[Pair]]:
    """The writes in jobs ordered so that no two of Salesforce's internal batches of a job hold
    children of the same parent (Salesforce's advice against UNABLE_TO_LOCK_ROW: keep a parent's
    children together), each job's upload under the size limit.

    Whole parent groups are packed into internal batches of ``INTERNAL_BATCH`` (largest first) and
    the gaps filled with records that have no parent, so Salesforce's split falls between groups. A
    batch that cannot be filled would shift every later split, so it ends its job.
    """
    groups: dict[str, list[Pair]] = {}
    loose: list[Pair] = []
    for pair in pairs:
        parent = parent_of(normalize_id(pair[0].record_id) or pair[0].record_id)
        (groups.setdefault(parent, []) if parent else loose).append(pair)
    bins: list[list[Pair]] = []
    for group in sorted(groups.values(), key=len, reverse=True):
        home = next((b for b in bins if len(b) + len(group) <= INTERNAL_BATCH), None)
        if home is None:
            home = []
            bins.append(home)
        home.extend(group)
    for home in bins:
        take = max(0, INTERNAL_BATCH - len(home))
        home.extend(loose[:take])
        del loose[:take]
    full = [b for b in bins if len(b) % INTERNAL_BATCH == 0]
    partial = [b for b in bins if len(b) % INTERNAL_BATCH]
    runs: list[list[Pair]] = [[pair for b in full for pair in b] + loose, *partial]
    if partial and not loose:  # the last internal batch of a job may be short
        runs[0] += runs.pop(1)
    return [job for run in runs if run for job in _under_upload_limit(run, field)]


def _under_upload_limit(pairs: list[Pair], field: str) -> list[list[Pair]]:
    """Cut at internal-batch boundaries so each job's CSV stays under ``MAX_UPLOAD_BYTES``."""
    jobs: list[list[Pair]] = [[]]
    size = 0
    for start in range(0, len(pairs), INTERNAL_BATCH):
        chunk = pairs[start : start + INTERNAL_BATCH]
        chunk_size = len(ingest_text(chunk, field).encode("utf-8"))
        if jobs[-1] and size + chunk_size > MAX_UPLOAD_BYTES:
            jobs.append([])
            size = 0
        jobs[-1].extend(chunk)
        size += chunk_size
    return [job for job in jobs if job]
