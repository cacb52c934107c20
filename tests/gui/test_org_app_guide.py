"""The in-app guide to create the External Client App: the steps in Setup and the values to copy."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from desktop_app.gui import dialogs
from desktop_app.gui.org_app_guide import OrgAppGuide
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey
from desktop_app.workflow.connect_salesforce import LoginChoice, LoginProblem


def test_the_guide_opens_from_connect_salesforce_with_the_callback_url_to_copy(wizard, wait_idle,
                                                                             monkeypatch) -> None:
    shown: list[OrgAppGuide] = []
    monkeypatch.setattr(dialogs, "run_dialog", lambda dialog: shown.append(dialog) or False)
    welcome = wizard.page_for("welcome")
    welcome.systems_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    assert wizard.currentId() == PAGE_IDS["connect_salesforce"]
    page = wizard.page_for("connect_salesforce")
    wait_idle(page)
    page.advanced.setChecked(True)
    page.port.setValue(7444)
    assert page.guide_button.isVisible()
    page.guide_button.click()
    guide = shown[0]
    assert guide.values["callback"].text() == "http://localhost:7444/OauthRedirect"
    guide.copy_buttons["callback"].click()
    assert QGuiApplication.clipboard().text() == "http://localhost:7444/OauthRedirect"
    assert "refresh_token" in guide.values["scopes"].text()
    guide.copy_buttons["scopes"].click()
    assert QGuiApplication.clipboard().text() == guide.values["scopes"].text()
    text = " ".join(label.text() for label in guide.findChildren(QLabel))
    assert "External Client App Manager" in text
    assert "Require Proof Key for Code Exchange" in text
    assert "Consumer Key" in text


def test_a_missing_consumer_key_points_to_the_guide_not_to_a_file() -> None:
    with pytest.raises(LoginProblem) as problem:
        LoginChoice("production", "").oauth_app()
    assert "How to create the External Client App" in str(problem.value)
    assert "docs/" not in str(problem.value)
