"""The Match & review page stays smooth with a million review rows.

A real 2,000-account demo match is tiled to about 1,000,000 decision rows (and the accounts and
customers to ~1,000,000 and ~900,000 records, every id made unique per copy, so the evidence pane looks
records up in frames of that size). The page then shows it and a person's actions run the way keys and
buttons run them: filtering by status, sorting by score, moving the selection (the evidence pane
follows), accepting with Space, undo, redo, a bulk accept through its preview, and undoing that.
``StallMeter`` (a 10 ms timer on the UI thread, from ``test_responsiveness``) measures the longest
gap per action; ``pytest -s`` prints one line each, and the figure goes into the README. As in that
file, the only assertion on time is deliberately generous (the shared 2-core machine is noisy).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from test_responsiveness import STALL_LIMIT_S, StallMeter

from desktop_app.gui import dialogs
from desktop_app.gui.demo_files import write_demo_files
from desktop_app.gui.pages.match import MatchPage
from desktop_app.gui.state import WizardState
from desktop_app.workflow.match import MatchRun, match_files
from desktop_app.workflow.review import with_review_column
from desktop_app.workflow.review_prepare import prepare_review

ROWS = 1_000_000


def _tiled(frame: pd.DataFrame, copies: int, id_columns: tuple[str, ...]) -> pd.DataFrame:
    """``copies`` copies of ``frame``, each id suffixed with its copy number (empty ids stay empty)."""
    big = pd.concat([frame] * copies, ignore_index=True)
    copy = np.repeat(np.arange(copies), len(frame)).astype(str)
    for column in id_columns:
        if column in big.columns:
            ids = big[column].fillna("").astype(str).to_numpy(dtype=object)
            big[column] = np.where(ids != "", ids + "-" + copy, "").astype(object)
    return big


def _big_run(folder: Path) -> tuple[MatchRun, pd.DataFrame]:
    files = write_demo_files(folder, 2_000)
    run = match_files(files.accounts, files.customers)
    copies = -(-ROWS // len(run.result.decisions))
    decisions = _tiled(run.result.decisions, copies, ("account_id", "customer_id"))
    decisions["candidates"] = ""  # candidate texts name the first copy's ids; keep the rows honest
    accounts = dataclasses.replace(run.accounts, frame=_tiled(run.accounts.frame, copies,
                                                              ("account_id", "link_customer_id")))
    customers = dataclasses.replace(run.customers, frame=_tiled(run.customers.frame, copies,
                                                                ("customer_id", "sf_account_id")))
    result = dataclasses.replace(run.result, decisions=decisions)
    return dataclasses.replace(run, accounts=accounts, customers=customers, result=result), decisions


@pytest.mark.slow
def test_review_of_a_million_rows_never_stalls(qtbot, tmp_path: Path, monkeypatch) -> None:
    run, decisions = _big_run(tmp_path)
    assert len(decisions) >= ROWS
    prepared = prepare_review(run, with_review_column(decisions))  # the page does this on its worker
    page = MatchPage(WizardState())
    qtbot.addWidget(page)
    page.resize(1040, 720)
    page.show()
    figures: list[tuple[str, float]] = []

    def measure(what: str, action) -> None:
        meter = StallMeter()
        meter.start()
        began, busy = time.perf_counter(), time.thread_time()
        action()
        qtbot.waitUntil(lambda: not page.model.busy and not page.working, timeout=60_000)  # a big call's worker too
        qtbot.wait(100)  # the event loop runs on: the repaint and the meter's next ticks land in it
        meter.stop()
        figures.append((what, meter.longest * 1000))
        # Our CPU time in the longest gap, and the UI thread's own, say how much of a stall is the page's
        # work rather than the other processes on a shared machine.
        print(f"\nUI stall | {what} ({len(decisions):,} rows): longest {meter.longest * 1000:.0f} ms (our CPU "
              f"in it {meter.longest_cpu * 1000:.0f} ms, longest GC pause {meter.longest_gc * 1000:.0f} ms), "
              f"{time.perf_counter() - began:.1f} s; UI thread CPU {(time.thread_time() - busy) * 1000:.0f} ms",
              flush=True)

    measure("showing the review", lambda: page.show_run(run, prepared))
    frame = page.model.frame
    measure("filtering by status", lambda: page.status_filter.setCurrentIndex(page.status_filter.findData("suggested")))
    assert page.model.rowCount() == int((frame["status"] == "suggested").sum())
    score = page.model.column_index("score")
    measure("sorting by score", lambda: page.table.horizontalHeader().setSortIndicator(
        score, Qt.SortOrder.DescendingOrder))
    page.table.setFocus()
    page.select_position(page.model.source_position(0))
    for _ in range(20):
        measure("moving the selection one row down", lambda: qtbot.keyClick(page.table, Qt.Key.Key_Down))
    measure("accepting with Space", lambda: qtbot.keyClick(page.table, Qt.Key.Key_Space))
    accepted = page.model.source_position(page.table.currentIndex().row())
    assert frame.loc[accepted, "status"] == "matched"
    measure("undo", lambda: qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier))
    assert frame.loc[accepted, "status"] == "suggested"
    measure("redo", lambda: qtbot.keyClick(page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier))
    monkeypatch.setattr(dialogs, "run_dialog", lambda dialog: True)
    page.status_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not page.model.busy, timeout=60_000)
    measure("bulk accept after its preview", page.accept_all_button.click)
    measure("undoing the bulk accept", page.undo_button.click)
    assert (frame["reviewed"] == "accepted").sum() == 1  # only the one redone accept is left
    worst = max(figures, key=lambda f: f[1])
    print(f"\nUI stall | worst review action: {worst[0]}: {worst[1]:.0f} ms", flush=True)
    assert all(ms < STALL_LIMIT_S * 1000 for _, ms in figures), figures
