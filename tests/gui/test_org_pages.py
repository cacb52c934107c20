"""Demo mode's org pages against the real sandbox org: connect, who is connected, disconnect, preflight."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtWidgets import QWizard

from desktop_app.gui import dialogs
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey
from desktop_app.salesforce.preflight import CheckResult


@pytest.fixture
def connect_page(wizard, wait_idle):
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    page = wizard.page_for("connect_salesforce")
    assert wizard.currentId() == PAGE_IDS["connect_salesforce"]
    wait_idle(page)
    return page


def test_connects_to_the_sandbox_org_and_says_who(connect_page, wizard) -> None:
    connection = wizard.state.salesforce
    assert connection is not None
    assert connection.edition == "Enterprise Edition"
    assert connection.instance_url.startswith("https://127.0.0.1:")
    assert "admin@crosslink.demo" in connect_page.who.text()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_the_demo_session_renews_itself_when_its_token_expires(connect_page, wizard) -> None:
    server = wizard.state.salesforce.demo_server
    client = wizard.state.salesforce.client
    before = client.session.access_token
    server.oauth.expire_access_tokens()  # every access token of the sandbox org expires now (as after 2 hours)
    assert client.count_accounts() > 0  # the refresh-token flow got a new one
    assert client.session.access_token != before


def test_disconnect_stops_the_org_and_blocks_next(connect_page, wizard, wait_idle) -> None:
    url = wizard.state.salesforce.instance_url
    connect_page.disconnect_button.click()
    assert wizard.state.salesforce is None
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):  # the org is really gone
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert not connect_page.isComplete()
    assert connect_page.who.text() == "Not connected."
    connect_page.connect_button.click()
    wait_idle(connect_page)
    assert connect_page.isComplete()


def _to_preflight(wizard, wait_idle) -> None:
    for key in ("connect_billing", "link_fields", "preflight"):
        wizard.next()
        assert wizard.currentId() == PAGE_IDS[key]
        wait_idle(wizard.currentPage())


def test_preflight_runs_for_real_and_warnings_need_a_tick(connect_page, wizard, wait_idle, monkeypatch) -> None:
    _to_preflight(wizard, wait_idle)
    page = wizard.page_for("preflight")
    wait_idle(page)
    results = wizard.state.preflight
    assert results[0].key == "api_access"
    assert {r.status for r in results} <= {"pass", "warn", "not_checked"}
    # Before any customer is loaded the data checks cannot pass: they wait for the Plan page.
    assert {r.status for r in results if r.key in ("link_field_length", "currencies", "api_limits")} == {
        "not_checked"}
    assert "not checked yet" in page.summary.text()
    assert page.tree.topLevelItemCount() == len(results)
    warnings = [r for r in results if r.status == "warn"]
    assert warnings  # the demo org's link field is not unique
    assert not page.isComplete()
    assert page.accept_warnings.isVisible()
    page.accept_warnings.setChecked(True)
    assert page.isComplete()
    unique = next(i for i in range(page.tree.topLevelItemCount())
                  if page.tree.topLevelItem(i).text(0) == warnings[0].title)
    assert warnings[0].remedy in page.tree.topLevelItem(unique).child(0).text(0)

    opened: list[str] = []  # the person's browser cannot run here; the address it gets is checked
    monkeypatch.setattr(dialogs, "open_url", lambda url: opened.append(url) or True)
    assert page.tree.currentItem() is page.tree.topLevelItem(unique)
    assert page.setup_button.isEnabled()
    page.setup_button.click()
    assert opened == [wizard.state.salesforce.instance_url + warnings[0].setup_url]
    assert opened[0] in page.tree.topLevelItem(unique).child(0).text(0)
    page.tree.setCurrentItem(page.tree.topLevelItem(0))  # API access passed: nothing to open
    assert not page.setup_button.isEnabled()


def test_a_failed_check_blocks_next_until_the_checks_pass(connect_page, wizard, wait_idle) -> None:
    _to_preflight(wizard, wait_idle)
    page = wizard.page_for("preflight")
    wait_idle(page)
    failed = CheckResult("link_field_exists", "Link field exists on Account", "fail",
                         "Account has no field Billing_Customer_ID__c.", "Create the field in Setup.", None)
    page._show([failed])
    assert not page.isComplete()
    assert not page.accept_warnings.isVisible()
    assert "1 failed" in page.summary.text()
    page.rerun_button.click()
    wait_idle(page)
    page.accept_warnings.setChecked(True)
    assert page.isComplete()
