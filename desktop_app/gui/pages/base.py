"""What every wizard page has: the shared state, a progress panel, and an error line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from desktop_app.gui.state import WizardState
from desktop_app.gui.tasks import BackgroundTask, ProgressPanel, TaskFailure, Work, run_in_background


def error_colour(widget: QWidget) -> str:
    """A red that reads well on the widget's background, light or dark palette alike."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return "#ff8a80" if dark else "#b3261e"


class BasePage(QWizardPage):
    """A page with ``state``, a ``body`` layout to fill, a progress panel and an error line."""

    def __init__(self, state: WizardState, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.setAccessibleName(title)
        outer = QVBoxLayout(self)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)
        self.error_line = QLabel(self)
        self.error_line.setObjectName("errorLine")
        self.error_line.setWordWrap(True)
        self.error_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_line.setStyleSheet(f"QLabel#errorLine {{ color: {error_colour(self)}; font-weight: 600; }}")
        self.error_line.setAccessibleName("Problem")
        self.error_line.hide()
        outer.addWidget(self.error_line)
        self.progress = ProgressPanel(self)
        outer.addWidget(self.progress)
        self.task: BackgroundTask | None = None

    def step_title(self) -> str:
        """The page's words in the steps panel: its title (a page whose title depends on choices not
        made yet says it as it will be)."""
        return str(self.title())

    def run(self, fn: Work, what: str, on_success: Callable[[Any], None]) -> BackgroundTask:
        """Run ``fn(progress, cancel)`` in the background with this page's progress panel; a
        failure shows on the error line. The page is incomplete while it runs."""
        self.show_error("")
        self.task = run_in_background(fn, what, on_success=on_success, on_failure=self._failed,
                                      on_cancelled=self._cancelled, panel=self.progress, parent=self)
        self.task.finished.connect(self._task_done)
        self.completeChanged.emit()
        return self.task

    @property
    def working(self) -> bool:
        """True while any of this page's background work runs."""
        return self.task is not None and self.task.running

    def show_error(self, message: str) -> None:
        """Show (or, with "", clear) the sentence saying what went wrong and what to do."""
        self.error_line.setText(message)
        self.error_line.setVisible(bool(message))

    def cleanupPage(self) -> None:
        if self.task is not None:
            self.task.cancel()
        super().cleanupPage()

    def _failed(self, failure: TaskFailure) -> None:
        self.show_error(failure.message)

    def _cancelled(self) -> None:
        self.show_error("Stopped. Nothing was changed; press the button again to start over.")

    def _task_done(self) -> None:
        self.completeChanged.emit()
