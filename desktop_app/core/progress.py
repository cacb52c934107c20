"""Progress reports and cancellation shared by every long-running step.

Long work is written as a function that takes a ``report`` callback and a ``CancelToken``;
the GUI runs it on a worker thread and turns each report into a signal, the CLI prints it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """How far a step has come: ``done`` of ``total`` units (total 0 = unknown), and what it does."""

    done: int
    total: int
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """Share done in [0, 1], or None when the total is unknown."""
        if self.total <= 0:
            return None
        return min(1.0, max(0.0, self.done / self.total))


ProgressCallback = Callable[[Progress], None]


def ignore_progress(_: Progress) -> None:
    """A progress callback that discards every report."""


class Cancelled(Exception):
    """Raised by ``CancelToken.raise_if_cancelled`` when the user asked to stop."""


class CancelToken:
    """Thread-safe flag a caller sets to ask long work to stop at its next checkpoint."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop; it stops at its next checkpoint."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once ``cancel`` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise ``Cancelled`` if the work should stop now."""
        if self._event.is_set():
            raise Cancelled("cancelled by the user")

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, waking early on cancel; returns True if cancelled."""
        return self._event.wait(seconds)

