"""The Load page shows what the command line and the matcher do: the link column read (of several, the
one holding the customers' ids), and the same refusals, with Next kept closed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QWizard

from desktop_app.core.ids import checksum_suffix
from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
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


def test_a_customers_file_without_ids_is_refused_as_the_command_line_refuses_it(
    wizard, wait_idle, files, monkeypatch: pytest.MonkeyPatch
) -> None:
    load = _load_page(wizard)
    load.slots[Side.ACCOUNTS].load(files["accounts"])
    customers = load.slots[Side.CUSTOMERS]
    customers.load(files["no_ids"])
    wait_idle(load)
    assert ("no_ids.csv: its customer id column 'Customer ID' is empty, so none of its 2 rows could be linked. "
            "Its rows hold Salesforce Account ids: if it is the accounts export, load it as the Salesforce "
            "accounts instead. Say which column holds it: press Columns… and choose it.") in shown(customers)
    assert "2 rows read as customers; 3 columns recognised." in shown(customers)  # its problems are not listed
    assert Side.CUSTOMERS not in wizard.state.loaded
    assert not load.isComplete()
    assert not _next_open(wizard)
    # The accounts export given as the customers: no column names a customer id at all.
    customers.load(files["accounts"])
    wait_idle(load)
    assert ("accounts.csv: no column holds the customer id, so no row could be linked."
            in shown(customers))
    assert "Say which column holds it: press Columns… and choose it." in shown(customers)
    assert not _next_open(wizard)

    def choose_stripe_column(dialog) -> bool:  # the way out the sentence names works on a refused file
        dialog.combos["customer_id"].setCurrentText("Stripe_Customer_ID__c")
        return True

    monkeypatch.setattr(dialogs, "run_dialog", choose_stripe_column)
    assert customers.columns.isEnabled()
    customers.columns.click()
    wait_idle(load)
    assert wizard.state.loaded[Side.CUSTOMERS].roles.columns["customer_id"] == "Stripe_Customer_ID__c"
    assert load.isComplete()
    assert _next_open(wizard)


def test_half_a_mapping_is_refused_with_the_command_lines_words(wizard, wait_idle, files) -> None:
    load = _load_page(wizard)
    load.slots[Side.ACCOUNTS].load(files["accounts"])
    load.slots[Side.CUSTOMERS].load(files["stripe"])
    mapping = load.slots[Side.MAPPING]
    mapping.load(files["half"])
    wait_idle(load)
    assert ("half.csv: no column of the mapping holds the customer id, so none of its pairs can be used. The "
            "columns are: 'Salesforce ID', 'Legacy Ref'. Say which column holds it: press Columns… and choose it."
            ) in shown(mapping)
    assert not load.isComplete()
    assert not _next_open(wizard)
