"""Bulk API 2.0 query and update jobs, driven by our own cancellable polling loop.

simple-salesforce's bulk2 helper sleeps in a loop that cannot be interrupted; here every wait is a
``cancel.wait()``, and a cancelled job is aborted at Salesforce before ``Cancelled`` is raised.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from desktop_app.core.csv_out import csv_record
from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.salesforce.errors import BulkJobFailed, SalesforceError
from desktop_app.salesforce.transport import Transport

QUERY_PAGE_SIZE = 100_000
MAX_UPLOAD_BYTES = 90 * 1024 * 1024  # under the 100 MB raw limit per job upload
NULL_MARKER = "#N/A"  # Bulk 2.0: an empty cell leaves the field unchanged, #N/A clears it
_FINAL_STATES = frozenset({"JobComplete", "Failed", "Aborted"})
RESULT_COLUMNS = ["Id", "success", "error_code", "message"]


def read_csv_text(text: str) -> pd.DataFrame:
    """A CSV page as a frame of text (``""`` for empty cells; ids never become numbers)."""
    return pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False, na_filter=False)


def _poll_until_done(
    transport: Transport,
    job_url: str,
    *,
    cancel: CancelToken,
    what: str,
    progress: ProgressCallback,
    total: int,
) -> dict[str, Any]:
    delay = 0.05
    while True:
        job: dict[str, Any] = transport.json("GET", job_url, cancel=cancel)
        state = job.get("state", "")
        processed = int(job.get("numberRecordsProcessed") or 0)
        progress(Progress(min(processed, total), total, f"{what}: Salesforce is working ({state})"))
        if state in _FINAL_STATES:
            if state != "JobComplete":
                raise BulkJobFailed(
                    f"The Salesforce bulk job for {what} ended {state}: "
                    f"{job.get('errorMessage') or 'no reason given'}.",
                    code=state,
                )
            return job
        if cancel.wait(delay):
            _abort(transport, job_url)
            raise Cancelled("cancelled by the user")
        delay = min(2.0, delay * 1.6)


def _abort(transport: Transport, job_url: str) -> None:
    # The job may have finished meanwhile; then there is nothing more to stop.
    with contextlib.suppress(SalesforceError):
        transport.request("PATCH", job_url, json={"state": "Aborted"})


def bulk_query_pages(
    transport: Transport,
    soql: str,
    *,
    total: int,
    cancel: CancelToken,
    progress: ProgressCallback = ignore_progress,
) -> Iterator[pd.DataFrame]:
    """Run ``soql`` as a Bulk 2.0 query job and yield its result pages as text frames."""
    job = transport.json(
        "POST",
        "jobs/query",
        cancel=cancel,
        json={"operation": "query", "query": soql, "columnDelimiter": "COMMA", "lineEnding": "LF"},
    )
    job_url = f"jobs/query/{job['id']}"
    _poll_until_done(transport, job_url, cancel=cancel, what="reading", progress=progress, total=total)
    locator: str | None = None
    done = 0
    while True:
        cancel.raise_if_cancelled()
        params: dict[str, str | int] = {"maxRecords": QUERY_PAGE_SIZE}
        if locator:
            params["locator"] = locator
        response = transport.request(
            "GET", f"{job_url}/results", params=params, cancel=cancel, headers={"Accept": "text/csv"}
        )
        response.encoding = "utf-8"
        page = read_csv_text(response.text) if response.text.strip() else pd.DataFrame()
        done += len(page)
        progress(Progress(done, max(total, done), f"Read {done:,} of {total:,} records"))
        yield page
        locator = response.headers.get("Sforce-Locator")
        if not locator or locator == "null":
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
        job = transport.json(
            "POST",
            "jobs/ingest",
            cancel=cancel,
            json={
                "object": sobject,
                "operation": "update",
                "contentType": "CSV",
                "columnDelimiter": "COMMA",
                "lineEnding": "LF",
            },
        )
        job_url = f"jobs/ingest/{job['id']}"
        try:
            transport.request(
                "PUT",
                f"{job_url}/batches",
                data=text.encode("utf-8"),
                cancel=cancel,
                headers={"Content-Type": "text/csv"},
            )
            transport.request("PATCH", job_url, json={"state": "UploadComplete"}, cancel=cancel)

            def shifted(p: Progress, base: int = written) -> None:
                progress(Progress(base + p.done, total, p.message))

            _poll_until_done(
                transport,
                job_url,
                cancel=cancel,
                what="writing",
                progress=shifted,
                total=text.count("\n") - 1,
            )
        except SalesforceError:
            _abort(transport, job_url)
            raise
        parts.append(_job_results(transport, job_url, field, cancel))
        written += text.count("\n") - 1
        progress(Progress(written, total, f"Wrote {written:,} of {total:,} records"))
    results = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RESULT_COLUMNS)
    return _align(values, results)


def _job_results(transport: Transport, job_url: str, field: str, cancel: CancelToken) -> pd.DataFrame:
    frames = []
    for name in ("successfulResults", "failedResults", "unprocessedrecords"):
        response = transport.request("GET", f"{job_url}/{name}", cancel=cancel, headers={"Accept": "text/csv"})
        response.encoding = "utf-8"
        page = read_csv_text(response.text) if response.text.strip() else pd.DataFrame(columns=["Id"])
        ids = page["Id"] if "Id" in page.columns else page.get("sf__Id", pd.Series(dtype=object))
        if name == "successfulResults":
            codes, messages = [""] * len(page), [""] * len(page)
        elif name == "failedResults":
            pairs = [parse_bulk_error(t) for t in page.get("sf__Error", pd.Series([""] * len(page)))]
            codes, messages = [c for c, _ in pairs], [m for _, m in pairs]
        else:
            codes = ["UNPROCESSED"] * len(page)
            messages = ["Salesforce did not process this record (the job stopped early)."] * len(page)
        frames.append(
            pd.DataFrame(
                {
                    "Id": list(ids),
                    "success": name == "successfulResults",
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
