"""Constants and record builders shared by the billing tests (imported by name: tests/ is no package)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from desktop_app.billing.base import BillingUnreachable, LinkWriteResult
from desktop_app.billing.retry import RetryPolicy
from desktop_app.core.progress import Progress

FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.005, max_delay=0.02)
ACCOUNT_A = "001000000000001AAA"
ACCOUNT_B = "001000000000002AAA"


def unreachable_after_first_batch(write: Callable[[Callable[[Progress], None]], object],
                                  stop_system: Callable[[], None]) -> list[LinkWriteResult | None]:
    """Run ``write(progress)`` (a batch adapter's ``write_links``, one batch at a time), stopping the
    system once the first batch is answered: the next batch's requests are refused and the client
    gives up unsent. Returns ``BillingUnreachable.results``, one per pair, None for those not sent."""
    stopped: list[bool] = []

    def progress(step: Progress) -> None:
        if step.done and not stopped:
            stopped.append(True)
            stop_system()

    with pytest.raises(BillingUnreachable) as stop:
        write(progress)
    assert stopped
    assert stop.value.results is not None
    return stop.value.results


def sequence_customer(index: int, **changes: Any) -> dict[str, Any]:
    """A valid Sequence customer payload (API 2024-07-30 shape)."""
    customer: dict[str, Any] = {
        "id": f"cust-{index:04d}",
        "createdAt": "2024-01-01T00:00:00Z",
        "legalName": f"Company {index} Ltd",
        "label": f"Company {index}",
        "address": {"line1": f"{index} High Street", "town": "London", "state": "", "postcode": "EC1A 1BB",
                    "country": "GB"},
        "email": f"billing{index}@company{index}.example",
        "billingEmails": [f"billing{index}@company{index}.example"],
        "url": f"https://company{index}.example",
        "integrationIds": [{"service": "Xero", "id": f"xero-{index}"}],
        "taxStatus": "TAXED",
        "customProperties": {"currency": "gbp"},
    }
    customer.update(changes)
    return customer


class FaultyProxy:
    """A plain-HTTP proxy in front of localstripe that injects the faults localstripe cannot.

    ``throttle_next`` answers that many requests with 429 (``Retry-After: 0``); ``drop_after_forward``
    forwards the next POST to each listed path and then drops the connection (applied, answer lost);
    ``posts`` records (path, Idempotency-Key) of every POST that reached localstripe; ``silent`` holds
    every request unanswered while set (as behind a load balancer whose servers are gone, at most 60 s),
    ``arrivals`` counts the requests that reached the proxy.
    """

    def __init__(self, target: str) -> None:
        import requests

        from desktop_app.sandbox.httpserver import Request, Response, SandboxServer

        self.target = target.rstrip("/")
        self.throttle_next = 0
        self.drop_after_forward: set[str] = set()
        self.posts: list[tuple[str, str | None]] = []
        self.silent = False
        self.arrivals = 0
        self._session = requests.Session()
        self._response = Response

        def handle(request: Request) -> Response:
            self.arrivals += 1
            deadline = time.monotonic() + 60
            while self.silent and time.monotonic() < deadline:
                time.sleep(0.02)
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return Response.json({"error": {"type": "invalid_request_error", "code": "rate_limit",
                                                "message": "Too many requests"}}, 429, {"Retry-After": "0"})
            query = "&".join(f"{k}={v}" for k, values in request.query.items() for v in values)
            url = f"{self.target}{request.path}" + (f"?{query}" if query else "")
            headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
            answer = self._session.request(request.method, url, data=request.body, headers=headers, timeout=30)
            if request.method == "POST":
                self.posts.append((request.path, request.header("Idempotency-Key")))
                if request.path in self.drop_after_forward:
                    self.drop_after_forward.discard(request.path)
                    return Response.dropped()
            return Response(answer.status_code, answer.content,
                            {"Content-Type": answer.headers.get("Content-Type", "application/json")})

        self._server = SandboxServer(handle, tls=None).start()
        self.url = self._server.url

    def stop(self) -> None:
        self._server.stop()
        self._session.close()
