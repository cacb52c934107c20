"""The Load page's heading (and its step in the steps panel) says where the data comes from: the
systems' APIs when both are connected, the person's files otherwise — also after changing one's mind."""

from __future__ import annotations

from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey


def _step_title(wizard, key: str) -> str:
    """The step's words in the steps panel (after its mark)."""
    position = [k for k, _ in wizard.steps_panel.states()].index(key)
    return wizard.steps_panel.steps.item(position).text().split("  ", 1)[1]


def test_the_load_heading_follows_the_source_chosen_last(wizard, wait_idle, through_org_pages) -> None:
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    # Foreseen from the start: the steps panel said "Load your files" until the Load page was reached.
    assert _step_title(wizard, "load") == "Load the accounts and customers"
    through_org_pages(wizard)
    load = wizard.page_for("load")
    wait_idle(load)
    assert load.title() == "Load the accounts and customers"
    assert load.subTitle().startswith("Read through the Salesforce and billing APIs")
    assert _step_title(wizard, "load") == "Load the accounts and customers"
    while wizard.currentId() != PAGE_IDS["welcome"]:
        wizard.back()
    welcome.files_button.setChecked(True)
    wizard.next()
    assert wizard.currentId() == PAGE_IDS["load"]
    assert load.title() == "Load your files"
    assert load.subTitle() == "Exports from Salesforce and the billing system, as CSV, TSV or Excel."
    assert _step_title(wizard, "load") == "Load your files"


def test_checking_the_orgs_addresses_keeps_its_heading_on_coming_back(wizard, wait_idle) -> None:
    wizard.state.demo_size = 200
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)
    welcome.journey_buttons[Journey.ADDRESSES].setChecked(True)
    wizard.next()
    assert _step_title(wizard, "load") == "Check the org's billing addresses"
    wait_idle(wizard.currentPage())
    wizard.next()
    load = wizard.page_for("load")
    assert wizard.currentPage() is load
    wait_idle(load)
    assert wizard.state.address_check is not None, load.error_line.text()
    for _ in range(2):  # read from the org, and again after Back and Next (the snapshot is loaded by then)
        assert load.title() == "Check the org's billing addresses"
        assert load.subTitle().startswith("Every Account is read through the Salesforce API")
        assert _step_title(wizard, "load") == "Check the org's billing addresses"
        wizard.back()
        wizard.next()
        wait_idle(load)
