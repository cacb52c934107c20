"""match → plan --offline from files holding ids in other forms and placeholders, as a person runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from csv_files import write_rows

from desktop_app.cli import main
from desktop_app.core.ids import to_18

A1, A2, A3, A4 = "0015g00004e2JF9AAM", "0015g00000ABCdeAAH", "0015g00000ABCdfAAH", "0015g00000ABCdgAAH"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    accounts = write_rows(tmp_path / "accounts.csv", ["Id", "Name", "Billing_Customer_ID__c"], [
        [A1, "Acme Rockets", ""],  # its customer holds it in 15 characters
        [A2, "Beta Foods", "NA"],  # placeholder on both sides: matched by name
        [A3, "Gamma Tools", "cus_3"],  # its customer holds it upper-cased
        [A4, "Delta Mills", " n / a "],
    ])
    customers = write_rows(tmp_path / "customers.csv", ["id", "name", "salesforce_account_id"], [
        ["cus_1", "Acme Rockets", A1[:15]],
        ["cus_2", "Beta Foods", "#N/A"],
        ["cus_3", "Gamma Tools", A3.upper()],
        ["cus_4", "Delta Mills", "null"],
    ])
    return accounts, customers


def test_placeholders_are_reported_and_matched_and_every_form_is_one_account(
        files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accounts, customers = files
    matches = tmp_path / "matches.csv"
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--out", str(matches),
                 "--no-fuzzy"]) == 0
    err = capsys.readouterr().err
    assert "accounts.csv: row 3: column 'Billing_Customer_ID__c': placeholder value in the link field ('NA')" in err
    assert "accounts.csv: row 5: column 'Billing_Customer_ID__c': placeholder value in the link field ('n / a')" \
        in err
    assert "customers.csv: row 3: column 'salesforce_account_id': placeholder value in the link field ('#N/A')" \
        in err
    with matches.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["account_id"]: r for r in csv.DictReader(handle) if r["account_id"]}
    assert {a: rows[a]["status"] for a in (A1, A2, A3, A4)} == {
        A1: "matched", A2: "matched", A3: "already_linked", A4: "matched"}
    assert rows[A1]["customer_write"].startswith("already holds it")
    assert rows[A2]["account_write"] == "will be written (over the placeholder 'NA')"

    plan = tmp_path / "plan.json"
    assert main(["plan", "--matches", str(matches), "--out", str(plan), "--offline", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert counts["customer"]["conflict"] == counts["account"]["conflict"] == 0
    assert (counts["customer"]["skip"], counts["customer"]["placeholder"]) == (2, 2)
    assert (counts["account"]["set"], counts["account"]["placeholder"]) == (3, 2)

    assert main(["plan", "--matches", str(matches), "--out", str(plan), "--offline", "--normalize-ids"]) == 0
    out = capsys.readouterr().out
    assert "2 rewrite the same Account id in its 18-character form" in out
    assert main(["apply", str(plan), "--dry-run"]) == 0
    assert "2 rewrite the same Account id in its 18-character form" in capsys.readouterr().out


def test_a_problem_many_rows_share_is_one_line_and_the_rest_say_where_they_are(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [to_18(f"0015g00000Ab{n:03d}") for n in range(40)]
    rows = [[account_id, f"Company {n}", "NA" if n < 30 or n % 2 else ""] for n, account_id in enumerate(ids)]
    rows += [[f"bad-{n}", f"Odd {n}", ""] for n in range(25)]  # each with its own message naming its value
    accounts = write_rows(tmp_path / "accounts.csv", ["Id", "Name", "Billing_Customer_ID__c"], rows)
    customers = write_rows(tmp_path / "customers.csv", ["id", "name"], [["cus_1", "Company 1"]])
    for out in ("matches.csv", "matches.xlsx"):
        assert main(["match", "--accounts", str(accounts), "--customers", str(customers),
                     "--out", str(tmp_path / out), "--no-fuzzy"]) == 0
        err = capsys.readouterr().err.splitlines()
        placeholders = [line for line in err if "placeholder value in the link field ('NA')" in line]
        assert placeholders == [
            "accounts.csv: rows 2–31, 33, 35, 37, 39, 41 (35 rows): column 'Billing_Customer_ID__c': placeholder "
            "value in the link field ('NA'): it means no id, so it is treated as empty (matched by name, written "
            "over); undo puts it back as it was."]
        more = [line for line in err if "more problems" in line]
        assert len(more) == 1
        assert more[0].endswith("(all of them are on the report's File issues sheet)." if out.endswith(".xlsx")
                                else "(--out FILE.xlsx lists all of them on its File issues sheet).")
