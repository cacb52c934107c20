"""Reports: sheets per status, frozen filtered headers, and no formula ever reaches a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from desktop_app.core.report import is_formula_like, neutralize, write_csv, write_xlsx_report

DECISIONS = pd.DataFrame(
    {
        "account_id": ["0015g00000ABCdeAAH", "001A0000006Vm9rIAC", ""],
        "customer_id": ["cus_1", "", "cus_9"],
        "status": ["matched", "unmatched", "unmatched"],
        "score": [97.5, 0.0, 0.0],
        "reason": ["=HYPERLINK(\"http://evil\")", "+cmd|' /C calc'!A0", "@SUM(1)"],
    }
)


def test_csv_neutralises_every_formula_start(tmp_path: Path) -> None:
    out = write_csv(tmp_path / "m.csv", DECISIONS)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["reason"][0] for r in rows] == ["'", "'", "'"]
    assert rows[0]["account_id"] == "0015g00000ABCdeAAH"
    assert rows[0]["score"] == "97.5"


def test_xlsx_has_summary_status_sheets_and_text_cells(tmp_path: Path) -> None:
    problems = pd.DataFrame({"row": [2], "record_id": ["x"], "field": ["country"], "problem": ["-bad"],
                             "value": ["Deutschland"], "suggestion": ["DE"]})
    notes = write_xlsx_report(tmp_path / "r.xlsx", decisions=DECISIONS, address_problems=problems,
                              summary={"accounts file": "a.csv"})
    assert notes == []
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Summary", "Matched", "Unmatched", "Address issues"]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["matched"] == 1
    assert summary["unmatched"] == 2
    assert summary["address problems"] == 1
    unmatched = book["Unmatched"]
    assert unmatched.freeze_panes == "A2"
    assert unmatched.auto_filter.ref == "A1:E3"
    cell = unmatched["E2"]
    assert cell.value == "+cmd|' /C calc'!A0"
    assert cell.data_type == "s"
    assert book["Address issues"]["D2"].data_type == "s"


@settings(max_examples=200)
@given(st.text(max_size=30))
def test_neutralised_text_is_never_formula_like(text: str) -> None:
    safe = neutralize(text)
    assert isinstance(safe, str)
    assert not is_formula_like(safe)
    assert safe.endswith(text)


def test_a_results_cell_taken_the_short_way_is_written_as_before() -> None:
    import numpy as np

    from desktop_app.core.report import _person_cell, _plain, neutralize

    class Text(str):
        pass

    for value in ("cus_1", "=HYPERLINK(1)", "+44 20", "-", "@x", "\tx", "\rx", "", None, float("nan"), np.int64(7),
                  np.str_("=1"), ["a", "=b"], Text("=c"), 3.5):
        assert _person_cell(value) == neutralize(_plain(value)), value
