"""HTTP handlers of the Zuora sandbox.

Follows Zuora's REST API reference (developer.zuora.com: OAuth, Object Query, Accounts, Actions) and
what the ``zuora-sdk`` sends:

- ``POST /oauth/token`` form ``grant_type=client_credentials``, ``client_id``, ``client_secret`` →
  ``{"access_token", "token_type": "bearer", "expires_in": 3599, "scope", "jti"}``; a wrong client
  answers 401; an expired or unknown bearer token answers 401 on every API call;
- ``GET /object-query/accounts?pageSize=1..50[&cursor=…][&expand[]=billTo][&filter[]=field.OP:value]``
  → ``{"data": [...], "nextPage": "…"}`` (``nextPage`` absent on the last page); filters EQ, NE and SW
  on the account's text fields, anything else refused with 400 rather than ignored;
- ``GET /v1/accounts/{id or number}`` → the account with ``"success": true``;
- ``PUT /v1/accounts/{id or number}`` ``{"crmId": …}`` → ``{"success": true}`` or, with HTTP 200 all
  the same, ``{"success": false, "reasons": [{"code", "message"}]}``;
- ``POST /v1/action/update`` ``{"type": "Account", "objects": [{"Id", "CrmId"}, …]}`` (≤ 50) → one
  ``{"Success", "Id"}`` or ``{"Success": false, "Errors": [{"Code", "Message"}]}`` per object, in order;
- 429 with ``Retry-After`` and ``RateLimit-Limit`` / ``RateLimit-Remaining`` / ``RateLimit-Reset``.

That an update is refused when the bill-to contact lacks a country (or, for the US and Canada, a
state) is this sandbox's reading of Zuora's address rules for tax and invoicing.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Callable
from typing import Any

from desktop_app.sandbox.httpserver import Handler, Request, Response, Router
from desktop_app.sandbox.sequence.api import RateLimiter
from desktop_app.sandbox.zuora.store import ZuoraStore

MAX_PAGE = 50
MAX_ACTION_OBJECTS = 50
FILTERABLE = {key.casefold(): key for key in ("id", "accountNumber", "name", "crmId", "status", "currency", "batch")}


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"p": position}).encode()).decode()


def _position(cursor: str) -> int | None:
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["p"])
    except (ValueError, KeyError, TypeError):
        return None


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "EQ": lambda value, wanted: value == wanted,
    "NE": lambda value, wanted: value != wanted,
    "SW": lambda value, wanted: value.startswith(wanted),
}


def account_filter(filters: list[str]) -> Callable[[dict[str, Any]], bool] | str:
    """The test ``filter[]=field.OP:value`` entries make (all must hold), or an error text. Field names
    are matched ignoring case (Zuora's examples write ``accountnumber``); EQ, NE and SW on text fields."""
    tests: list[tuple[str, Callable[[str, str], bool], str]] = []
    for entry in filters:
        field, dot, rest = entry.partition(".")
        operator, colon, wanted = rest.partition(":")
        if not (field and dot and colon) or operator not in _OPERATORS:
            return f"Invalid filter {entry!r}: write field.OP:value with OP one of {', '.join(_OPERATORS)}."
        if field.casefold() not in FILTERABLE:
            return f"Invalid filter {entry!r}: {field} cannot be filtered on (this sandbox: {', '.join(FILTERABLE)})."
        tests.append((FILTERABLE[field.casefold()], _OPERATORS[operator], wanted))

    def keep(account: dict[str, Any]) -> bool:
        return all(test(str(account.get(key) or ""), wanted) for key, test, wanted in tests)

    return keep


def build_router(store: ZuoraStore, *, client_id: str, client_secret: str, rate_limiter: RateLimiter) -> Router:
    """The sandbox's routes; API calls need a bearer token from ``/oauth/token``."""
    router = Router()

    @router.route("POST", r"/oauth/token")
    def token(request: Request) -> Response:
        store.counters.requests["token"] += 1
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return counted(Response.json({"error": "unsupported_grant_type"}, 400))
        if not (hmac.compare_digest(form.get("client_id", ""), client_id)
                and hmac.compare_digest(form.get("client_secret", ""), client_secret)):
            return counted(Response.json({"error": "invalid_client",
                                          "error_description": "Bad client credentials"}, 401))
        return counted(Response.json({"access_token": store.issue_token(), "token_type": "bearer",
                                      "expires_in": 3599, "scope": "entity.1a2b tenant.9999 user.sandbox",
                                      "jti": "sandbox"}))

    def guarded(handler: Handler) -> Handler:
        def run(request: Request) -> Response:
            store.counters.requests["PUT" if request.method == "PUT" else request.path.split("/")[-1]
                                    if request.method == "POST" else "GET"] += 1
            auth = request.header("Authorization") or ""
            if not (auth.lower().startswith("bearer ") and store.token_valid(auth[7:].strip())):
                return counted(Response.json({"message": "Authentication error"}, 401))
            if store.take_storm() or not rate_limiter.allow():
                return counted(Response.json({"message": "Too many requests"}, 429, {
                    "Retry-After": str(store.faults.retry_after_seconds), "RateLimit-Limit": "50000",
                    "RateLimit-Remaining": "0", "RateLimit-Reset": str(store.faults.retry_after_seconds)}))
            return counted(handler(request))

        return run

    def counted(response: Response) -> Response:
        store.counters.statuses[response.status] += 1
        return response

    @router.route("GET", r"/object-query/accounts")
    @guarded
    def list_accounts(request: Request) -> Response:
        try:
            size = int(request.arg("pageSize", "10") or 10)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE:
            return Response.json({"message": f"pageSize must be between 1 and {MAX_PAGE}"}, 400)
        start = 0
        if request.arg("cursor"):
            found = _position(request.arg("cursor") or "")
            if found is None:
                return Response.json({"message": "Invalid cursor"}, 400)
            start = found
        keep = account_filter(request.query.get("filter[]") or [])
        if isinstance(keep, str):
            return Response.json({"message": keep}, 400)
        items, following = store.page(start, size, keep)
        if "billTo" not in (request.query.get("expand[]") or []):
            for item in items:
                item["billToId"] = item.pop("billTo", {}).get("id")
        body: dict[str, object] = {"data": items}
        if following is not None:
            body["nextPage"] = _cursor(following)
        return Response.json(body)

    @router.route("GET", r"/v1/accounts/(?P<key>[^/]+)")
    @guarded
    def get_account(request: Request) -> Response:
        found = store.find(request.params["key"])
        if found is None:
            return Response.json({"success": False, "reasons": [
                {"code": 50000040, "message": f"Cannot find entity by key: '{request.params['key']}'."}]})
        return Response.json({"success": True, "basicInfo": {"id": found["id"], "accountNumber": found["accountNumber"],
                                                              "name": found["name"], "crmId": found.get("crmId"),
                                                              "status": found["status"]},
                              "billToContact": found.get("billTo")})

    @router.route("PUT", r"/v1/accounts/(?P<key>[^/]+)")
    @guarded
    def update_account(request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or set(body) != {"crmId"}:
            return Response.json({"success": False, "reasons": [
                {"code": 53100020, "message": "This sandbox updates crmId only."}]})
        errors = store.set_crm_id(request.params["key"], str(body["crmId"] or ""))
        if errors:
            return Response.json({"success": False, "reasons": [
                {"code": 53100020, "message": e["Message"]} for e in errors]})
        return Response.json({"success": True})

    @router.route("POST", r"/v1/action/update")
    @guarded
    def action_update(request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            body = None
        objects = body.get("objects") if isinstance(body, dict) else None
        if not isinstance(body, dict) or body.get("type") != "Account" or not isinstance(objects, list):
            return Response.json({"success": False, "reasons": [
                {"code": 53100020, "message": "Send type 'Account' and a list of objects."}]})
        if len(objects) > MAX_ACTION_OBJECTS:
            return Response.json({"success": False, "reasons": [
                {"code": 53100320, "message": f"At most {MAX_ACTION_OBJECTS} objects per call."}]})
        answers: list[dict[str, object]] = []
        for entry in objects:
            key = str(entry.get("Id") or "")
            unknown = set(entry) - {"Id", "CrmId"}
            errors = ([{"Code": "INVALID_FIELD", "Message": f"This sandbox updates CrmId only ({sorted(unknown)})."}]
                      if unknown else store.set_crm_id(key, str(entry.get("CrmId") or "")))
            answers.append({"Success": False, "Errors": errors} if errors else {"Success": True, "Id": key})
        return Response.json(answers)

    return router
