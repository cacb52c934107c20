"""The billing sandboxes' network options: past ``rate_limit_per_second`` they answer 429 with a
``Retry-After`` in whole seconds, and ``latency_ms`` holds every answer back (a round trip), for the
threaded sandboxes and for localstripe (its own process)."""

from __future__ import annotations

import time
from pathlib import Path

import requests
from billing_support import sequence_customer

from desktop_app.sandbox.localstripe_runner import start_localstripe
from desktop_app.sandbox.sequence import start_sequence_sandbox


def test_the_sequence_sandbox_throttles_past_its_rate_and_answers_late(tmp_path: Path) -> None:
    with start_sequence_sandbox(customers=[sequence_customer(i) for i in range(3)], workdir=tmp_path,
                                rate_limit_per_second=2, latency_ms=200) as sandbox, requests.Session() as http:
        http.auth = (sandbox.client_id, sandbox.client_secret)
        began = time.monotonic()
        answers = [http.get(f"{sandbox.url}/customers/cust-0001", verify=str(sandbox.ca_cert), timeout=10)
                   for _ in range(8)]
        assert time.monotonic() - began >= 8 * 0.2  # each answer held back 200 ms
        statuses = [a.status_code for a in answers]
        assert statuses[:2] == [200] * 2  # a second's worth goes through
        assert 429 in statuses[2:]
        throttled = next(a for a in answers if a.status_code == 429)
        assert int(throttled.headers["Retry-After"]) >= 1


def test_localstripe_throttles_past_its_rate_and_answers_late() -> None:
    server = start_localstripe(persist=False, rate_limit_per_second=1, latency_ms=150)
    try:
        with requests.Session() as http:
            http.auth = (server.api_key, "")
            began = time.monotonic()
            answers = [http.get(f"{server.url}/v1/customers", timeout=10) for _ in range(6)]
            assert time.monotonic() - began >= 6 * 0.15
        statuses = [a.status_code for a in answers]
        assert statuses[0] == 200  # one second's worth: one request
        assert 429 in statuses[1:]
        throttled = next(a for a in answers if a.status_code == 429)
        assert int(throttled.headers["Retry-After"]) >= 1
        assert throttled.json()["error"]["code"] == "rate_limit"
    finally:
        server.stop()
