"""The Done page's undo: Undo this run, and, when an undo stopped before its end, why and Resume undo.

Both ask first, run on a worker with the page's progress panel and Cancel, and leave the journal
consistent whatever stops them; a stopped (or cancelled) undo is read back from the journal, shown
with the engine's reason in the app's words (``run_next_step``) and offered for resume.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.gui import dialogs
from desktop_app.gui.connections import live_address_writers, live_sides
from desktop_app.gui.run_next_step import next_step
from desktop_app.gui.tasks import Work

if TYPE_CHECKING:
    from desktop_app.core.run_figures import RunFigures
    from desktop_app.gui.pages.base import BasePage
    from desktop_app.workflow.engine import RunReport
    from desktop_app.workflow.undo import UndoOutcome

REFUSED_SHOWN = 10


def undo_stopped(report: RunReport | None) -> bool:
    """True for an undo that did not reach its end (it can be resumed)."""
    return report is not None and report.state != "done"


def resume_undo_question(undo: RunReport) -> str:
    """The question before resuming a stopped undo: what is still to put back, and why it stopped."""
    left = sum(n for states in undo.write_counts.values() for state, n in states.items()
               if state in ("todo", "sending", "failed", "held"))
    why = escape(undo.stop.why) if undo.stop is not None else "It did not finish."
    return (f"<p>Resume undo <b>{escape(undo.run_id)}</b>? {why}</p><p><b>{left:,} values</b> are still to be put "
            "back. Each is read first: a value already restored is not written again, and a value changed since "
            "the run is left alone and listed.</p>")


class UndoPanel(QWidget):
    """Undo this run / Resume undo, and what the undo did or why it stopped."""

    undone = Signal()  # the undo (or its resume) ended: the run's figures changed

    def __init__(self, page: BasePage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.undo_button = QPushButton("&Undo this run", self)
        self.undo_button.setAccessibleName("Undo this run on both systems")
        self.resume_button = QPushButton("Resume &undo", self)
        self.resume_button.setAccessibleName("Resume the undo that stopped")
        row.addWidget(self.undo_button)
        row.addWidget(self.resume_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Outcome of the undo")
        layout.addWidget(self.text)
        self.undo_button.clicked.connect(self.undo)
        self.resume_button.clicked.connect(self.resume)
        self._running_undo: str | None = None  # the undo a task of this panel is writing
        self._refused: list[str] = []
        self.elsewhere = ""  # why the undo cannot be resumed on the systems connected now ("" when it can)

    def buttons(self) -> list[QPushButton]:
        """The buttons, for a row of the box the panel sits in."""
        return [self.undo_button, self.resume_button]

    def refresh(self) -> None:
        """Show the session's undo: none yet (Undo), stopped (why, Resume undo) or done (what it did)."""
        state = self.page.state
        undo = state.undo_report
        idle = not self.page.working
        self.undo_button.setEnabled(undo is None and idle and state.run_report is not None)
        self.resume_button.setVisible(undo_stopped(undo))
        self.resume_button.setEnabled(idle and not self.elsewhere)
        if undo is None:
            self.text.setText("")
            return
        from desktop_app.gui.run_outcome import run_figures

        lines = [run_figures(undo, self._billing_name())]
        if undo_stopped(undo):
            lines.append(f"<b>Why the undo stopped:</b> {escape(next_step(undo.stop, undo=True))}")
        self.text.setText("<br>".join(lines + self._refused))

    def undo(self) -> None:
        """Ask, then restore what the run replaced on both sides, refusing values changed since."""
        report = self.page.state.run_report
        if report is None:
            return
        from desktop_app.gui.gates import undo_question  # gates builds on the run outcome's sentences

        if dialogs.confirm(self.page, "Undo the run — Crosslink", undo_question(report, self._billing_name()),
                           "&Undo the run"):
            self.start_undo()

    def start_undo(self) -> None:
        """Undo the session's run in the background (asked first by ``undo``)."""
        state = self.page.state
        report = state.run_report
        if report is None or state.salesforce is None or state.billing is None:
            return
        from desktop_app.workflow.engine import new_run_id
        from desktop_app.workflow.undo import undo_run

        sides = live_sides(state.salesforce, state.billing, state.link_field)
        addresses = live_address_writers(state.salesforce, state.billing)
        undo_id = new_run_id()
        self._start(undo_id, lambda p, c: undo_run(report.run_id, sides, addresses=addresses, undo_id=undo_id,
                                                   progress=p, cancel=c), f"undoing run {report.run_id}")

    def resume(self) -> None:
        """Ask, then finish the stopped undo where it stopped (nothing is written twice)."""
        undo = self.page.state.undo_report
        if undo is not None and undo_stopped(undo) and dialogs.confirm(
                self.page, "Resume the undo — Crosslink", resume_undo_question(undo), "&Resume undo"):
            self.start_resume()

    def start_resume(self) -> None:
        """Finish the stopped undo in the background (asked first by ``resume``)."""
        state = self.page.state
        undo = state.undo_report
        if undo is None or not undo_stopped(undo) or state.salesforce is None or state.billing is None:
            return
        from desktop_app.workflow.undo import resume_undo

        sides = live_sides(state.salesforce, state.billing, state.link_field)
        addresses = live_address_writers(state.salesforce, state.billing)
        undo_id = undo.run_id
        retry = undo.state == "done_with_failures"  # its failed writes, those refused as invalid included
        self._start(undo_id, lambda p, c: resume_undo(undo_id, sides, addresses=addresses, retry_refused=retry,
                                                      progress=p, cancel=c), f"resuming undo {undo_id}")

    def _start(self, undo_id: str, work: Work, what: str) -> None:
        self._running_undo = undo_id
        self._refused = []
        self.undo_button.setEnabled(False)
        self.resume_button.setEnabled(False)
        self.page.run(work, what, self.show_outcome)

    def task_stopped(self) -> bool:
        """The page's task was cancelled or failed: when it was an undo, show the undo as the journal
        holds it (the engine marked it stopped, with why) and return True."""
        undo_id, self._running_undo = self._running_undo, None
        if undo_id is None:
            return False
        from desktop_app.workflow.undo import undo_as_journaled

        self.page.run(lambda p, c: undo_as_journaled(undo_id), "reading the stopped undo", self.show_outcome)
        return True

    def show_outcome(self, outcome: UndoOutcome) -> None:
        """Show what the undo did (or why it stopped) and make it the session's undo."""
        self._running_undo = None
        self._refused = []
        if outcome.refused:
            self._refused.append(f"The {len(outcome.refused):,} link values left alone (changed since the run):")
            self._refused += [escape(f"row {i.row}, {i.side} {i.record_id}: {i.message}")
                              for i in outcome.refused[:REFUSED_SHOWN]]
            if len(outcome.refused) > REFUSED_SHOWN:
                self._refused.append(f"… and {len(outcome.refused) - REFUSED_SHOWN:,} more in the undo's results "
                                     "file.")
        self._show(outcome.report, outcome.original)

    def _show(self, undo: RunReport, original: RunFigures | None) -> None:
        self.page.state.run_undone(undo, original)
        self.refresh()
        self.undone.emit()

    def _billing_name(self) -> str:
        billing = self.page.state.billing
        return billing.system.display_name if billing is not None else "the billing system"
