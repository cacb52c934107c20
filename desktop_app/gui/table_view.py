"""A table view set up the same way everywhere: compact rows, sortable, whole-row selection."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from desktop_app.gui.frame_model import FrameModel

RETURN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class KeepEnterTable(QTableView):
    """A table that keeps Enter to itself.

    An unhandled Enter travels up to the wizard and presses its default button (Next): a person who
    typed a fix and pressed Enter to commit it found themselves on the next page. Enter here commits
    the edit in progress (the editor's delegate does that) or does nothing; it never leaves the table."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in RETURN_KEYS:
            event.accept()
            return
        super().keyPressEvent(event)


def make_table(parent: QWidget, accessible_name: str, model: FrameModel, *, sortable: bool = True) -> QTableView:
    """A view over ``model`` with compact rows, row selection and (optionally) header sorting.

    Sorting starts in the frame's own order; a header click sorts through the model (in pandas)."""
    view = KeepEnterTable(parent)
    view.setAccessibleName(accessible_name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.verticalHeader().setMinimumSectionSize(view.fontMetrics().height() + 4)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setHighlightSections(False)
    if sortable:
        view.horizontalHeader().setSortIndicatorShown(True)
        view.horizontalHeader().setSortIndicator(-1, view.horizontalHeader().sortIndicatorOrder())
        view.horizontalHeader().setSectionsClickable(True)
        view.horizontalHeader().sortIndicatorChanged.connect(model.sort)
    return view
