"""HTTP handlers of the Chargebee sandbox, under ``/api/v2``.

Follows Chargebee's API v2 reference (apidocs.chargebee.com, and the OpenAPI 3 description
published in the chargebee/openapi repository) and what the ``chargebee`` Python SDK sends:

- HTTP Basic auth with the site's API key as user name and an empty password;
- ``GET /customers?limit=1..100[&offset=…][&include_deleted=true][&email[is]=…][&sort_by[desc]=…]``
  (filters and sort order in ``filters``) → ``{"list": [{"customer": …}],
  "next_offset": "…"}`` with ``next_offset`` absent on the last page (an opaque JSON string);
- ``GET /customers/{id}`` → ``{"customer": …}``;
- ``POST /customers/{id}`` form-encoded ``cf_<name>=…`` (a custom field configured on the site;
  empty clears it) or ``meta_data=<JSON object>``;
- ``chargebee-idempotency-key`` header: a repeated key is answered without applying again, with
  ``chargebee-idempotency-replayed: true``;
- errors ``{"message", "type"?, "api_error_code", "param"?, "error_code", "error_msg",
  "http_status_code"}``: 401 ``api_authentication_failed`` (no type), 404 ``resource_not_found`` (type
  ``invalid_request``, as Chargebee answers; the SDK raises ``InvalidRequestError``), 400
  ``param_wrong_value`` / ``invalid_request``, 429 ``api_request_limit_exceeded`` with ``Retry-After``.

Refusing updates to a customer whose personal data was cleared is this sandbox's reading of
Chargebee's GDPR "clear personal data" action (the record is kept but can no longer be edited).
"""

from __future__ import annotations

import base64
import hmac
import json

from desktop_app.sandbox.chargebee.filters import FilterRefused, list_filter
from desktop_app.sandbox.chargebee.store import CUSTOM_FIELD_MAX, ChargebeeStore
from desktop_app.sandbox.httpserver import Handler, Request, Response, Router
from desktop_app.sandbox.sequence.api import RateLimiter

MAX_LIMIT = 100
IDEMPOTENCY_HEADER = "chargebee-idempotency-key"
REPLAYED_HEADER = "chargebee-idempotency-replayed"


def error(status: int, api_error_code: str, message: str, *, kind: str = "invalid_request",
          param: str = "") -> Response:
    """A Chargebee error answer."""
    body: dict[str, object] = {"message": message, "api_error_code": api_error_code, "error_code": api_error_code,
                               "error_msg": message, "http_status_code": status}
    if kind:  # authentication and rate-limit errors carry no type (the SDK then raises a plain APIError)
        body["type"] = kind
    if param:
        body.update(param=param, error_param=param)
    return Response.json(body, status)


def _offset(position: int) -> str:
    return json.dumps([str(position), "crosslink"])


def _position(offset: str) -> int | None:
    try:
        parsed = json.loads(offset)
        return int(parsed[0]) if isinstance(parsed, list) and parsed[1:] == ["crosslink"] else None
    except (ValueError, IndexError, TypeError):
        return None


def build_router(store: ChargebeeStore, *, api_key: str, rate_limiter: RateLimiter) -> Router:
    """The sandbox's routes; requests need Basic ``api_key:``."""
    expected = base64.b64encode(f"{api_key}:".encode()).decode()
    router = Router()

    def guarded(handler: Handler) -> Handler:
        def run(request: Request) -> Response:
            store.counters.requests[request.method] += 1
            auth = request.header("Authorization") or ""
            if not (auth.startswith("Basic ") and hmac.compare_digest(auth[6:].strip(), expected)):
                return counted(error(401, "api_authentication_failed",
                                     "Sorry, authentication failed. Invalid api key", kind="")
                               )
            if store.take_storm() or not rate_limiter.allow():
                throttled = error(429, "api_request_limit_exceeded",
                                  "Sorry, access has been blocked temporarily due to request count exceeding "
                                  "acceptable limits. Please try after some time.", kind="")
                throttled.headers["Retry-After"] = str(store.faults.retry_after_seconds)
                return counted(throttled)
            return counted(handler(request))

        return run

    def counted(response: Response) -> Response:
        store.counters.statuses[response.status] += 1
        return response

    @router.route("GET", r"/api/v2/customers")
    @guarded
    def list_customers(request: Request) -> Response:
        try:
            limit = int(request.arg("limit", "10") or 10)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            return error(400, "param_wrong_value", f"limit : must be between 1 and {MAX_LIMIT}", param="limit")
        start = 0
        if request.arg("offset"):
            found = _position(request.arg("offset") or "")
            if found is None:
                return error(400, "param_wrong_value", "offset : invalid value", param="offset")
            start = found
        include_deleted = (request.arg("include_deleted") or "").lower() == "true"
        try:
            keep, sort_field, descending = list_filter(request.query)
        except FilterRefused as refused:
            return error(400, "param_wrong_value", str(refused), param=refused.param)
        items, following = store.page(start, limit, include_deleted=include_deleted, keep=keep, sort_field=sort_field,
                                      descending=descending)
        body: dict[str, object] = {"list": [{"customer": c} for c in items]}
        if following is not None:
            body["next_offset"] = _offset(following)
        return Response.json(body)

    @router.route("GET", r"/api/v2/customers/(?P<customer_id>[^/]+)")
    @guarded
    def get_customer(request: Request) -> Response:
        found = store.get(request.params["customer_id"])
        if found is None:
            return error(404, "resource_not_found", f"Sorry, we couldn't find that resource "
                         f"(customer {request.params['customer_id']}).")
        return Response.json({"customer": found})

    @router.route("POST", r"/api/v2/customers/(?P<customer_id>[^/]+)")
    @guarded
    def update_customer(request: Request) -> Response:
        key = request.header(IDEMPOTENCY_HEADER)
        replay = store.remembered(key) if key else None
        if replay is not None:
            store.counters.replays += 1
            return Response.json(replay, headers={REPLAYED_HEADER: "true"})
        answer = apply_update(request)
        if key and answer.status == 200:
            store.remember(key, json.loads(answer.body))
        return answer

    def apply_update(request: Request) -> Response:
        customer_id = request.params["customer_id"]
        current = store.get(customer_id)
        if current is None:
            return error(404, "resource_not_found", f"Sorry, we couldn't find that resource (customer {customer_id}).")
        form = request.form()
        for key, value in form.items():
            if key.startswith("cf_"):
                if key not in store.custom_fields:
                    return error(400, "param_wrong_value", f"{key} : is not a custom field of this site", param=key)
                if len(value) > CUSTOM_FIELD_MAX:
                    return error(400, "param_wrong_value",
                                 f"{key} : cannot be more than {CUSTOM_FIELD_MAX} characters", param=key)
            elif key == "meta_data":
                try:
                    ok = isinstance(json.loads(value or "{}"), dict)
                except ValueError:
                    ok = False
                if not ok:
                    return error(400, "param_wrong_value", "meta_data : must be a JSON object", param="meta_data")
            else:
                return error(400, "param_wrong_value", f"{key} : is not updated by this sandbox", param=key)
        if current.get("pii_cleared") == "cleared":
            return error(400, "invalid_request", f"The personal data of customer {customer_id} has been cleared; "
                         "it can no longer be updated.")
        return Response.json({"customer": store.update(customer_id, form)})

    return router
