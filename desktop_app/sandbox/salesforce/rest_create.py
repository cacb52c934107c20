"""Creating one record: ``POST /sobjects/<obj>`` with the field values as JSON.

As on Salesforce: 201 with ``{"id", "success": true, "errors": []}``; a record that fails its checks
answers 400 with the error array (``REQUIRED_FIELD_MISSING``, ``FIELD_INTEGRITY_EXCEPTION`` ...).
"""

from __future__ import annotations

from desktop_app.sandbox.httpserver import Request, Response, Router
from desktop_app.sandbox.salesforce import writes
from desktop_app.sandbox.salesforce.gate import ApiGate, CallContext, error
from desktop_app.sandbox.salesforce.org import OrgState

V = r"/services/data/v(?P<version>\d+\.\d)"
CREATABLE = ("Account", "Contact")


class CreateApi:
    """``POST /sobjects/<obj>`` on Account and Contact."""

    def __init__(self, org: OrgState, gate: ApiGate):
        self.org = org
        self.gate = gate

    def register(self, router: Router) -> None:
        """Add the create route."""
        router.add("POST", V + r"/sobjects/(?P<obj>\w+)", self.gate.wrap("sobject.create", self.create))

    def create(self, request: Request, ctx: CallContext) -> Response:
        """Create one record of the route's object."""
        try:
            values = request.json()
        except ValueError:
            return error("JSON_PARSER_ERROR", "The request body is not valid JSON", 400)
        if not isinstance(values, dict):
            return error("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object", 400)
        name = next((n for n in self.org.tables if n.lower() == request.params["obj"].lower()), None)
        if name is None:
            return error("NOT_FOUND", f"The requested resource does not exist: {request.params['obj']}", 404)
        if name not in CREATABLE:
            return error("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on cross-reference id", 400)
        with self.org.lock:
            prepared = writes.prepare_insert(self.org, ctx.user, name, values)
            if isinstance(prepared, writes.RecordError):
                return Response.json([prepared.as_rest_error()], 400)
            writes.apply(self.org, ctx.user, prepared)
        return Response.json({"id": prepared.record_id, "success": True, "errors": []}, 201)
