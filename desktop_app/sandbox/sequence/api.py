"""HTTP handlers of the Sequence sandbox: ``/api/customers`` list, get and PUT (replaces the fields its body takes).

Shapes follow Sequence's public reference for API version 2024-07-30: list answers
``{"items": [...], "pagination": {"after", "before", "totalResultSize"}}``; customers carry
``legalName``, ``address{line1,line2,town,state,postcode,country}``, ``integrationIds`` and
``customProperties``. Errors answer ``{"error": {"code", "message", "fields"?}}``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import threading
import time

from desktop_app.sandbox.httpserver import Handler, Request, Response, Router
from desktop_app.sandbox.sequence.store import SequenceStore, validation_errors

API_VERSION = "2024-07-30"
MAX_LIMIT = 100


def error(status: int, code: str, message: str, **extra: object) -> Response:
    """A Sequence-style error answer."""
    return Response.json({"error": {"code": code, "message": message, **extra}}, status)


class RateLimiter:
    """Token bucket: ``rate`` requests per second with a burst of one second's worth (at least 1)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._capacity = max(1.0, float(rate or 0))
        self._tokens = self._capacity
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Take one token; False when the caller must be told 429."""
        if not self.rate:
            return True
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False

    def retry_after(self) -> int:
        """Whole seconds until a request would be let through (``Retry-After`` takes whole seconds)."""
        if not self.rate:
            return 0
        with self._lock:
            return max(1, math.ceil((1 - self._tokens) / self.rate))


def _encode_cursor(customer_id: str | None) -> str | None:
    return None if customer_id is None else base64.urlsafe_b64encode(customer_id.encode()).decode()


def _decode_cursor(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor.encode()).decode()


def build_router(store: SequenceStore, *, client_id: str, client_secret: str,
                 rate_limiter: RateLimiter) -> Router:
    """The sandbox's routes around ``store``; requests need Basic ``client_id:client_secret``."""
    expected = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    router = Router()

    def guarded(handler: Handler) -> Handler:
        def run(request: Request) -> Response:
            store.counters.requests[request.method] += 1
            store.counters.arrivals.append(time.monotonic())
            store.counters.tell()
            if store.is_down():
                store.hold_while_down()
                return _counted(Response.dropped())
            auth = request.header("Authorization") or ""
            if not (auth.startswith("Basic ") and hmac.compare_digest(auth[6:].strip(), expected)):
                return _counted(error(401, "UNAUTHORIZED", "Invalid API credentials."))
            version = request.header("Sequence-Version")
            if version is not None and version != API_VERSION:
                return _counted(error(400, "INVALID_VERSION", f"Unknown Sequence-Version {version!r}."))
            storm = store.take_storm()
            if storm or not rate_limiter.allow():
                throttled = error(429, "RATE_LIMITED", "Too many requests; retry after Retry-After.")
                wait = store.faults.retry_after_seconds if storm else rate_limiter.retry_after()
                throttled.headers["Retry-After"] = str(wait)
                return _counted(throttled)
            answer = handler(request)
            if store.take_garbled():
                answer = Response.html("<html><body>Upstream error</body></html>")
            return _counted(answer)

        return run

    def _counted(response: Response) -> Response:
        store.counters.statuses[0 if response.drop else response.status] += 1
        response.delay_seconds = max(response.delay_seconds, store.take_delay())
        return response

    @router.route("GET", r"/api/customers")
    @guarded
    def list_customers(request: Request) -> Response:
        try:
            limit = int(request.arg("limit", "25") or 25)
        except ValueError:
            return error(400, "INVALID_PARAMETER", "limit must be a whole number.")
        if not 1 <= limit <= MAX_LIMIT:
            return error(400, "INVALID_PARAMETER", f"limit must be between 1 and {MAX_LIMIT}.")
        after_id = None
        cursor = request.arg("after")
        if cursor:
            try:
                after_id = _decode_cursor(cursor)
            except (binascii.Error, UnicodeDecodeError):
                after_id = None
            if after_id is None or not store.knows_position(after_id):
                return error(400, "INVALID_PARAMETER", "after is not a valid cursor.")
        items, last_id, first_id = store.page(after_id, limit)
        return Response.json({
            "items": items,
            "pagination": {
                "after": _encode_cursor(last_id),
                "before": _encode_cursor(first_id),
                "totalResultSize": len(store),
            },
        })

    @router.route("GET", r"/api/customers/(?P<customer_id>[^/]+)")
    @guarded
    def get_customer(request: Request) -> Response:
        found = store.get(request.params["customer_id"])
        if found is None:
            return error(404, "NOT_FOUND", f"Customer {request.params['customer_id']} not found.")
        return Response.json(found)

    @router.route("PUT", r"/api/customers/(?P<customer_id>[^/]+)")
    @guarded
    def put_customer(request: Request) -> Response:
        customer_id = request.params["customer_id"]
        key = request.header("Idempotency-Key")
        # One PUT at a time, as a server that locks an idempotency key while its request runs: a retry
        # arriving while the first attempt is still being applied is answered from it, never applied again.
        with store.lock:
            if key:
                replay = store.remembered(key)
                if replay is not None:
                    store.counters.idempotent_replays += 1
                    return Response.json(replay[1], replay[0])
            store.counters.put_attempts[customer_id] += 1
            store.counters.tell()
            if store.get(customer_id) is None:
                return error(404, "NOT_FOUND", f"Customer {customer_id} not found.")
            if store.take_fault(store.faults.drop_before_write, customer_id):
                return Response.dropped()
            if store.take_fault(store.faults.error_500_once, customer_id):
                return error(500, "INTERNAL_ERROR", "Something went wrong on our side.")
            try:
                body = request.json()
            except ValueError:
                return error(400, "INVALID_JSON", "The request body is not valid JSON.")
            problems = validation_errors(body)
            if problems:
                return error(400, "VALIDATION_ERROR", "The customer is not valid.", fields=problems)
            updated = store.replace(customer_id, body)
            if key:
                store.remember(key, 200, updated)
            if store.take_fault(store.faults.drop_after_write, customer_id):
                return Response.dropped()
            return Response.json(updated)

    return router
