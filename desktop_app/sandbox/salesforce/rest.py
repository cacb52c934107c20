"""REST API resources of the sandbox org: versions, resource map, limits, sObject describe and records,
SOQL query/queryAll with ``nextRecordsUrl`` paging, the Tooling query and sObject Collections."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from desktop_app.sandbox.httpserver import Request, Response, Router
from desktop_app.sandbox.salesforce import writes
from desktop_app.sandbox.salesforce.gate import ApiGate, CallContext, error, not_found, versions
from desktop_app.sandbox.salesforce.org import OrgState
from desktop_app.sandbox.salesforce.query_exec import BoundQuery, bind
from desktop_app.sandbox.salesforce.soql import parse
from desktop_app.sandbox.salesforce.table import Table

V = r"/services/data/v(?P<version>\d+\.\d)"
MAX_COLLECTION = 200
MAX_CURSORS = 500


@dataclass
class _Cursor:
    bound: BoundQuery
    rows: list[int]
    batch: int
    endpoint: str  # "query", "queryAll" or "tooling/query"


def batch_size(request: Request, default: int) -> int:
    """The page size asked for with ``Sforce-Query-Options: batchSize=N`` (200..2000)."""
    options = request.header("Sforce-Query-Options") or ""
    for part in options.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(200, min(2000, int(value)))
    return default


class RestApi:
    """The REST resources; every handler runs behind the ``ApiGate``."""

    def __init__(self, org: OrgState, gate: ApiGate):
        self.org = org
        self.gate = gate
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._cursor_lock = threading.Lock()

    def register(self, router: Router) -> None:
        """Add the REST routes (with and without trailing slashes)."""
        g = self.gate.wrap
        router.add("GET", r"/services/data", lambda r: Response.json(versions("")))
        router.add("GET", V, g("resources", self.resources))
        router.add("GET", V + r"/limits", g("limits", self.limits))
        router.add("GET", V + r"/sobjects", g("describe.global", self.global_describe))
        router.add("GET", V + r"/sobjects/(?P<obj>\w+)", g("describe.basic", self.basic_info))
        router.add("GET", V + r"/sobjects/(?P<obj>\w+)/describe", g("describe", self.describe))
        router.add("GET", V + r"/sobjects/(?P<obj>\w+)/(?P<id>[^/]+)", g("sobject.get", self.get_record))
        router.add("PATCH", V + r"/sobjects/(?P<obj>\w+)/(?P<id>[^/]+)", g("sobject.update", self.patch_record))
        router.add("DELETE", V + r"/sobjects/(?P<obj>\w+)/(?P<id>[^/]+)", g("sobject.delete", self.delete_record))
        for endpoint, kind in (
            ("query", "query"),
            ("queryAll", "queryAll"),
            ("tooling/query", "tooling.query"),
        ):
            router.add("GET", V + "/" + endpoint, g(kind, self._query_handler(endpoint)))
            router.add("GET", V + "/" + endpoint + r"/(?P<cursor>\w+)-(?P<start>\d+)", g(kind + ".more", self.more))
        router.add("PATCH", V + r"/composite/sobjects", g("collections.update", self.collections_update))
        router.add("GET", V + r"/composite/sobjects/(?P<obj>\w+)", g("collections.get", self.collections_get))
        router.add("POST", V + r"/composite/sobjects/(?P<obj>\w+)", g("collections.get", self.collections_get))

    # ----- discovery -----
    def resources(self, request: Request, ctx: CallContext) -> Response:
        """The resource map of one API version."""
        names = (
            "tooling",
            "metadata",
            "eclair",
            "folders",
            "tabs",
            "appMenu",
            "quickActions",
            "queryAll",
            "commerce",
            "wave",
            "search",
            "composite",
            "parameterizedSearch",
            "theme",
            "recent",
            "connect",
            "licensing",
            "limits",
            "process",
            "async-queries",
            "query",
            "jobs",
            "sobjects",
            "actions",
            "support",
            "scheduling",
            "analytics",
            "chatter",
        )
        body: dict[str, str] = {name: f"{ctx.base}/{name}" for name in names}
        body["identity"] = self.gate.oauth.identity_url(ctx.user.user_id)
        return Response.json(body)

    def limits(self, request: Request, ctx: CallContext) -> Response:
        """Org limits; DailyApiRequests counts the requests really made."""
        org = self.org
        return Response.json(
            {
                "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
                "DailyApiRequests": {"Max": org.scenario.daily_api_max, "Remaining": org.api_remaining},
                "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000 - org.bulk_batches_used},
                "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
                "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000 - org.bulk_query_jobs_used},
                "DataStorageMB": {"Max": 5120, "Remaining": 5120 - len(org.tables["Account"]) // 500},
                "FileStorageMB": {"Max": 20480, "Remaining": 20480},
                "HourlyTimeBasedWorkflow": {"Max": 1000, "Remaining": 1000},
                "SingleEmail": {"Max": 5000, "Remaining": 5000},
            }
        )

    def _data_table(self, name: str) -> Table | None:
        return self.org.table(name)

    def global_describe(self, request: Request, ctx: CallContext) -> Response:
        """``/sobjects``: every object's summary."""
        return Response.json(
            {
                "encoding": "UTF-8",
                "maxBatchSize": 200,
                "sobjects": [t.obj.summary(ctx.base) for t in self.org.tables.values()],
            }
        )

    def basic_info(self, request: Request, ctx: CallContext) -> Response:
        """``/sobjects/<obj>``: summary plus recent items."""
        table = self._data_table(request.params["obj"])
        if table is None:
            return not_found()
        return Response.json({"objectDescribe": table.obj.summary(ctx.base), "recentItems": []})

    def describe(self, request: Request, ctx: CallContext) -> Response:
        """``/sobjects/<obj>/describe`` in the running user's context (``updateable`` reflects FLS)."""
        table = self._data_table(request.params["obj"])
        if table is None:
            return not_found()
        name = table.obj.name
        fls = (
            {f.name: self.org.field_updateable(ctx.user, name, f.name) for f in table.obj.fields}
            if name in self.org.tables
            else {}
        )
        return Response.json(table.obj.describe(ctx.base, fls))

    # ----- single records -----
    def _locate(self, request: Request) -> tuple[Table, int] | Response:
        table = self._data_table(request.params["obj"])
        if table is None:
            return not_found()
        row = table.row_for(request.params["id"])
        if row is None:
            if len(request.params["id"]) not in (15, 18):
                return error(
                    "NOT_FOUND",
                    "Provided external ID field does not exist or is not accessible: " + request.params["id"],
                    404,
                )
            return not_found()
        if "IsDeleted" in table.columns and table.columns["IsDeleted"][row]:
            return error("ENTITY_IS_DELETED", "entity is deleted", 404)
        return table, row

    def get_record(self, request: Request, ctx: CallContext) -> Response:
        """One record with every field (or those in ``?fields=``)."""
        with self.org.lock:
            found = self._locate(request)
            if isinstance(found, Response):
                return found
            table, row = found
            wanted = [f.strip() for f in (request.arg("fields") or "").split(",") if f.strip()]
            names = []
            for name in wanted or [f.name for f in table.obj.fields]:
                definition = table.obj.field(name)
                if definition is None:
                    return error("INVALID_FIELD", f"No such column '{name}' on sobject of type {table.obj.name}", 400)
                names.append(definition.name)
            record_id = table.columns["Id"][row]
            body: dict[str, Any] = {
                "attributes": {
                    "type": table.obj.name,
                    "url": f"{ctx.base}/sobjects/{table.obj.name}/{record_id}",
                }
            }
            body.update({name: table.columns[name][row] for name in names})
        return Response.json(body)

    def patch_record(self, request: Request, ctx: CallContext) -> Response:
        """Update one record: 204 on success, the record's error otherwise."""
        try:
            values = request.json()
        except ValueError:
            return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
        if not isinstance(values, dict):
            return error("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object", 400)
        with self.org.lock:
            found = self._locate(request)
            if isinstance(found, Response):
                return found
            table, _ = found
            if table.obj.name not in ("Account", "Contact"):
                return error("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", 400)
            prepared = writes.prepare_update(self.org, ctx.user, table.obj.name, request.params["id"], values)
            if isinstance(prepared, writes.RecordError):
                return Response.json([prepared.as_rest_error()], 400)
            writes.apply(self.org, ctx.user, prepared)
        return Response(204)

    def delete_record(self, request: Request, ctx: CallContext) -> Response:
        """Move a record to the recycle bin: 204."""
        with self.org.lock:
            found = self._locate(request)
            if isinstance(found, Response):
                return found
            table, row = found
            if table.obj.name not in ("Account", "Contact"):
                return error("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", 400)
            table.set(row, "IsDeleted", True)
        return Response(204)

    # ----- query -----
    def _query_handler(self, endpoint: str) -> Any:
        def handle(request: Request, ctx: CallContext) -> Response:
            return self.query(request, ctx, endpoint)

        return handle

    def query(self, request: Request, ctx: CallContext, endpoint: str) -> Response:
        """Run a SOQL query; first page plus ``nextRecordsUrl`` while more rows remain."""
        text = request.arg("q") or request.arg("query")
        if not text:
            return error("MALFORMED_QUERY", "A query string has to be specified", 400)
        tooling = endpoint.startswith("tooling")
        with self.org.lock:
            bound = bind(parse(text), lambda name: self.org.table(name, tooling=tooling, user=ctx.user))
            if (request.arg("columns") or "").lower() == "true":
                return Response.json(bound.column_metadata())
            include_deleted = endpoint == "queryAll"
            if bound.query.is_count:
                count = len(bound.matching_rows(include_deleted=include_deleted))
                return Response.json({"totalSize": count, "done": True, "records": []})
            if bound.is_aggregate:
                records = bound.aggregate_records(include_deleted=include_deleted)
                return Response.json({"totalSize": len(records), "done": True, "records": records})
            rows = bound.matching_rows(include_deleted=include_deleted)
            cursor = _Cursor(bound, rows, batch_size(request, self.org.scenario.query_batch_size), endpoint)
            return self._page(cursor, None, 0, ctx)

    def _page(self, cursor: _Cursor, cursor_id: str | None, start: int, ctx: CallContext) -> Response:
        end = min(start + cursor.batch, len(cursor.rows))
        records = [cursor.bound.record(row, ctx.base) for row in cursor.rows[start:end]]
        body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": end >= len(cursor.rows)}
        if end < len(cursor.rows):
            if cursor_id is None:
                cursor_id = "01g" + secrets.token_hex(8)[:15]
                with self._cursor_lock:
                    self._cursors[cursor_id] = cursor
                    while len(self._cursors) > MAX_CURSORS:
                        self._cursors.popitem(last=False)
            body["nextRecordsUrl"] = f"{ctx.base}/{cursor.endpoint}/{cursor_id}-{end}"
        body["records"] = records
        return Response.json(body)

    def more(self, request: Request, ctx: CallContext) -> Response:
        """A further page of an earlier query (``nextRecordsUrl``)."""
        with self._cursor_lock:
            cursor = self._cursors.get(request.params["cursor"])
        if cursor is None:
            return error("INVALID_QUERY_LOCATOR", "invalid query locator", 400)
        with self.org.lock:
            return self._page(cursor, request.params["cursor"], int(request.params["start"]), ctx)

    # ----- sObject Collections -----
    def collections_update(self, request: Request, ctx: CallContext) -> Response:
        """``PATCH /composite/sobjects``: up to 200 updates with ``allOrNone``; one result per record."""
        try:
            body = request.json()
        except ValueError:
            return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list):
            return error("JSON_PARSER_ERROR", "Expected a 'records' array", 400)
        if len(records) > MAX_COLLECTION:
            return error(
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
                400,
            )
        all_or_none = bool(body.get("allOrNone", False))
        with self.org.lock:
            outcomes: list[writes.PreparedWrite | writes.RecordError] = []
            for record in records:
                if not isinstance(record, dict):
                    return error("JSON_PARSER_ERROR", "Each record must be a JSON object", 400)
                object_name = (record.get("attributes") or {}).get("type")
                record_id = next((v for k, v in record.items() if k.lower() == "id"), None)
                table = self.org.tables.get(object_name or "")
                if table is None or object_name not in ("Account", "Contact"):
                    return error("INVALID_TYPE", f"sObject type '{object_name}' is not supported.", 400)
                if not record_id:
                    outcomes.append(writes.RecordError("MISSING_ARGUMENT", "Id not specified in an update call"))
                    continue
                outcomes.append(writes.prepare_update(self.org, ctx.user, object_name, record_id, record))
            failed = any(isinstance(o, writes.RecordError) for o in outcomes)
            results = []
            for outcome in outcomes:
                if isinstance(outcome, writes.RecordError):
                    # Salesforce leaves "id" out of failed entries: clients match results by position.
                    results.append({"success": False, "errors": [outcome.as_json()]})
                elif all_or_none and failed:
                    results.append(
                        {"id": outcome.record_id, "success": False, "errors": [writes.ROLLED_BACK.as_json()]}
                    )
                else:
                    writes.apply(self.org, ctx.user, outcome)
                    results.append({"id": outcome.record_id, "success": True, "errors": []})
        return Response.json(results)

    def collections_get(self, request: Request, ctx: CallContext) -> Response:
        """``GET /composite/sobjects/<obj>?ids=..&fields=..`` (or POST with a JSON body): records in id order,
        null for ids that are not there."""
        if request.method == "POST":
            try:
                body = request.json() or {}
            except ValueError:
                return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
            ids, fields = list(body.get("ids") or []), list(body.get("fields") or [])
        else:
            ids = [i for i in (request.arg("ids") or "").split(",") if i]
            fields = [f for f in (request.arg("fields") or "").split(",") if f]
        if not fields:
            return error("MALFORMED_QUERY", "The fields parameter is required", 400)
        if len(ids) > 2000:
            return error("EXCEEDED_ID_LIMIT", "more than 2000 ids", 400)
        table = self._data_table(request.params["obj"])
        if table is None:
            return not_found()
        query = f"SELECT {', '.join(fields)} FROM {table.obj.name}"
        with self.org.lock:
            bound = bind(parse(query), lambda name: self.org.table(name, user=ctx.user))
            out: list[Any] = []
            for record_id in ids:
                row = table.row_for(record_id)
                if row is None or table.columns["IsDeleted"][row]:
                    out.append(None)
                else:
                    out.append(bound.record(row, ctx.base))
        return Response.json(out)
