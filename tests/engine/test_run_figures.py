"""One source of truth for run figures (issue 10, point 4): the headline is the read-back, it
changes after undo, and a finished or undone run is never offered for resume."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from engine_memory_side import MemorySide

from desktop_app.core.journal import Journal
from desktop_app.core.plan import Plan, build_plan
from desktop_app.core.run_figures import resumable_runs, run_figures, why_not_resumable
from desktop_app.workflow.engine import start_apply, start_undo

ACCOUNTS = [f"0015g0000{n:06d}AAA" for n in range(10)]
CUSTOMERS = [f"cus_{n}" for n in range(10)]


def _setup(tmp_path: Path) -> tuple[Plan, Journal, dict[str, MemorySide]]:
    frame = pd.DataFrame({"account_id": ACCOUNTS, "customer_id": CUSTOMERS, "status": "matched"}, dtype=object)
    # Rows 0 and 1 are already linked on both sides: the run writes nothing there, undo leaves them.
    accounts = MemorySide("account", {a: (CUSTOMERS[i] if i < 2 else "") for i, a in enumerate(ACCOUNTS)})
    customers = MemorySide("customer", {c: (ACCOUNTS[i] if i < 2 else "") for i, c in enumerate(CUSTOMERS)})
    plan = build_plan(frame, account_values=accounts.values, customer_values=customers.values)
    return plan, Journal(tmp_path / "journal.sqlite3"), {"account": accounts, "customer": customers}


def _in_place(sides: dict[str, MemorySide]) -> int:
    return sum(sides["account"].values[a] == c and sides["customer"].values[c] == a
               for a, c in zip(ACCOUNTS, CUSTOMERS, strict=True))


def test_headline_is_the_read_back_and_changes_after_undo(tmp_path: Path) -> None:
    plan, journal, sides = _setup(tmp_path)
    sides["customer"].fail_ids.add("cus_7")  # the billing system refuses one customer
    report = start_apply(journal, plan, sides)
    assert report.state == "done_with_failures"
    figures = report.figures
    assert figures is not None
    assert figures.verified == figures.linked_now == _in_place(sides) == 9
    assert figures.headline() == f"9 of the plan's 10 pairs linked on both sides (read back after run {report.run_id})."
    assert run_figures(journal, report.run_id) == figures  # the same function over the journal
    assert [r.run_id for r in resumable_runs(journal, "apply")] == [report.run_id]  # failures left: resumable

    undo = start_undo(journal, report.run_id, sides)
    assert undo.figures is not None
    assert undo.figures.restored == 8  # the 7 links it wrote, and the half-linked row's Account
    assert undo.figures.links_taken_back == 7  # the same figure the apply run's headline takes off
    assert "values put back on 8 rows (7 of them links verified on both sides)" in undo.figures.headline()
    assert undo.figures.left_alone == 0
    assert "no record was left alone" in undo.figures.headline()
    after = run_figures(journal, report.run_id)
    assert after.linked_now == _in_place(sides) == 2  # only the links that were there before the run
    assert after.undone == 7 == undo.figures.links_taken_back
    assert after.headline().startswith(f"2 of the plan's 10 pairs linked on both sides: run {report.run_id}'s "
                                       "read-back verified 9")

    assert resumable_runs(journal, "apply") == []  # an undone run is never offered for resume
    info = journal.run(report.run_id)
    assert info is not None
    assert "was undone" in why_not_resumable(journal, info)


def test_a_run_that_is_done_is_not_resumable(tmp_path: Path) -> None:
    plan, journal, sides = _setup(tmp_path)
    report = start_apply(journal, plan, sides)
    assert report.state == "done"
    assert resumable_runs(journal) == []
    info = journal.run(report.run_id)
    assert info is not None
    assert "already done" in why_not_resumable(journal, info)


def test_an_undo_of_one_row_says_one_row() -> None:
    from desktop_app.core.run_figures import RunFigures

    undo = RunFigures(run_id="u", kind="undo", state="done", links=1, verified=None, undone=0, undo_runs=(),
                      written_links=0, restored=1, left_alone=1, failed=1, undo_of="r")
    assert undo.headline() == ("Undo of run r: values put back on 1 row; 1 record left alone because it changed "
                               "since the run; 1 row could not be put back yet.")
