"""A push button whose action also has keyboard shortcuts, named for screen readers and its tooltip."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget


def shortcut_button(parent: QWidget, text: str, shortcuts: tuple[str, ...], description: str,
                    slot: Callable[[], object]) -> QPushButton:
    """A button on ``parent`` running ``slot``; each shortcut works anywhere inside ``parent`` and is
    listed in the tooltip after ``description`` (also the accessible name)."""
    button = QPushButton(text, parent)
    button.setAccessibleName(description)
    for shortcut in shortcuts:
        action = QAction(parent)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        parent.addAction(action)
    if shortcuts:
        keys = ", ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
        button.setToolTip(f"{description} ({keys})")
    else:
        button.setToolTip(description)
    button.clicked.connect(slot)
    return button
