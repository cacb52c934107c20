"""The window the run command opens builds offscreen with its title, steps and keychain note."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop_app import __version__
from desktop_app.gui.main_window import STEPS, MainWindow


def test_main_window_shows_version_steps_and_keychain(qtbot) -> None:
    window = MainWindow(keychain="keyring.backends.SecretService.Keyring")
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == f"Crosslink {__version__}"
    texts = [label.text() for label in window.findChildren(QLabel)]
    for name, command in STEPS:
        assert any(command in text and name in text for text in texts)
    assert "SecretService" in window.statusBar().currentMessage()
