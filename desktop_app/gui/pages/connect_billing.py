"""Page — Connect billing: Stripe, Sequence or a customer export file; test the connection in the background.

Keys typed here are kept in memory for this session, and in the system keychain only when "Remember"
is ticked. Demo mode fills in the Sequence sandbox and tests it by itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop_app import secrets
from desktop_app.gui import dialogs
from desktop_app.gui.connections import demo_billing_choice
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import WizardState
from desktop_app.workflow.wizard_billing import (
    KIND_NAMES,
    BillingChoice,
    BillingConnection,
    BillingKind,
    check_connection,
    save_credentials,
)


class ConnectBillingPage(BasePage):
    """The billing system, its address and credentials, and Test connection."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, "Connect the billing system",
                         "Where the customers are: Stripe, Sequence, or any system by its customer export.", parent)
        form = QFormLayout()
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Billing system")
        for kind, name in KIND_NAMES.items():
            self.kind.addItem(name, kind)
        form.addRow("&Billing system:", self.kind)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("Leave empty for the system's usual address")
        self.url.setAccessibleName("API address")
        form.addRow("API &address:", self.url)
        self.ca_cert = QLineEdit(self)
        self.ca_cert.setPlaceholderText("Only for a local or company proxy certificate")
        self.ca_cert.setAccessibleName("Certificate to trust")
        form.addRow("Certificate to &trust:", self.ca_cert)
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("Stripe secret key")
        form.addRow("Stripe secret &key:", self.key)
        self.client_id = QLineEdit(self)
        self.client_id.setAccessibleName("Sequence client id")
        form.addRow("Sequence client &id:", self.client_id)
        self.client_secret = QLineEdit(self)
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.setAccessibleName("Sequence client secret")
        form.addRow("Sequence client &secret:", self.client_secret)
        file_row = QHBoxLayout()
        self.file = QLineEdit(self)
        self.file.setAccessibleName("Customer export file")
        self.browse = QPushButton("Browse…", self)
        self.browse.setAccessibleName("Browse for the customer export file")
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        form.addRow("Customer &export:", file_row)
        self.remember = QCheckBox("&Remember the credentials in the system keychain", self)
        form.addRow("", self.remember)
        self.body.addLayout(form)
        row = QHBoxLayout()
        self.test_button = QPushButton("&Test connection", self)
        self.test_button.setAccessibleName("Test the connection to the billing system")
        row.addWidget(self.test_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.status = QLabel("Not connected.", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName("Billing connection")
        self.body.addWidget(self.status)
        self.body.addStretch(1)
        self._form = form
        self._file_row = file_row
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.test_button.clicked.connect(self.test_connection)
        self.browse.clicked.connect(self._browse)
        self._kind_changed()

    def chosen_kind(self) -> BillingKind:
        """The billing system picked."""
        kind: BillingKind = self.kind.currentData()
        return kind

    def choice(self) -> BillingChoice:
        """The settings and credentials as typed."""
        kind = self.chosen_kind()
        creds = ({"api_key": self.key.text().strip()} if kind == "stripe" else
                 {"client_id": self.client_id.text().strip(), "client_secret": self.client_secret.text().strip()}
                 if kind == "sequence" else {})
        return BillingChoice(kind, base_url=self.url.text().strip(), ca_cert=self.ca_cert.text().strip(),
                             file=self.file.text().strip() if kind == "file" else "",
                             credentials={k: v for k, v in creds.items() if v})

    def initializePage(self) -> None:
        defaults = self.state.billing_defaults  # a reopened project's system (never its secrets)
        if not self.state.demo and self.state.billing is None and defaults and not self.working:
            kind = self.kind.findData(defaults.get("billing_system", ""))
            if kind >= 0:
                self.kind.setCurrentIndex(kind)
            self.url.setText(defaults.get("billing_url", ""))
            self.ca_cert.setText(defaults.get("billing_ca", ""))
            self.file.setText(defaults.get("billing_file", ""))
        systems = self.state.demo_systems
        if self.state.demo and systems is not None and self.state.billing is None and not self.working:
            demo = demo_billing_choice(systems)
            self.kind.setCurrentIndex(self.kind.findData("sequence"))
            self.url.setText(demo.base_url)
            self.ca_cert.setText(demo.ca_cert)
            self.client_id.setText(demo.credentials["client_id"])
            self.client_secret.setText(demo.credentials["client_secret"])
            self.remember.setChecked(False)  # sandbox credentials die with the sandbox
            self.test_connection()
        self._show_state()

    def test_connection(self) -> None:
        """Open the system with these settings and read its first customer, in the background."""
        if self.state.billing is not None:
            self.state.billing.close()
            self.state.billing = None
        choice = self.choice()
        if self.remember.isChecked() and choice.credentials:
            try:
                save_credentials(choice)
            except secrets.SecretStoreUnavailable as error:
                self.show_error(str(error))
                return
        self.status.setText("Testing…")
        self.run(lambda p, c: check_connection(choice, cancel=c), f"connecting to {KIND_NAMES[choice.kind]}",
                 self._connected)
        self._show_state()

    def _connected(self, connection: BillingConnection) -> None:
        self.state.billing = connection
        self.state.preflight = None
        self._show_state()

    def _browse(self) -> None:
        path = dialogs.choose_open_file(self, "Choose the billing system's customer export")
        if path is not None:
            self.file.setText(str(path))

    def _kind_changed(self) -> None:
        kind = self.chosen_kind()
        visible = {self.url: kind != "file", self.ca_cert: kind != "file", self.key: kind == "stripe",
                   self.client_id: kind == "sequence", self.client_secret: kind == "sequence",
                   self.remember: kind != "file"}
        for widget, shown in visible.items():
            self._form.setRowVisible(widget, shown)
        self._form.setRowVisible(self._file_row, kind == "file")
        if self.state.billing is not None and self.state.billing.choice.kind != kind:
            self.state.billing.close()
            self.state.billing = None
        self._show_state()

    def _show_state(self) -> None:
        connection = self.state.billing
        if connection is not None:
            self.status.setText(f"<b>{connection.summary}</b>")
        elif not self.working:
            self.status.setText("Not connected.")
        self.completeChanged.emit()

    def _task_done(self) -> None:
        self._show_state()
        super()._task_done()

    def isComplete(self) -> bool:
        return not self.working and self.state.billing is not None
