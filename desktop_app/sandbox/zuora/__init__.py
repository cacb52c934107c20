"""A local Zuora tenant over HTTPS for tests, benchmarks and demo mode.

``start_zuora_sandbox`` serves the given accounts on 127.0.0.1 behind OAuth client credentials
(``/oauth/token``), with the Object Query, Accounts and Actions endpoints, rate limiting and
injectable faults. See ``api`` for the reference it follows.
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
from desktop_app.sandbox.httpserver import SandboxServer
from desktop_app.sandbox.sequence.api import RateLimiter
from desktop_app.sandbox.tls import create_tls_files
from desktop_app.sandbox.zuora.api import build_router
from desktop_app.sandbox.zuora.store import ZuoraCounters, ZuoraFaults, ZuoraStore, accounts_from_rows

__all__ = [
    "RunningZuoraSandbox",
    "ZuoraCounters",
    "ZuoraFaults",
    "ZuoraStore",
    "accounts_from_rows",
    "demo_sandbox",
    "start_zuora_sandbox",
]


@dataclass
class RunningZuoraSandbox:
    """A started sandbox: ``url`` is the tenant's API host; trust ``ca_cert``."""

    url: str
    ca_cert: Path
    client_id: str
    client_secret: str
    store: ZuoraStore
    _server: SandboxServer
    _tempdir: tempfile.TemporaryDirectory[str] | None

    def __repr__(self) -> str:  # never show the secret
        return f"RunningZuoraSandbox(url={self.url!r}, accounts={len(self.store)})"

    def stop(self) -> None:
        """Stop serving and remove the temporary certificate directory."""
        self._server.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> RunningZuoraSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_zuora_sandbox(
    accounts: Sequence[dict[str, Any]], *, workdir: Path | None = None, port: int = 0,
    rate_limit_per_second: float | None = None, latency_ms: float = 0.0, faults: ZuoraFaults | None = None,
    client_id: str | None = None, client_secret: str | None = None,
) -> RunningZuoraSandbox:
    """Serve ``accounts`` (Object Query shapes, ``billTo`` expanded) on 127.0.0.1."""
    tempdir = None
    if workdir is None:
        tempdir = tempfile.TemporaryDirectory(prefix="crosslink-zuora-")
        workdir = Path(tempdir.name)
    tls = create_tls_files(Path(workdir) / "tls")
    store = ZuoraStore([dict(a) for a in accounts], faults=faults)
    client_id = client_id or str(uuid.uuid4())  # Zuora's client ids are 36-character UUIDs (zuora-sdk checks)
    client_secret = client_secret or secrets.token_urlsafe(24)
    router = build_router(store, client_id=client_id, client_secret=client_secret,
                          rate_limiter=RateLimiter(rate_limit_per_second))
    server = SandboxServer(router.dispatch, tls=tls, port=port, latency_seconds=latency_ms / 1000)
    server.start()
    return RunningZuoraSandbox(server.url, tls.ca_cert, client_id, client_secret, store, server, tempdir)


def demo_sandbox(rows: Iterable[Mapping[str, Any]], *, workdir: Path | None = None,
                 rate_limit_per_second: float | None = None, latency_ms: float = 0.0) -> BillingSandbox:
    """A Zuora sandbox seeded from canonical customers rows (with the demo's mess)."""
    sandbox = start_zuora_sandbox(accounts_from_rows(rows), workdir=workdir,
        rate_limit_per_second=rate_limit_per_second, latency_ms=latency_ms)
    return BillingSandbox("zuora", sandbox.url, sandbox.ca_cert,
                          {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret},
                          sandbox.store, sandbox.stop)
