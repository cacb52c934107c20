"""Page — Connect Salesforce: the built-in sandbox org (demo), or the person's org through a browser login.

A real org is reached with the OAuth web-server flow and PKCE over a loopback redirect: Crosslink
opens the org's login page in the system browser and waits for the one redirect. The refresh token
goes to the system keychain (a saved connection, offered next time); Disconnect revokes it.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback
from desktop_app.gui import dialogs
from desktop_app.gui.connections import SalesforceConnection, connect_demo, connect_live
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.settings import app_settings
from desktop_app.gui.state import WizardState
from desktop_app.loopback import REDIRECT_PATH
from desktop_app.salesforce.oauth import CONSUMER_KEY_ENV, DEFAULT_PORT
from desktop_app.salesforce.profiles import ConnectionProfile
from desktop_app.workflow.connect_salesforce import (
    ENVIRONMENT_NAMES,
    Environment,
    LoginChoice,
    LoginLink,
    browser_login,
    log_out,
    reconnect,
    saved_connections,
)
from desktop_app.workflow.demo import DemoSystems

NEW_LOGIN = ""  # the saved-connection box's first entry: log in anew


class ConnectSalesforcePage(BasePage):
    """Demo: connects to the sandbox org on entry. Own systems: a saved connection or a browser login."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["connect_salesforce"], "", parent)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setOpenExternalLinks(False)
        self.body.addWidget(self.intro)
        self.login_box = self._build_login_box()
        self.body.addWidget(self.login_box)
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
        self.link_box = self._build_link_box()
        self.body.addWidget(self.link_box)
        self.body.addStretch(1)
        self.connect_button.clicked.connect(self.connect_org)
        self.disconnect_button.clicked.connect(self.disconnect_org)
        self._show_mode()

    def _build_link_box(self) -> QWidget:
        """Where the login link shows when no browser could be opened (hidden otherwise)."""
        box = QGroupBox("No browser could be started: open this login link in a browser", self)
        line = QHBoxLayout(box)
        self.login_link = QLineEdit(box)
        self.login_link.setReadOnly(True)
        self.login_link.setAccessibleName("Login link to open in a browser")
        self.copy_link_button = QPushButton("Cop&y the link", box)
        self.copy_link_button.setAccessibleName("Copy the login link")
        self.copy_link_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.login_link.text()))
        line.addWidget(self.login_link, 1)
        line.addWidget(self.copy_link_button)
        box.hide()
        return box

    def show_guide(self) -> None:
        """The steps to create the External Client App in Setup, with the values to paste."""
        from desktop_app.gui.org_app_guide import OrgAppGuide

        dialogs.run_dialog(OrgAppGuide(self.port.value(), self))

    def _login_progress(self, progress: Progress) -> None:
        if isinstance(progress, LoginLink):
            self.login_link.setText(progress.url)
            self.link_box.show()

    def _build_login_box(self) -> QGroupBox:
        box = QGroupBox("Log in to your org", self)
        form = QFormLayout(box)
        self.saved = QComboBox(box)
        self.saved.setAccessibleName("Saved connection")
        form.addRow("&Saved connection:", self.saved)
        self.environment = QComboBox(box)
        self.environment.setAccessibleName("Where to log in")
        for key, name in ENVIRONMENT_NAMES.items():
            self.environment.addItem(name, key)
        form.addRow("Log in &to:", self.environment)
        self.my_domain = QLineEdit(box)
        self.my_domain.setPlaceholderText("https://acme.my.salesforce.com")
        self.my_domain.setAccessibleName("My Domain address")
        form.addRow("My &Domain:", self.my_domain)
        self.advanced = QGroupBox("Advanced: the External Client App Crosslink logs in through", box)
        self.advanced.setCheckable(True)
        advanced_form = QFormLayout(self.advanced)
        self._advanced_form = advanced_form
        self.consumer_key = QLineEdit(self.advanced)
        self.consumer_key.setAccessibleName("Consumer key")
        self.consumer_key.setPlaceholderText("From Setup → External Client App Manager → your app → OAuth settings")
        advanced_form.addRow("Consumer &key:", self.consumer_key)
        self.port = QSpinBox(self.advanced)
        self.port.setRange(1024, 65535)
        self.port.setAccessibleName("Callback port")
        self.port.setToolTip("The port of the app's callback URL, http://localhost:PORT/OauthRedirect")
        advanced_form.addRow("Callback &port:", self.port)
        self.callback_url = QLabel(self.advanced)
        self.callback_url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.callback_url.setAccessibleName("Callback URL the app must list")
        advanced_form.addRow("", self.callback_url)
        self.port.valueChanged.connect(self._show_callback_url)
        self.guide_button = QPushButton("How to create the &External Client App…", self.advanced)
        self.guide_button.setAccessibleName("How to create the External Client App in Salesforce Setup")
        self.guide_button.clicked.connect(self.show_guide)
        advanced_form.addRow("", self.guide_button)
        self.ca_cert = QLineEdit(self.advanced)
        self.ca_cert.setPlaceholderText("Only behind a company proxy with its own certificate")
        self.ca_cert.setAccessibleName("Certificate to trust")
        advanced_form.addRow("Certificate to t&rust:", self.ca_cert)
        self.profile_name = QLineEdit(self.advanced)
        self.profile_name.setPlaceholderText("Made from the host, e.g. acme")
        self.profile_name.setAccessibleName("Save the connection as")
        advanced_form.addRow("Save &as:", self.profile_name)
        form.addRow(self.advanced)
        self.advanced.toggled.connect(self._show_advanced)
        self._form = form
        self._profiles: dict[str, ConnectionProfile] = {}
        self._busy = ""  # what the running task is doing, for the person ("" while only reading files)
        self._note = ""  # what the last log-out did, shown while not connected
        self.saved.currentIndexChanged.connect(self._show_login_fields)
        self.environment.currentIndexChanged.connect(self._show_login_fields)
        self._remember_defaults()
        return box

    def _remember_defaults(self) -> None:
        settings = app_settings()
        key = os.environ.get(CONSUMER_KEY_ENV) or str(settings.value("salesforce/consumer_key", ""))
        self.consumer_key.setText(key)
        try:
            self.port.setValue(int(str(settings.value("salesforce/port", DEFAULT_PORT))))
        except ValueError:
            self.port.setValue(DEFAULT_PORT)
        index = self.environment.findData(str(settings.value("salesforce/environment", "production")))
        self.environment.setCurrentIndex(max(index, 0))
        self.my_domain.setText(str(settings.value("salesforce/my_domain", "")))
        self.advanced.setChecked(not key)  # a first login needs the consumer key
        self._show_callback_url()

    def initializePage(self) -> None:
        self._show_mode()
        if self.state.demo and self.state.salesforce is None and not self.working:
            self.connect_org()

    # -- what the buttons do ---------------------------------------------------------------------

    def connect_org(self) -> None:
        """Demo: start the sandboxes and connect. Own org: open the saved connection, or log in."""
        if self.state.demo:
            self._connect_demo()
        elif self.saved.currentData():
            self.reconnect_saved()
        else:
            self.log_in()

    def login_choice(self) -> LoginChoice:
        """The new login as the form says."""
        environment: Environment = self.environment.currentData()
        return LoginChoice(environment, self.consumer_key.text(), my_domain=self.my_domain.text(),
                           port=self.port.value(), ca_cert=self.ca_cert.text(), profile=self.profile_name.text())

    def log_in(self) -> None:
        """Open the org's login page in the browser and wait (in the background) for the login."""
        choice = self.login_choice()
        try:
            choice.oauth_app()  # the form's mistakes, before any browser opens
        except ValueError as error:
            self.show_error(str(error))
            return
        self._forget_connection()
        settings = app_settings()
        settings.setValue("salesforce/consumer_key", choice.consumer_key.strip())
        settings.setValue("salesforce/port", choice.port)
        settings.setValue("salesforce/environment", choice.environment)
        settings.setValue("salesforce/my_domain", choice.my_domain.strip())

        def work(progress: ProgressCallback, cancel: CancelToken) -> SalesforceConnection:
            return connect_live(browser_login(choice, progress=progress, cancel=cancel), cancel=cancel)

        self._busy = "Waiting for the login in your browser…"
        self.link_box.hide()
        task = self.run(work, "logging in to Salesforce", self._connected_live)
        task.progressed.connect(self._login_progress)
        self._show_state()

    def reconnect_saved(self) -> None:
        """Open the chosen saved connection with the refresh token in the keychain."""
        name = str(self.saved.currentData())
        profile = self._profiles.get(name)
        if profile is None:
            self.show_error(f"The saved connection '{name}' is gone; log in again.")
            self._list_saved()
            return
        self._forget_connection()
        self._busy = f"Opening the saved connection '{name}'…"
        self.run(lambda p, c: connect_live(reconnect(profile, cancel=c), cancel=c),
                 f"opening the saved connection '{name}'", self._connected_live)
        self._show_state()

    def disconnect_org(self) -> None:
        """Close the connection: the demo org stops; a real org's login is revoked and forgotten."""
        connection = self.state.salesforce
        if connection is None:
            return
        self._forget_connection()
        if connection.profile:
            profile = connection.profile
            self._busy = "Logging out…"
            self.run(lambda p, c: log_out(profile), "logging out of Salesforce", self._logged_out)
        self._show_state()

    # -- results ---------------------------------------------------------------------------------

    def _connect_demo(self) -> None:
        self.state.close()  # the sandboxes start afresh, with their own billing connection
        size = self.state.demo_size
        self._busy = "Connecting…"
        self.run(lambda p, c: connect_demo(accounts=size, progress=p, cancel=c),
                 "starting the sandboxes and connecting to the sandbox org", self._connected_demo)
        self._show_state()

    def _forget_connection(self) -> None:
        self.state.salesforce_disconnected()

    def _connected_demo(self, outcome: tuple[SalesforceConnection, DemoSystems]) -> None:
        self.state.salesforce_connected(*outcome)
        self._show_state()

    def _connected_live(self, connection: SalesforceConnection) -> None:
        self._note = ""
        self.link_box.hide()
        self.state.salesforce_connected(connection)
        self._list_saved(select=connection.profile)
        self._show_state()

    def _logged_out(self, sentence: str) -> None:
        self._busy = ""
        if sentence.startswith("Logged out"):
            self._note = sentence
        else:
            dialogs.show_error(self, "Log out — Crosslink", sentence)
        self._list_saved()

    # -- what the page shows -----------------------------------------------------------------------

    def _show_mode(self) -> None:
        demo = self.state.demo
        if demo:
            self.setSubTitle("Demo mode uses Crosslink's sandbox org and billing sandbox on this computer.")
            self.intro.setText(
                "The sandbox org holds the same demo accounts as the demo files and answers the Salesforce API "
                "the way a real org does, so the checks on the next page run for real. Nothing leaves this "
                "computer and no password is stored.")
        else:
            self.setSubTitle("Log in with your browser; Crosslink never sees your password.")
            self.intro.setText(
                "Crosslink opens your org's login page in your browser. After you log in and allow access, "
                "the browser hands the login back to Crosslink on this computer, and the login is kept in "
                "the system keychain for next time. Nothing is written to the org before you have reviewed "
                "the plan.")
            project = self.state.project
            remembered = project.salesforce_connection if project is not None else ""
            self._list_saved(select=remembered or str(self.saved.currentData() or "") or None)
        self.login_box.setVisible(not demo)
        self.connect_button.setAccessibleName("Connect to the sandbox org" if demo else "Log in with the browser")
        self._show_login_fields()
        self._show_state()

    def _list_saved(self, select: str | None = None) -> None:
        """Read the saved connections (in the background), then list them."""
        self.run(lambda p, c: saved_connections(), "reading the saved connections",
                 lambda profiles: self._fill_saved(profiles, select))

    def _fill_saved(self, profiles: list[ConnectionProfile], select: str | None = None) -> None:
        """List ``profiles``; pick ``select``, else the first saved one, else New login."""
        self._profiles = {p.name: p for p in profiles}
        self.saved.blockSignals(True)
        self.saved.clear()
        self.saved.addItem("New login…", NEW_LOGIN)
        for profile in profiles:
            self.saved.addItem(f"{profile.name} — {profile.username or profile.user_id} at {profile.instance_url}",
                               profile.name)
        index = self.saved.findData(select) if select else -1
        self.saved.setCurrentIndex(index if index >= 0 else min(1, self.saved.count() - 1))
        self.saved.blockSignals(False)
        self._show_login_fields()

    def _show_login_fields(self) -> None:
        new_login = not self.saved.currentData()
        self._form.setRowVisible(self.environment, new_login)
        self._form.setRowVisible(self.my_domain, new_login and self.environment.currentData() == "my_domain")
        self._form.setRowVisible(self.advanced, new_login)
        self._form.setRowVisible(self.saved, self.saved.count() > 1)
        if not self.state.demo:
            self.connect_button.setText("&Log in with browser" if new_login else "&Connect")
        self._show_advanced(self.advanced.isChecked())

    def _show_advanced(self, shown: bool) -> None:
        for widget in (self.consumer_key, self.port, self.callback_url, self.guide_button, self.ca_cert,
                       self.profile_name):
            widget.setVisible(shown)
            label = self._advanced_form.labelForField(widget)
            if label is not None:
                label.setVisible(shown)

    def _show_callback_url(self) -> None:
        self.callback_url.setText(f"The app's callback URLs must include "
                                  f"<code>http://localhost:{self.port.value()}{REDIRECT_PATH}</code>")

    def _show_state(self) -> None:
        connection = self.state.salesforce
        if connection is not None:
            self.who.setText(f"<b>Connected:</b> {connection.describe()}")
        elif self.working and self._busy:
            self.who.setText(self._busy)
        else:
            self.who.setText(self._note or "Not connected.")
        self.disconnect_button.setEnabled(connection is not None and not self.working)
        self.disconnect_button.setText("&Disconnect" if self.state.demo else "&Disconnect and log out")
        self.connect_button.setEnabled(connection is None and not self.working)
        if self.state.demo:
            self.connect_button.setText("&Connect")
        self.completeChanged.emit()

    def _task_done(self) -> None:
        if not self.working:
            self._busy = ""
        self._show_state()
        super()._task_done()

    def isComplete(self) -> bool:
        return not self.working and self.state.salesforce is not None
