"""The steps panel beside the pages: done, current and still to do, read out with the state; the default window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt

from desktop_app.gui.pages import ROUTES, TITLES
from desktop_app.gui.state import Journey
from desktop_app.gui.steps_panel import step_states
from desktop_app.gui.wizard import DEFAULT_SIZE, default_size


def test_step_states_mark_done_current_and_todo() -> None:
    assert step_states(("a", "b", "c"), "b") == [("a", "done"), ("b", "current"), ("c", "todo")]
    assert step_states(("a", "b"), "x") == [("a", "todo"), ("b", "todo")]


def test_the_panel_follows_the_wizard_and_reads_out_each_state(wizard, wait_idle) -> None:
    panel = wizard.steps_panel
    assert wizard.sideWidget() is panel
    assert panel.isVisible()
    assert panel.states()[0] == ("welcome", "current")
    welcome = wizard.page_for("welcome")
    welcome.files_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()  # the route is now the files-only link flow
    route = ROUTES[Journey.LINK]
    assert panel.states() == [("welcome", "done"), ("load", "current"), *[(key, "todo") for key in route[2:]]]
    current = panel.steps.currentItem()
    assert current.text() == f"▶  {wizard.page_for('load').title()}"
    assert current.font().bold()
    assert current.data(Qt.ItemDataRole.AccessibleTextRole) == (
        f"{wizard.page_for('load').title()} — current step, 2 of {len(route)}")
    assert panel.steps.item(0).data(Qt.ItemDataRole.AccessibleTextRole).endswith("— done, 1 of 6")
    assert panel.steps.focusPolicy() & Qt.FocusPolicy.TabFocus  # reachable with Tab, read item by item
    wizard.back()
    assert panel.states()[0] == ("welcome", "current")
    wait_idle(wizard.page_for("load"))


def test_the_first_window_fits_the_screen_and_is_big_enough_to_review() -> None:
    assert default_size(QSize(3840, 2160)) == DEFAULT_SIZE
    assert default_size(QSize(1400, 900)) == (1320, 855)
    assert DEFAULT_SIZE[1] >= 900  # the review shows at least 20 rows (the former 720 showed about 13)


def test_steps_not_built_yet_are_named_by_their_page_title_not_their_key(wizard) -> None:
    # The later pages are built once their modules are imported off the UI thread; until then the
    # panel names them by the same titles the pages show ("Connect Salesforce", not "Connect salesforce").
    wizard.page_for("welcome").journey_buttons[Journey.LINK].setChecked(True)
    wizard._update_steps()
    items = [wizard.steps_panel.steps.item(i) for i in range(wizard.steps_panel.steps.count())]
    shown = {item.data(Qt.ItemDataRole.UserRole)[0]: item.text() for item in items}
    assert "connect_salesforce" in shown
    assert "connect_salesforce" not in wizard.pages
    for key, text in shown.items():
        page = wizard.pages.get(key)
        assert text.endswith(page.title() if page is not None else TITLES[key]), (key, text)
    assert shown["connect_salesforce"].endswith("Connect Salesforce")
