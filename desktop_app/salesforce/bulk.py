"""Bulk API 2.0 query and update jobs: simple-salesforce's job calls (create, upload, close, state,
results, abort), driven by our own cancellable polling loop.

simple-salesforce's ``wait_for_job`` sleeps in a loop that cannot be interrupted; here every wait is a
``cancel.wait()``, and a cancelled job is aborted at Salesforce before ``Cancelled`` is raised.

What is safe to send again when an answer is lost: creating a job (an empty job writes nothing), an
upload after its job was aborted (an aborted job never processes its data), and the close of a job
that still reads ``Open``. Anything else raises ``WriteOutcomeUnknown``.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
from simple_salesforce.bulk2 import Operation, ResultsType

from desktop_app.core.csv_out import csv_record
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.salesforce.errors import BulkJobFailed, SalesforceError, WriteOutcomeUnknown
from desktop_app.salesforce.transport import Transport

QUERY_PAGE_SIZE = 100_000
MAX_UPLOAD_BYTES = 90 * 1024 * 1024  # under the 100 MB raw limit per job upload
NULL_MARKER = "#N/A"  # Bulk 2.0: an empty cell leaves the field unchanged, #N/A clears it
FINAL_STATES = frozenset({"JobComplete", "Failed", "Aborted"})
RESULT_COLUMNS = ["Id", "success", "error_code", "message"]


def read_csv_text(text: str) -> pd.DataFrame:
    """A CSV page as a frame of text (``""`` for empty cells; ids never become numbers)."""
    return pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False, na_filter=False)


def _job_state(transport: Transport, job_id: str, *, query: bool, cancel: CancelToken) -> dict[str, Any]:
    job: dict[str, Any] = transport.call(
        lambda sf: transport.bulk2(sf).get_job(job_id, query), what="reading a Bulk job's state", cancel=cancel
    )
    return job


def _poll_until_done(
    transport: Transport,
    job_id: str,
    *,
    query: bool,
    cancel: CancelToken,
    what: str,
    progress: ProgressCallback,
    total: int,
) -> dict[str, Any]:
    delay = 0.05
    while True:
        job = _job_state(transport, job_id, query=query, cancel=cancel)
        state = job.get("state", "")
        processed = int(job.get("numberRecordsProcessed") or 0)
        progress(Progress(min(processed, total), total, f"{what}: Salesforce is working ({state})"))
        if state in FINAL_STATES:
            if state != "JobComplete":
                raise BulkJobFailed(
                    f"The Salesforce bulk job for {what} ended {state}: "
                    f"{job.get('errorMessage') or 'no reason given'}.",
                    code=state,
                )
            return job
        if cancel.wait(delay):
            _abort(transport, job_id, query=query)
            raise Cancelled("cancelled by the user")
        delay = min(2.0, delay * 1.6)


def _abort(transport: Transport, job_id: str, *, query: bool) -> None:
    # The job may have finished meanwhile; then there is nothing more to stop.
    with contextlib.suppress(SalesforceError):
        transport.call(lambda sf: transport.bulk2(sf).abort_job(job_id, query), what="aborting a Bulk job")


def bulk_query_pages(
    transport: Transport,
    soql: str,
    *,
    total: int,
    cancel: CancelToken,
    progress: ProgressCallback = ignore_progress,
) -> Iterator[pd.DataFrame]:
    """Run ``soql`` as a Bulk 2.0 query job and yield its result pages as text frames."""
    job = transport.call(
        lambda sf: transport.bulk2(sf).create_job(Operation.query, query=soql),
        what="starting a Bulk query",
        cancel=cancel,
    )
    job_id = str(job["id"])
    _poll_until_done(transport, job_id, query=True, cancel=cancel, what="reading", progress=progress, total=total)
    locator = ""
    done = 0
    while True:
        cancel.raise_if_cancelled()
        result = transport.call(
            lambda sf, at: transport.bulk2(sf).get_query_results(job_id, at, QUERY_PAGE_SIZE),
            locator,
            what="reading Bulk query results",
            cancel=cancel,
        )
        text = result["records"]
        page = read_csv_text(text) if text.strip() else pd.DataFrame()
        done += len(page)
        progress(Progress(done, max(total, done), f"Read {done:,} of {total:,} records"))
        yield page
        locator = result["locator"]
        if not locator:
            return


def _ingest_csv(values: pd.DataFrame, field: str) -> str:
    # The job declares LF record ends; csv_record still quotes a CR or LF inside a value.
    lines = [csv_record(["Id", field])]
    lines += [
        csv_record([str(record_id), str(value) if value != "" else NULL_MARKER])
        for record_id, value in zip(values["Id"], values["value"], strict=True)
    ]
    return "".join(lines)


def _split_for_upload(values: pd.DataFrame, field: str) -> Iterator[str]:
    rows_per_job = max(1, len(values))
    while True:
        texts = [_ingest_csv(values.iloc[i : i + rows_per_job], field) for i in range(0, len(values), rows_per_job)]
        if all(len(t.encode("utf-8")) <= MAX_UPLOAD_BYTES for t in texts):
            yield from texts
            return
        rows_per_job = max(1, rows_per_job // 2)


_FAILED_ERROR = re.compile(r"^(?P<code>[A-Z_]+):(?P<message>.*?)(?::(?P<fields>[A-Za-z0-9_,\s]*))?\s*--\s*$", re.S)


def parse_bulk_error(text: str) -> tuple[str, str]:
    """(code, message) from a Bulk 2.0 ``sf__Error`` cell such as ``CODE:message:fields --``."""
    match = _FAILED_ERROR.match(text.strip())
    if match:
        return match["code"], match["message"].strip()
    code, _, message = text.partition(":")
    return (code, message.strip()) if code.isupper() else ("UNKNOWN", text.strip())


def bulk_update(
    transport: Transport,
    values: pd.DataFrame,
    field: str,
    *,
    sobject: str,
    cancel: CancelToken,
    progress: ProgressCallback = ignore_progress,
) -> pd.DataFrame:
    """Write ``values`` (columns Id, value) into ``field`` with Bulk 2.0 update jobs.

    Returns one row per input Id (``RESULT_COLUMNS``); rows Salesforce did not process carry
    ``UNPROCESSED``. Result order follows ``values``.
    """
    parts: list[pd.DataFrame] = []
    total = len(values)
    written = 0
    for text in _split_for_upload(values, field):
        cancel.raise_if_cancelled()
        rows = text.count("\n") - 1
        job_id = _uploaded_job(transport, sobject, text, cancel)
        try:
            _close(transport, job_id, cancel)

            def shifted(p: Progress, base: int = written) -> None:
                progress(Progress(base + p.done, total, p.message))

            _poll_until_done(
                transport, job_id, query=False, cancel=cancel, what="writing", progress=shifted, total=rows
            )
        except WriteOutcomeUnknown:
            raise
        except SalesforceError:
            _abort(transport, job_id, query=False)
            raise
        parts.append(_job_results(transport, job_id, cancel))
        written += rows
        progress(Progress(written, total, f"Wrote {written:,} of {total:,} records"))
    results = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RESULT_COLUMNS)
    return _align(values, results)


def _uploaded_job(transport: Transport, sobject: str, text: str, cancel: CancelToken) -> str:
    """A new Open job holding ``text``. When an upload's answer is lost the job is aborted (so its data
    is never processed) and a new job gets the upload; ``WriteOutcomeUnknown`` if the abort fails too."""
    for attempt in range(1, transport.retry.attempts + 1):
        job = transport.call(
            lambda sf: transport.bulk2(sf, sobject).create_job(Operation.update),
            what=f"starting a Bulk update of {sobject} records",
            cancel=cancel,
        )
        job_id = str(job["id"])
        try:
            transport.call(
                lambda sf, job: transport.bulk2(sf, sobject).upload_job_data(job, text),
                job_id,
                what=f"uploading {sobject} records to a Bulk job",
                write=True,
                cancel=cancel,
            )
            return job_id
        except WriteOutcomeUnknown:
            try:
                transport.call(
                    lambda sf, job: transport.bulk2(sf).abort_job(job, False),
                    job_id,
                    what="aborting a Bulk job whose upload was not answered",
                    cancel=cancel,
                )
            except SalesforceError:
                raise WriteOutcomeUnknown(
                    f"The upload to Bulk job {job_id} was not answered and the job could not be aborted; "
                    "re-read the records to see whether they were written."
                ) from None
            if attempt == transport.retry.attempts:
                raise
        except SalesforceError:
            _abort(transport, job_id, query=False)
            raise
    raise AssertionError("unreachable")


def _close(transport: Transport, job_id: str, cancel: CancelToken) -> None:
    """Mark the upload complete. A lost answer is resolved by reading the job: still Open means the
    close did not arrive, so it is sent again; any later state means it did."""
    for _attempt in range(transport.retry.attempts):
        try:
            transport.call(
                lambda sf: transport.bulk2(sf).close_job(job_id),
                what="starting a Bulk job",
                write=True,
                cancel=cancel,
            )
            return
        except WriteOutcomeUnknown:
            if _job_state(transport, job_id, query=False, cancel=cancel).get("state") != "Open":
                return
    raise WriteOutcomeUnknown(f"Bulk job {job_id} could not be started; re-read the records before trying again.")


def _job_results(transport: Transport, job_id: str, cancel: CancelToken) -> pd.DataFrame:
    frames = []
    for kind in (ResultsType.successful, ResultsType.failed, ResultsType.unprocessed):
        text: str = transport.call(
            lambda sf, name: transport.bulk2(sf).get_ingest_results(job_id, name),
            kind.value,
            what="reading a Bulk job's results",
            cancel=cancel,
        )
        page = read_csv_text(text) if text.strip() else pd.DataFrame(columns=["Id"])
        ids = page["Id"] if "Id" in page.columns else page.get("sf__Id", pd.Series(dtype=object))
        if kind is ResultsType.successful:
            codes, messages = [""] * len(page), [""] * len(page)
        elif kind is ResultsType.failed:
            pairs = [parse_bulk_error(t) for t in page.get("sf__Error", pd.Series([""] * len(page)))]
            codes, messages = [c for c, _ in pairs], [m for _, m in pairs]
        else:
            codes = ["UNPROCESSED"] * len(page)
            messages = ["Salesforce did not process this record (the job stopped early)."] * len(page)
        frames.append(
            pd.DataFrame(
                {
                    "Id": list(ids),
                    "success": kind is ResultsType.successful,
                    "error_code": codes,
                    "message": messages,
                },
                columns=RESULT_COLUMNS,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _align(values: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """One result row per input Id in input order; an Id with no result at all is reported missing."""
    by_id = results.drop_duplicates("Id", keep="last").set_index("Id")
    out = pd.DataFrame({"Id": values["Id"].astype(object).to_numpy()})
    joined = out.join(by_id, on="Id")
    missing = joined["success"].isna()
    joined.loc[missing, "success"] = False
    joined.loc[missing, "error_code"] = "NO_RESULT"
    joined.loc[missing, "message"] = "Salesforce returned no result for this record."
    joined["success"] = joined["success"].astype(bool)
    return joined[RESULT_COLUMNS].reset_index(drop=True)
