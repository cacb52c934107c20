"""`desktop-app review`: the wizard's review calls and bulk accept, run from a shell on a matches file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from desktop_app.cli import main
from desktop_app.workflow.projects import new_project, save_project
from desktop_app.workflow.review import with_review_column


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _account(n: int) -> str:
    from desktop_app.core.ids import normalize_id

    return normalize_id(f"0015g0000{n:06d}") or ""


@pytest.fixture
def matches(tmp_path: Path) -> Path:
    """A matches file as `match` writes it (the review does not depend on what the matcher found)."""
    statuses = ["suggested", "suggested", "suggested", "matched", "matched", "ambiguous", "unmatched"]
    scores = [72.0, 80.0, 91.0, 100.0, 95.0, 88.0, 0.0]
    frame = pd.DataFrame({
        "account_id": [_account(n) for n in range(len(statuses))] + [""],
        "account_name": [f"Company {n}" for n in range(len(statuses))] + [""],
        "customer_id": [f"cus_{n:04d}" for n in range(len(statuses) - 1)] + ["", "cus_9999"],
        "customer_name": [f"Company {n} Ltd" for n in range(len(statuses) - 1)] + ["", "Nobody"],
        "status": [*statuses, "unmatched"], "score": [*scores, 0.0],
        "reason": ["the names are alike"] * len(statuses) + ["no account took it"],
    })
    path = tmp_path / "matches.csv"
    frame.to_csv(path, index=False)
    return path


def _calls(matches: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A calls file: the first two suggestions accepted, the first matched row rejected, one stale call."""
    rows = _rows(matches)
    suggested = [r for r in rows if r["status"] == "suggested"][:2]
    matched = [r for r in rows if r["status"] == "matched"][:1]
    assert len(suggested) == 2
    assert matched
    calls = [dict(r, status="matched", reviewed="accepted") for r in suggested]
    calls += [dict(r, status="unmatched", customer_id="", reviewed="rejected") for r in matched]
    calls += [dict(matched[0], account_id="001000000000999AAA", reviewed="rejected")]  # its row is gone
    path = tmp_path / "calls.csv"
    pd.DataFrame(calls).to_csv(path, index=False)
    expected = {r["account_id"]: "matched" for r in suggested} | {matched[0]["account_id"]: "unmatched"}
    return path, expected


