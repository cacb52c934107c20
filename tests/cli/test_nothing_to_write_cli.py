"""A plan without a single link is never reported as written: `plan` says so and writes no file
(exit 1), `apply` refuses such a plan before connecting or journaling anything (exit 2). Before, an
all-unmatched review gave '0 links', and applying it printed 'Run …: done. 0 of the plan's 0 pairs
linked on both sides' with exit 0."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from desktop_app.cli import main
from desktop_app.core.journal import Journal
from desktop_app.core.plan import Plan, PlanSource
from desktop_app.core.plan_file import write_plan
from desktop_app.workflow.apply import NothingToWrite, apply_plan, nothing_to_write

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _all_unmatched(tmp_path: Path) -> Path:
    matches = tmp_path / "matches.csv"
    assert main(["match", "--accounts", str(SAMPLES / "salesforce_accounts_export.csv"),
                 "--customers", str(SAMPLES / "stripe_customers_export.csv"), "--out", str(matches)]) == 0
    with matches.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rejected = tmp_path / "rejected.csv"
    pd.DataFrame([dict(r, status="unmatched") for r in rows]).to_csv(rejected, index=False)
    return rejected


def test_plan_of_a_review_that_links_nothing_writes_no_plan(tmp_path: Path, capsys) -> None:
    rejected = _all_unmatched(tmp_path)
    out = tmp_path / "plan.json"
    capsys.readouterr()
    assert main(["plan", "--matches", str(rejected), "--offline", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "0 links" in captured.out
    assert "The plan holds no links" in captured.err
    assert "No plan was written." in captured.err
    assert not out.exists()


def test_apply_refuses_a_plan_without_links_before_anything_is_journaled(tmp_path: Path, capsys) -> None:
    empty = Plan((), "skip_linked", PlanSource(billing_system="sequence"), "2026-01-01T00:00:00+00:00")
    path = write_plan(empty, tmp_path / "empty.json")
    assert main(["apply", str(path), "--sandbox", "--billing", "sequence"]) == 2
    assert "The plan holds no links" in capsys.readouterr().err
    with Journal() as journal:
        assert journal.runs() == []
    with pytest.raises(NothingToWrite):  # the wizard's run goes through the same door
        apply_plan(empty, {}, {})
    with Journal() as journal:
        assert journal.runs() == []


def test_address_fixes_alone_are_something_to_write() -> None:
    empty = Plan((), "skip_linked", PlanSource(), "2026-01-01T00:00:00+00:00")
    assert nothing_to_write(empty, pd.DataFrame({"record_id": ["x"]})) is None
    assert nothing_to_write(empty, pd.DataFrame()) is not None


def test_apply_says_how_many_fixes_a_file_gives_and_which_were_not_confident(tmp_path: Path, capsys) -> None:
    """check-addresses reports 'N confident fixes'; apply writes every row with a suggestion, so it says
    how many that is and how many were below the confidence check-addresses applied."""
    fixes = tmp_path / "problems.csv"
    fixes.write_text("row,record_id,field,problem,value,suggestion,confidence\n"
                     "2,0015g00000ABCdeAAH,country,x,Deutschland,DE,1.0\n"
                     "3,0015g00000ABCdfAAH,country,x,Germnay,DE,0.729\n"
                     "4,0015g00000ABCdgAAH,street,x,,,0.0\n", encoding="utf-8")
    empty = Plan((), "skip_linked", PlanSource(billing_system="sequence"), "2026-01-01T00:00:00+00:00")
    path = write_plan(empty, tmp_path / "empty.json")
    main(["apply", str(path), "--account-fixes", str(fixes), "--sandbox", "--billing", "sequence"])
    err = capsys.readouterr().err
    assert "problems.csv: 2 address fixes to write (every row with a suggestion); 1 of them below confidence 0.9" in err
    assert "'Germnay' → 'DE'" in err
