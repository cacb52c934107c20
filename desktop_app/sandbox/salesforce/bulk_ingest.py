"""Processing of one Bulk API 2.0 ingest upload: CSV checks (line endings, header), then every row through
the org's write rules. Empty cells leave a field unchanged; ``#N/A`` sets it to null."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from desktop_app.sandbox.salesforce import writes

if TYPE_CHECKING:
    from desktop_app.sandbox.salesforce.bulk_jobs import Job
    from desktop_app.sandbox.salesforce.org import OrgState
    from desktop_app.sandbox.salesforce.table import Table

NULL_MARKER = "#N/A"
INTERNAL_BATCH = 10_000  # records per internal batch; Salesforce runs a job's internal batches in parallel


def _line_ending_problem(data: bytes, line_ending: str) -> str | None:
    crlf = data.count(b"\r\n")
    bare_lf = data.count(b"\n") - crlf
    if (line_ending == "LF" and crlf) or (line_ending == "CRLF" and bare_lf):
        return f"ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is {line_ending}"
    return None


def parse_upload(job: Job) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a job's uploaded CSV (both empty when nothing was uploaded)."""
    from desktop_app.sandbox.salesforce.bulk_jobs import DELIMITERS

    text = (job.data or b"").decode("utf-8-sig", errors="replace")
    rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[job.column_delimiter]) if row]
    return (rows[0], rows[1:]) if rows else ([], [])


def process_ingest(org: OrgState, job: Job) -> str | None:
    """Apply ``job``'s upload to the org and fill its result lists; the job's error message when the whole
    job fails (bad CSV, unknown columns), else None. The caller holds ``org.lock``."""
    data = job.data or b""
    if not data.strip():
        return "InvalidBatch : No data uploaded for the job"
    problem = _line_ending_problem(data, job.line_ending)
    if problem:
        return problem
    header, body = parse_upload(job)
    table = org.tables[job.object_name]
    canonical: list[str] = []
    for name in header:
        definition = table.obj.field(name.strip())
        if definition is None:
            return f"InvalidBatch : Field name not found : {name}"
        canonical.append(definition.name)
    job.header = header
    key = "Id" if job.operation == "update" else job.external_id_field
    if key is not None and key not in canonical:
        return f"InvalidBatch : The {key} field is required for {job.operation}"
    index = _KeyIndex(table, key) if job.operation == "upsert" and key not in (None, "Id") else None
    contended = _parent_contention(org, table, canonical, body) if org.scenario.bulk_parent_locks else set()
    for position, row in enumerate(body):
        if job.state == "Aborted":
            job.unprocessed.append(row)
            continue
        if position in contended:
            job.processed += 1
            record_id = row[canonical.index("Id")]
            _fail(job, row, record_id, writes.RecordError(
                "UNABLE_TO_LOCK_ROW", f"unable to obtain exclusive access to this record or 1 records: {record_id}"))
            continue
        _process_row(org, job, canonical, row, index)
    return None


def _parent_contention(org: OrgState, table: Table, canonical: list[str], body: list[list[str]]) -> set[int]:
    """Positions of rows whose parent record an earlier internal batch of the same job holds (the
    internal batches run at once; the first to touch a parent keeps its lock until it finishes)."""
    if "Id" not in canonical or "ParentId" not in table.columns:
        return set()
    column = canonical.index("Id")
    holder: dict[str, int] = {}
    contended: set[int] = set()
    for position, row in enumerate(body):
        found = table.row_for(row[column].strip()) if len(row) > column else None
        parent = table.columns["ParentId"][found] if found is not None else None
        if not parent:
            continue
        internal_batch = position // INTERNAL_BATCH
        if holder.setdefault(str(parent), internal_batch) != internal_batch:
            contended.add(position)
    return contended


class _KeyIndex:
    """External-id value → rows of live records, built once per upsert job (not one scan per row)."""

    def __init__(self, table: Table, field_name: str):
        self.table = table
        self.field_name = field_name
        self.rows: dict[Any, list[int]] = {}
        deleted = table.columns["IsDeleted"]
        for row, held in enumerate(table.columns[field_name]):
            if held is not None and not deleted[row]:
                self.rows.setdefault(held, []).append(row)

    def add_last_row(self) -> None:
        """Index the record just appended to the table."""
        row = len(self.table) - 1
        held = self.table.columns[self.field_name][row]
        if held is not None:
            self.rows.setdefault(held, []).append(row)


def _process_row(org: OrgState, job: Job, canonical: list[str], row: list[str], index: _KeyIndex | None) -> None:
    job.processed += 1
    if len(row) != len(canonical):
        _fail(
            job,
            row,
            "",
            writes.RecordError("INVALID_FIELD", f"row has {len(row)} columns, the header has {len(canonical)}"),
        )
        return
    values: dict[str, Any] = {}
    for name, cell in zip(canonical, row, strict=True):
        if cell == "":
            continue
        values[name] = None if cell == NULL_MARKER else cell
    record_id = next((cell for name, cell in zip(canonical, row, strict=True) if name == "Id"), "")
    created = False
    if job.operation == "update" and not record_id:
        outcome: Any = writes.RecordError("MISSING_ARGUMENT", "Id not specified in an update call")
    elif job.operation == "update":
        outcome = writes.prepare_update(org, job.user, job.object_name, record_id, values, from_csv=True)
    elif job.operation == "insert":
        outcome = writes.prepare_insert(org, job.user, job.object_name, values, from_csv=True)
        created = True
    else:
        outcome, created = _upsert(org, job, values, record_id, index)
    if isinstance(outcome, writes.RecordError):
        _fail(job, row, record_id, outcome)
        return
    writes.apply(org, job.user, outcome)
    if created and index is not None:
        index.add_last_row()
    job.successes.append([outcome.record_id, "true" if created else "false", *row])


def _upsert(
    org: OrgState, job: Job, values: dict[str, Any], record_id: str, index: _KeyIndex | None
) -> tuple[Any, bool]:
    key = job.external_id_field or "Id"
    if key == "Id":
        if record_id:
            return writes.prepare_update(org, job.user, job.object_name, record_id, values, from_csv=True), False
        return writes.prepare_insert(org, job.user, job.object_name, values, from_csv=True), True
    table = org.tables[job.object_name]
    definition = table.obj.field(key)
    assert definition is not None
    assert index is not None
    raw = values.get(key)
    if raw is None:
        return writes.RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{key}]", (key,)), False
    wanted = writes.convert_value(definition, raw, from_csv=True)
    if isinstance(wanted, writes.RecordError):
        return wanted, False
    matches = index.rows.get(wanted, [])
    if len(matches) > 1:
        ids = ", ".join(table.columns["Id"][row] for row in matches)
        return writes.RecordError(
            "DUPLICATE_EXTERNAL_ID",
            f"{key}: more than one record found for external id field: [{ids}]",
            (key,),
        ), False
    if matches:
        found_id = table.columns["Id"][matches[0]]
        return writes.prepare_update(org, job.user, job.object_name, found_id, values, from_csv=True), False
    return writes.prepare_insert(org, job.user, job.object_name, values, from_csv=True), True


def _fail(job: Job, row: list[str], record_id: str, problem: writes.RecordError) -> None:
    job.failed += 1
    job.failures.append([record_id, problem.as_bulk_text(), *row])
