"""Page — Connect billing: any system of the billing registry, or a customer export file; test the
connection in the background.

The credential rows come from the registry (one row per credential of each system, shown for the
chosen one). Keys typed here are kept in memory for this session, and in the system keychain only
when "Remember" is ticked. Demo mode fills in the chosen system's sandbox (starting it the first time
another system than Sequence is picked) and tests it by itself.
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
from desktop_app.billing.registry import SYSTEMS
from desktop_app.gui import dialogs
from desktop_app.gui.connections import demo_billing_choice
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import WizardState
from desktop_app.workflow.connect_billing import (
    KIND_NAMES,
    BillingChoice,
    BillingConnection,
    BillingKind,
    check_connection,
    save_credentials,
)
from desktop_app.workflow.connect_billing import sign_in as wizard_sign_in
from desktop_app.workflow.demo import demo_billing_sandbox

OAUTH_KINDS = frozenset(entry.key for entry in SYSTEMS if entry.oauth is not None)


class ConnectBillingPage(BasePage):
    """The billing system, its address and credentials, and Test connection."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["connect_billing"],
                         "Where the customers are: a billing system by its API, or any system by its customer export.",
                         parent)
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
        self.credential_inputs: dict[tuple[str, str], QLineEdit] = {}
        for entry in SYSTEMS:
            for credential in (c for c in entry.credentials if c.shown):
                line = QLineEdit(self)
                if credential.secret:
                    line.setEchoMode(QLineEdit.EchoMode.Password)
                line.setAccessibleName(f"{entry.name} {credential.label}")
                form.addRow(f"{entry.name} {credential.label}:", line)
                self.credential_inputs[(entry.key, credential.name)] = line
        self.key = self.credential_inputs[("stripe", "api_key")]
        self.client_id = self.credential_inputs[("sequence", "client_id")]
        self.client_secret = self.credential_inputs[("sequence", "client_secret")]
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
        self.sign_in_button = QPushButton("&Sign in with the browser…", self)
        self.sign_in_button.setAccessibleName("Sign in to the billing system in the browser")
        row.addWidget(self.sign_in_button)
        self._signed_in: dict[str, dict[str, str]] = {}  # per system: refresh token, sign-in host (not shown)
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
        self.sign_in_button.clicked.connect(self.sign_in)
        self.browse.clicked.connect(self._browse)
        self._kind_changed()

    def chosen_kind(self) -> BillingKind:
        """The billing system picked."""
        kind: BillingKind = self.kind.currentData()
        return kind

    def choice(self) -> BillingChoice:
        """The settings and credentials as typed."""
        kind = self.chosen_kind()
        creds = {name: line.text().strip() for (system, name), line in self.credential_inputs.items()
                 if system == kind}
        creds.update(self._signed_in.get(kind, {}))
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
            chosen = self.chosen_kind()
            if chosen != "sequence" and chosen not in systems.billing:  # Sequence starts with the org
                self.kind.setCurrentIndex(self.kind.findData("sequence"))
            if not self.working and self.state.billing is None:
                self._use_demo_sandbox()
        self._show_state()

    def _use_demo_sandbox(self) -> None:
        """Demo mode: fill in the chosen system's sandbox (starting it in the background) and test it."""
        systems = self.state.demo_systems
        kind = self.chosen_kind()
        if systems is None or kind == "file":
            return
        if kind != "sequence" and kind not in systems.billing:
            self.status.setText("Starting the sandbox…")
            self.run(lambda p, c: demo_billing_sandbox(systems, kind, progress=p, cancel=c),
                     f"starting the {KIND_NAMES[kind]} sandbox", lambda _sandbox: self._fill_demo(kind))
            return
        self._fill_demo(kind)

    def _fill_demo(self, kind: str) -> None:
        systems = self.state.demo_systems
        if systems is None or self.chosen_kind() != kind:
            return
        demo = demo_billing_choice(systems, kind)
        self.url.setText(demo.base_url)
        self.ca_cert.setText(demo.ca_cert)
        for name, value in demo.credentials.items():
            self.credential_inputs[(kind, name)].setText(value)
        self.remember.setChecked(False)  # sandbox credentials die with the sandbox
        self.test_connection()

    def test_connection(self) -> None:
        """Open the system with these settings and read its first customer, in the background."""
        self.state.billing_disconnected()
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

    def sign_in(self) -> None:
        """Sign in through the browser (OAuth systems) in the background, then test the connection."""
        choice = self.choice()
        self.status.setText("Waiting for the sign-in in the browser…")
        self.run(lambda p, c: wizard_sign_in(choice, cancel=c), f"signing in to {KIND_NAMES[choice.kind]}",
                 lambda creds: self._signed(choice.kind, creds))
        self._show_state()

    def _signed(self, kind: str, creds: dict[str, str]) -> None:
        for name, value in creds.items():
            line = self.credential_inputs.get((kind, name))
            if line is not None:
                line.setText(value)
        self._signed_in[kind] = {k: v for k, v in creds.items() if (kind, k) not in self.credential_inputs}
        self.test_connection()

    def _connected(self, connection: BillingConnection) -> None:
        self.state.billing_connected(connection)
        self._show_state()

    def _browse(self) -> None:
        path = dialogs.choose_open_file(self, "Choose the billing system's customer export")
        if path is not None:
            self.file.setText(str(path))

    def _kind_changed(self) -> None:
        kind = self.chosen_kind()
        visible: dict[QWidget, bool] = {self.url: kind != "file", self.ca_cert: kind != "file",
                                        self.remember: kind != "file"}
        for (system, _name), line in self.credential_inputs.items():
            visible[line] = system == kind
        self.sign_in_button.setVisible(kind in OAUTH_KINDS)
        for widget, shown in visible.items():
            self._form.setRowVisible(widget, shown)
        self._form.setRowVisible(self._file_row, kind == "file")
        if self.state.billing is not None and self.state.billing.choice.kind != kind:
            self.state.billing_disconnected()
        if self.state.demo and self.state.billing is None and not self.working:
            self._use_demo_sandbox()
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
