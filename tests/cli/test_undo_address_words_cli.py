"""After an undo the CLI says what became of the address fixes in the Done page's words: a part
still ``written`` was kept fixed (not put back), a ``failed`` one was never written by the run.
Before, `desktop-app undo` printed 'billing: 6 failed, 28 written' for the same figures the Done
page read as '6 never written by the run, 28 kept fixed'."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.cli import apply_cmd
from desktop_app.workflow.address_outcome import accepted_fixes_clause, address_sentence
from desktop_app.workflow.engine import RunReport

COUNTS = {"account": {"undone": 277}, "customer": {"failed": 6, "written": 28}}


def _report(kind: str) -> RunReport:
    return RunReport(run_id="run-x", kind=kind, state="done", message="", write_counts={}, pairs={"restored": 1},
                     verification=None, results_path=Path("results.csv"), addresses=COUNTS)


def _printed(kind: str, capsys, monkeypatch) -> str:
    monkeypatch.setattr(apply_cmd, "_fixes_run", lambda report: report.run_id)
    args = argparse.Namespace(results=None, json=False)
    apply_cmd._finish(_report(kind), args)
    return capsys.readouterr().out


def test_undo_prints_the_done_pages_words_for_the_address_fixes(capsys, monkeypatch) -> None:
    out = _printed("undo", capsys, monkeypatch)
    assert "  address fixes, Salesforce: 277 put back" in out
    assert ("  address fixes, billing: 6 never written by the run, 28 kept fixed (not put back; the file says why)"
            in out)
    for part in ("277 put back", "6 never written by the run", "28 kept fixed"):
        assert part in address_sentence(COUNTS, "billing", undo=True)  # the Done page's sentence


def test_apply_prints_written_and_refused(capsys, monkeypatch) -> None:
    out = _printed("apply", capsys, monkeypatch)
    assert "  address fixes, billing: 6 refused, 28 written" in out


def test_the_accepted_fixes_say_what_the_run_wrote_and_the_undo_put_back() -> None:
    # The Done page's headline said "1,931 address fixes accepted" still after the undo put 1,752 back.
    run = {"account": {"written": 1752}, "customer": {"failed": 32, "written": 147}}
    undo = {"account": {"undone": 1752}, "customer": {"failed": 32, "written": 147}}
    assert accepted_fixes_clause(1931, None) == "1,931 address fixes accepted"
    assert accepted_fixes_clause(1931, run) == "1,931 address fixes accepted: 1,899 written by the run"
    assert accepted_fixes_clause(1931, run, undo) == (
        "1,931 address fixes accepted: 1,899 written by the run, 1,752 of them put back by the undo")


def test_one_accepted_fix_is_one_address_fix() -> None:
    assert accepted_fixes_clause(1, None) == "1 address fix accepted"
    assert accepted_fixes_clause(1, {"customer": {"written": 1}}) == "1 address fix accepted: 1 written by the run"


def test_the_reports_address_rows_say_what_done_says() -> None:
    from desktop_app.workflow.address_outcome import address_report_rows, address_sentence

    run = {"account": {"written": 2}, "customer": {"failed": 1}}
    undo = {"account": {"undone": 2}, "customer": {"failed": 1}}
    rows = address_report_rows(3, run, "Sequence", undo)
    assert rows == {"address fixes accepted": 3,
                    "address fixes": accepted_fixes_clause(3, run, undo) + ".",
                    "address fixes written by the run": address_sentence(run, "Sequence"),
                    "address fixes after the undo": address_sentence(undo, "Sequence", undo=True)}
    assert rows["address fixes"] == "3 address fixes accepted: 2 written by the run, 2 of them put back by the undo."
    assert address_report_rows(0, None, "Sequence") == {}
