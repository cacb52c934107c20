"""Files a person can hand on: results and report name each link's account, customer and file rows,
and the report has a sheet per write outcome."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from engine_sandboxes import make_sides, start_systems, truth_matches
from openpyxl import load_workbook

from desktop_app.core.journal import Journal
from desktop_app.core.plan import build_plan
from desktop_app.core.plan_file import dumps, loads
from desktop_app.core.report_outcomes import OUTCOME_SHEETS, outcome_sheets, read_results
from desktop_app.workflow.engine import start_apply, start_undo
from desktop_app.workflow.match import match_files, write_match_output
from desktop_app.workflow.plan import plan_from_live

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
A1, A2 = "001A0000006Vm9rIAC", "0015g00000ABCdeAAH"


def _labelled(matches: pd.DataFrame) -> pd.DataFrame:
    numbers = pd.Series(range(len(matches)), index=matches.index).astype(str)
    return matches.assign(account_name="Account " + numbers, customer_name="Customer " + numbers,
                          account_row=(pd.Series(range(len(matches)), index=matches.index) + 2).astype(str),
                          customer_row=(pd.Series(range(len(matches)), index=matches.index) + 5).astype(str))


def test_the_plan_and_its_file_carry_names_and_file_rows() -> None:
    decisions = pd.DataFrame({"account_id": [A1, A2], "customer_id": ["cus_1", "cus_2"], "status": "matched",
                              "account_name": ["Acme", "Beta"], "customer_name": ["Acme Ltd", "Beta plc"],
                              "account_row": ["2", "3"], "customer_row": ["7", "9"]})
    plan = build_plan(decisions, account_values={}, customer_values={})
    table = plan.table()
    assert list(table.columns[:7]) == ["row", "account_id", "customer_id", "account_name", "customer_name",
                                       "account_row", "customer_row"]
    assert table["customer_name"].tolist() == ["Acme Ltd", "Beta plc"]
    again = loads(dumps(plan))
    assert [(link.account_name, link.customer_row) for link in again.links] == [("Acme", "7"), ("Beta", "9")]


def test_run_results_name_each_link_and_the_report_has_a_sheet_per_outcome(tmp_path: Path) -> None:
    systems = start_systems(40)
    try:
        sides = make_sides(systems)
        matches = _labelled(truth_matches(systems))
        plan = plan_from_live(matches, sides, policy="fill_empty")
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
            undone = start_undo(journal, report.run_id, sides)
        assert report.results_path is not None
        assert undone.results_path is not None
        results = read_results(report.results_path)
        by_account = matches.set_index("account_id")
        for record in [*results.to_dict("records"), *read_results(undone.results_path).to_dict("records")]:
            expected = by_account.loc[record["account_id"]]
            assert record["account_name"] == expected["account_name"]
            assert record["customer_name"] == expected["customer_name"]
            assert record["account_row"] == expected["account_row"]
            assert record["customer_row"] == expected["customer_row"]
        sheets = outcome_sheets(results)
        assert sum(len(frame) for frame in sheets.values()) == len(results)
        assert len(sheets["Written"]) == report.pairs.get("linked", 0) - len(sheets["Skipped"])
        run = match_files(SAMPLES / "salesforce_accounts_export.csv", SAMPLES / "stripe_customers_export.csv")
        out = tmp_path / "report.xlsx"
        write_match_output(run, out, results)
        book = load_workbook(out, read_only=True)
        assert [f"Run {title.lower()}" for title in OUTCOME_SHEETS] == [
            name for name in book.sheetnames if name.startswith("Run ")]
        written = list(book["Run written"].iter_rows(values_only=True))
        assert written[0][:7] == ("row", "account_id", "customer_id", "account_name", "customer_name",
                                  "account_row", "customer_row")
        assert len(written) - 1 == len(sheets["Written"])
        book.close()
    finally:
        systems.stop()


def test_failed_and_half_linked_rows_say_why() -> None:
    base = {"row": "1", "account_id": A1, "customer_id": "cus_1", "account_name": "Acme", "customer_name": "Acme",
            "account_row": "2", "customer_row": "3", "account_previous": "", "customer_previous": "",
            "account_value": "cus_1", "customer_value": A1, "account_error_code": "", "customer_error_code": "",
            "account_message": "", "customer_message": ""}
    rows = [
        {**base, "pair_status": "linked", "account_action": "set", "customer_action": "set",
         "account_status": "written", "customer_status": "written"},
        {**base, "pair_status": "linked", "account_action": "skip", "customer_action": "skip",
         "account_status": "planned_skip", "customer_status": "planned_skip"},
        {**base, "pair_status": "conflict", "account_action": "conflict", "customer_action": "skip",
         "account_status": "planned_conflict", "customer_status": "planned_skip"},
        {**base, "pair_status": "failed", "account_action": "set", "customer_action": "set",
         "account_status": "failed", "customer_status": "held", "account_error_code": "FIELD_CUSTOM_VALIDATION",
         "account_message": "Billing country is required"},
        {**base, "pair_status": "half_linked", "account_action": "set", "customer_action": "set",
         "account_status": "written", "customer_status": "failed", "customer_message": "email is required"},
    ]
    sheets = outcome_sheets(pd.DataFrame(rows, dtype=object))
    assert {title: len(frame) for title, frame in sheets.items()} == dict.fromkeys(OUTCOME_SHEETS, 1)
    assert sheets["Failed"]["reason"].tolist() == ["Account: Billing country is required (FIELD_CUSTOM_VALIDATION)"]
    assert sheets["Half linked"]["reason"].tolist() == ["Customer: email is required"]
