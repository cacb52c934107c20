"""A Bulk API 2.0 job (ingest or query) as the sandbox keeps it, its JSON form, and CSV writing in the
job's delimiter and line ending."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app.sandbox.salesforce.org import DemoUser, now_text

DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
FINAL_STATES = ("JobComplete", "Failed", "Aborted")
DEFAULT_PAGE = 100_000
# Rows per ``writerows`` call. One call is a single C loop that holds the GIL until it is done — a
# 100,000-row query page took 0.3-0.6 s, during which no other thread of the process (in demo mode,
# the app's UI thread) ran. Between chunks the interpreter can hand the GIL over; 1,000 rows take ~4 ms.
CSV_CHUNK_ROWS = 1_000


@dataclass
class Job:
    """One Bulk API 2.0 job (ingest or query)."""

    job_id: str
    kind: str  # "ingest" or "query"
    operation: str
    object_name: str
    user: DemoUser
    api_version: str
    column_delimiter: str = "COMMA"
    line_ending: str = "LF"
    external_id_field: str | None = None
    query: str = ""
    state: str = "Open"
    created: str = field(default_factory=now_text)
    modstamp: str = field(default_factory=now_text)
    data: bytes | None = None
    ready_at: float = 0.0
    started_at: float = 0.0
    processing_ms: int = 0
    error_message: str | None = None
    processed: int = 0
    failed: int = 0
    header: list[str] = field(default_factory=list)
    successes: list[list[str]] = field(default_factory=list)
    failures: list[list[str]] = field(default_factory=list)
    unprocessed: list[list[str]] = field(default_factory=list)
    result_rows: list[tuple[str, ...]] = field(default_factory=list)

    def info(self, *, full: bool) -> dict[str, Any]:
        """The job JSON (``full`` adds the counters GET returns)."""
        body: dict[str, Any] = {
            "id": self.job_id,
            "operation": self.operation,
            "object": self.object_name,
            "createdById": self.user.user_id,
            "createdDate": self.created,
            "systemModstamp": self.modstamp,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "lineEnding": self.line_ending,
            "columnDelimiter": self.column_delimiter,
        }
        if self.kind == "ingest":
            body["externalIdFieldName"] = self.external_id_field
            body["contentUrl"] = f"services/data/v{self.api_version}/jobs/ingest/{self.job_id}/batches"
        if full:
            body.update(
                {
                    "jobType": "V2Ingest" if self.kind == "ingest" else "V2Query",
                    "retries": 0,
                    "numberRecordsProcessed": self.processed,
                    "totalProcessingTime": self.processing_ms,
                }
            )
            if self.kind == "ingest":
                body.update(
                    {
                        "numberRecordsFailed": self.failed,
                        "apiActiveProcessingTime": self.processing_ms,
                        "apexProcessingTime": 0,
                    }
                )
            if self.error_message:
                body["errorMessage"] = self.error_message
        return body

    def touch(self, state: str) -> None:
        """Move to ``state``."""
        self.state = state
        self.modstamp = now_text()


def write_csv(job: Job, header: list[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows as CSV in the job's delimiter and line ending, every cell quoted."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=DELIMITERS[job.column_delimiter],
        quoting=csv.QUOTE_ALL,
        lineterminator=LINE_ENDINGS[job.line_ending],
    )
    writer.writerow(header)
    for start in range(0, len(rows), CSV_CHUNK_ROWS):
        writer.writerows(rows[start : start + CSV_CHUNK_ROWS])
    return buffer.getvalue()
