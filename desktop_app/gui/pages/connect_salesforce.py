"""Page — Connect Salesforce (demo mode): the built-in sandbox org, who is connected, and disconnect."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.gui.connections import SalesforceConnection, connect_demo
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import WizardState
from desktop_app.workflow.wizard_demo import DemoSystems


class ConnectSalesforcePage(BasePage):
    """Connects to the sandbox org on entry (in the background); Disconnect stops it."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, "Connect Salesforce",
                         "Demo mode uses Crosslink's sandbox org and billing sandbox on this computer.", parent)
        intro = QLabel(
            "The sandbox org holds the same demo accounts as the demo files and answers the Salesforce API "
            "the way a real org does, so the checks on the next page run for real. Nothing leaves this "
            "computer and no password is stored.", self)
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        self.who = QLabel("Not connected.", self)
        self.who.setWordWrap(True)
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.who.setAccessibleName("Connection")
        self.body.addWidget(self.who)
        row = QHBoxLayout()
        self.connect_button = QPushButton("&Connect", self)
        self.connect_button.setAccessibleName("Connect to the sandbox org")
        self.disconnect_button = QPushButton("&Disconnect", self)
        self.disconnect_button.setAccessibleName("Disconnect from the org")
        row.addWidget(self.connect_button)
        row.addWidget(self.disconnect_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addStretch(1)
        self.connect_button.clicked.connect(self.connect_org)
        self.disconnect_button.clicked.connect(self.disconnect_org)
        self._show_state()

    def initializePage(self) -> None:
        if self.state.salesforce is None and not self.working:
            self.connect_org()

    def connect_org(self) -> None:
        """Start the sandbox org and connect to it in the background."""
        self.disconnect_org()
        if self.state.billing is not None:
            self.state.billing.close()
            self.state.billing = None
        if self.state.demo_systems is not None:
            self.state.demo_systems.stop()
            self.state.demo_systems = None
        size = self.state.demo_size
        self.run(lambda p, c: connect_demo(accounts=size, progress=p, cancel=c),
                 "starting the sandboxes and connecting to the sandbox org", self._connected)
        self._show_state()

    def disconnect_org(self) -> None:
        """Close the connection (and stop the sandbox org)."""
        if self.state.salesforce is not None:
            self.state.salesforce.close()
            self.state.salesforce = None
            self.state.preflight = None
            self.state.account_describe = None
        self._show_state()

    def _connected(self, outcome: tuple[SalesforceConnection, DemoSystems]) -> None:
        self.state.salesforce, self.state.demo_systems = outcome
        self.state.account_describe = None
        self._show_state()

    def _show_state(self) -> None:
        connection = self.state.salesforce
        self.who.setText(f"<b>Connected:</b> {connection.describe()}" if connection else "Not connected.")
        self.disconnect_button.setEnabled(connection is not None)
        self.connect_button.setEnabled(connection is None)
        self.completeChanged.emit()

    def _task_done(self) -> None:
        self._show_state()
        super()._task_done()

    def isComplete(self) -> bool:
        return not self.working and self.state.salesforce is not None
