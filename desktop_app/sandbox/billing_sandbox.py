"""The one shape every billing sandbox is started in, so demo mode and ``desktop-app sandbox`` can
serve any system the same way: its API address, the CA to trust, the credentials the adapter needs
(named as the billing registry names them) and a way to stop it.

Each billing sandbox package offers ``demo_sandbox(rows, *, workdir=None, rate_limit_per_second=None,
latency_ms=0.0) -> BillingSandbox``, seeded from canonical customers rows (the demo data), with that
system's realistic mess; past ``rate_limit_per_second`` it answers 429 with ``Retry-After``, and it
holds every answer back ``latency_ms`` (a network round trip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class BillingSandbox:
    """A running billing sandbox. ``credentials`` keys are the registry's credential names."""

    system: str
    url: str
    ca_cert: Path | None
    credentials: dict[str, str] = field(repr=False)
    store: Any = field(repr=False)
    _stop: Callable[[], None] = field(repr=False)

    def stop(self) -> None:
        """Stop serving (safe to call twice)."""
        stop, self._stop = self._stop, lambda: None
        stop()

    def __enter__(self) -> BillingSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
