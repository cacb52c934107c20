"""Retrying calls to a billing API: backoff that honours ``Retry-After`` and can be cancelled."""

from __future__ import annotations

import random
from dataclasses import dataclass

from desktop_app.core.progress import Cancelled, CancelToken


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a throttled (429), failed (5xx) or dropped request.

    Server errors and connection failures: at most ``max_attempts`` attempts within ``give_up_after``
    seconds from the first (timeouts count), the wait before attempt n+1 being ``base_delay * 2**n``
    capped at ``max_delay``, with a little jitter so parallel clients do not retry in lockstep.
    Throttling (429) is a system asking to come back later, so it is ridden out for up to
    ``throttle_budget`` seconds of waiting per request, each wait at least the ``Retry-After`` asked;
    beyond that it is a quota, and the request gives up.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    give_up_after: float = 20.0
    throttle_budget: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        backoff = self.base_delay * (2.0**attempt) * (1 + random.random() / 4)
        wanted = max(backoff, retry_after or 0.0)
        return min(wanted, self.max_delay)

    def failure_wait(self, attempt: int, elapsed: float) -> float | None:
        """The wait before retrying a 5xx or a connection failure ``elapsed`` seconds after the first
        attempt began; None when it is time to give up."""
        if attempt + 1 >= max(1, self.max_attempts):
            return None
        wait = self.delay(attempt)
        return wait if elapsed + wait <= self.give_up_after else None

    def throttle_wait(self, attempt: int, waited: float, retry_after: float | None) -> float | None:
        """The wait before retrying a 429 (``Retry-After`` honoured), None once the budget is spent."""
        wait = max(min(self.base_delay * (2.0 ** min(attempt, 30)), self.max_delay), retry_after or 0.0)
        return wait if waited + wait <= self.throttle_budget else None


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
