"""The Done page's part for checking an org's addresses: write the accepted fixes into Salesforce
(journaled, compare-and-set, in the background), open the list of what became of each, undo them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pandas as pd
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from desktop_app.core.address_changes import PROBLEM_SIDE, record_changes
from desktop_app.core.progress import CancelToken, ProgressCallback
from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
from desktop_app.workflow.address_outcome import address_sentence
from desktop_app.workflow.apply_addresses import (
    AddressFigures,
    SalesforceAddresses,
    address_results_path,
    undo_address_fixes,
    write_address_fixes,
)

if TYPE_CHECKING:
    from desktop_app.gui.pages.base import BasePage

def as_account_fixes(accepted: pd.DataFrame) -> pd.DataFrame:
    """The accepted fixes of the checked Accounts."""
    if accepted.empty or "side" not in accepted.columns:
        return accepted.iloc[0:0]
    return accepted[accepted["side"] == PROBLEM_SIDE[Side.ACCOUNTS]]


class FixWriteBox(QGroupBox):
    """Write the accepted fixes into the connected org; shows the outcome; Undo puts the values back."""

    def __init__(self, page: BasePage) -> None:
        super().__init__("Write the fixes into Salesforce", page)
        self.page = page
        self.run_id = ""
        layout = QVBoxLayout(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Outcome of writing the fixes")
        layout.addWidget(self.text)
        row = QHBoxLayout()
        self.write_button = QPushButton("&Write the accepted fixes", self)
        self.write_button.setAccessibleName("Write the accepted address fixes into the Salesforce Accounts")
        self.open_button = QPushButton("Open the address &fixes file (.csv)", self)
        self.undo_button = QPushButton("&Undo the fixes", self)
        self.undo_button.setAccessibleName("Put back the values the fixes replaced")
        for button in (self.write_button, self.open_button, self.undo_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.write_button.clicked.connect(self.write)
        self.open_button.clicked.connect(self.open_results)
        self.undo_button.clicked.connect(self.undo)

    def refresh(self, accepted: pd.DataFrame) -> None:
        """Offer the write when an org is connected and there are fixes for its Accounts."""
        fixes = as_account_fixes(accepted)
        connected = self.page.state.salesforce is not None
        self.setVisible(connected and bool(len(fixes)))
        if not self.run_id:
            self.text.setText(f"{len(fixes):,} accepted fixes of Account billing addresses. Each is written only where "
                              "the Account still holds the value that was checked; the values it replaces are "
                              "journaled, so the fixes can be undone.")
        self.write_button.setEnabled(not self.page.working)
        self.write_button.setText("&Write again (retries what failed)" if self.run_id else "&Write the accepted fixes")
        self.open_button.setEnabled(bool(self.run_id))
        self.undo_button.setEnabled(bool(self.run_id) and not self.page.working)

    def write(self) -> None:
        """Write the fixes in the background under a new run id."""
        state = self.page.state
        salesforce = state.salesforce
        accepted = state.accepted_fixes if state.accepted_fixes is not None else pd.DataFrame()
        if salesforce is None:
            return
        run_id = self.run_id or "fix-" + uuid.uuid4().hex[:10]  # again: the same run goes on where it stopped
        writers = {"account": SalesforceAddresses(salesforce.client)}
        fixes = as_account_fixes(accepted)

        def work(progress: ProgressCallback, cancel: CancelToken) -> AddressFigures:
            return write_address_fixes(run_id, record_changes(fixes), writers, progress=progress, cancel=cancel)

        self.run_id = run_id
        self.write_button.setEnabled(False)
        self.page.run(work, "writing the address fixes into Salesforce", self._written)

    def undo(self) -> None:
        """Put back what the fixes replaced, where the fixed value is still there."""
        salesforce = self.page.state.salesforce
        if salesforce is None or not self.run_id:
            return
        run_id, writers = self.run_id, {"account": SalesforceAddresses(salesforce.client)}
        self.undo_button.setEnabled(False)
        self.page.run(lambda p, c: undo_address_fixes(run_id, writers, progress=p, cancel=c),
                      "putting back the values the fixes replaced", self._written)

    def open_results(self) -> None:
        """Open the list of every fixed part: before, after, what happened and why."""
        if self.run_id:
            path = address_results_path(self.run_id)
            if not dialogs.open_file(path):
                dialogs.show_info(self.page, "Open — Crosslink", f"The file is at <b>{path}</b>.")

    def _written(self, figures: AddressFigures) -> None:
        self.text.setText(f"<b>{self.run_id}:</b> " + address_sentence(figures.counts, "the billing system"))
