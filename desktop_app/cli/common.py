"""What every command shares: exit codes, the user-error type and progress on a terminal."""

from __future__ import annotations

import re
import sys
import time
from typing import TextIO

from desktop_app.core.progress import Progress

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130


# C0 controls but tab and newline, DEL, and C1 controls: a terminal would act on them (ESC starts
# an escape sequence that can recolour, retitle or rewrite the screen; CR overwrites the line).
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` safe to print: every control character a terminal would act on is shown as its
    escape (``\\x1b``), so values from a user's file are quoted, never executed."""
    return _TERMINAL_CONTROLS.sub(lambda m: repr(m.group(0))[1:-1], text)


def say(text: str, stream: TextIO | None = None) -> None:
    """Print one message for the user on ``stream`` (stderr by default) with controls escaped."""
    print(terminal_text(text), file=stream or sys.stderr)


class UsageError(Exception):
    """Input the user can fix (a bad file, a wrong option); printed as one sentence, exit 2."""


class TerminalProgress:
    """Progress callback that redraws one line on stderr when it is a terminal, silent otherwise."""

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.1) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty()
        self._min_interval = min_interval
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if now - self._last < self._min_interval and progress.done < progress.total:
            return
        self._last = now
        share = progress.fraction
        amount = f"{share:6.1%}" if share is not None else f"{progress.done:,}"
        self._stream.write(f"\r{amount} {progress.message[:70]:<70}")
        self._stream.flush()

    def finish(self) -> None:
        """End the progress line."""
        if self._enabled:
            self._stream.write("\r" + " " * 80 + "\r")
            self._stream.flush()
