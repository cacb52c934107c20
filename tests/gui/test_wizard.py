"""The wizard frame: titles that say where you are, routes, Help, logging, settings, accessibility."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QTableView, QWidget, QWizard

from desktop_app import __version__
from desktop_app.gui import dialogs
from desktop_app.gui.logging_setup import LOG_FILE_NAME, close_logging, redact, setup_logging
from desktop_app.gui.pages import ORG_PAGES, PAGE_IDS, PAGES, ROUTES, route_for
from desktop_app.gui.state import Journey, Source
from desktop_app.gui.wizard import CrosslinkWizard, app_icon


def test_pages_are_listed_once_and_every_route_uses_them() -> None:
    keys = [key for key, _ in PAGES]
    assert len(keys) == len(set(keys))
    for route in ROUTES.values():
        assert route[0] == "welcome"
        assert route[-1] == "done"
        assert all(key in PAGE_IDS for key in route)
    for source in (Source.SANDBOX, Source.SYSTEMS):  # connecting adds the org pages and the write
        connected = route_for(Journey.LINK, source)
        assert connected[1:5] == ORG_PAGES
        assert connected[-2:] == ("apply", "done")
        assert route_for(Journey.ADDRESSES, source) == ("welcome", "connect_salesforce", *ROUTES[Journey.ADDRESSES][1:])
    assert route_for(Journey.LINK, Source.FILES) == ROUTES[Journey.LINK]
    assert route_for(Journey.ADDRESSES, Source.FILES) == ROUTES[Journey.ADDRESSES]


def test_window_title_says_where_you_are_and_demo_mode(wizard: CrosslinkWizard, wait_idle) -> None:
    assert wizard.windowTitle() == "Welcome to Crosslink — Crosslink"
    assert not wizard.windowIcon().isNull()
    assert not app_icon().isNull()
    wizard.next()
    assert wizard.windowTitle() == "Connect Salesforce (demo) — Crosslink"
    wait_idle(wizard.currentPage())


def test_address_journey_skips_matching(wizard: CrosslinkWizard, qtbot) -> None:
    welcome = wizard.page_for("welcome")
    welcome.files_button.setChecked(True)
    welcome.journey_buttons[Journey.ADDRESSES].setChecked(True)
    wizard.next()
    assert wizard.state.journey is Journey.ADDRESSES
    assert not wizard.state.demo
    assert wizard.nextId() == PAGE_IDS["quality"]


def test_about_names_version_and_keychain(wizard: CrosslinkWizard, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_about", lambda parent, title, text: shown.append(text))
    wizard.show_about()
    assert __version__ in shown[0]
    assert "SecretService" in shown[0]
    assert [a.text() for a in wizard.help_menu.actions()] == ["Open the &log folder", "&About Crosslink"]


def test_choices_and_geometry_are_remembered(qtbot) -> None:
    first = CrosslinkWizard(keychain="test")
    qtbot.addWidget(first)
    first.page_for("welcome").files_button.setChecked(True)
    first.page_for("welcome").journey_buttons[Journey.MAPPING].setChecked(True)
    first.show()
    first.next()
    first.resize(700, 520)
    size = (first.width(), first.height())
    first.save_settings()
    second = CrosslinkWizard(keychain="test")
    qtbot.addWidget(second)
    assert second.page_for("welcome").files_button.isChecked()
    assert second.page_for("welcome").chosen_journey() is Journey.MAPPING
    assert (second.width(), second.height()) == size != (1040, 720)


def test_log_file_rotates_in_the_log_dir_and_hides_secrets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CROSSLINK_LOG_DIR", str(tmp_path / "logs"))
    path = setup_logging()
    try:
        logging.getLogger("desktop_app.test").warning(
            "token refresh failed: refresh_token=5Aep861abc Bearer 00Dxyzabcdefghij")
    finally:
        close_logging()
    assert path == tmp_path / "logs" / LOG_FILE_NAME
    text = path.read_text(encoding="utf-8")
    assert "token refresh failed" in text
    assert "5Aep861abc" not in text
    assert "00Dxyzabcdefghij" not in text
    assert redact("sk_live_51Habcdef1234") == "sk_live_[redacted]"
    # A session id is blanked whole, URL-safe characters and all (the sandbox org's have - and _).
    assert redact("session 00D5g000000000g!AQ8Ab_cd-EF.gh~ij+kl/mn=op-qrSTUV done") == "session [redacted] done"


def _focusable(page: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QComboBox, QLineEdit, QTableView, QAbstractSpinBox)
    return [w for w in page.findChildren(QWidget) if isinstance(w, kinds)
            and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)  # their inner line edit
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(page)]


def test_every_control_has_an_accessible_name_or_text(wizard: CrosslinkWizard, qtbot) -> None:
    for key, _ in PAGES:
        page = wizard.page_for(key)
        for widget in _focusable(page):
            name = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
            assert name.strip(), f"{key} page: a {type(widget).__name__} has no accessible name"


def test_every_control_is_in_the_tab_chain(wizard: CrosslinkWizard) -> None:
    for key, _ in PAGES:
        page = wizard.page_for(key)
        chain, widget = set(), wizard.nextInFocusChain()
        while widget is not wizard and widget not in chain:
            chain.add(widget)
            widget = widget.nextInFocusChain()
        missing = [w.accessibleName() or type(w).__name__ for w in _focusable(page) if w not in chain]
        assert not missing, f"{key} page: not reachable with Tab: {missing}"


def test_keyboard_alone_goes_from_welcome_to_load(wizard: CrosslinkWizard, qtbot) -> None:
    welcome = wizard.page_for("welcome")
    welcome.files_button.setFocus()
    qtbot.keyClick(welcome.files_button, Qt.Key.Key_Space)
    assert welcome.files_button.isChecked()
    journey = welcome.journey_buttons[Journey.ADDRESSES]
    journey.setFocus()
    qtbot.keyClick(journey, Qt.Key.Key_Space)
    assert welcome.chosen_journey() is Journey.ADDRESSES
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    for _ in range(20):  # Tab until Next has the focus, then press it with Space
        if next_button.hasFocus():
            break
        qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_Tab)
    assert next_button.hasFocus()
    qtbot.keyClick(next_button, Qt.Key.Key_Space)
    assert wizard.currentId() == PAGE_IDS["load"]
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled() is False  # no file chosen yet
