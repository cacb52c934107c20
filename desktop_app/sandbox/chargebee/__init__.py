"""A local Chargebee site (API v2) over HTTPS for tests, benchmarks and demo mode.

``start_chargebee_sandbox`` serves the given customers under ``https://127.0.0.1:PORT/api/v2``
with the site's API key, its configured custom fields, rate limiting and injectable faults. Shapes
follow Chargebee's API reference; see ``api`` for what it follows.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.sandbox.billing_sandbox import BillingSandbox
from desktop_app.sandbox.chargebee.api import build_router
from desktop_app.sandbox.chargebee.store import (
    DEFAULT_CUSTOM_FIELD,
    ChargebeeCounters,
    ChargebeeFaults,
    ChargebeeStore,
    customers_from_rows,
)
from desktop_app.sandbox.httpserver import SandboxServer
from desktop_app.sandbox.sequence.api import RateLimiter
from desktop_app.sandbox.tls import create_tls_files

__all__ = [
    "DEFAULT_CUSTOM_FIELD",
    "ChargebeeCounters",
    "ChargebeeFaults",
    "ChargebeeStore",
    "RunningChargebeeSandbox",
    "customers_from_rows",
    "demo_sandbox",
    "start_chargebee_sandbox",
]


@dataclass
class RunningChargebeeSandbox:
    """A started sandbox: ``url`` is the API base (ends in ``/api/v2``); trust ``ca_cert``."""

    url: str
    ca_cert: Path
    api_key: str
    store: ChargebeeStore
    _server: SandboxServer
    _tempdir: tempfile.TemporaryDirectory[str] | None

    def __repr__(self) -> str:  # never show the key
        return f"RunningChargebeeSandbox(url={self.url!r}, customers={len(self.store)})"

    def stop(self) -> None:
        """Stop serving and remove the temporary certificate directory."""
        self._server.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> RunningChargebeeSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_chargebee_sandbox(
    customers: Sequence[dict[str, Any]], *, custom_fields: Iterable[str] = (DEFAULT_CUSTOM_FIELD,),
    workdir: Path | None = None, port: int = 0, rate_limit_per_second: float | None = None, latency_ms: float = 0.0,
    faults: ChargebeeFaults | None = None, api_key: str | None = None,
) -> RunningChargebeeSandbox:
    """Serve ``customers`` (Chargebee customer payloads) on 127.0.0.1."""
    tempdir = None
    if workdir is None:
        tempdir = tempfile.TemporaryDirectory(prefix="crosslink-chargebee-")
        workdir = Path(tempdir.name)
    tls = create_tls_files(Path(workdir) / "tls")
    store = ChargebeeStore([dict(c) for c in customers], custom_fields=custom_fields, faults=faults)
    key = api_key or f"test_{secrets.token_urlsafe(24)}"
    router = build_router(store, api_key=key, rate_limiter=RateLimiter(rate_limit_per_second))
    server = SandboxServer(router.dispatch, tls=tls, port=port, latency_seconds=latency_ms / 1000)
    server.start()
    return RunningChargebeeSandbox(f"{server.url}/api/v2", tls.ca_cert, key, store, server, tempdir)


def demo_sandbox(rows: Iterable[Mapping[str, Any]], *, workdir: Path | None = None,
                 rate_limit_per_second: float | None = None, latency_ms: float = 0.0) -> BillingSandbox:
    """A Chargebee sandbox seeded from canonical customers rows (with the demo's mess)."""
    sandbox = start_chargebee_sandbox(customers_from_rows(rows), workdir=workdir,
        rate_limit_per_second=rate_limit_per_second, latency_ms=latency_ms)
    return BillingSandbox("chargebee", sandbox.url, sandbox.ca_cert, {"api_key": sandbox.api_key},
                          sandbox.store, sandbox.stop)
