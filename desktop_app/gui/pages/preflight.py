"""Page — Preflight: is the org fit for links? Each check passes, warns or fails, says why and what to do.

A failed check blocks Next; warnings need a tick to go on. Re-run after fixing something in Setup.
The checks that need the customers (``DATA_CHECKS``) say "not checked yet" here and run on the Plan page.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from desktop_app.gui import dialogs
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import WizardState
from desktop_app.salesforce.preflight import CheckResult, run_preflight

STATUS_WORDS = {"pass": "Passed", "warn": "Warning", "fail": "Failed", "not_checked": "Not checked yet"}
STATUS_ICONS = {"pass": QStyle.StandardPixmap.SP_DialogApplyButton,
                "warn": QStyle.StandardPixmap.SP_MessageBoxWarning,
                "fail": QStyle.StandardPixmap.SP_MessageBoxCritical,
                "not_checked": QStyle.StandardPixmap.SP_MessageBoxInformation}


class PreflightPage(BasePage):
    """The checks as a list: status icon and title, with the explanation and remedy beneath."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["preflight"],
                         "Can Crosslink write links into the chosen Account field? Nothing is written yet.", parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Preflight checks")
        self.tree.setHeaderLabels(["Check", "Result"])
        self.tree.setWordWrap(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(False)
        self.body.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.rerun_button = QPushButton("&Run the checks again", self)
        self.rerun_button.setAccessibleName("Run the checks again")
        self.accept_warnings = QCheckBox("I have read the &warnings and want to go on", self)
        self.accept_warnings.setAccessibleName("I have read the warnings and want to go on")
        self.setup_button = QPushButton("&Open in Setup", self)
        self.setup_button.setAccessibleName("Open the chosen check's page in Salesforce Setup")
        self.setup_button.setToolTip("Opens the Setup page where the selected check can be fixed, in your browser")
        self.setup_button.setEnabled(False)
        row.addWidget(self.rerun_button)
        row.addWidget(self.setup_button)
        row.addStretch(1)
        row.addWidget(self.accept_warnings)
        self.body.addLayout(row)
        self.rerun_button.clicked.connect(self.run_checks)
        self.setup_button.clicked.connect(self.open_setup)
        self.tree.currentItemChanged.connect(self._selection_changed)
        self.tree.itemActivated.connect(lambda item, _column: self.open_setup())
        self.accept_warnings.toggled.connect(self.completeChanged)
        self.accept_warnings.hide()

    def initializePage(self) -> None:
        if self.state.preflight is None:
            self.run_checks()
        else:
            self._show(self.state.preflight)

    def run_checks(self) -> None:
        """Run every check against the connected org in the background."""
        connection = self.state.salesforce
        if connection is None:
            self.show_error("Not connected to Salesforce: go Back and connect first.")
            return
        client, link_field = connection.client, self.state.link_field
        self.setSubTitle(f"Can Crosslink write links into {link_field} on Account? Nothing is written yet.")
        self.state.preflight_started()
        self.tree.clear()
        self.summary.setText("Checking the org…")
        billing = self.state.billing
        name = billing.system.display_name if billing is not None else None
        self.run(lambda p, c: run_preflight(client, link_field=link_field, billing_system=name, progress=p,
                                            cancel=c),
                 "checking the org", self._show)

    def _show(self, results: list[CheckResult]) -> None:
        self.state.preflight_checked(results)
        self.tree.clear()
        style = self.style()
        for result in results:
            item = QTreeWidgetItem([result.title, STATUS_WORDS[result.status]])
            item.setIcon(0, style.standardIcon(STATUS_ICONS[result.status]))
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{result.title}: {STATUS_WORDS[result.status]}")
            text = result.explanation + (f"\nWhat to do: {result.remedy}" if result.remedy else "")
            url = self._full_setup_url(result.setup_url)
            if url:
                text += f"\nIn Setup: {url} (Open in Setup, or press Enter)"
            detail = QTreeWidgetItem([text, ""])
            for row_item in (item, detail):
                row_item.setData(0, Qt.ItemDataRole.UserRole, url)
            detail.setFirstColumnSpanned(True)
            item.addChild(detail)
            self.tree.addTopLevelItem(item)
            detail.setFirstColumnSpanned(True)
            item.setExpanded(result.status != "pass")
        self.tree.resizeColumnToContents(0)
        first_problem = next((i for i, r in enumerate(results) if r.status in ("warn", "fail")), None)
        problem_item = self.tree.topLevelItem(first_problem) if first_problem is not None else None
        if problem_item is not None:  # so "Open in Setup" works on it straight away
            self.tree.setCurrentItem(problem_item)
        counts = {status: sum(r.status == status for r in results) for status in STATUS_WORDS}
        warnings = "1 warning" if counts["warn"] == 1 else f"{counts['warn']} warnings"
        later = (f" {counts['not_checked']} not checked yet: they need the customers, and run again on the Plan "
                 "page once they are loaded." if counts["not_checked"] else "")
        self.summary.setText(f"{counts['pass']} passed, {warnings}, {counts['fail']} failed.{later}"
                             + (" Fix what failed (see below), then run the checks again." if counts["fail"] else ""))
        self.accept_warnings.setChecked(False)
        self.accept_warnings.setVisible(counts["warn"] > 0 and counts["fail"] == 0)
        self.completeChanged.emit()

    def _full_setup_url(self, path: str | None) -> str:
        """The Setup page's address in the connected org (checks give it relative to the org)."""
        if not path:
            return ""
        if path.startswith("https://"):
            return path
        connection = self.state.salesforce
        base = connection.instance_url.rstrip("/") if connection is not None else ""
        return f"{base}{path}" if base else path

    def selected_setup_url(self) -> str:
        """The Setup address of the selected check ("" when it has none)."""
        item = self.tree.currentItem()
        return str(item.data(0, Qt.ItemDataRole.UserRole) or "") if item is not None else ""

    def open_setup(self) -> None:
        """Open the selected check's Setup page in the browser."""
        url = self.selected_setup_url()
        if url and not dialogs.open_url(url):
            dialogs.show_info(self, "Open in Setup — Crosslink", f"Open this address in your browser:<br>{url}")

    def _selection_changed(self) -> None:
        self.setup_button.setEnabled(bool(self.selected_setup_url()))

    def isComplete(self) -> bool:
        results = self.state.preflight
        if self.working or results is None or any(r.status == "fail" for r in results):
            return False
        return self.accept_warnings.isChecked() or not any(r.status == "warn" for r in results)
