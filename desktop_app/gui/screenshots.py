"""Walk the wizard on demo data and save a PNG of every page, for people to look at (docs, QA)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop_app.core.roles import Side
from desktop_app.gui.column_dialog import ColumnMappingDialog
from desktop_app.gui.pages import PAGE_IDS, route_for
from desktop_app.gui.state import Journey, Source
from desktop_app.gui.wizard import CrosslinkWizard

PAGE_TIMEOUT_S = 120.0


def _settle(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def _wait_until_ready(wizard: CrosslinkWizard) -> bool:
    """Let the page's background work finish; True when the page can go on."""
    page = wizard.currentPage()
    _settle(0.2)  # work a page starts on entry is queued by now
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    while time.monotonic() < deadline and getattr(page, "working", False):
        QApplication.processEvents()
        time.sleep(0.02)
    _settle()
    return bool(page.isComplete())


def _save(widget: QWidget, path: Path, saved: list[Path]) -> None:
    if widget.grab().save(str(path)):
        saved.append(path)


def walk_and_capture(wizard: CrosslinkWizard, folder: Path) -> tuple[list[Path], str]:
    """Go through the linking journey on demo data, saving ``NN-key.png`` per page (plus the column
    dialog). Returns the files saved and "" or the sentence saying where the walk stopped."""
    folder.mkdir(parents=True, exist_ok=True)
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)  # type: ignore[attr-defined]
    welcome.journey_buttons[Journey.LINK].setChecked(True)  # type: ignore[attr-defined]
    saved: list[Path] = []
    route = route_for(Journey.LINK, Source.SANDBOX)
    for number, key in enumerate(route, start=1):
        if wizard.currentId() != PAGE_IDS[key]:
            return saved, f"The walk expected the {key} page but is on page {wizard.currentId()}."
        ready = _wait_until_ready(wizard)
        _save(wizard, folder / f"{number:02d}-{key}.png", saved)
        if key == "load":
            loaded = wizard.state.loaded.get(Side.CUSTOMERS)
            if loaded is not None:
                dialog = ColumnMappingDialog(loaded, wizard)
                dialog.show()
                _settle()
                _save(dialog, folder / f"{number:02d}b-column-mapping.png", saved)
                dialog.done(QDialog.DialogCode.Rejected)
        if key == "preflight" and not ready:
            wizard.page_for("preflight").accept_warnings.setChecked(True)  # type: ignore[attr-defined]
            ready = wizard.currentPage().isComplete()
        if key == "plan" and not ready:  # demo customers the billing system would refuse: write the others
            wizard.page_for("plan").write_refused.setChecked(True)  # type: ignore[attr-defined]
            ready = wizard.currentPage().isComplete()
        if key == "apply" and not ready:  # the walk writes the demo links (sandboxes only), then shows the end
            wizard.page_for("apply").start_apply()  # type: ignore[attr-defined]
            ready = _wait_until_ready(wizard)
            _save(wizard, folder / f"{number:02d}b-apply-finished.png", saved)
        if key == "quality":
            wizard.page_for("quality").accept_confident()  # type: ignore[attr-defined]
            _settle()
        if not ready:
            page = wizard.currentPage()
            problem = page.error_line.text() if hasattr(page, "error_line") else ""
            return saved, f"The walk stopped on the {key} page. {problem}".strip()
        if key != route[-1]:
            wizard.next()
            _settle()
    _capture_stopped_undo(wizard, folder, len(route), saved)
    number = route.index("connect_salesforce") + 1
    _capture_own_org_login(wizard, folder / f"{number:02d}b-connect_salesforce-own-org.png", saved)
    return saved, ""


def _capture_stopped_undo(wizard: CrosslinkWizard, folder: Path, number: int, saved: list[Path]) -> None:
    """Done after an undo the billing sandbox stopped answering (why, Resume undo), then after resuming it."""
    systems = wizard.state.demo_systems
    if systems is None or systems.sequence is None or wizard.state.run_report is None:
        return
    panel = wizard.page_for("done").outcome_box.undo  # type: ignore[attr-defined]
    systems.sequence.faults.down = True
    try:
        panel.start_undo()
        _wait_until_ready(wizard)
        _save(wizard, folder / f"{number:02d}b-done-undo-stopped.png", saved)
    finally:
        systems.sequence.faults.down = False
    panel.start_resume()
    _wait_until_ready(wizard)
    _save(wizard, folder / f"{number:02d}c-done-undo-resumed.png", saved)


def _capture_own_org_login(demo_wizard: CrosslinkWizard, path: Path, saved: list[Path]) -> None:
    """The Connect Salesforce page as someone connecting their own org first sees it (with Advanced open)."""
    wizard = CrosslinkWizard(demo_wizard.keychain)
    wizard.resize(demo_wizard.size())
    wizard.show()
    try:
        welcome = wizard.page_for("welcome")
        welcome.systems_button.setChecked(True)  # type: ignore[attr-defined]
        welcome.journey_buttons[Journey.LINK].setChecked(True)  # type: ignore[attr-defined]
        wizard.next()
        _settle()
        page = wizard.page_for("connect_salesforce")
        page.advanced.setChecked(True)  # type: ignore[attr-defined]
        _settle()
        _save(wizard, path, saved)
    finally:
        wizard.shutdown()
        wizard.deleteLater()
