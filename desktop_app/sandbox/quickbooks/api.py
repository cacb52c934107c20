"""HTTP handlers of the QuickBooks Online sandbox, under ``/v3/company/{realmId}/``.

Follows Intuit's Accounting API reference (developer.intuit.com, API explorer for Customer, Query
and Batch, minor version 75) and the request shapes of the community ``python-quickbooks`` SDK:

- ``GET|POST query`` with ``SELECT * FROM Customer [WHERE …] [ORDERBY …] [STARTPOSITION n]
  [MAXRESULTS m]`` (the language and its faults in ``query``) →
  ``{"QueryResponse": {"Customer": [...], "startPosition", "maxResults"}}``, ``{}`` past the end;
  ``SELECT COUNT(*) FROM Customer [WHERE …]`` → ``{"QueryResponse": {"totalCount": n}}``;
- ``GET customer/{id}`` → ``{"Customer": {...}}``;
- ``POST customer`` sparse update (``sparse: true``, ``Id``, current ``SyncToken``);
- ``POST batch`` with up to 30 ``BatchItemRequest`` items, answered per ``bId``;
- ``requestid`` query parameter: a repeated request id is answered without applying again;
- errors ``{"Fault": {"Error": [{"Message", "Detail", "code", "element"?}], "type"}}``; 401
  ``AuthenticationFailed`` for a wrong token; 429 ``ThrottleExceeded`` past the rate limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from desktop_app.sandbox.httpserver import Handler, Request, Response, Router
from desktop_app.sandbox.quickbooks.query import QueryError, parse_customer_query
from desktop_app.sandbox.quickbooks.store import QuickBooksStore, fault
from desktop_app.sandbox.sequence.api import RateLimiter

MAX_BATCH = 30


def fault_answer(status: int, kind: str, *errors: dict[str, str]) -> Response:
    """A QBO fault answer."""
    return Response.json({"Fault": {"Error": list(errors), "type": kind}, "time": "2026-01-01T00:00:00.000-08:00"},
                         status)


def build_router(store: QuickBooksStore, *, realm_id: str, token_ok: Callable[[str], bool],
                 rate_limiter: RateLimiter) -> Router:
    """The sandbox's routes; requests need ``Authorization: Bearer <token>`` with a token ``token_ok`` accepts."""
    router = Router()
    base = r"/v3/company/(?P<realm>[^/]+)"

    def guarded(handler: Handler) -> Handler:
        def run(request: Request) -> Response:
            store.counters.requests[request.path.rsplit("/", 1)[-1] if request.method == "POST" else "GET"] += 1
            auth = request.header("Authorization") or ""
            if not (auth.startswith("Bearer ") and token_ok(auth[7:].strip())):
                return counted(fault_answer(401, "AUTHENTICATION", fault(
                    "3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "Token invalid or expired.")))
            if request.params.get("realm") != realm_id:
                return counted(fault_answer(403, "AUTHORIZATION", fault(
                    "3100", "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                    "The token is not authorised for this company (realm id).")))
            if store.take_storm() or not rate_limiter.allow():
                throttled = fault_answer(429, "ThrottleExceeded", fault(
                    "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                    "The request limit was reached."))
                throttled.headers["Retry-After"] = str(store.faults.retry_after_seconds)
                return counted(throttled)
            request_id = request.arg("requestid")
            if request.method == "POST" and request_id:
                replay = store.remembered(request_id)
                if replay is not None:
                    store.counters.replays += 1
                    return counted(Response.json(replay[1], replay[0]))
            answer = handler(request)
            if request.method == "POST" and request_id and answer.status == 200:
                store.remember(request_id, answer.status, _json(answer))
            return counted(answer)

        return run

    def counted(response: Response) -> Response:
        store.counters.statuses[response.status] += 1
        return response

    def run_query(text: str) -> Response:
        try:
            query = parse_customer_query(text)
        except QueryError as refused:
            return fault_answer(400, "ValidationFault", fault(refused.code, refused.message, refused.detail))
        if query.count:
            return Response.json({"QueryResponse": {"totalCount": store.count(query)},
                                  "time": "2026-01-01T00:00:00.000-08:00"})
        customers = store.query(query)
        if not customers:
            return Response.json({"QueryResponse": {}, "time": "2026-01-01T00:00:00.000-08:00"})
        return Response.json({"QueryResponse": {"Customer": customers, "startPosition": query.start,
                                                "maxResults": len(customers)}})

    @router.route("GET", base + r"/query")
    @guarded
    def query_get(request: Request) -> Response:
        return run_query(request.arg("query", "") or "")

    @router.route("POST", base + r"/query")
    @guarded
    def query_post(request: Request) -> Response:
        return run_query(request.body.decode("utf-8"))

    @router.route("GET", base + r"/customer/(?P<customer_id>[^/]+)")
    @guarded
    def get_customer(request: Request) -> Response:
        found = store.get(request.params["customer_id"])
        if found is None:
            return fault_answer(400, "ValidationFault", fault(
                "610", "Object Not Found", f"Customer {request.params['customer_id']} was not found or is deleted."))
        return Response.json({"Customer": found})

    @router.route("POST", base + r"/customer")
    @guarded
    def update_customer(request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            return fault_answer(400, "ValidationFault", fault("2020", "Required param missing", "Body is not JSON."))
        if not isinstance(body, dict) or not body.get("sparse") or not body.get("Id"):
            return fault_answer(400, "ValidationFault", fault(
                "2020", "Required param missing, need to supply the required value for the API",
                "This sandbox serves sparse updates only: send sparse=true, Id and SyncToken."))
        updated, problems = store.sparse_update(body)
        if problems:
            return fault_answer(400, "ValidationFault", *problems)
        return Response.json({"Customer": updated})

    @router.route("POST", base + r"/batch")
    @guarded
    def batch(request: Request) -> Response:
        try:
            items = request.json().get("BatchItemRequest")
        except (ValueError, AttributeError):
            items = None
        if not isinstance(items, list) or not items:
            return fault_answer(400, "ValidationFault", fault("2020", "Required param missing",
                                                               "BatchItemRequest must be a non-empty list."))
        if len(items) > MAX_BATCH:
            return fault_answer(400, "ValidationFault", fault(
                "1040", "Batch size limit exceeded", f"A batch takes at most {MAX_BATCH} items; got {len(items)}."))
        answers: list[dict[str, Any]] = []
        for item in items:
            bid = str(item.get("bId", ""))
            customer = item.get("Customer")
            if item.get("operation") != "update" or not isinstance(customer, dict) or not customer.get("sparse"):
                answers.append({"bId": bid, "Fault": {"type": "ValidationFault", "Error": [fault(
                    "2020", "Required param missing", "Only sparse Customer updates are served here.")]}})
                continue
            updated, problems = store.sparse_update(customer)
            answers.append({"bId": bid, "Customer": updated} if not problems
                           else {"bId": bid, "Fault": {"type": "ValidationFault", "Error": problems}})
        return Response.json({"BatchItemResponse": answers, "time": "2026-01-01T00:00:00.000-08:00"})

    return router


def _json(response: Response) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(response.body.decode("utf-8"))
    return parsed
