"""Connect Salesforce for one's own org: a real browser login (headless Chromium playing the person on
the sandbox org's login and consent pages), the saved connection in the real keychain, reconnecting
without a browser, and Disconnect revoking the login. The sandbox org stands in for a real org: it is
reached as a My Domain address with its CA certificate, exactly as a person would type them."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from browser_support import chromium, needs_chromium, pin_for, user_at_browser
from PySide6.QtWidgets import QWizard
from secret_scan import SecretBook, record_salesforce_secrets, scan_folders

from desktop_app.core.app_folders import config_dir, data_dir
from desktop_app.gui.logging_setup import close_logging, setup_logging
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey, Source
from desktop_app.salesforce import oauth
from desktop_app.salesforce.profiles import REFRESH_TOKEN_KIND, load_profiles, profiles_file
from desktop_app.sandbox.salesforce import with_knobs
from desktop_app.secrets import SERVICE_PREFIX
from desktop_app.workflow import connect_salesforce

pytestmark = [pytest.mark.browser, pytest.mark.keyring, needs_chromium]


@pytest.fixture
def org() -> Iterator[Any]:
    from desktop_app.sandbox.salesforce import start_salesforce_sandbox

    with start_salesforce_sandbox(scenario="healthy", accounts=40) as sandbox:
        yield sandbox


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    with chromium(tmp_path) as start:
        yield start


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _to_connect_page(wizard, wait_idle) -> Any:
    welcome = wizard.page_for("welcome")
    welcome.systems_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    assert wizard.state.source is Source.SYSTEMS
    assert wizard.currentId() == PAGE_IDS["connect_salesforce"]
    page = wizard.page_for("connect_salesforce")
    wait_idle(page)  # the saved connections are read in the background
    assert page.login_box.isVisible()
    assert wizard.windowTitle() == "Connect Salesforce — Crosslink"  # no "(demo)"
    return page


def _fill_new_login(page, org) -> None:
    page.saved.setCurrentIndex(page.saved.findData(""))
    page.environment.setCurrentIndex(page.environment.findData("my_domain"))
    assert page.my_domain.isVisible()
    page.my_domain.setText(org.login_url)
    page.advanced.setChecked(True)
    page.consumer_key.setText(org.consumer_key)
    port = _free_port()
    page.port.setValue(port)
    # The org's External Client App must list the callback (Salesforce refuses any other redirect_uri).
    org.org.scenario = with_knobs(org.org.scenario, callback_urls=(f"http://localhost:{port}/OauthRedirect",))
    page.ca_cert.setText(str(org.ca_cert))
    page.profile_name.setText("acme")


def _refresh_token_of(profile_name: str) -> str | None:
    profile = load_profiles()[profile_name]
    return keyring.get_password(f"{SERVICE_PREFIX}:{REFRESH_TOKEN_KIND}", profile.secret_account)


@pytest.mark.timeout(180)
def test_browser_login_connects_saves_reconnects_and_logs_out(qtbot, wizard, org, browser, wait_idle,
                                                               monkeypatch, tmp_path) -> None:
    secrets = SecretBook()
    record_salesforce_secrets(org, secrets.add)  # the code, the PKCE verifier and every token issued
    log_file = setup_logging(logging.DEBUG)
    try:
        _login_save_reconnect_logout(qtbot, wizard, org, browser, wait_idle, monkeypatch)
    finally:
        close_logging()
    # The app's log (every record, DEBUG up), settings, saved connections and data hold none of them.
    assert len(secrets) >= 4
    assert log_file.is_file()
    leaks, scanned = scan_folders(secrets, [log_file.parent, config_dir(), data_dir()])
    assert any(path.name == "connections.json" for path in scanned)
    assert leaks == []


def _login_save_reconnect_logout(qtbot, wizard, org, browser, wait_idle, monkeypatch) -> None:
    page = _to_connect_page(wizard, wait_idle)
    assert page.connect_button.text() == "&Log in with browser"
    assert not page.isComplete()
    _fill_new_login(page, org)
    pages: list[str] = []
    monkeypatch.setattr(connect_salesforce, "open_browser",
                        user_at_browser(browser(pin_for(org.login_url)), decision="allow", seen=pages))
    page.connect_button.click()
    wait_idle(page, timeout=120_000)

    connection = wizard.state.salesforce
    assert connection is not None, page.error_line.text()
    assert "Crosslink is connected" in pages[0]
    assert connection.profile == "acme"
    assert connection.demo_server is None
    assert connection.edition == "Enterprise Edition"
    assert "admin@crosslink.demo" in page.who.text()
    assert connection.client.count_accounts() == 40
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    token = _refresh_token_of("acme")
    assert token  # in the real keychain …
    assert token not in profiles_file().read_text(encoding="utf-8")  # … and nowhere else
    assert json.loads(profiles_file().read_text(encoding="utf-8"))["profiles"]["acme"]["login_host"] == org.login_url

    # A later session: the saved connection is offered and opens without any browser.
    wizard.state.close()
    second = type(wizard)(keychain="test")
    qtbot.addWidget(second)
    second.show()
    try:
        monkeypatch.setattr(connect_salesforce, "open_browser", lambda url: pytest.fail("no browser for a saved login"))
        page2 = _to_connect_page(second, wait_idle)
        assert page2.saved.currentData() == "acme"
        assert page2.connect_button.text() == "&Connect"
        assert not page2.environment.isVisible()
        page2.connect_button.click()
        wait_idle(page2, timeout=60_000)
        assert second.state.salesforce is not None, page2.error_line.text()
        assert second.state.salesforce.client.count_accounts() == 40

        page2.disconnect_button.click()  # revokes at the org and forgets here
        wait_idle(page2, timeout=60_000)
        assert second.state.salesforce is None
        assert page2.who.text().startswith("Logged out of")
        assert "acme" not in load_profiles()
        assert page2.saved.findData("acme") == -1
        app = oauth.OAuthApp(login_host=org.login_url, consumer_key=org.consumer_key, verify=str(org.ca_cert))
        with pytest.raises(oauth.LoginError):  # the refresh token no longer works at the org
            oauth.refresh_access_token(app, token)
        assert not page2.isComplete()
    finally:
        second.shutdown()


def test_denied_consent_is_a_sentence_and_nothing_is_saved(wizard, org, browser, wait_idle, monkeypatch) -> None:
    page = _to_connect_page(wizard, wait_idle)
    _fill_new_login(page, org)
    monkeypatch.setattr(connect_salesforce, "open_browser",
                        user_at_browser(browser(pin_for(org.login_url)), decision="deny", seen=[]))
    page.connect_button.click()
    wait_idle(page, timeout=120_000)
    assert wizard.state.salesforce is None
    assert "refused" in page.error_line.text()
    assert "acme" not in load_profiles()
    assert page.connect_button.isEnabled()


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("my_domain", "https://login.example.com", "is not a Salesforce login host"),
    ("my_domain", "", "Type your My Domain address"),
    ("consumer_key", "", "consumer key"),
    ("ca_cert", "/nowhere/ca.pem", "does not exist"),
])
def test_form_mistakes_are_explained_before_any_browser_opens(wizard, org, monkeypatch, wait_idle, field, value,
                                                               expected) -> None:
    page = _to_connect_page(wizard, wait_idle)
    _fill_new_login(page, org)
    getattr(page, field).setText(value)
    monkeypatch.setattr(connect_salesforce, "open_browser", lambda url: pytest.fail("the browser must not open"))
    page.connect_button.click()
    assert not page.working
    assert expected in page.error_line.text()
    assert wizard.state.salesforce is None


def test_every_login_control_has_an_accessible_name_and_is_reachable_by_tab(wizard, wait_idle) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget

    page = _to_connect_page(wizard, wait_idle)
    page.advanced.setChecked(True)
    page.environment.setCurrentIndex(page.environment.findData("my_domain"))
    kinds = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox)
    controls = [w for w in page.findChildren(QWidget) if isinstance(w, kinds)
                and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(page)]
    assert page.consumer_key in controls
    assert page.my_domain in controls
    chain, widget = set(), wizard.nextInFocusChain()
    while widget is not wizard and widget not in chain:
        chain.add(widget)
        widget = widget.nextInFocusChain()
    for control in controls:
        name = control.accessibleName() or (control.text() if isinstance(control, QAbstractButton) else "")
        assert name.strip(), type(control).__name__
        assert control in chain, name


def test_an_unreadable_saved_connections_file_is_named_not_hidden(wizard, wait_idle) -> None:
    profiles_file().parent.mkdir(parents=True, exist_ok=True)
    profiles_file().write_text("{not json", encoding="utf-8")
    page = _to_connect_page(wizard, wait_idle)
    assert f"The saved connections in {profiles_file()} cannot be read" in page.error_line.text()
    assert page.saved.count() <= 1  # nothing listed that cannot be opened


@pytest.mark.timeout(180)
def test_without_a_browser_the_login_link_is_shown_to_copy_and_logs_in(qtbot, wizard, org, browser, wait_idle,
                                                                        monkeypatch) -> None:
    from PySide6.QtGui import QGuiApplication

    page = _to_connect_page(wizard, wait_idle)
    _fill_new_login(page, org)
    monkeypatch.setattr(connect_salesforce, "open_browser", lambda url: False)  # no browser on this computer
    page.connect_button.click()
    qtbot.waitUntil(page.link_box.isVisible, timeout=30_000)
    assert page.working  # still waiting for the login
    link = page.login_link.text()
    assert link.startswith(f"{org.login_url}/services/oauth2/authorize?")
    page.copy_link_button.click()
    assert QGuiApplication.clipboard().text() == link
    seen: list[str] = []
    user_at_browser(browser(pin_for(org.login_url)), decision="allow", seen=seen)(link)  # opened by hand
    wait_idle(page, timeout=120_000)
    assert wizard.state.salesforce is not None, page.error_line.text()
    assert not page.link_box.isVisible()
