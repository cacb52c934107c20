"""Every modal question the app asks goes through here, so tests can patch one module."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

TABLE_FILES = "Tables (*.csv *.tsv *.txt *.xlsx);;All files (*)"


def choose_open_file(parent: QWidget | None, title: str, filters: str = TABLE_FILES) -> Path | None:
    """Ask for an existing file; None when the person cancels."""
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def choose_save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    """Ask where to save; None when the person cancels."""
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """Ask for one line of text; None when the person cancels."""
    value, accepted = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if accepted else None


def ask_choice(parent: QWidget | None, title: str, label: str, choices: list[str]) -> str | None:
    """Ask to pick one of ``choices``; None when the person cancels."""
    value, accepted = QInputDialog.getItem(parent, title, label, choices, 0, False)
    return value if accepted else None


def confirm_action(parent: QWidget | None, title: str, message: str, action: str) -> bool:
    """Ask before a bulk change; True only when the person presses ``action`` (Cancel is the default)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.Cancel, parent)
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


def run_dialog(dialog: QDialog) -> bool:
    """Show a dialog of ours modally; True when the person accepted it."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def confirm(parent: QWidget | None, title: str, message: str, yes_text: str) -> bool:
    """Ask before something that matters (writing, undoing, quitting); True only when the person pressed
    ``yes_text``. Cancel is the default button, so Enter alone never confirms. ``message`` may be rich text."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the person something failed; ``message`` says what to do next."""
    QMessageBox.warning(parent, title, message)


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the person something worth knowing (rich text allowed)."""
    QMessageBox.information(parent, title, message)


def show_about(parent: QWidget | None, title: str, message: str) -> None:
    """The About box."""
    QMessageBox.about(parent, title, message)


def open_file(path: Path) -> bool:
    """Open ``path`` with the program the system uses for it; False when none could be started."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def open_url(url: str) -> bool:
    """Open a web address in the person's browser; False when none could be started."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return bool(QDesktopServices.openUrl(QUrl(url)))
