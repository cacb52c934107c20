"""HTTP handlers of the Xero sandbox, under ``/api.xro/2.0``.

Follows the Xero Accounting API description published as OpenAPI in XeroAPI/Xero-OpenAPI
(``xero_accounting.yaml``: Contacts, pagination, ValidationErrors) and what ``xero-python`` sends:

- ``Authorization: Bearer <token>`` and ``xero-tenant-id`` on every call (401 ``AuthenticationUnsuccessful``
  for a bad token, 403 for a tenant the token is not connected to);
- ``GET /Contacts?page=N[&pageSize=1..1000][&includeArchived=true][&where=…][&searchTerm=…]`` (filters
  in ``filters``) → ``{"Id", "Status": "OK",
  "pagination": {"page", "pageSize", "pageCount", "itemCount"}, "Contacts": [...]}``;
- ``GET /Contacts?IDs=id1,id2`` → those contacts (any status);
- ``GET /Contacts/{ContactID}`` → ``{"Contacts": [one]}``;
- ``POST /Contacts/{ContactID}`` with ``{"Contacts": [one]}`` (what ``xero-python``'s ``update_contact``
  sends; the path names the contact) → as ``POST /Contacts`` with that one contact;
- ``POST /Contacts?summarizeErrors=false`` with ``{"Contacts": [{ContactID, ContactNumber}, ...]}``
  → 200 with each contact in order, refused ones carrying ``HasValidationErrors`` and
  ``ValidationErrors: [{"Message"}]``; with the default ``summarizeErrors=true`` one refusal fails
  the request with 400 ``ValidationException`` and ``Elements`` (and nothing is applied);
- ``Idempotency-Key`` header: a repeated key is answered without applying again;
- limits: 60 calls a minute and 5,000 a day per tenant; 429 with ``Retry-After`` and
  ``X-Rate-Limit-Problem: minute|day``; every answer carries ``X-MinLimit-Remaining`` and
  ``X-DayLimit-Remaining``.

That an ARCHIVED or GDPRREQUEST contact cannot be edited is this sandbox's reading of Xero's help
pages (archived contacts are restored before editing; GDPR-erased ones are gone for good).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from desktop_app.sandbox.httpserver import Handler, Request, Response, Router
from desktop_app.sandbox.sequence.api import RateLimiter
from desktop_app.sandbox.xero.filters import QueryRefused, contact_filter
from desktop_app.sandbox.xero.store import XeroStore

BASE = r"/api.xro/2.0"
MAX_PAGE_SIZE = 1000


def problem(status: int, title: str, detail: str) -> Response:
    """An RFC 7807-style answer as Xero gives for auth and limit problems."""
    return Response.json({"Type": None, "Title": title, "Status": status, "Detail": detail,
                          "Instance": str(uuid.uuid4()), "Extensions": {}}, status)


def envelope(**values: object) -> dict[str, object]:
    """The fields every Accounting API answer starts with."""
    return {"Id": str(uuid.uuid4()), "Status": "OK", "ProviderName": "Crosslink sandbox",
            "DateTimeUTC": "/Date(1767225600000)/", **values}


def build_router(store: XeroStore, *, token_ok: Callable[[str], bool], tenant_id: str,
                 rate_limiter: RateLimiter) -> Router:
    """The sandbox's routes around ``store``."""
    router = Router()

    def guarded(handler: Handler) -> Handler:
        def run(request: Request) -> Response:
            store.counters.requests[request.method] += 1
            auth = request.header("Authorization") or ""
            if not (auth.startswith("Bearer ") and token_ok(auth[7:].strip())):
                return counted(problem(401, "Unauthorized", "AuthenticationUnsuccessful"))
            if (request.header("xero-tenant-id") or "") != tenant_id:
                return counted(problem(403, "Forbidden", "AuthenticationUnsuccessful: the token is not connected "
                                                         "to this tenant (xero-tenant-id)."))
            left_today = store.count_call()
            if left_today < 0 or store.take_storm() or not rate_limiter.allow():
                which = "day" if left_today < 0 else "minute"
                throttled = problem(429, "Too Many Requests", f"Rate limit exceeded ({which} limit).")
                throttled.headers.update({
                    "Retry-After": str(store.faults.retry_after_seconds if which == "minute" else 86400),
                    "X-Rate-Limit-Problem": which,
                })
                return counted(throttled, left_today)
            key = request.header("Idempotency-Key") if request.method == "POST" else None
            replay = store.remembered(key) if key else None
            if replay is not None:
                store.counters.replays += 1
                return counted(Response.json(replay), left_today)
            answer = handler(request)
            if key and answer.status == 200:
                store.remember(key, json.loads(answer.body))
            return counted(answer, left_today)

        return run

    def counted(response: Response, left_today: int | None = None) -> Response:
        if left_today is not None:
            response.headers["X-DayLimit-Remaining"] = str(max(0, left_today))
            response.headers["X-MinLimit-Remaining"] = "59"
        store.counters.statuses[response.status] += 1
        return response

    @router.route("GET", BASE + r"/Contacts")
    @guarded
    def list_contacts(request: Request) -> Response:
        try:
            page = max(1, int(request.arg("page", "1") or 1))
            size = int(request.arg("pageSize", "100") or 100)
        except ValueError:
            return problem(400, "Bad Request", "page and pageSize must be whole numbers.")
        size = max(1, min(MAX_PAGE_SIZE, size))
        include_archived = (request.arg("includeArchived") or "").lower() == "true"
        ids = [i.strip() for i in (request.arg("IDs") or "").split(",") if i.strip()]
        if ids:  # a filter by ContactID returns every match, archived included
            found = [c for c in (store.get(i) for i in ids) if c is not None]
            return Response.json(envelope(Contacts=found))
        try:
            keep = contact_filter(request.arg("where") or "", request.arg("searchTerm") or "")
        except QueryRefused as refused:
            return Response.json({"ErrorNumber": 16, "Type": "QueryParseException", "Message": str(refused)}, 400)
        contacts, total = store.page(page, size, include_archived=include_archived, keep=keep)
        return Response.json(envelope(
            pagination={"page": page, "pageSize": size, "pageCount": -(-total // size), "itemCount": total},
            Contacts=contacts,
        ))

    @router.route("GET", BASE + r"/Contacts/(?P<contact_id>[^/]+)")
    @guarded
    def get_contact(request: Request) -> Response:
        found = store.get(request.params["contact_id"])
        if found is None:
            return problem(404, "Not Found", "The resource you're looking for cannot be found")
        return Response.json(envelope(Contacts=[found]))

    def sent_contacts(request: Request) -> list[dict[str, object]] | None:
        try:
            sent = request.json().get("Contacts")
        except (ValueError, AttributeError):
            return None
        return sent if isinstance(sent, list) and sent and all(isinstance(c, dict) for c in sent) else None

    def not_a_contacts_list() -> Response:
        return Response.json({"ErrorNumber": 14, "Type": "PostDataInvalidException",
                              "Message": "The request body must hold a Contacts list."}, 400)

    @router.route("POST", BASE + r"/Contacts/(?P<contact_id>[^/]+)")
    @guarded
    def update_contact(request: Request) -> Response:
        sent = sent_contacts(request)
        if sent is None or len(sent) != 1:
            return not_a_contacts_list()
        return apply_updates(request, [{**sent[0], "ContactID": request.params["contact_id"]}])

    @router.route("POST", BASE + r"/Contacts")
    @guarded
    def update_contacts(request: Request) -> Response:
        sent = sent_contacts(request)
        return not_a_contacts_list() if sent is None else apply_updates(request, sent)

    def apply_updates(request: Request, sent: list[dict[str, object]]) -> Response:
        summarize = (request.arg("summarizeErrors") or "true").lower() != "false"
        with store.lock:
            if summarize:
                refused = [c for c in sent if store._problems(store.get(str(c.get("ContactID"))) or {}, c)
                           or store.get(str(c.get("ContactID"))) is None]
                if refused:
                    answers = [store.update(c) for c in refused]  # nothing valid is applied either
                    return Response.json({"ErrorNumber": 10, "Type": "ValidationException",
                                          "Message": "A validation exception occurred", "Elements": answers}, 400)
            answers = [store.update(c) for c in sent]
        return Response.json(envelope(Contacts=answers))

    return router
