"""An in-memory stand-in for one system's link field, for engine tests that need no network.

It counts applied writes per record, can fail given records, and can "crash" after applying a batch
(raising ``SimulatedKill``, which the engine does not catch) to imitate a process killed between
sending a batch and journaling its answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from desktop_app.core.progress import CancelToken
from desktop_app.workflow.link_sides import SideResult


class SimulatedKill(BaseException):
    """The process "died" after the system applied the batch."""


class MemorySide:
    """A link field held in a dict."""

    def __init__(self, name: str, values: dict[str, str], *, batch_size: int = 3) -> None:
        self.name = name
        self.label = f"memory-{name}"
        self.batch_size = batch_size
        self.values = dict(values)
        self.writes: Counter[str] = Counter()
        self.fail_ids: set[str] = set()
        self.kill_after_writes: int | None = None
        self.cancel_after_writes: tuple[int, CancelToken] | None = None

    def close(self) -> None:
        """Nothing to release."""

    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        return {i: self.values[i] for i in record_ids if i in self.values}

    def write(self, values: Sequence[tuple[str, str]], cancel: CancelToken | None = None) -> list[SideResult]:
        results = []
        for record_id, value in values:
            if record_id in self.fail_ids:
                results.append(SideResult(record_id, "failed", "UNABLE_TO_LOCK_ROW", "locked"))
                continue
            self.values[record_id] = value
            self.writes[record_id] += 1
            results.append(SideResult(record_id, "written"))
        total = sum(self.writes.values())
        if self.kill_after_writes is not None and total >= self.kill_after_writes:
            self.kill_after_writes = None
            raise SimulatedKill()
        if self.cancel_after_writes is not None and total >= self.cancel_after_writes[0]:
            self.cancel_after_writes[1].cancel()
        return results
