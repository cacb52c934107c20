"""The Stripe SDK's telemetry is off: by default it writes a persistent random id under the user's
config folder (``~/.config/stripe/telemetry_id``, ``%APPDATA%\\Stripe``) and sends it, with the
platform string and the previous request's timing, on every call. Checked on the wire, through a
recording proxy in front of localstripe, with the SDK's id cache reset so a new id would be made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import stripe._telemetry_id

from desktop_app.billing.stripe_adapter import StripeBilling
from desktop_app.sandbox.demo_data import generate
from desktop_app.sandbox.httpserver import Request, Response, SandboxServer
from desktop_app.sandbox.localstripe_runner import RunningLocalStripe


class RecordingProxy:
    """Forwards every request to ``target`` and keeps its headers."""

    def __init__(self, target: str) -> None:
        self.headers: list[dict[str, str]] = []
        self._session = requests.Session()

        def handle(request: Request) -> Response:
            self.headers.append(dict(request.headers.items()))
            query = "&".join(f"{k}={v}" for k, values in request.query.items() for v in values)
            answer = self._session.request(
                request.method, f"{target.rstrip('/')}{request.path}" + (f"?{query}" if query else ""),
                data=request.body, timeout=30,
                headers={k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")})
            return Response(answer.status_code, answer.content, {"Content-Type": "application/json"})

        self._server = SandboxServer(handle, tls=None).start()
        self.url = self._server.url

    def stop(self) -> None:
        self._server.stop()
        self._session.close()


@pytest.fixture
def proxy(localstripe: RunningLocalStripe) -> Iterator[RecordingProxy]:
    running = RecordingProxy(localstripe.url)
    yield running
    running.stop()


def test_no_telemetry_id_is_stored_or_sent(localstripe: RunningLocalStripe, proxy: RecordingProxy,
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "config"))
    monkeypatch.setattr(stripe._telemetry_id, "_loaded", False)
    monkeypatch.setattr(stripe._telemetry_id, "_cached_id", None)
    ids = localstripe.create_customers(generate(3, seed=5).customers.to_dict(orient="records"))
    with StripeBilling(localstripe.api_key, base_url=proxy.url) as billing:
        assert len(billing.customers_frame()) == 3
        assert [r.status for r in billing.write_links([(ids[0], "001000000000001AAA")])] == ["written"]
        assert len(billing.customers_frame()) == 3  # a call after a call would carry the timing header
    assert len(proxy.headers) >= 4
    for headers in proxy.headers:
        lowered = {k.lower(): v for k, v in headers.items()}
        assert "x-stripe-client-telemetry" not in lowered
        agent = json.loads(lowered["x-stripe-client-user-agent"])
        assert "telemetry_id" not in agent
        assert "platform" not in agent
    assert not list((tmp_path / "config").rglob("telemetry_id"))
