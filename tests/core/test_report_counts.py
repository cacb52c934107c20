"""Decision figures per side add up to the files: accounts apart from the customers no account took."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from desktop_app.core.report import write_xlsx_report
from desktop_app.core.report_counts import DecisionCounts

# 3 accounts (matched, conflict, unmatched) and 2 customers no account took (unmatched, conflict)
DECISIONS = pd.DataFrame({
    "account_id": ["0015g00000ABCdeAAH", "0015g00000ABCdfAAH", "0015g00000ABCdgAAH", "", ""],
    "customer_id": ["cus_1", "", "", "cus_2", "cus_3"],
    "status": ["matched", "conflict", "unmatched", "unmatched", "conflict"],
})


def test_accounts_and_left_over_customers_are_counted_apart() -> None:
    counts = DecisionCounts.of(DECISIONS)
    assert counts.accounts == {"matched": 1, "conflict": 1, "unmatched": 1}
    assert counts.account_total == 3
    assert counts.open_accounts == 1
    assert counts.left_over == {"conflict": 1, "unmatched": 1}
    assert counts.rows("unmatched") == 2
    assert counts.sentence(3) == ("3 accounts → 1 matched, 1 conflict, 1 unmatched; 2 of the 3 customers went to "
                                  "no account (1 conflict, 1 unmatched).")


def test_a_customer_taken_by_a_review_call_is_not_left_over() -> None:
    reviewed = DECISIONS.assign(status=["matched", "conflict", "matched", "taken", "conflict"],
                                customer_id=["cus_1", "", "cus_2", "cus_2", "cus_3"])
    counts = DecisionCounts.of(reviewed)
    assert counts.accounts == {"matched": 2, "conflict": 1}
    assert counts.customers == {"conflict": 1, "taken": 1}
    assert counts.left_over == {"conflict": 1}
    assert "1 customer went to no account (1 conflict)" in counts.sentence(None)


def test_report_summary_splits_each_status_sheet_into_accounts_and_customers(tmp_path: Path) -> None:
    write_xlsx_report(tmp_path / "r.xlsx", decisions=DECISIONS, summary={"accounts": 3, "customers": 3})
    book = load_workbook(tmp_path / "r.xlsx", read_only=True)
    rows = {r[0]: r[1:] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert rows["unmatched"] == (2, 1, 1)  # the Unmatched sheet's 2 rows: 1 account, 1 customer
    assert rows["conflict"] == (1 + 1, 1, 1)
    assert rows["matched"][:3] == (1, 1, 0)
    sheet_rows = {name: len(list(book[name].iter_rows(min_row=2))) for name in ("Matched", "Conflict", "Unmatched")}
    book.close()
    assert sheet_rows == {"Matched": 1, "Conflict": 2, "Unmatched": 2}
    account_rows = sum(row[1] for name, row in rows.items() if name in ("matched", "conflict", "unmatched"))
    assert account_rows == rows["accounts"][0] == 3  # the accounts column adds up to the accounts loaded


def test_one_account_and_one_customer_are_said_in_the_singular() -> None:
    one_each = pd.DataFrame({"account_id": ["0015g00000ABCdeAAH", ""], "customer_id": ["", "cus_1"],
                             "status": ["conflict", "conflict"]})
    assert DecisionCounts.of(one_each).sentence(1) == (
        "1 account → 1 conflict; the 1 customer went to no account (1 conflict).")
    assert DecisionCounts.of(one_each).sentence(2) == (
        "1 account → 1 conflict; 1 of the 2 customers went to no account (1 conflict).")
