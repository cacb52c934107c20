"""Retrying calls to a billing API: backoff that honours ``Retry-After`` and can be cancelled."""

from __future__ import annotations

import random
from dataclasses import dataclass

from desktop_app.core.progress import Cancelled, CancelToken


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a throttled (429), failed (5xx) or dropped request.

    The wait before attempt n+1 is ``max(retry_after, base_delay * 2**n)`` capped at ``max_delay``,
    with a little jitter so parallel clients do not retry in lockstep.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        backoff = self.base_delay * (2.0**attempt) * (1 + random.random() / 4)
        wanted = max(backoff, retry_after or 0.0)
        return min(wanted, self.max_delay)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds; None when absent or a date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def sleep_or_cancel(seconds: float, cancel: CancelToken | None) -> None:
    """Wait ``seconds``; raise ``Cancelled`` at once when the user cancels meanwhile."""
    if cancel is None:
        CancelToken().wait(seconds)
        return
    if cancel.wait(seconds):
        raise Cancelled("cancelled by the user")
