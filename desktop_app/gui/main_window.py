"""The application window. Until the onboarding wizard lands, it shows what Crosslink does and
which command-line steps are ready, so the run command always opens a working app."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from desktop_app import __version__

STEPS = (
    ("Match", "desktop-app match --accounts accounts.csv --customers customers.csv --out matches.xlsx"),
    ("Check addresses", "desktop-app check-addresses --input accounts.csv --out problems.csv"),
)


class MainWindow(QMainWindow):
    """Crosslink's main window."""

    def __init__(self, keychain: str) -> None:
        super().__init__()
        self.setWindowTitle(f"Crosslink {__version__}")
        self.setObjectName("mainWindow")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(14)
        title = QLabel("<h1>Crosslink</h1>", body)
        title.setAccessibleName("Crosslink")
        layout.addWidget(title)
        intro = QLabel(
            "Links every Salesforce Account to exactly one billing customer and writes the link on "
            "both sides, after checking that the org and the data are fit for it.",
            body,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        ready = QLabel("<b>Ready from the command line:</b>", body)
        layout.addWidget(ready)
        for name, command in STEPS:
            step = QLabel(f"{name}: <code>{command}</code>", body)
            step.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            step.setWordWrap(True)
            step.setAccessibleName(name)
            layout.addWidget(step)
        layout.addStretch(1)
        self.setCentralWidget(body)
        self.statusBar().showMessage(f"Secrets are kept in the system keychain ({keychain}).")
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        width = min(900, available.width()) if available else 900
        height = min(560, available.height()) if available else 560
        self.resize(width, height)
