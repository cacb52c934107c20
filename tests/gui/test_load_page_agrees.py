"""The Load page shows what the command line and the matcher do: the link column read (of several, the
one holding the customers' ids)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QWizard

from desktop_app.core.ids import checksum_suffix
from desktop_app.core.roles import Side
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey

IDS = [i + checksum_suffix(i) for i in ("0015g00000ABCde", "0015g00000ABCdf")]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    # An org that moved from Stripe to Sequence keeps both link fields; its header ranks Sequence first.
    return {
        "accounts": write(tmp_path / "accounts.csv", [
            ["Id", "Name", "Sequence_Customer_ID__c", "Stripe_Customer_ID__c"],
            [IDS[0], "Acme Corp", "seq_9", "cus_QX1abcdEFGH1"],
            [IDS[1], "Globex Ltd", "", "cus_QX2abcdEFGH2"]]),
        "stripe": write(tmp_path / "stripe.csv", [
            ["id", "Name", "Metadata: salesforce_account_id"],
            ["cus_QX1abcdEFGH1", "Acme Corp", IDS[0]],
            ["cus_QX2abcdEFGH2", "Globex Ltd", ""]]),
        "no_ids": write(tmp_path / "no_ids.csv", [
            ["Customer ID", "Name", "Metadata: salesforce_account_id"],
            ["", "Acme Corp", IDS[0]], ["", "Globex Ltd", IDS[1]]]),
        "half": write(tmp_path / "half.csv", [["Salesforce ID", "Legacy Ref"], [IDS[1], "cus_QX2abcdEFGH2"]]),
    }


def _load_page(wizard, journey: Journey = Journey.LINK):
    welcome = wizard.page_for("welcome")
    welcome.files_button.setChecked(True)
    welcome.journey_buttons[journey].setChecked(True)
    wizard.next()
    assert wizard.currentId() == PAGE_IDS["load"]
    return wizard.page_for("load")


def shown(slot) -> str:
    """The slot's status as people read it (the label holds rich text)."""
    return QTextDocumentFragment.fromHtml(slot.status.text()).toPlainText()


def _next_open(wizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_the_link_column_shown_is_the_one_the_match_reads(wizard, wait_idle, files) -> None:
    load = _load_page(wizard)
    accounts = load.slots[Side.ACCOUNTS]
    accounts.load(files["accounts"])
    wait_idle(load)
    assert ("Link: column 'Sequence_Customer_ID__c' (for now, by its header; 'Stripe_Customer_ID__c' could hold "
            "the link too: the one whose values are customer ids is read once the customers file is loaded)."
            ) in shown(accounts)
    load.slots[Side.CUSTOMERS].load(files["stripe"])
    wait_idle(load)
    assert ("Link: column 'Stripe_Customer_ID__c' (2 of its values are customer ids of stripe.csv; "
            "'Sequence_Customer_ID__c' holds none).") in shown(accounts)
    read = wizard.state.loaded[Side.ACCOUNTS]
    assert read.roles.columns["link_customer_id"] == "Stripe_Customer_ID__c"
    assert list(read.frame["link_customer_id"]) == ["cus_QX1abcdEFGH1", "cus_QX2abcdEFGH2"]
    assert load.isComplete()
    assert _next_open(wizard)
    wizard.next()
    match = wizard.page_for("match")
    wait_idle(match)
    run = wizard.state.match_run
    assert run is not None
    assert run.accounts.roles.columns["link_customer_id"] == "Stripe_Customer_ID__c"
