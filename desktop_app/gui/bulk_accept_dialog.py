"""Bulk accept with a preview: the suggestion scores as a small histogram, a threshold, and the count."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.counted import counted
from desktop_app.workflow.review import default_threshold, score_histogram


class ScoreHistogram(QWidget):
    """Bars of suggestions per 5-point score band; bands at or above the threshold are drawn solid."""

    def __init__(self, scores: npt.NDArray[np.float64], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bands = score_histogram(scores)
        self.threshold = 0.0
        self.setMinimumSize(QSize(320, 120))
        self.setAccessibleName("Suggestion scores")
        self.setAccessibleDescription("; ".join(f"{start:.0f} to {start + 5:.0f}: {count}"
                                                for start, count in self.bands))

    def set_threshold(self, value: float) -> None:
        """Mark the bands a bulk accept would take."""
        self.threshold = value
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.bands:
            return
        painter = QPainter(self)
        palette = self.palette()
        text_height = self.fontMetrics().height()
        area = QRectF(self.rect()).adjusted(2, 2, -2, -text_height - 4)
        top = max(count for _, count in self.bands) or 1
        width = area.width() / len(self.bands)
        for number, (start, count) in enumerate(self.bands):
            height = area.height() * count / top
            bar = QRectF(area.left() + number * width + 2, area.bottom() - height, width - 4, height)
            taken = start + 5 > self.threshold
            colour = palette.color(QPalette.ColorRole.Highlight if taken else QPalette.ColorRole.Mid)
            painter.fillRect(bar, colour)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(bar.left() - 2, area.bottom() + 2, width, text_height),
                             Qt.AlignmentFlag.AlignHCenter, f"{start:.0f}")
            if count:
                painter.drawText(QRectF(bar.left() - 2, bar.top() - text_height, width, text_height),
                                 Qt.AlignmentFlag.AlignHCenter, str(count))
        painter.end()


class BulkAcceptDialog(QDialog):
    """Shows what "accept all suggestions scoring at least …" would take before it is done."""

    def __init__(self, scores: npt.NDArray[np.float64], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accept suggestions — Crosslink")
        self.scores = scores
        layout = QVBoxLayout(self)
        intro = QLabel(f"{len(scores):,} open suggestions, by score (the matcher's similarity, 0–100):", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.histogram = ScoreHistogram(scores, self)
        layout.addWidget(self.histogram)
        form = QFormLayout()
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0, 100)
        self.threshold.setDecimals(0)
        self.threshold.setAccessibleName("Lowest score to accept")
        form.addRow("Accept suggestions scoring &at least:", self.threshold)
        layout.addLayout(form)
        self.preview = QLabel(self)
        self.preview.setAccessibleName("What the bulk accept will take")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.accept_button = buttons.addButton("Accept them", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.threshold.valueChanged.connect(self._update)
        self.threshold.setValue(default_threshold(scores))
        self._update()
        self.threshold.setFocus()

    def taken(self) -> int:
        """How many suggestions the current threshold takes."""
        return int((self.scores >= self.threshold.value()).sum())

    def _update(self) -> None:
        count = self.taken()
        self.histogram.set_threshold(self.threshold.value())
        self.preview.setText(f"<b>{count:,} of {counted(len(self.scores), 'suggestion')}</b> will be accepted "
                             f"(score {self.threshold.value():.0f} or more). You can undo it (Ctrl+Z).")
        self.accept_button.setEnabled(count > 0)
