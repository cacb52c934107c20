"""One account and one customer, loaded from files: every page says "1 row", "1 account", "1 link" —
never "1 rows" or "1 need your decision" — and its figures still agree with each other."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtGui import QTextDocumentFragment

from desktop_app.core.ids import checksum_suffix
from desktop_app.core.roles import Side
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey

ACCOUNT_ID = "0015g00000ABCde" + checksum_suffix("0015g00000ABCde")


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def shown(label) -> str:
    return QTextDocumentFragment.fromHtml(label.text()).toPlainText()


def _to_load(wizard):
    welcome = wizard.page_for("welcome")
    welcome.files_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    return wizard.page_for("load")


def test_one_account_one_customer_linked_reads_in_the_singular(wizard, wait_idle, tmp_path: Path) -> None:
    # The account names a customer the file lacks (a conflict); the customer names another account.
    address = ["Havnegade 39", "København", "1058"]
    accounts = write(tmp_path / "accounts.csv", [
        ["Id", "Name", "BillingStreet", "BillingCity", "BillingPostalCode", "BillingCountry", "Billing_Customer_ID__c"],
        [ACCOUNT_ID, "Acme Corp", *address, "Denmark", "cus_QX9abcdEFGH9"]])
    customers = write(tmp_path / "customers.csv", [
        ["id", "Name", "Address Line1", "Address City", "Address Zip", "Address Country",
         "salesforce_account_id (metadata)"],
        ["cus_QX1abcdEFGH1", "Globex Ltd", *address, "DK", "0015g00000ZZZzzAAA"]])
    load = _to_load(wizard)
    load.slots[Side.ACCOUNTS].load(accounts)
    load.slots[Side.CUSTOMERS].load(customers)
    wait_idle(load)
    assert shown(load.slots[Side.ACCOUNTS].status).startswith("1 row read as accounts; 7 columns recognised; ")
    assert shown(load.slots[Side.CUSTOMERS].status).startswith("1 row read as customers; 7 columns recognised; ")
    wizard.next()
    match = wizard.page_for("match")
    wait_idle(match)
    assert wizard.currentId() == PAGE_IDS["match"]
    assert shown(match.summary).startswith(
        "1 account: 0 matched, 0 already linked, 1 needs your decision (1 conflict), 0 unmatched. "
        "The 1 customer went to no account (1 conflict).")
    wizard.next()
    quality = wizard.page_for("quality")
    wait_idle(quality)
    assert len(quality.model.frame) == 1  # the country name, fixable to DK
    assert shown(quality.summary).startswith("1 problem (1 a billing system would refuse). 1 has a fix, 0 accepted.")


def test_one_link_planned_is_one_link(wizard, wait_idle, tmp_path: Path) -> None:
    accounts = write(tmp_path / "accounts.csv", [["Id", "Name", "Billing_Customer_ID__c"],
                                                  [ACCOUNT_ID, "Acme Corp", "cus_QX1abcdEFGH1"]])
    customers = write(tmp_path / "customers.csv", [["id", "Name", "salesforce_account_id (metadata)"],
                                                    ["cus_QX1abcdEFGH1", "Acme Corp", ""]])
    load = _to_load(wizard)
    load.slots[Side.ACCOUNTS].load(accounts)
    load.slots[Side.CUSTOMERS].load(customers)
    wait_idle(load)
    for key in ("match", "quality", "plan", "done"):
        wizard.next()
        assert wizard.currentId() == PAGE_IDS[key], wizard.currentPage().error_line.text()
        wait_idle(wizard.currentPage())
    assert shown(wizard.page_for("match").summary).startswith("1 account: 1 matched, 0 already linked, 0 need ")
    assert shown(wizard.page_for("plan").summary).startswith("1 link; ")
    assert shown(wizard.page_for("done").summary).startswith(
        "1 of 1 account has a customer in the reviewed matches (nothing written yet); 0 address fixes accepted.")


def test_one_suggestion_to_accept_in_bulk_is_one_suggestion(qtbot) -> None:
    import numpy as np

    from desktop_app.gui.bulk_accept_dialog import BulkAcceptDialog

    dialog = BulkAcceptDialog(np.array([91.0]))
    qtbot.addWidget(dialog)
    dialog.threshold.setValue(90)
    assert shown(dialog.preview).startswith("1 of 1 suggestion will be accepted (score 90 or more).")


def test_the_write_question_of_one_link_reads_in_the_singular() -> None:
    import pandas as pd

    from desktop_app.core.plan import build_plan
    from desktop_app.gui.gates import write_question
    from desktop_app.gui.state import WizardState

    decisions = pd.DataFrame({"account_id": [ACCOUNT_ID], "customer_id": ["cus_1"], "status": ["matched"]})
    plan = build_plan(decisions, account_values={ACCOUNT_ID: "cus_old"}, customer_values={}, policy="overwrite")
    asked = QTextDocumentFragment.fromHtml(write_question(plan, WizardState())).toPlainText()
    assert "1 Salesforce Account gets Billing_Customer_ID__c set (1 of them replaces another id)" in asked
    assert "Crosslink is about to write 1 planned link" in asked