def test_review_lays_the_calls_over_the_matches_and_plan_reads_the_result(
        matches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calls, expected = _calls(matches, tmp_path)
    out = tmp_path / "reviewed.csv"
    assert main(["review", "--matches", str(matches), "--calls", str(calls), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["calls"], summary["restored"], summary["lost"]) == (4, 3, 1)
    reviewed = {r["account_id"]: r for r in _rows(out) if r["account_id"]}
    assert {a: reviewed[a]["status"] for a in expected} == expected
    assert len(_rows(out)) == len(_rows(matches))  # nothing added or dropped
    plan = tmp_path / "plan.json"
    assert main(["plan", "--matches", str(out), "--out", str(plan), "--offline"]) == 0
    linked = plan.read_text(encoding="utf-8")
    rejected = next(a for a, s in expected.items() if s == "unmatched")
    assert all(a in linked for a, s in expected.items() if s == "matched")
    assert rejected not in linked


def test_accept_above_takes_only_suggestions_at_or_above_the_score(matches: Path, tmp_path: Path) -> None:
    rows = _rows(matches)
    scores = sorted(float(r["score"]) for r in rows if r["status"] == "suggested")
    threshold = scores[len(scores) // 2]
    out = tmp_path / "bulk.csv"
    assert main(["review", "--matches", str(matches), "--accept-above", str(threshold), "--out", str(out)]) == 0
    after = _rows(out)
    accepted = [r for r in after if r["reviewed"] == "accepted"]
    assert len(accepted) == sum(1 for s in scores if s >= threshold) > 0
    assert all(r["status"] == "matched" and float(r["score"]) >= threshold for r in accepted)


def test_review_takes_a_saved_projects_calls(matches: Path, tmp_path: Path) -> None:
    frame = with_review_column(pd.read_csv(matches, dtype=str, keep_default_na=False))
    first = int((frame["status"] == "suggested").to_numpy().argmax())
    frame.loc[first, ["status", "reviewed"]] = ["matched", "accepted"]
    project = new_project("From the wizard")
    save_project(project, reviewed=frame)
    out = tmp_path / "reviewed.csv"
    assert main(["review", "--matches", str(matches), "--project", project.project_id, "--out", str(out)]) == 0
    assert _rows(out)[first]["reviewed"] == "accepted"


def test_review_refuses_a_file_that_is_not_a_matches_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "people.csv"
    bad.write_text("name,email\nAda,ada@example.com\n", encoding="utf-8")
    assert main(["review", "--matches", str(bad), "--accept-above", "90", "--out", str(tmp_path / "o.csv")]) == 2
    assert "has no account_id, customer_id, status column" in capsys.readouterr().err


def test_review_and_plan_read_the_xlsx_report_as_its_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`match --out FILE.xlsx` is a matches file too: its sheets per status, put back together."""
    samples = Path(__file__).resolve().parents[1] / "samples"
    inputs = ["--accounts", str(samples / "salesforce_accounts_export.csv"),
              "--customers", str(samples / "stripe_customers_export.csv")]
    plans, reviewed_rows = {}, {}
    for suffix in (".csv", ".xlsx"):
        matches = tmp_path / f"matches{suffix}"
        assert main(["match", *inputs, "--out", str(matches)]) == 0
        reviewed = tmp_path / f"reviewed{suffix}.csv"
        assert main(["review", "--matches", str(matches), "--accept-above", "0", "--out", str(reviewed)]) == 0
        reviewed_rows[suffix] = sorted((r["account_id"], r["customer_id"], r["status"]) for r in _rows(reviewed))
        plan = tmp_path / f"plan{suffix}.json"
        capsys.readouterr()
        assert main(["plan", "--matches", str(matches), "--out", str(plan), "--offline", "--json"]) == 0
        plans[suffix] = json.loads(capsys.readouterr().out)
    assert plans[".xlsx"]["links"] == plans[".csv"]["links"] > 0
    assert plans[".xlsx"]["counts"] == plans[".csv"]["counts"]
    assert reviewed_rows[".xlsx"] == reviewed_rows[".csv"]


@pytest.mark.parametrize("command", ["review", "plan"])
def test_a_matches_file_without_decisions_is_refused(tmp_path: Path, command: str, capsys) -> None:
    """A header and no rows would have given '0 links' and a plan that 'applies' as done."""
    empty = tmp_path / "matches.csv"
    empty.write_text("account_id,customer_id,status,score,reason\n", encoding="utf-8")
    extra = ["--accept-above", "90"] if command == "review" else ["--offline"]
    out = tmp_path / ("o.csv" if command == "review" else "plan.json")
    assert main([command, "--matches", str(empty), *extra, "--out", str(out)]) == 2
    assert "holds no decisions" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("damage", ["15 characters", "upper-cased"])
def test_calls_whose_account_ids_a_spreadsheet_changed_still_find_their_rows(
        matches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str) -> None:
    """The same account in 15 characters or upper-cased is the same row, not 'a row that is gone'."""
    calls, expected = _calls(matches, tmp_path)
    frame = pd.read_csv(calls, dtype=str, keep_default_na=False)
    frame["account_id"] = frame["account_id"].str[:15] if damage == "15 characters" else frame["account_id"].str.upper()
    frame.to_csv(calls, index=False)
    out = tmp_path / "reviewed.csv"
    assert main(["review", "--matches", str(matches), "--calls", str(calls), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["calls"], summary["restored"], summary["lost"]) == (4, 3, 1)
    reviewed = {r["account_id"]: r for r in _rows(out) if r["account_id"]}
    assert {a: reviewed[a]["status"] for a in expected} == expected  # rows keep their own 18-character ids
