"""One Bulk API 2.0 update job step by step, for a caller that journals between the steps (the apply
engine): create → (the caller records the job id) → upload and close → wait → per-record outcome by Id.
And a query read whole in as few calls as Salesforce allows (no count first, one large page).

Calls are spent sparingly because each counts against the org's daily API requests: the first poll
waits for about as long as the job should take, and the result files are fetched only when the job's
counters say some records failed or were not processed (a complete job with no failures wrote every
row it was given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from simple_salesforce.bulk2 import Operation, ResultsType

from desktop_app.core.ids import normalize_id
from desktop_app.core.progress import Cancelled, CancelToken
from desktop_app.salesforce.bulk import FINAL_STATES, parse_bulk_error, read_csv_text
from desktop_app.salesforce.errors import ApiRequestFailed, SalesforceError, WriteOutcomeUnknown
from desktop_app.salesforce.transport import Transport

# How long a job is first left alone before its state is read: this much plus the rows at this rate.
# Salesforce documents no processing speed; simple updates run at tens of thousands of rows a second.
FIRST_POLL_SECONDS = 0.4
ROWS_PER_SECOND = 40_000
MAX_POLL_SECONDS = 10.0
# One results page for the whole read where Salesforce allows it (each page is one call).
LARGE_PAGE = 1_000_000


@dataclass
class JobOutcome:
    """Per-record answers of an update job, by record Id; an Id in neither is unknown (read it back)."""

    written: set[str] = field(default_factory=set)
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)  # Id -> (code, message)


def create_update_job(transport: Transport, sobject: str, cancel: CancelToken) -> str:
    """A new, empty update job (state Open); its id. An empty job writes nothing, so this is retried freely."""
    job = transport.call(
        lambda sf: transport.bulk2(sf, sobject).create_job(Operation.update),
        what=f"starting a Bulk update of {sobject} records",
        cancel=cancel,
    )
    return str(job["id"])


def upload_and_close(transport: Transport, job_id: str, text: str, cancel: CancelToken) -> None:
    """Upload the job's CSV and mark it UploadComplete (Salesforce starts processing).

    ``WriteOutcomeUnknown`` when the upload's answer was lost: the caller aborts the job (an aborted
    Open job never processes its data). A lost close is resolved by reading the job's state.
    """
    transport.call(
        lambda sf: transport.bulk2(sf).upload_job_data(job_id, text),
        what="uploading records to a Bulk job",
        write=True,
        cancel=cancel,
    )
    for _attempt in range(transport.retry.attempts):
        try:
            transport.call(lambda sf: transport.bulk2(sf).close_job(job_id), what="starting a Bulk job",
                           write=True, cancel=cancel)
            return
        except WriteOutcomeUnknown:
            info = job_state(transport, job_id, cancel)
            if info is not None and info.get("state") != "Open":
                return
    raise WriteOutcomeUnknown(f"Bulk job {job_id} could not be started; it is looked up again before anything else.")


def abort(transport: Transport, job_id: str, cancel: CancelToken) -> dict[str, Any] | None:
    """Abort the job if it is still unfinished; its state afterwards (None: Salesforce no longer has it)."""
    try:
        transport.call(lambda sf: transport.bulk2(sf).abort_job(job_id, False), what="aborting a Bulk job",
                       write=True, cancel=cancel)
    except WriteOutcomeUnknown:
        pass  # read below whether it arrived
    except ApiRequestFailed as error:
        if error.status != 409:  # 409: already finished; its state below says how
            raise
    return job_state(transport, job_id, cancel)


def job_state(transport: Transport, job_id: str, cancel: CancelToken) -> dict[str, Any] | None:
    """The job's JSON (state, counters), or None when Salesforce no longer has the job."""
    try:
        info: dict[str, Any] = transport.call(lambda sf: transport.bulk2(sf).get_job(job_id, False),
                                              what="reading a Bulk job's state", cancel=cancel)
    except ApiRequestFailed as error:
        if error.status == 404:
            return None
        raise
    return info


def first_wait(rows: int) -> float:
    """Seconds to leave a job of ``rows`` records alone before its first poll."""
    return FIRST_POLL_SECONDS + rows / ROWS_PER_SECOND


