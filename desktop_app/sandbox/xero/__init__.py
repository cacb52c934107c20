"""A local Xero Accounting API (one organisation) over HTTPS for tests, benchmarks and demo mode.

``start_xero_sandbox`` serves the given contacts under ``https://127.0.0.1:PORT/api.xro/2.0`` for one
tenant id and Bearer token (what Xero's OAuth 2.0 flow yields), with the minute and day call
limits, ``Idempotency-Key`` replays and injectable faults. See ``api`` for the reference it follows.
"""

from __future__ import annotations

import secrets
import tempfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.sandbox.billing_sandbox import BillingSandbox
from desktop_app.sandbox.httpserver import Request, Response, SandboxServer
from desktop_app.sandbox.oauth_codes import OAuthClient, add_oauth_routes
from desktop_app.sandbox.sequence.api import RateLimiter
from desktop_app.sandbox.tls import create_tls_files
from desktop_app.sandbox.xero.api import build_router
from desktop_app.sandbox.xero.store import XeroCounters, XeroFaults, XeroStore, contacts_from_rows

__all__ = [
    "RunningXeroSandbox",
    "XeroCounters",
    "XeroFaults",
    "XeroStore",
    "contacts_from_rows",
    "demo_sandbox",
    "start_xero_sandbox",
]


@dataclass
class RunningXeroSandbox:
    """A started sandbox: ``url`` is the API base (ends in ``/api.xro/2.0``); trust ``ca_cert``.

    The same host signs in an app (``oauth.client_id``) at ``/identity/connect/authorize`` and
    ``/connect/token`` and lists the token's organisations at ``/connections``, as Xero's
    identity server and ``api.xero.com/connections`` do.
    """

    url: str
    ca_cert: Path
    access_token: str
    tenant_id: str
    store: XeroStore
    oauth: OAuthClient
    _server: SandboxServer
    _tempdir: tempfile.TemporaryDirectory[str] | None

    def __repr__(self) -> str:  # never show the token
        return f"RunningXeroSandbox(url={self.url!r}, tenant_id={self.tenant_id!r}, contacts={len(self.store)})"

    def stop(self) -> None:
        """Stop serving and remove the temporary certificate directory."""
        self._server.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> RunningXeroSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_xero_sandbox(
    contacts: Sequence[dict[str, Any]], *, workdir: Path | None = None, port: int = 0,
    rate_limit_per_second: float | None = None, latency_ms: float = 0.0, day_limit: int = 5000,
    faults: XeroFaults | None = None,
    access_token: str | None = None, tenant_id: str | None = None,
) -> RunningXeroSandbox:
    """Serve ``contacts`` on 127.0.0.1 (Xero allows 1/s on average: pass ``rate_limit_per_second=1``)."""
    tempdir = None
    if workdir is None:
        tempdir = tempfile.TemporaryDirectory(prefix="crosslink-xero-")
        workdir = Path(tempdir.name)
    tls = create_tls_files(Path(workdir) / "tls")
    store = XeroStore([dict(c) for c in contacts], faults=faults, day_limit=day_limit)
    token = access_token or f"eyJxero.{secrets.token_urlsafe(32)}"
    tenant = tenant_id or str(uuid.uuid4())
    oauth = OAuthClient(secrets.token_hex(16).upper(), secrets.token_urlsafe(24), token, answer_scope=True,
                        token_fields={"expires_in": 1800})  # Xero's access tokens last 30 minutes
    router = build_router(store, token_ok=oauth.valid, tenant_id=tenant,
                          rate_limiter=RateLimiter(rate_limit_per_second))
    add_oauth_routes(router, oauth, authorize_path="/identity/connect/authorize", token_path="/connect/token")

    def connections(request: Request) -> Response:
        if not oauth.valid((request.header("Authorization") or "").removeprefix("Bearer ").strip()):
            return Response.json({"Title": "Unauthorized", "Status": 401}, 401)
        return Response.json([{"id": connection_id, "authEventId": auth_event_id, "tenantId": tenant,
                               "tenantType": "ORGANISATION", "tenantName": "Crosslink Demo Ltd",
                               "createdDateUtc": "2026-01-01T00:00:00.0000000",
                               "updatedDateUtc": "2026-01-01T00:00:00.0000000"}])

    connection_id, auth_event_id = str(uuid.uuid4()), str(uuid.uuid4())
    # Xero's host answers either letter case; xero-python's IdentityApi asks for "/Connections".
    router.add("GET", r"/[Cc]onnections", connections)
    server = SandboxServer(router.dispatch, tls=tls, port=port, latency_seconds=latency_ms / 1000)
    server.start()
    return RunningXeroSandbox(f"{server.url}/api.xro/2.0", tls.ca_cert, token, tenant, store, oauth, server,
                              tempdir)


def demo_sandbox(rows: Iterable[Mapping[str, Any]], *, workdir: Path | None = None,
                 rate_limit_per_second: float | None = None, latency_ms: float = 0.0) -> BillingSandbox:
    """A Xero sandbox seeded from canonical customers rows (no day limit: demos read many times)."""
    sandbox = start_xero_sandbox(contacts_from_rows(rows), workdir=workdir,
        rate_limit_per_second=rate_limit_per_second, latency_ms=latency_ms, day_limit=10**9)
    return BillingSandbox("xero", sandbox.url, sandbox.ca_cert,
                          {"access_token": sandbox.access_token, "tenant_id": sandbox.tenant_id,
                           "client_id": sandbox.oauth.client_id},
                          sandbox.store, sandbox.stop)
