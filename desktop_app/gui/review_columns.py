"""The review table's columns: their headings, which come first, which are hidden, how wide."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from desktop_app.gui.frame_model import FrameModel, display_text

DECISION_HEADERS = {"account_id": "Account ID", "account_name": "Account", "customer_id": "Customer ID",
                    "customer_name": "Customer", "status": "Status", "score": "Score", "reason": "Why",
                    "method": "Found by", "candidates": "Candidates", "reviewed": "Your call",
                    "account_row": "Account row", "customer_row": "Customer row",
                    "account_write": "Salesforce side", "customer_write": "Billing side"}
# Shown first, in this order; the rest follow; row numbers are in the report, not on screen.
LEADING_COLUMNS = ("status", "score", "account_name", "customer_name", "account_write", "customer_write", "reason",
                   "reviewed")
HIDDEN_COLUMNS = ("account_row", "customer_row", "method", "evidence")  # evidence: shown per row, not as JSON
FITTED_ROWS = 50  # column widths fit the first rows
MAX_WIDTHS = {"reason": 420, "account_name": 220, "customer_name": 220}
MAX_WIDTH = 420


def arrange_columns(table: QTableView, model: FrameModel) -> None:
    """Leading columns first, the hidden ones hidden, each as wide as its first rows' text."""
    header = table.horizontalHeader()
    columns = [str(c) for c in model.frame.columns]
    for target, name in enumerate(c for c in LEADING_COLUMNS if c in columns):
        header.moveSection(header.visualIndex(columns.index(name)), target)
    for number, name in enumerate(columns):
        table.setColumnHidden(number, name in HIDDEN_COLUMNS)
    # Measured here: the view's own fitting asks the model for every cell four times over, which is
    # slow to show a million rows.
    cell, title = table.fontMetrics(), header.fontMetrics()
    first = model.frame.head(FITTED_ROWS)
    for number, name in enumerate(columns):
        if name in HIDDEN_COLUMNS:
            continue
        texts = [display_text(v) for v in first[name].tolist()]
        heading = str(model.headerData(number, Qt.Orientation.Horizontal))
        width = max([cell.horizontalAdvance(t) for t in texts] + [title.horizontalAdvance(heading) + 16]) + 12
        table.setColumnWidth(number, min(width, MAX_WIDTHS.get(name, MAX_WIDTH)))
