"""Records addressed by an external id: ``GET``/``PATCH /sobjects/<obj>/<field>/<value>`` (read, upsert).

An upsert updates the one record holding the value (200, ``created: false``), creates one when none does
(201, ``created: true``) and answers 300 with the candidates' URLs when several do.
"""

from __future__ import annotations

from typing import Any

from desktop_app.sandbox.httpserver import Request, Response, Router
from desktop_app.sandbox.salesforce import writes
from desktop_app.sandbox.salesforce.gate import ApiGate, CallContext, error, not_found
from desktop_app.sandbox.salesforce.org import OrgState
from desktop_app.sandbox.salesforce.schema import FieldDef
from desktop_app.sandbox.salesforce.table import Table

V = r"/services/data/v(?P<version>\d+\.\d)"
ROUTE = V + r"/sobjects/(?P<obj>\w+)/(?P<field>\w+)/(?P<value>[^/]+)"


class ExternalIdApi:
    """External-id reads and upserts on Account and Contact."""

    def __init__(self, org: OrgState, gate: ApiGate):
        self.org = org
        self.gate = gate

    def register(self, router: Router) -> None:
        """Add the external-id routes."""
        router.add("GET", ROUTE, self.gate.wrap("sobject.get_by_external_id", self.get))
        router.add("PATCH", ROUTE, self.gate.wrap("sobject.upsert", self.upsert))

    def _find(self, request: Request) -> tuple[Table, FieldDef, Any, list[int]] | Response:
        table = self.org.tables.get(request.params["obj"])
        if table is None or table.obj.name not in ("Account", "Contact"):
            return not_found()
        definition = table.obj.field(request.params["field"])
        if definition is None or not (definition.external_id or definition.type == "id"):
            return error(
                "NOT_FOUND",
                "Provided external ID field does not exist or is not accessible: " + request.params["field"],
                404,
            )
        wanted = writes.convert_value(definition, request.params["value"], from_csv=True)
        if isinstance(wanted, writes.RecordError):
            return not_found()
        column, deleted = table.columns[definition.name], table.columns["IsDeleted"]
        rows = [row for row, held in enumerate(column) if held is not None and held == wanted and not deleted[row]]
        return table, definition, wanted, rows

    @staticmethod
    def _choices(table: Table, rows: list[int], ctx: CallContext) -> Response:
        urls = [f"{ctx.base}/sobjects/{table.obj.name}/{table.columns['Id'][row]}" for row in rows]
        return Response.json(urls, 300)

    def get(self, request: Request, ctx: CallContext) -> Response:
        """The one record holding the value."""
        with self.org.lock:
            found = self._find(request)
            if isinstance(found, Response):
                return found
            table, _, _, rows = found
            if not rows:
                return not_found()
            if len(rows) > 1:
                return self._choices(table, rows, ctx)
            record = table.record(rows[0])
            url = f"{ctx.base}/sobjects/{table.obj.name}/{record['Id']}"
        return Response.json({"attributes": {"type": table.obj.name, "url": url}, **record})

    def upsert(self, request: Request, ctx: CallContext) -> Response:
        """Update or create by external id."""
        try:
            values = request.json()
        except ValueError:
            return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
        if not isinstance(values, dict):
            return error("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object", 400)
        with self.org.lock:
            found = self._find(request)
            if isinstance(found, Response):
                return found
            table, definition, wanted, rows = found
            if len(rows) > 1:
                return self._choices(table, rows, ctx)
            if rows:
                prepared = writes.prepare_update(
                    self.org, ctx.user, table.obj.name, table.columns["Id"][rows[0]], values
                )
            else:
                prepared = writes.prepare_insert(
                    self.org, ctx.user, table.obj.name, {**values, definition.name: wanted}
                )
            if isinstance(prepared, writes.RecordError):
                return Response.json([prepared.as_rest_error()], 400)
            writes.apply(self.org, ctx.user, prepared)
        created = not rows
        body = {"id": prepared.record_id, "success": True, "errors": [], "created": created}
        return Response.json(body, 201 if created else 200)
