"""The list of the flow's steps beside the wizard's pages: done, current, still to do.

A plain list widget, so the keyboard moves through it and a screen reader reads each step with its
state ("Load the data — current step, 6 of 11"). It shows where the person is; it does not navigate.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

MARKS = {"done": "✓", "current": "▶", "todo": "○"}
STATE_WORDS = {"done": "done", "current": "current step", "todo": "still to do"}


def step_states(route: Sequence[str], current: str) -> list[tuple[str, str]]:
    """Each step of ``route`` with ``done``, ``current`` or ``todo`` (all ``todo`` when ``current`` is not on it)."""
    position = route.index(current) if current in route else -1
    return [(key, "done" if n < position else "current" if n == position else "todo")
            for n, key in enumerate(route)]


class StepsPanel(QWidget):
    """A titled list of the steps; ``show_steps`` redraws it for a route and the current step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepsPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        title = QLabel("<b>Steps</b>", self)
        self.steps = QListWidget(self)
        self.steps.setObjectName("stepsList")
        self.steps.setAccessibleName("Steps of the flow")
        self.steps.setAccessibleDescription("Where you are: the steps done, the current one and those still to do")
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.steps.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.steps.setWordWrap(True)
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.steps.setFrameShape(QListWidget.Shape.NoFrame)
        self.steps.setStyleSheet("QListWidget#stepsList { background: transparent; }"
                                 "QListWidget#stepsList::item { padding: 4px 2px; }")
        title.setBuddy(self.steps)
        layout.addWidget(title)
        layout.addWidget(self.steps, 1)
        self.setMinimumWidth(190)
        self.setMaximumWidth(240)

    def show_steps(self, route: Sequence[str], titles: dict[str, str], current: str) -> None:
        """Show the ``route`` (page keys, titled by ``titles``) with ``current`` marked and selected."""
        self.steps.clear()
        states = step_states(route, current)
        for number, (key, state) in enumerate(states, start=1):
            item = QListWidgetItem(f"{MARKS[state]}  {titles[key]}", self.steps)
            item.setData(Qt.ItemDataRole.UserRole, (key, state))
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{titles[key]} — {STATE_WORDS[state]}, {number} of {len(states)}")
            font = QFont(item.font())
            font.setBold(state == "current")
            item.setFont(font)
            if state == "todo":
                item.setForeground(self.palette().placeholderText())
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            if state == "current":
                self.steps.setCurrentItem(item)

    def states(self) -> list[tuple[str, str]]:
        """What the panel shows now: (page key, state) per step."""
        return [tuple(self.steps.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.steps.count())]
