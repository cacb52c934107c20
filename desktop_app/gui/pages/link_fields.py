"""Page — Link fields: which Account field holds the customer id, where billing keeps the Account id,
and what to do with fields that already hold a value."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from desktop_app.billing.registry import system
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import WizardState
from desktop_app.workflow.connect_billing import BillingConnection, default_link_key, open_billing
from desktop_app.workflow.link_fields import FieldChoice, link_field_choices

POLICY_CHOICES = (
    ("skip_linked", "Keep it; still fill the other side when empty (recommended)"),
    ("fill_empty", "Leave it and report it as a conflict"),
    ("overwrite", "Replace it (overwrite)"),
)


class LinkFieldsPage(BasePage):
    """Account fields from describe (ineligible ones disabled, with why), the billing key, the policy."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["link_fields"],
                         "Where each side keeps the other side's id. Only text fields you may edit qualify.",
                         parent)
        self.fields = QListWidget(self)
        self.fields.setAccessibleName("Account field for the billing customer id")
        self.fields.setObjectName("linkFieldList")
        # Rows as tall as the font left no room below the baseline: the highlight covered the underscores
        # and "Billing_Customer_ID__c" read "Billing Customer ID  c".
        self.fields.setStyleSheet("QListWidget#linkFieldList::item { padding: 3px 2px; }")
        label = QLabel("Account field that will hold the billing &customer id:", self)
        label.setBuddy(self.fields)
        self.body.addWidget(label)
        self.body.addWidget(self.fields, 1)
        form = QFormLayout()
        self.link_key = QLineEdit(self)
        self.link_key.setAccessibleName("Where the billing system keeps the Salesforce Account id")
        self.key_label = QLabel("Billing side &keeps the Account id in:", self)
        self.key_label.setBuddy(self.link_key)
        form.addRow(self.key_label, self.link_key)
        self.policy = QComboBox(self)
        self.policy.setAccessibleName("When a field already holds another id")
        for value, text in POLICY_CHOICES:
            self.policy.addItem(text, value)
        form.addRow("When a field already &holds another id:", self.policy)
        self.body.addLayout(form)
        self.choices: list[FieldChoice] = []
        self.fields.currentItemChanged.connect(lambda *_: self.completeChanged.emit())

    def initializePage(self) -> None:
        billing = self.state.billing
        if billing is not None:
            self.link_key.setText(billing.choice.link_key or default_link_key(billing.choice.kind))
            where = system(billing.choice.kind).link_key_meaning
            self.key_label.setText(f"{billing.system.display_name} keeps the Account id in ({where}):" if where
                                   else f"{billing.system.display_name} keeps the Account id in:")
            self.link_key.setReadOnly(not where)  # a system with one fixed place (Xero, Zuora)
        self.policy.setCurrentIndex(max(0, self.policy.findData(self.state.policy)))
        if self.state.account_describe is not None:
            self._show(self.state.account_describe)
        elif self.state.salesforce is not None:
            client = self.state.salesforce.client
            self.run(lambda p, c: client.describe("Account"), "reading the Account fields", self._show)
        else:
            self.show_error("Not connected to Salesforce: go Back and connect first.")

    def _show(self, describe: dict[str, Any]) -> None:
        self.state.describe_read(describe)
        self.choices = link_field_choices(describe)
        self.fields.clear()
        for choice in self.choices:
            item = QListWidgetItem(choice.text(), self.fields)
            item.setData(Qt.ItemDataRole.UserRole, choice.name)
            if not choice.eligible:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(choice.reason)
        chosen = next((n for n, c in enumerate(self.choices) if c.eligible and c.name == self.state.link_field),
                      next((n for n, c in enumerate(self.choices) if c.eligible), None))
        if chosen is not None:
            self.fields.setCurrentRow(chosen)
        else:
            self.show_error("No Account field can hold the customer id. Create a Text field (length 255, "
                            "Unique, External ID) on Account in Setup, then press Back and Next.")
        self.completeChanged.emit()

    def chosen_field(self) -> str | None:
        """The API name of the Account field picked (None when none)."""
        item = self.fields.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return str(item.data(Qt.ItemDataRole.UserRole))

    def validatePage(self) -> bool:
        field = self.chosen_field()
        if field is None:
            return False
        self.state.link_field_chosen(field)
        self.state.policy_chosen(str(self.policy.currentData()))
        billing = self.state.billing
        key = self.link_key.text().strip()
        if billing is not None and key and key != (billing.choice.link_key or default_link_key(billing.choice.kind)):
            choice = dataclasses.replace(billing.choice, link_key=key)
            self.state.link_key_chosen(BillingConnection(choice, open_billing(choice), billing.summary))
        return True

    def isComplete(self) -> bool:
        return not self.working and self.chosen_field() is not None
