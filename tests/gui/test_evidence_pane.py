"""The evidence pane says what the matcher wrote: a name that only partly agrees reads so in the
reason and in the per-field evidence, as it does in the match CSV and the XLSX report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from desktop_app.core.ids import to_18
from desktop_app.core.matching import match
from desktop_app.core.report import write_xlsx_report
from desktop_app.core.roles import ACCOUNT_ROLES, CUSTOMER_ROLES, SOURCE_ROW
from desktop_app.gui.evidence_pane import EvidencePane
from desktop_app.workflow.review_evidence import evidence_for

_OTHERS = [("Alder Analytics", "10 Cherry Road", "90000"), ("Birch Analytics", "11 Spruce Road", "90001"),
           ("Cobalt Analytics", "12 Willow Road", "90002"), ("Delta Analytics", "13 Aspen Road", "90003")]


def _frame(rows: list[tuple[str, str, str]], roles: tuple[str, ...], id_column: str, ids: list[str]) -> pd.DataFrame:
    records = [{id_column: record_id, "name": name, "street": street, "postcode": postcode, "city": "Denver",
                "state": "CO", "phone": f"(303) 555-{1000 + i}", "country": "US"}
               for i, (record_id, (name, street, postcode)) in enumerate(zip(ids, rows, strict=True))]
    frame = pd.DataFrame({role: [r.get(role, "") for r in records] for role in roles}, dtype=object)
    frame[SOURCE_ROW] = range(2, len(records) + 2)
    return frame


def test_a_partly_agreeing_name_reads_the_same_in_csv_xlsx_and_the_pane(qtbot, tmp_path: Path) -> None:
    ids = [to_18(f"0015g0000{n:06d}") for n in range(1, 6)]
    accounts = _frame([("Blue Fern Coffee", "8225 North Main Street", "80202"), *_OTHERS], ACCOUNT_ROLES,
                      "account_id", ids)
    customers = _frame([("Blue Fern Coffee Roasters", "8225 N. Main St.", "80202"), *_OTHERS], CUSTOMER_ROLES,
                       "customer_id", [f"cus_{n}" for n in range(1, 6)])
    decisions = match(accounts, customers).decisions
    decisions.to_csv(tmp_path / "match.csv", index=False)
    from_csv = pd.read_csv(tmp_path / "match.csv", dtype=str, keep_default_na=False)
    position = int((from_csv["account_id"] == ids[0]).to_numpy().argmax())
    reason = from_csv["reason"].iat[position]
    assert "; partly agree: name (" in reason
    assert "name" not in reason.split(";")[0]
    assert '"name":["partly agree",' in from_csv["evidence"].iat[position]

    write_xlsx_report(tmp_path / "report.xlsx", decisions=decisions)
    book = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    cells = [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert reason in cells

    pane = EvidencePane()
    qtbot.addWidget(pane)
    pane.show_evidence(evidence_for(from_csv, position, accounts, customers))
    shown = pane.toPlainText()
    assert reason in shown
    assert "name agrees only in part (weight" in shown
