"""The UI thread keeps ticking while long work runs in the background, the way the wizard runs it.

A 10 ms timer on the UI thread measures the event loop's longest stall (the largest gap between two
ticks) while each piece of work runs through ``run_in_background`` with a ``ProgressPanel`` following
it, as on the wizard's pages. Two tests:

* a 100,000-row demo-file load and match;
* the demo mode's live route against the real local sandboxes — the Salesforce sandbox org and the
  Sequence sandbox, served in this process over HTTPS on 127.0.0.1 and seeded with 100,000 demo
  companies: start and connect, load all 100,000 accounts through the org's API (Bulk 2.0) and every
  customer through the Sequence API, match them, plan the first ``APPLY_LINKS`` matched links on the
  live values and apply that plan to both sides (Salesforce first, journaled) with the wizard's
  ``apply_plan``.

``pytest -s`` prints one line per phase: longest stall in ms, ticks, seconds, the CPU time the process
used during that stall (far below the stall when other programs had the cores) and the longest pause
of the garbage collector meanwhile (on the file route still the usual cause of the longest stall; the
demo mode freezes what its sandboxes hold, see ``wizard_demo``). The sandboxes serve from
this process, so their request handling competes for the GIL too, as in the app's demo mode; against
a real org only the client side would run here. The assertions (< 1 s, < 2 s on the live route) are
deliberately generous because the 2-core machine is shared and the figures are noisy; the figures
themselves go into the README.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from desktop_app.core.link_field import DEFAULT_LINK_FIELD as LINK_FIELD
from desktop_app.core.progress import CancelToken, ProgressCallback
from desktop_app.core.roles import Side
from desktop_app.gui.connections import connect_demo, demo_billing_choice, live_sides, run_settings
from desktop_app.gui.demo_files import write_demo_files
from desktop_app.gui.tasks import ProgressPanel, TaskFailure, run_in_background
from desktop_app.workflow.apply import apply_plan
from desktop_app.workflow.connect_billing import check_connection
from desktop_app.workflow.link_fields import account_fields_to_read
from desktop_app.workflow.load_files import load_input
from desktop_app.workflow.load_systems import fetch_accounts, fetch_customers
from desktop_app.workflow.match import match_files
from desktop_app.workflow.plan import plan_from_live

ROWS = 100_000
# 100,000 links through apply take ~8 min on the 2-core machine (README, bench_apply.py): far too long
# for the suite. 2,000 matched links (~1,700 Salesforce and ~1,750 Sequence writes: 10 Salesforce
# batches of 200, 20 Sequence batches of 100, plus the retry round for the customers Sequence refuses
# and the read-back) keep the whole live test near 60 s, sandbox start and 100,000-row loads included.
# The work per batch is the same at any size; what grows with the run is its end (read-back, results
# file) and the heap a full garbage collection walks, so a 100,000-link apply may stall longer than
# the figure measured here.
APPLY_LINKS = 2_000
# Generous on purpose (shared, noisy 2-core machine; the measured figures go into the README, not here).
# The live route gets twice the room: before the demo mode froze its sandboxes' objects (``wizard_demo``)
# a full garbage collection over the 100,000 companies they hold paused every thread for 0.4-0.85 s, and
# one phase measured 1.24 s once while the machine was heavily loaded by other work (load average 5.6 on
# 2 cores); the limits stay generous so a loaded machine does not fail the suite.
STALL_LIMIT_S = 1.0
LIVE_STALL_LIMIT_S = 2.0


class StallMeter:
    """A 10 ms timer on the UI thread; ``longest`` is the largest gap between two ticks (seconds).

    ``longest_cpu`` is the CPU time the whole process used during that gap: about the gap (or more)
    when some thread of ours held the GIL, much less when the operating system gave the cores to other
    programs. ``longest_gc`` is the longest pause of Python's cyclic garbage collector meanwhile (any
    thread): a full collection holds the GIL, so it stalls the UI thread like any other work."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.longest_cpu = 0.0
        self.longest_gc = 0.0
        self.ticks = 0
        self._last = time.perf_counter()
        self._last_cpu = time.process_time()
        self._gc_began = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if now - self._last > self.longest:
            self.longest, self.longest_cpu = now - self._last, cpu - self._last_cpu
        self._last, self._last_cpu = now, cpu
        self.ticks += 1

    def _collecting(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            self.longest_gc = max(self.longest_gc, time.perf_counter() - self._gc_began)

    def start(self) -> None:
        gc.callbacks.append(self._collecting)
        self._last, self._last_cpu = time.perf_counter(), time.process_time()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.callbacks.remove(self._collecting)


@dataclass(frozen=True)
class PhaseFigures:
    """How the event loop fared while one piece of background work ran."""

    what: str
    longest_ms: float
    ticks: int
    seconds: float
    longest_cpu_ms: float
    longest_gc_ms: float

    def line(self) -> str:
        """One line for ``pytest -s``."""
        return (f"UI stall | {self.what}: longest {self.longest_ms:.0f} ms, {self.ticks} ticks, {self.seconds:.1f} s "
                f"(process CPU in that stall {self.longest_cpu_ms:.0f} ms; "
                f"longest garbage-collector pause {self.longest_gc_ms:.0f} ms)")


class Phases:
    """Runs pieces of work one after the other as wizard pages do — ``run_in_background`` with a
    ``ProgressPanel`` in a shown window following it — and measures the UI thread meanwhile."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.figures: list[PhaseFigures] = []
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.window.show()

    def run(self, what: str, work: Callable[[ProgressCallback, CancelToken], Any], *, timeout_s: float = 180) -> Any:
        """Run ``work`` in the background and return its result; its figures are printed on one line."""
        panel = ProgressPanel(self.window)
        results: list[Any] = []
        failures: list[TaskFailure] = []
        meter = StallMeter()
        meter.start()
        began = time.perf_counter()
        try:
            task = run_in_background(work, what, on_success=results.append, on_failure=failures.append,
                                     panel=panel)
            with self.qtbot.waitSignal(task.finished, timeout=int(timeout_s * 1000)):
                pass
        finally:
            meter.stop()
        seconds = time.perf_counter() - began
        assert task.wait(5)
        assert not failures, f"{what}: {failures[0].message}"
        measured = PhaseFigures(what, meter.longest * 1000, meter.ticks, seconds, meter.longest_cpu * 1000,
                                meter.longest_gc * 1000)
        self.figures.append(measured)
        print("\n" + measured.line(), flush=True)
        return results[0]

    def assert_responsive(self, limit_s: float = STALL_LIMIT_S) -> None:
        """Every phase ticked and none stalled the UI for ``limit_s`` or more."""
        worst = max(self.figures, key=lambda f: f.longest_ms)
        print(f"\nUI stall | worst phase: {worst.what}: {worst.longest_ms:.0f} ms", flush=True)
        for measured in self.figures:
            assert measured.ticks > 10, measured.line()
            assert measured.longest_ms < limit_s * 1000, measured.line()


def _load_and_match_files(folder: Path):
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
    phases = Phases(qtbot)
    decisions = phases.run(f"loading and matching {ROWS:,}-row demo files", _load_and_match_files(tmp_path),
                           timeout_s=300)
    assert decisions >= ROWS
    phases.assert_responsive()


@pytest.fixture
def opened() -> Iterator[list[Any]]:
    """Connections and sandboxes a test opens (anything with ``close`` or ``stop``), closed at the end
    in reverse order so no server thread outlives the test."""
    things: list[Any] = []
    yield things
    for thing in reversed(things):
        (getattr(thing, "close", None) or thing.stop)()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_event_loop_never_stalls_during_a_live_load_match_and_apply(qtbot, tmp_path: Path, opened) -> None:
    """The demo's live route on both sandboxes: 100,000 accounts (and every customer) loaded through
    the APIs, matched, then a plan of ``APPLY_LINKS`` real links applied — not 100,000, which take ~8 min
    on this machine (see ``APPLY_LINKS``). 40-60 s in all on the 2-core machine, depending on its load."""
    phases = Phases(qtbot)
    folder = tmp_path / "snapshots"

    def connect(progress: ProgressCallback, cancel: CancelToken):
        salesforce, systems = connect_demo(accounts=ROWS, progress=progress, cancel=cancel)
        opened.extend([systems, salesforce])
        billing = check_connection(demo_billing_choice(systems), cancel=cancel)
        opened.append(billing)
        return salesforce, billing

    salesforce, billing = phases.run(f"starting both sandboxes with {ROWS:,} companies and connecting", connect)

    def load_accounts(progress: ProgressCallback, cancel: CancelToken):
        fields = account_fields_to_read(salesforce.client.describe("Account"), LINK_FIELD)
        return fetch_accounts(salesforce.client, fields, folder, progress=progress, cancel=cancel)

    accounts_path, account_columns = phases.run(f"loading {ROWS:,} accounts from the sandbox org's API",
                                                load_accounts)
    customers_path, customer_columns = phases.run(
        "loading every customer from the Sequence sandbox's API",
        lambda p, c: fetch_customers(billing.system, folder, progress=p, cancel=c))
    run = phases.run(f"matching the {ROWS:,} loaded accounts with the loaded customers",
                     lambda p, c: match_files(accounts_path, customers_path,
                                              overrides=[*account_columns, *customer_columns], progress=p, cancel=c))
    assert len(run.accounts.frame) == ROWS
    decisions = run.result.decisions
    chosen = decisions[decisions["status"] == "matched"].head(APPLY_LINKS).copy()
    assert len(chosen) == APPLY_LINKS

    sides = live_sides(salesforce, billing, LINK_FIELD)
    plan = phases.run(f"planning {APPLY_LINKS:,} links on live values",
                      lambda p, c: plan_from_live(chosen, sides, policy="skip_linked", cancel=c))
    planned = plan.counts()
    assert planned["account"]["set"] > APPLY_LINKS // 2
    assert planned["customer"]["set"] > APPLY_LINKS // 2

    settings = run_settings(salesforce, billing, LINK_FIELD)
    report = phases.run(f"applying {APPLY_LINKS:,} links to both sandboxes",
                        lambda p, c: apply_plan(plan, sides, settings, progress=p, cancel=c))
    # Sequence refuses, on purpose, the demo customers with an incomplete address or a non-ISO country.
    assert report.state in ("done", "done_with_failures"), report.message
    assert report.verification is not None
    assert report.write_counts["account"].get("written", 0) == planned["account"]["set"]
    assert report.write_counts["customer"].get("written", 0) > planned["customer"]["set"] // 2
    phases.assert_responsive(LIVE_STALL_LIMIT_S)
