"""The UI thread keeps ticking while a 100,000-row load and match run in the background."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from desktop_app.core.progress import CancelToken, ProgressCallback
from desktop_app.core.roles import Side
from desktop_app.gui.demo_files import write_demo_files
from desktop_app.gui.tasks import run_in_background
from desktop_app.workflow.inputs import load_input
from desktop_app.workflow.matching import match_files

ROWS = 100_000


class StallMeter:
    """A 10 ms timer on the UI thread; ``longest`` is the largest gap between two ticks (seconds)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.ticks = 0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now
        self.ticks += 1

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()


def _heavy_work(folder: Path):
    def work(progress: ProgressCallback, cancel: CancelToken) -> int:
        files = write_demo_files(folder, ROWS, progress=progress, cancel=cancel)
        accounts = load_input(files.accounts, Side.ACCOUNTS, progress=progress, cancel=cancel)
        customers = load_input(files.customers, Side.CUSTOMERS, progress=progress, cancel=cancel)
        assert len(accounts.frame) == ROWS
        assert len(customers.frame) > 0
        run = match_files(files.accounts, files.customers, progress=progress, cancel=cancel)
        return len(run.result.decisions)

    return work


@pytest.mark.slow
def test_event_loop_never_stalls_during_a_big_load_and_match(qtbot, tmp_path: Path) -> None:
    meter = StallMeter()
    meter.start()
    results: list[int] = []
    task = run_in_background(_heavy_work(tmp_path), "loading and matching 100,000 accounts",
                             on_success=results.append)
    with qtbot.waitSignal(task.finished, timeout=300_000):
        pass
    assert results
    assert results[0] >= ROWS
    meter.timer.stop()
    assert task.wait(5)
    print(f"\nlongest UI stall during a {ROWS:,}-row load and match: {meter.longest * 1000:.0f} ms "
          f"over {meter.ticks} ticks")
    assert meter.ticks > 10
    assert meter.longest < 1.0
