"""Support staff's path with a connection: the org's Accounts are read and checked, the accepted fixes
are written into the (sandbox) org from Done, listed part by part, and undone."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
from desktop_app.gui.pages import PAGE_IDS, route_for
from desktop_app.gui.state import Journey, Source
from desktop_app.workflow.apply_addresses import address_results_path


def _go_to(wizard, key: str, wait_idle) -> None:
    wizard.next()
    assert wizard.currentId() == PAGE_IDS[key], (key, wizard.currentPage().error_line.text())
    wait_idle(wizard.currentPage(), timeout=60_000)


def _billing_country(org, account_id: str) -> str:
    with org.lock:
        table = org.tables["Account"]
        return str(table.columns["BillingCountry"][list(table.columns["Id"]).index(account_id)] or "")


@pytest.mark.timeout(180)
def test_the_orgs_addresses_are_checked_fixed_in_place_and_undone(wizard, wait_idle, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(dialogs, "open_file", lambda path: opened.append(str(path)) or True)
    wizard.state.demo_size = 200
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)
    welcome.journey_buttons[Journey.ADDRESSES].setChecked(True)
    assert route_for(Journey.ADDRESSES, Source.SANDBOX) == ("welcome", "connect_salesforce", "load", "quality",
                                                             "done")
    _go_to(wizard, "connect_salesforce", wait_idle)
    assert wizard.state.salesforce is not None
    _go_to(wizard, "load", wait_idle)
    load = wizard.page_for("load")
    wait_idle(load)
    check = wizard.state.address_check
    assert check is not None, load.error_line.text()
    assert check.loaded.side is Side.ACCOUNTS
    assert len(check.loaded.frame) == 200  # every Account, read through the API
    _go_to(wizard, "quality", wait_idle)
    quality = wizard.page_for("quality")
    quality.accept_confident()
    _go_to(wizard, "done", wait_idle)
    accepted = wizard.state.accepted_fixes
    country = accepted[(accepted["field"] == "country")].iloc[0]
    org = wizard.state.salesforce.demo_server.org
    assert _billing_country(org, country["record_id"]) == country["value"]

    done = wizard.page_for("done")
    box = done.fix_box
    assert box.isVisible()
    box.write_button.click()
    wait_idle(done, timeout=60_000)
    assert _billing_country(org, country["record_id"]) == country["suggestion"]
    assert "Salesforce:" in box.text.text()
    assert "written" in box.text.text()
    box.open_button.click()
    listed = pd.read_csv(address_results_path(box.run_id), dtype=str, keep_default_na=False)
    assert opened == [str(address_results_path(box.run_id))]
    assert len(listed) == len(accepted)
    assert (listed["state"] == "written").sum() > 0

    box.undo_button.click()
    wait_idle(done, timeout=60_000)
    assert _billing_country(org, country["record_id"]) == country["value"]
    assert "put back" in box.text.text()
