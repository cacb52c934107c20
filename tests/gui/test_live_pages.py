"""The pages that talk to live systems, on the demo sandboxes: billing connection, link fields, resume."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from openpyxl import load_workbook

from desktop_app.core.progress import CancelToken
from desktop_app.core.report_outcomes import read_results
from desktop_app.gui import dialogs
from desktop_app.gui.connections import live_sides, run_settings
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey
from desktop_app.workflow.apply import apply_plan, unfinished_runs

DEMO_SIZE = 200


class MemoryKeyring(KeyringBackend):
    """A keychain in a dict (the test must not touch the person's own)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.saved.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saved[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.saved.pop((service, username), None)


@pytest.fixture
def billing_page(wizard, wait_idle):
    wizard.state.demo_size = DEMO_SIZE
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    for key in ("connect_salesforce", "connect_billing"):
        wizard.next()
        assert wizard.currentId() == PAGE_IDS[key]
        wait_idle(wizard.currentPage(), timeout=60_000)
    return wizard.page_for("connect_billing")


def test_demo_mode_fills_in_and_tests_the_sequence_sandbox(billing_page, wizard) -> None:
    assert billing_page.chosen_kind() == "sequence"
    assert billing_page.url.text() == wizard.state.demo_systems.sequence.url
    assert billing_page.isComplete()
    assert "Connected to Sequence (first customer: " in billing_page.status.text()


def test_demo_mode_can_pick_another_billing_system(billing_page, wizard, wait_idle) -> None:
    billing_page.kind.setCurrentIndex(billing_page.kind.findData("xero"))
    wait_idle(billing_page, timeout=60_000)  # starts the Xero sandbox, then tests the connection
    wait_idle(billing_page, timeout=60_000)
    assert wizard.state.demo_systems.billing["xero"].url == billing_page.url.text()
    assert billing_page.isComplete()
    assert "Connected to Xero (first customer: " in billing_page.status.text()


def test_sign_in_with_the_browser_fills_the_token_and_connects(billing_page, wizard, wait_idle, monkeypatch) -> None:
    import webbrowser

    import requests

    billing_page.kind.setCurrentIndex(billing_page.kind.findData("quickbooks"))
    wait_idle(billing_page, timeout=60_000)
    wait_idle(billing_page, timeout=60_000)
    sandbox = wizard.state.demo_systems.billing["quickbooks"]
    token = billing_page.credential_inputs[("quickbooks", "access_token")]
    token.setText("")
    # The person's browser: it opens the sign-in page, the sandbox consents, the redirect reaches Crosslink.
    monkeypatch.setattr(webbrowser, "open", lambda url: requests.get(url, verify=str(sandbox.ca_cert), timeout=10))
    assert billing_page.sign_in_button.isVisible()
    billing_page.sign_in_button.click()
    wait_idle(billing_page, timeout=60_000)
    wait_idle(billing_page, timeout=60_000)
    assert token.text() not in ("", sandbox.credentials["access_token"])
    assert billing_page.isComplete()
    assert "Connected to QuickBooks Online" in billing_page.status.text()


def test_a_wrong_secret_is_one_sentence_and_blocks_next(billing_page, wizard, wait_idle) -> None:
    billing_page.client_secret.setText("not-the-secret")
    billing_page.test_button.click()
    wait_idle(billing_page)
    message = billing_page.error_line.text()
    assert message == ("Sequence refused the client id and secret: check them (copy them again from Sequence's "
                       "settings) and test again.")
    assert "not-the-secret" not in message
    assert wizard.state.billing is None
    assert not billing_page.isComplete()


def test_remember_saves_the_credentials_in_the_keychain(billing_page, wait_idle) -> None:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        billing_page.remember.setChecked(True)
        billing_page.test_button.click()
        wait_idle(billing_page)
        assert billing_page.isComplete()
        assert memory.saved[("crosslink:sequence-client-secret", "default")] == billing_page.client_secret.text()
        assert memory.saved[("crosslink:sequence-client-id", "default")] == billing_page.client_id.text()
    finally:
        keyring.set_keyring(previous)


def test_link_fields_offers_only_custom_text_fields_and_says_why_not(billing_page, wizard, wait_idle) -> None:
    wizard.next()
    page = wizard.page_for("link_fields")
    wait_idle(page)
    assert page.chosen_field() == "Billing_Customer_ID__c"
    texts = {page.fields.item(i).text(): page.fields.item(i) for i in range(page.fields.count())}
    name = next(item for text, item in texts.items() if text.startswith("Account Name (Name"))
    assert not name.flags() & name.flags().ItemIsEnabled
    assert "standard field" in name.toolTip()
    phone = next(item for text, item in texts.items() if "(Phone, phone)" in text)
    assert "use a Text field" in phone.text()
    page.policy.setCurrentIndex(page.policy.findData("overwrite"))
    wizard.next()
    assert wizard.state.policy == "overwrite"
    assert wizard.state.link_field == "Billing_Customer_ID__c"


def test_an_unfinished_run_is_offered_for_resume_and_finishes(billing_page, wizard, wait_idle, monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text, yes: True)
    state = wizard.state
    wizard.next()  # link fields
    wait_idle(wizard.currentPage())
    for key in ("preflight", "load", "match", "quality", "plan"):
        if key == "load":
            wizard.page_for("preflight").accept_warnings.setChecked(True)
        wizard.next()
        assert wizard.currentId() == PAGE_IDS[key], key
        wait_idle(wizard.currentPage(), timeout=60_000)
    sides = live_sides(state.salesforce, state.billing, state.link_field)
    settings = run_settings(state.salesforce, state.billing, state.link_field)
    stopped = CancelToken()
    stopped.cancel()  # as if the app had been closed before the first batch
    interrupted = apply_plan(state.plan, sides, settings, cancel=stopped)
    assert interrupted.state == "cancelled"
    assert [r.run_id for r in unfinished_runs()] == [interrupted.run_id]
    wizard.next()
    apply = wizard.page_for("apply")
    wait_idle(apply)  # the journal is read in the background
    assert apply.resume_button.isVisible()
    assert interrupted.run_id in apply.resume_note.text()
    apply.resume_button.click()
    wait_idle(apply, timeout=60_000)
    report = state.run_report
    assert report is not None, apply.error_line.text()
    assert report.run_id == interrupted.run_id
    assert report.state in ("done", "done_with_failures")
    assert report.verification is not None
    assert report.verification.verified_links > 0
    assert apply.isComplete()
    # The files a person hands on: results name each link; the report has a sheet per write outcome.
    results = read_results(report.results_path)
    assert (results["account_name"] != "").all()
    assert (results["account_row"] != "").all()
    wizard.next()
    done = wizard.page_for("done")
    # The page's line under its title says how the run ended, not "written" whatever happened.
    said = {"done": "The links were written and read back",
            "done_with_failures": "Some writes failed or were refused"}[report.state]
    assert done.subTitle().startswith(said), (report.state, done.subTitle())
    opened: list[Path] = []
    monkeypatch.setattr(dialogs, "open_file", lambda path: opened.append(path) or True)
    done.outcome_box.report_button.click()
    wait_idle(done, timeout=60_000)
    assert opened, done.error_line.text()
    saved = opened[0].with_name("saved_report.xlsx")
    monkeypatch.setattr(dialogs, "choose_save_file", lambda *args: saved)
    done.buttons["crosslink_report.xlsx"].click()
    wait_idle(done, timeout=60_000)
    for path in (opened[0], saved):
        book = load_workbook(path, read_only=True)
        assert {"Run written", "Run skipped", "Run conflict", "Run failed", "Run half linked"} <= set(book.sheetnames)
        book.close()


def test_welcome_names_a_run_that_did_not_finish(qtbot, wait_idle) -> None:
    from desktop_app.core.journal import Journal
    from desktop_app.gui.wizard import CrosslinkWizard

    with Journal() as journal:
        journal.create_run("run-crashed", kind="apply", plan_id="p1", plan_path="", settings={}, items=[])
        journal.set_run_state("run-crashed", "interrupted")
        journal.create_run("run-finished", kind="apply", plan_id="p2", plan_path="", settings={}, items=[])
        journal.set_run_state("run-finished", "done")
    window = CrosslinkWizard(keychain="test")
    qtbot.addWidget(window)
    window.show()
    try:
        wait_idle(window.page_for("welcome"))  # the journal is read in the background
        note = window.page_for("welcome").unfinished
        assert note.isVisible()
        assert "run-crashed" in note.text()
        assert "run-finished" not in note.text()
    finally:
        window.shutdown()
