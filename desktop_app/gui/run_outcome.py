"""The Done page's part for a written run: its figures, its report and results files, and its undo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from desktop_app.gui import dialogs
from desktop_app.gui.done_undo import UndoPanel
from desktop_app.workflow.address_outcome import address_sentence
from desktop_app.workflow.apply_addresses import address_results_path
from desktop_app.workflow.engine import RunReport

if TYPE_CHECKING:
    from desktop_app.gui.pages.base import BasePage
    from desktop_app.gui.state import WizardState


def run_figures(report: RunReport, billing_name: str = "the billing system") -> str:
    """One paragraph: the run's end state and headline figures (``core.run_figures``, the same the CLI
    and the report show), its pairs by status and what became of its address fixes."""
    pairs = ", ".join(f"{count:,} {status.replace('_', ' ')}" for status, count in sorted(report.pairs.items()))
    headline = f" {report.figures.headline()}" if report.figures is not None else ""
    what = "Undo run" if report.kind == "undo" else "Run"
    fixes = address_sentence(report.addresses, billing_name, undo=report.kind == "undo")
    return f"<b>{what} {report.run_id}: {report.state.replace('_', ' ')}.</b>{headline} Rows: {pairs}." + \
        (f"<br>{fixes}" if fixes else "")


def accepted_fixes_lines(state: WizardState, billing_name: str) -> list[str]:
    """What a run will do with the accepted address fixes, as one line ([] when there are none)."""
    fixes = state.accepted_fixes
    if fixes is None or not len(fixes) or "side" not in fixes.columns:
        return []
    by_side = fixes["side"].astype(str).value_counts()
    accounts, customers = int(by_side.get("account", 0)), int(by_side.get("customer", 0))
    writes_customers = state.billing is not None and state.billing.choice.kind != "file"
    where = f"{accounts:,} on Salesforce accounts" + (f", {customers:,} on {billing_name} customers"
                                                       if writes_customers else "")
    line = (f"{accounts + (customers if writes_customers else 0):,} accepted address fixes are written first "
            f"({where}), each only where the value is still what the check saw.")
    if customers and not writes_customers:
        line += f" The {customers:,} customer fixes are in the fixed customers file (Done page)."
    return [line]


class RunOutcomeBox(QGroupBox):
    """Figures of the run, Open report / Open results, and its undo (``done_undo.UndoPanel``)."""

    def __init__(self, page: BasePage) -> None:
        super().__init__("Links written", page)
        self.page = page
        layout = QVBoxLayout(self)
        self.figures = QLabel(self)
        self.figures.setWordWrap(True)
        layout.addWidget(self.figures)
        row = QHBoxLayout()
        self.report_button = QPushButton("Open the &report (.xlsx)", self)
        self.results_button = QPushButton("Open the r&esults file (.csv)", self)
        self.fixes_button = QPushButton("Open the address &fixes file (.csv)", self)
        self.fixes_button.setAccessibleName("Open the file listing every address fix and what became of it")
        self.undo = UndoPanel(page, self)
        for button in (self.report_button, self.results_button, self.fixes_button, *self.undo.buttons()):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.undo)
        self.undo_button, self.undo_text = self.undo.undo_button, self.undo.text
        self.undone = self.undo.undone
        self.report_button.clicked.connect(self.open_report)
        self.results_button.clicked.connect(self.open_results)
        self.fixes_button.clicked.connect(self.open_fixes)
        self.undone.connect(self._show_figures)

    def refresh(self) -> None:
        """Show the session's run (hidden when nothing was written) and its undo."""
        report = self.page.state.run_report
        self.setVisible(report is not None)
        if report is None:
            return
        self._show_figures()
        self.fixes_button.setVisible(bool(report.addresses))
        self.undo.refresh()

    def _show_figures(self) -> None:
        report = self.page.state.run_report
        if report is not None:
            self.figures.setText(run_figures(report, self._billing_name()))

    def open_results(self) -> None:
        """Open the run's results CSV (one row per link, what happened on each side)."""
        report = self.page.state.run_report
        if report is not None and report.results_path is not None:
            self._open(report.results_path)

    def open_fixes(self) -> None:
        """Open the run's address fixes file (one row per address part: before, after, what happened)."""
        report = self.page.state.run_report
        if report is not None and report.addresses:
            self._open(address_results_path(report.run_id))

    def open_report(self) -> None:
        """Write the XLSX report of the reviewed matches next to the run's results, then open it."""
        from desktop_app.gui.pages.done import reviewed_run, run_summary_rows
        from desktop_app.workflow.report import RUN_REPORT_FILE, write_run_report

        report, run = self.page.state.run_report, reviewed_run(self.page.state)
        if report is None or run is None:
            return
        run_id, results_path = report.run_id, report.results_path
        rows = run_summary_rows(self.page.state)
        plan = self.page.state.plan  # the report says per side what this plan wrote or kept
        self.page.run(lambda p, c: write_run_report(run, run_id, results_path, run_summary=rows, plan=plan),
                      f"writing {RUN_REPORT_FILE}", self._open)

    def _open(self, path: Path) -> None:
        if not dialogs.open_file(path):
            dialogs.show_info(self.page, "Open — Crosslink", f"The file is at <b>{path}</b>.")

    def _billing_name(self) -> str:
        billing = self.page.state.billing
        return billing.system.display_name if billing is not None else "the billing system"
