"""A local Sequence (billing) API over HTTPS for tests, benchmarks and the demo mode.

``start_sequence_sandbox`` seeds customers from the shared demo data (or takes them as given),
serves ``/api/customers`` on 127.0.0.1 with Basic auth, rate limiting and injectable faults, and
returns a handle with the URL, the CA to trust, the credentials and the live store (counters).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.sandbox.billing_sandbox import BillingSandbox
from desktop_app.sandbox.httpserver import SandboxServer
from desktop_app.sandbox.sequence.api import RateLimiter, build_router
from desktop_app.sandbox.sequence.seed import DEFAULT_LINK_SERVICE, customers_from_rows, demo_customers
from desktop_app.sandbox.sequence.store import SequenceCounters, SequenceFaults, SequenceStore
from desktop_app.sandbox.tls import create_tls_files

__all__ = [
    "RunningSequenceSandbox",
    "SequenceCounters",
    "SequenceFaults",
    "SequenceStore",
    "customers_from_rows",
    "demo_sandbox",
    "start_sequence_sandbox",
]


@dataclass
class RunningSequenceSandbox:
    """A started sandbox. ``url`` is the API base (ends in ``/api``); trust ``ca_cert``."""

    url: str
    ca_cert: Path
    client_id: str
    client_secret: str
    store: SequenceStore
    _server: SandboxServer
    _tempdir: tempfile.TemporaryDirectory[str] | None

    @property
    def counters(self) -> SequenceCounters:
        """Live counters (writes per customer id, requests, statuses)."""
        return self.store.counters

    @property
    def faults(self) -> SequenceFaults:
        """The faults to inject; tests change them while the sandbox runs."""
        return self.store.faults

    def __repr__(self) -> str:  # never show the secret
        return f"RunningSequenceSandbox(url={self.url!r}, customers={len(self.store)})"

    def stop(self) -> None:
        """Stop serving and remove the temporary certificate directory."""
        self._server.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> RunningSequenceSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sequence_sandbox(
    *,
    customers: int | Sequence[dict[str, Any]] = 2000,
    seed: int = 7,
    port: int = 0,
    workdir: Path | None = None,
    rate_limit_per_second: float | None = None, latency_ms: float = 0.0,
    faults: SequenceFaults | None = None,
    link_service: str = DEFAULT_LINK_SERVICE,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> RunningSequenceSandbox:
    """Start a Sequence sandbox on 127.0.0.1 in a background thread.

    ``customers`` is either a count (customers of ``demo_data.generate(count, seed=seed)`` with
    realistic mess) or ready Sequence customer payloads (each with an ``id``). Certificates go to
    ``workdir`` (a temporary directory when None). Credentials are random unless given.
    """
    tempdir = None
    if workdir is None:
        tempdir = tempfile.TemporaryDirectory(prefix="crosslink-sequence-")
        workdir = Path(tempdir.name)
    tls = create_tls_files(Path(workdir) / "tls")
    payloads = (
        demo_customers(customers, seed=seed, link_service=link_service)
        if isinstance(customers, int) else [dict(customer) for customer in customers]
    )
    store = SequenceStore(payloads, faults)
    client_id = client_id or f"sandbox-{secrets.token_hex(4)}"
    client_secret = client_secret or secrets.token_urlsafe(24)
    router = build_router(store, client_id=client_id, client_secret=client_secret,
                          rate_limiter=RateLimiter(rate_limit_per_second))
    server = SandboxServer(router.dispatch, tls=tls, port=port, latency_seconds=latency_ms / 1000)
    server.start()
    return RunningSequenceSandbox(
        url=f"{server.url}/api", ca_cert=tls.ca_cert, client_id=client_id, client_secret=client_secret,
        store=store, _server=server, _tempdir=tempdir,
    )


def demo_sandbox(rows: Iterable[Mapping[str, Any]], *, workdir: Path | None = None,
                 rate_limit_per_second: float | None = None, latency_ms: float = 0.0) -> BillingSandbox:
    """A Sequence sandbox seeded from canonical customers rows (with the demo's mess)."""
    sandbox = start_sequence_sandbox(customers=customers_from_rows(rows, seed=7), workdir=workdir,
        rate_limit_per_second=rate_limit_per_second, latency_ms=latency_ms)
    return BillingSandbox("sequence", sandbox.url, sandbox.ca_cert,
                          {"client_id": sandbox.client_id, "client_secret": sandbox.client_secret},
                          sandbox.store, sandbox.stop)
