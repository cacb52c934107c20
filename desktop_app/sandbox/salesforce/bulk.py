"""Bulk API 2.0 of the sandbox org: ingest jobs (insert/update/upsert) and query jobs.

Jobs follow Salesforce's state machine — Open → UploadComplete → InProgress → JobComplete | Failed, and
Aborted from any unfinished state — and a background worker processes them after a short delay, so
clients really poll. Ingest rows go through the same write rules as the REST API; results come back
as CSV (``successfulResults``, ``failedResults``, ``unprocessedrecords``). Query results are a snapshot
paged with ``maxRecords``/``locator``.
"""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

from desktop_app.sandbox.httpserver import Request, Response, Router
from desktop_app.sandbox.salesforce.bulk_ingest import parse_upload, process_ingest
from desktop_app.sandbox.salesforce.bulk_jobs import (
    DEFAULT_PAGE,
    DELIMITERS,
    FINAL_STATES,
    LINE_ENDINGS,
    Job,
    write_csv,
)
from desktop_app.sandbox.salesforce.gate import ApiGate, CallContext, error, not_found
from desktop_app.sandbox.salesforce.org import OrgState
from desktop_app.sandbox.salesforce.query_exec import bind
from desktop_app.sandbox.salesforce.soql import SoqlError, parse

V = r"/services/data/v(?P<version>\d+\.\d)/jobs"


