"""In-app guide for a Salesforce admin: create the External Client App Crosslink logs in through.

The installed app has no docs folder, so the steps and the values to paste live here; each value has
its own Copy button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.loopback import REDIRECT_PATH
from desktop_app.salesforce.oauth import SCOPE

SCOPE_NAMES = "Manage user data via APIs (api); Perform requests at any time (refresh_token, offline_access)"
STEPS = """<ol>
<li>In Salesforce, open <b>Setup</b> and search for <b>External Client App Manager</b>;
click <b>New External Client App</b>.</li>
<li>Name it (e.g. <i>Crosslink</i>), set <b>Distribution State</b> to <b>Local</b>, and give a contact e-mail.</li>
<li>Under <b>API (Enable OAuth Settings)</b> tick <b>Enable OAuth</b>; paste the <b>Callback URL</b> below and add
the <b>OAuth scopes</b> below.</li>
<li>Under <b>Flow Enablement</b> / <b>Security</b>: tick <b>Require Proof Key for Code Exchange (PKCE)</b>;
untick <b>Require secret for Web Server Flow</b> and <b>Require secret for Refresh Token Flow</b>
(a desktop app cannot keep a secret). Click <b>Create</b>.</li>
<li>On the app's <b>Policies</b> tab set <b>Permitted Users</b> (e.g. <i>Admin approved users are pre-authorized</i>,
then assign the permission set of the people who run Crosslink) and a refresh token policy that fits your rules.</li>
<li>On the <b>Settings</b> tab open <b>OAuth Settings → Consumer Key and Secret</b>, copy the <b>Consumer Key</b>
and paste it into Crosslink's <i>Consumer key</i> field. (The secret is not needed.)</li>
</ol>
<p>A new app can take a few minutes before Salesforce accepts logins through it. The people who log in need
API access and edit access to the link field; Crosslink's preflight checks say exactly what is missing.</p>"""


class OrgAppGuide(QDialog):
    """The steps in Setup and the values to paste (callback URL, scopes), each with a Copy button."""

    def __init__(self, port: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create the External Client App — Crosslink")
        layout = QVBoxLayout(self)
        steps = QLabel(STEPS, self)
        steps.setWordWrap(True)
        steps.setTextFormat(Qt.TextFormat.RichText)
        steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                      | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        steps.setAccessibleName("Steps in Salesforce Setup")
        layout.addWidget(steps)
        form = QFormLayout()
        self.values: dict[str, QLineEdit] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        for key, label, value in (("callback", "Callback &URL:", f"http://localhost:{port}{REDIRECT_PATH}"),
                                  ("scopes", "OAuth &scopes:", SCOPE_NAMES)):
            form.addRow(label, self._copyable(key, label, value))
        layout.addLayout(form)
        note = QLabel(f"Crosslink asks for the scopes <code>{SCOPE}</code>; Salesforce lists them under the names "
                      "above. Another callback port (Advanced) needs its own callback URL in the app.", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def _copyable(self, key: str, label: str, value: str) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        field = QLineEdit(value, row)
        field.setReadOnly(True)
        field.setAccessibleName(label.replace("&", "").removesuffix(":"))
        copy = QPushButton("Copy", row)
        copy.setAccessibleName(f"Copy the {label.replace('&', '').removesuffix(':')}")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(field.text()))
        line.addWidget(field, 1)
        line.addWidget(copy)
        self.values[key], self.copy_buttons[key] = field, copy
        return row