def wait_until_final(transport: Transport, job_id: str, *, rows: int, cancel: CancelToken,
                     query: bool = False) -> dict[str, Any]:
    """Poll the job sparingly until JobComplete, Failed or Aborted; its final JSON.

    Cancelling does not abort the job: the caller has journaled it and looks it up on resume.
    """
    delay = first_wait(rows)
    while True:
        if cancel.wait(delay):
            raise Cancelled("cancelled by the user")
        info: dict[str, Any] = transport.call(lambda sf: transport.bulk2(sf).get_job(job_id, query),
                                              what="reading a Bulk job's state", cancel=cancel)
        if info.get("state") in FINAL_STATES:
            return info
        delay = min(MAX_POLL_SECONDS, max(0.5, delay * 0.5))


def job_outcome(transport: Transport, job_id: str, info: dict[str, Any], ids: list[str],
                cancel: CancelToken) -> JobOutcome:
    """What the finished job did to each of ``ids`` (the rows it was given), from as few result files
    as its counters allow."""
    processed = int(info.get("numberRecordsProcessed") or 0)
    failed = int(info.get("numberRecordsFailed") or 0)
    outcome = JobOutcome()
    if info.get("state") == "JobComplete" and processed == len(ids) and failed == 0:
        outcome.written.update(ids)
        return outcome
    if failed:
        page = _results(transport, job_id, ResultsType.failed, cancel)
        errors = page["sf__Error"] if "sf__Error" in page.columns else pd.Series([""] * len(page), dtype=object)
        for record_id, text in zip(_ids(page), errors, strict=True):
            if record_id:
                outcome.failed[record_id] = parse_bulk_error(str(text))
    if info.get("state") == "JobComplete" and processed == len(ids):
        outcome.written.update(i for i in ids if i not in outcome.failed)
        return outcome
    # Stopped early (Failed, Aborted) or counters that do not add up: only the files are trusted.
    outcome.written.update(i for i in _ids(_results(transport, job_id, ResultsType.successful, cancel)) if i)
    for record_id in _ids(_results(transport, job_id, ResultsType.unprocessed, cancel)):
        if record_id:
            outcome.failed.setdefault(record_id, ("UNPROCESSED", "Salesforce did not process this record (the job "
                                              "stopped early); it is sent again by the next attempt."))
    return outcome


def _results(transport: Transport, job_id: str, kind: ResultsType, cancel: CancelToken) -> pd.DataFrame:
    text: str = transport.call(lambda sf: transport.bulk2(sf).get_ingest_results(job_id, kind.value),
                               what="reading a Bulk job's results", cancel=cancel)
    return read_csv_text(text) if text.strip() else pd.DataFrame(columns=["Id"])


def _ids(page: pd.DataFrame) -> list[str]:
    """The record Id of each result row (18 characters): ``sf__Id``, else the Id column the job was sent
    (Salesforce leaves ``sf__Id`` empty on some failures)."""
    given = page["sf__Id"] if "sf__Id" in page.columns else pd.Series([""] * len(page), dtype=object)
    sent = page["Id"] if "Id" in page.columns else pd.Series([""] * len(page), dtype=object)
    ids = [str(a or b).strip() for a, b in zip(given, sent, strict=True)]
    return [normalize_id(i) or i for i in ids]


def query_all(transport: Transport, soql: str, *, expected_rows: int, cancel: CancelToken) -> pd.DataFrame:
    """Every row of ``soql`` through one Bulk 2.0 query job (text columns, header as Salesforce wrote it).

    No count first; the first poll waits as for ``expected_rows``; pages of ``LARGE_PAGE`` rows.
    """
    job = transport.call(lambda sf: transport.bulk2(sf).create_job(Operation.query, query=soql),
                         what="starting a Bulk query", cancel=cancel)
    job_id = str(job["id"])
    info = wait_until_final(transport, job_id, rows=expected_rows, cancel=cancel, query=True)
    if info.get("state") != "JobComplete":
        raise SalesforceError(f"The Salesforce query job ended {info.get('state')}: "
                              f"{info.get('errorMessage') or 'no reason given'}.", code=str(info.get("state")))
    pages: list[pd.DataFrame] = []
    locator = ""
    while True:
        result = transport.call(
            lambda sf, at: transport.bulk2(sf).get_query_results(job_id, at, LARGE_PAGE),
            locator, what="reading Bulk query results", cancel=cancel,
        )
        text = result["records"]
        if text.strip():
            pages.append(read_csv_text(text))
        locator = result["locator"]
        if not locator:
            break
        cancel.raise_if_cancelled()
    return pd.concat(pages, ignore_index=True) if pages else pd.DataFrame()