class BulkApi:
    """Routes and worker of Bulk API 2.0."""

    def __init__(self, org: OrgState, gate: ApiGate):
        self.org = org
        self.gate = gate
        self.jobs: dict[str, Job] = {}
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._worker = threading.Thread(target=self._run, name="sandbox-bulk-worker", daemon=True)

    def start(self) -> None:
        """Start the background worker."""
        self._worker.start()

    def stop(self) -> None:
        """Stop the worker."""
        self._stopped.set()
        self._wake.set()
        if self._worker.is_alive():
            self._worker.join(timeout=10)

    def register(self, router: Router) -> None:
        """Add the ``/jobs`` routes."""
        g = self.gate.wrap
        router.add("POST", V + r"/ingest", g("bulk.ingest.create", self.create_ingest))
        router.add("GET", V + r"/ingest", g("bulk.ingest.list", self.list_jobs("ingest")))
        router.add("PUT", V + r"/ingest/(?P<job>\w+)/batches", g("bulk.ingest.upload", self.upload))
        router.add("GET", V + r"/ingest/(?P<job>\w+)", g("bulk.ingest.get", self.get_job("ingest")))
        router.add("PATCH", V + r"/ingest/(?P<job>\w+)", g("bulk.ingest.state", self.change_state("ingest")))
        router.add("DELETE", V + r"/ingest/(?P<job>\w+)", g("bulk.ingest.delete", self.delete_job("ingest")))
        router.add(
            "GET",
            V + r"/ingest/(?P<job>\w+)/(?P<which>(?i:successfulResults|failedResults|"
            r"unprocessedRecords))",
            g("bulk.ingest.results", self.ingest_results),
        )
        router.add("POST", V + r"/query", g("bulk.query.create", self.create_query))
        router.add("GET", V + r"/query", g("bulk.query.list", self.list_jobs("query")))
        router.add("GET", V + r"/query/(?P<job>\w+)", g("bulk.query.get", self.get_job("query")))
        router.add("PATCH", V + r"/query/(?P<job>\w+)", g("bulk.query.state", self.change_state("query")))
        router.add("DELETE", V + r"/query/(?P<job>\w+)", g("bulk.query.delete", self.delete_job("query")))
        router.add("GET", V + r"/query/(?P<job>\w+)/results", g("bulk.query.results", self.query_results))

    # ----- creating jobs -----
    def _options(self, body: dict[str, Any]) -> tuple[str, str] | Response:
        delimiter = body.get("columnDelimiter") or "COMMA"
        line_ending = body.get("lineEnding") or "LF"
        if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
            return error("INVALIDJOB", "InvalidJob : Invalid columnDelimiter or lineEnding", 400)
        return delimiter, line_ending

    def create_ingest(self, request: Request, ctx: CallContext) -> Response:
        """``POST /jobs/ingest`` → a job in state Open."""
        try:
            body = request.json()
        except ValueError:
            return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
        if not isinstance(body, dict):
            return error("JSON_PARSER_ERROR", "The request body must be a JSON object", 400)
        operation = body.get("operation")
        table = self.org.tables.get(str(body.get("object")))
        if operation not in ("insert", "update", "upsert"):
            return error("INVALIDJOB", f"InvalidJob : Invalid operation: {operation}", 400)
        if table is None or table.obj.name not in ("Account", "Contact"):
            return error("INVALIDJOB", f"InvalidJob : Invalid object: {body.get('object')}", 400)
        if body.get("contentType", "CSV") != "CSV":
            return error("INVALIDJOB", "InvalidJob : Only CSV content is supported", 400)
        options = self._options(body)
        if isinstance(options, Response):
            return options
        external = body.get("externalIdFieldName")
        if operation == "upsert":
            definition = table.obj.field(str(external or ""))
            if not external:
                return error(
                    "INVALIDJOB",
                    f"InvalidJob : External ID was blank for {table.obj.name}. An External "
                    "ID must be specified for upsert.",
                    400,
                )
            if definition is None or not (definition.external_id or definition.type == "id"):
                return error(
                    "INVALIDJOB",
                    f"InvalidJob : Field name provided, {external} does not match an "
                    f"External ID, Salesforce Id, or indexed field for {table.obj.name}",
                    400,
                )
            external = definition.name
        job = Job(
            self.org.new_id("750"),
            "ingest",
            operation,
            table.obj.name,
            ctx.user,
            ctx.version,
            options[0],
            options[1],
            external,
        )
        with self.org.lock:
            self.jobs[job.job_id] = job
        return Response.json(job.info(full=False))

    def create_query(self, request: Request, ctx: CallContext) -> Response:
        """``POST /jobs/query`` → a job in state UploadComplete (the query is checked first)."""
        try:
            body = request.json()
        except ValueError:
            return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
        operation = body.get("operation", "query") if isinstance(body, dict) else None
        if operation not in ("query", "queryAll") or not body.get("query"):
            return error("INVALIDJOB", "InvalidJob : a query and the operation query or queryAll are required", 400)
        options = self._options(body)
        if isinstance(options, Response):
            return options
        with self.org.lock:
            bound = bind(parse(body["query"]), lambda name: self.org.table(name, user=ctx.user))
            if bound.is_aggregate:
                return error("INVALIDJOB", "InvalidJob : Aggregate queries are not supported by Bulk API 2.0", 400)
            if any(path.field.type == "address" for path in bound.paths):
                return error(
                    "INVALIDJOB",
                    "InvalidJob : compound address fields are not supported by Bulk API 2.0; query their components",
                    400,
                )
            if bound.query.offset is not None:  # as the Bulk API 2.0 guide lists: no OFFSET in query jobs
                return error("INVALIDJOB", "InvalidJob : OFFSET is not supported by Bulk API 2.0 query jobs", 400)
            if self.org.bulk_query_jobs_used >= 10000:
                return error("REQUEST_LIMIT_EXCEEDED", "Max bulk v2 query jobs per 24 hrs exceeded", 403)
            self.org.bulk_query_jobs_used += 1
            job = Job(
                self.org.new_id("750"),
                "query",
                operation,
                bound.table.obj.name,
                ctx.user,
                ctx.version,
                options[0],
                options[1],
                query=body["query"],
                state="UploadComplete",
                ready_at=time.monotonic() + self.org.scenario.bulk_processing_seconds,
            )
            self.jobs[job.job_id] = job
        self._wake.set()
        return Response.json(job.info(full=False))

    # ----- job lifecycle -----
    def _job(self, request: Request, kind: str) -> Job | None:
        job = self.jobs.get(request.params["job"])
        return job if job is not None and job.kind == kind else None

    def get_job(self, kind: str) -> Any:
        def handle(request: Request, ctx: CallContext) -> Response:
            job = self._job(request, kind)
            return not_found() if job is None else Response.json(job.info(full=True))

        return handle

    def list_jobs(self, kind: str) -> Any:
        def handle(request: Request, ctx: CallContext) -> Response:
            records = [j.info(full=False) for j in self.jobs.values() if j.kind == kind]
            return Response.json({"done": True, "records": records, "nextRecordsUrl": None})

        return handle

    def upload(self, request: Request, ctx: CallContext) -> Response:
        """``PUT .../batches``: the job's one CSV upload → 201."""
        with self.org.lock:
            job = self._job(request, "ingest")
            if job is None:
                return not_found()
            if job.state != "Open" or job.data is not None:
                return error(
                    "INVALIDJOBSTATE",
                    "Job's state does not allow uploading data; only one upload per job is allowed",
                    409,
                )
            job.data = request.body
        return Response(201)

    def change_state(self, kind: str) -> Any:
        def handle(request: Request, ctx: CallContext) -> Response:
            try:
                wanted = (request.json() or {}).get("state")
            except (ValueError, AttributeError):
                return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
            with self.org.lock:
                job = self._job(request, kind)
                if job is None:
                    return not_found()
                if wanted == "Aborted" and job.state not in FINAL_STATES:
                    job.touch("Aborted")
                elif wanted == "UploadComplete" and kind == "ingest" and job.state == "Open":
                    job.touch("UploadComplete")
                    job.ready_at = time.monotonic() + self._processing_seconds(job) / 2
                    self._wake.set()
                else:
                    return error(
                        "INVALIDJOBSTATE",
                        f"Cannot change the state of a job from {job.state} to {wanted}",
                        409 if wanted in ("Aborted", "UploadComplete") else 400,
                    )
                return Response.json(job.info(full=False))

        return handle

    def delete_job(self, kind: str) -> Any:
        def handle(request: Request, ctx: CallContext) -> Response:
            with self.org.lock:
                job = self._job(request, kind)
                if job is None:
                    return not_found()
                if job.state not in (*FINAL_STATES, "UploadComplete") or (
                    job.state == "UploadComplete" and kind == "ingest"
                ):
                    return error("INVALIDJOBSTATE", "Only finished jobs can be deleted", 409)
                del self.jobs[job.job_id]
            return Response(204)

        return handle

    # ----- results -----
    def ingest_results(self, request: Request, ctx: CallContext) -> Response:
        """Successful, failed or unprocessed records of an ingest job as CSV."""
        with self.org.lock:
            job = self._job(request, "ingest")
            if job is None:
                return not_found()
            which = request.params["which"].lower()
            if which == "successfulresults":
                text = write_csv(job, ["sf__Id", "sf__Created", *job.header], job.successes)
            elif which == "failedresults":
                text = write_csv(job, ["sf__Id", "sf__Error", *job.header], job.failures)
            elif job.state == "Aborted" and job.processed == 0:
                header, rows = parse_upload(job)
                text = write_csv(job, header, rows)
            else:
                text = write_csv(job, job.header, job.unprocessed)
        return Response.text(text, content_type="text/csv")

    def query_results(self, request: Request, ctx: CallContext) -> Response:
        """A page of a finished query job: CSV plus ``Sforce-NumberOfRecords`` and ``Sforce-Locator``."""
        job = self._job(request, "query")
        if job is None:
            return not_found()
        if job.state != "JobComplete":
            return error("INVALIDJOBSTATE", f"Results are not available while the job is {job.state}", 409)
        try:
            size = int(request.arg("maxRecords") or DEFAULT_PAGE)
            locator = request.arg("locator") or ""
            start = int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode()) if locator else 0
        except ValueError:
            return error("INVALID_LOCATOR", "the locator or maxRecords value is not valid", 400)
        size = max(1, size)
        page = job.result_rows[start : start + size]
        end = start + len(page)
        next_locator = (
            base64.b64encode(str(end).encode()).decode().rstrip("=") if end < len(job.result_rows) else "null"
        )
        text = write_csv(job, job.header, page)
        return Response.text(
            text,
            content_type="text/csv",
            headers={"Sforce-NumberOfRecords": str(len(page)), "Sforce-Locator": next_locator},
        )

    # ----- the worker -----
    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(0.05)
            self._wake.clear()
            now = time.monotonic()
            with self.org.lock:
                jobs = list(self.jobs.values())
            for job in jobs:
                if self._stopped.is_set():
                    return
                self._advance(job, now)

    def _advance(self, job: Job, now: float) -> None:
        with self.org.lock:
            if job.state == "UploadComplete" and now >= job.ready_at:
                job.touch("InProgress")
                job.started_at = now
                return
            if job.state != "InProgress" or now < job.started_at + self._processing_seconds(job) / 2:
                return
            started = time.monotonic()
            try:
                if job.kind == "ingest":
                    self._finish_ingest(job)
                else:
                    self._finish_query(job)
            except SoqlError as problem:
                job.error_message = f"{problem.code}: {problem.detail}"
                job.touch("Failed")
            job.processing_ms = int((time.monotonic() - started) * 1000)

    def _processing_seconds(self, job: Job) -> float:
        scenario = self.org.scenario
        if job.kind == "ingest" and scenario.bulk_ingest_seconds is not None:
            return scenario.bulk_ingest_seconds
        return scenario.bulk_processing_seconds

    def _finish_ingest(self, job: Job) -> None:
        outcome = process_ingest(self.org, job)
        if outcome is not None:
            job.error_message = outcome
            job.touch("Failed")
            return
        self.org.bulk_batches_used += max(1, -(-job.processed // 10000))
        job.touch("JobComplete")

    def _finish_query(self, job: Job) -> None:
        bound = bind(parse(job.query), lambda name: self.org.table(name, user=job.user))
        rows = bound.matching_rows(include_deleted=job.operation == "queryAll")
        job.header = bound.csv_header()
        job.result_rows = bound.csv_rows(rows)
        job.processed = len(rows)
        job.touch("JobComplete")
