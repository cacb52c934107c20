"""The match outcome chart: how many accounts ended in each status, as horizontal bars."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QWidget


def status_label(status: str) -> str:
    """A status as people read it ("already_linked" → "Already linked")."""
    return status.replace("_", " ").capitalize()


class OutcomeChart(QChartView):
    """Bars of accounts per status; follows the palette (light or dark)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName("Match outcome by status")
        self.setMinimumHeight(170)
        self.counts: dict[str, int] = {}

    def show_counts(self, counts: Mapping[str, int]) -> None:
        """Draw one bar per status (top to bottom in the given order)."""
        self.counts = dict(counts)
        labels = [status_label(s) for s in counts][::-1]
        values = list(counts.values())[::-1]
        chart = QChart()
        chart.setBackgroundVisible(False)
        chart.legend().hide()
        chart.setMargins(chart.margins() * 0)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        series = QHorizontalBarSeries()
        bars = QBarSet("Accounts")
        bars.append([float(v) for v in values])
        bars.setColor(QColor("#2a7ab9"))
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        series.setBarWidth(0.7)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(labels)
        categories.setLabelsColor(text_colour)
        categories.setTruncateLabels(False)
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        values_axis = QValueAxis()
        values_axis.setRange(0, max([1, *values]) * 1.15)
        values_axis.setLabelFormat("%d")
        values_axis.setLabelsColor(text_colour)
        values_axis.setTickCount(5)
        values_axis.applyNiceNumbers()
        chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values_axis)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars.setLabelColor(text_colour)
        self.setChart(chart)
