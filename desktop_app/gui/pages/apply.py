"""Page — Apply: write the planned links into both systems, Salesforce first, journaled and resumable.

Each side has its own bar (finished of planned writes, failures so far); the rate and the time left
follow the rows. Cancel stops between batches; a run that did not finish (cancelled, app closed,
crash) is offered for resume here when the same systems are connected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop_app.core.counted import counted
from desktop_app.core.journal import RunInfo
from desktop_app.core.progress import Progress
from desktop_app.gui import dialogs, run_next_step
from desktop_app.gui.connections import live_address_writers, live_sides, run_settings
from desktop_app.gui.gates import resume_question, write_question
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.run_outcome import accepted_fixes_lines, run_figures
from desktop_app.gui.state import WizardState
from desktop_app.workflow.apply import (
    RunProgress,
    SideFigures,
    apply_plan,
    figures_from_counts,
    resumable_here,
    resume_run,
    unfinished_runs,
)
from desktop_app.workflow.engine import RunReport
from desktop_app.workflow.plan_outlook import summary_lines

SIDE_LABELS = {"account": "Salesforce", "customer": "Billing"}


def next_step(report: RunReport) -> str:
    """Why the run ended where it did and what the person can do about it, in the app's own words
    (the engine's reason, not its command-line message)."""
    return run_next_step.next_step(report.stop)


def is_retry(info: RunInfo) -> bool:
    """True when the run went to its end with failed writes (Retry), False when it stopped (Resume)."""
    return info.state == "done_with_failures"


def time_left(seconds: float | None) -> str:
    """"about 3 min left", "under a minute left", or "" while unknown."""
    if seconds is None:
        return ""
    if seconds < 60:
        return "under a minute left"
    return f"about {round(seconds / 60):,} min left"


class ApplyPage(BasePage):
    """Write (or resume) the run; per-side progress, rate, time left, errors; verification at the end."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["apply"],
                         "Accepted address fixes first, then the links: Salesforce, then the billing system. "
                         "Every write is journaled.", parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        row = QHBoxLayout()
        self.apply_button = QPushButton("&Write the links now", self)
        self.apply_button.setAccessibleName("Write the links into both systems")
        self.resume_button = QPushButton("&Resume the unfinished run", self)
        self.resume_button.setAccessibleName("Resume the unfinished run")
        row.addWidget(self.apply_button)
        row.addWidget(self.resume_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.resume_button.hide()  # until the journal shows an unfinished run on these systems
        self.resume_note = QLabel(self)
        self.resume_note.setWordWrap(True)
        self.body.addWidget(self.resume_note)
        grid = QGridLayout()
        self.bars: dict[str, QProgressBar] = {}
        self.side_text: dict[str, QLabel] = {}
        for line, (side, label) in enumerate(SIDE_LABELS.items()):
            bar = QProgressBar(self)
            bar.setAccessibleName(f"{label} progress")
            bar.setRange(0, 1)
            bar.setValue(0)
            text = QLabel(f"{label}: not started", self)
            grid.addWidget(text, line, 0)
            grid.addWidget(bar, line, 1)
            self.bars[side], self.side_text[side] = bar, text
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        self.pace = QLabel(self)
        self.pace.setAccessibleName("Rate and time left")
        self.body.addWidget(self.pace)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Outcome of the run")
        self.body.addWidget(self.outcome)
        self.body.addStretch(1)
        self.resumable: RunInfo | None = None
        self.apply_button.clicked.connect(self.confirm_apply)
        self.resume_button.clicked.connect(self.confirm_resume)

    def initializePage(self) -> None:
        plan = self.state.plan if self.state.resume_run is None else None
        self.apply_button.setVisible(self.state.resume_run is None)
        if self.state.resume_run is not None:
            self.summary.setText("Resuming a run from the Welcome page: it writes what its own plan still has to "
                                 "write, on the systems it was started on.")
        if self.state.billing is not None:
            self.side_text["customer"].setText(f"{self.state.billing.system.display_name}: not started")
        if plan is not None:
            counts = plan.counts()
            name = self.state.billing.system.display_name if self.state.billing else "the billing system"
            self.summary.setText("<br>".join([*summary_lines(plan, name), *accepted_fixes_lines(self.state, name)]))
            self.apply_button.setEnabled(self.state.run_report is None and bool(counts))
        self._offer_resume()
        self._show_report()

    def _settings(self) -> dict[str, str]:
        salesforce, billing = self.state.salesforce, self.state.billing
        if salesforce is None or billing is None:
            raise ValueError("Not connected: go Back and connect Salesforce and the billing system.")
        return run_settings(salesforce, billing, self.state.link_field)

    def _offer_resume(self) -> None:
        """Look in the journal (in the background) for an unfinished run on these systems."""
        if self.state.salesforce is None or self.state.billing is None:
            self._show_resumable(None)
            return
        settings = self._settings()
        self.run(lambda p, c: resumable_here(unfinished_runs(), settings), "looking for an unfinished run",
                 self._show_resumable)

    def _show_resumable(self, info: RunInfo | None) -> None:
        wanted = self.state.resume_run
        if wanted is not None and (info is None or info.run_id != wanted.run_id) and self.state.run_report is None:
            where = wanted.settings.get("instance_url", "") or "its org"
            self.show_error(f"Run {wanted.run_id} was made on {where} and {wanted.settings.get('billing_system', '')}"
                            f"; go Back and connect to those systems to resume it.")
        self.resumable = info
        retry = info is not None and is_retry(info)
        self.resume_button.setText("Retry the &failed writes" if retry else "&Resume the unfinished run")
        self.resume_button.setAccessibleName(self.resume_button.text().replace("&", ""))
        if info is not None and self.state.run_report is None:
            self.resume_note.setText(
                f"Run {info.run_id} of {info.created_at} ({counted(info.links, 'link')}) " + (
                    "finished with failed writes. Retry them (values are read first, nothing is written twice)"
                    if retry else f"did not finish: {info.state.replace('_', ' ')}. Resume it to finish exactly "
                    "where it stopped (nothing is written twice)") +
                ("." if self.state.resume_run is not None else ", or write the new plan instead."))
        elif info is not None:
            self.resume_note.setText(f"Run {info.run_id}: {next_step(self.state.run_report)}"
                                     if self.state.run_report is not None else "")
        else:
            self.resume_note.setText("")
        self.resume_button.setVisible(info is not None)
        self.resume_note.setVisible(info is not None)

    def confirm_apply(self) -> None:
        """Show what the run will write (and how to undo it) and write only when the person says so."""
        plan = self.state.plan
        if plan is None:
            self.show_error("There is no plan to write yet: go Back to the Plan page.")
            return
        if dialogs.confirm(self, "Write the links — Crosslink", write_question(plan, self.state), "&Write the links"):
            self.start_apply()

    def confirm_resume(self) -> None:
        """Ask, then resume the offered run (or retry its failed writes)."""
        info = self.resumable
        if info is None:
            return
        retry = is_retry(info)
        title = "Retry the failed writes — Crosslink" if retry else "Resume the run — Crosslink"
        if dialogs.confirm(self, title, resume_question(info, retry), "&Retry" if retry else "&Resume"):
            self.resume()

    def start_apply(self) -> None:
        """Journal a new run of the plan and write it, in the background."""
        plan, salesforce, billing = self.state.plan, self.state.salesforce, self.state.billing
        if plan is None or salesforce is None or billing is None:
            self.show_error("There is no plan to write yet: go Back to the Plan page.")
            return
        sides = live_sides(salesforce, billing, self.state.link_field)
        addresses = replace(live_address_writers(salesforce, billing), accepted=self.state.accepted_fixes)
        settings = self._settings()
        self._started("writing the address fixes and the links")
        task = self.run(lambda p, c: apply_plan(plan, sides, settings, addresses=addresses, progress=p, cancel=c),
                        "writing the links", self._finished)
        task.progressed.connect(self.show_progress)

    def resume(self) -> None:
        """Continue the unfinished run offered on this page."""
        info, salesforce, billing = self.resumable, self.state.salesforce, self.state.billing
        if info is None or salesforce is None or billing is None:
            return
        sides = live_sides(salesforce, billing, self.state.link_field)
        addresses = live_address_writers(salesforce, billing)
        self._started(f"resuming run {info.run_id}")
        retry = is_retry(info)  # the person asked to retry the failed writes: the refused ones too
        task = self.run(lambda p, c: resume_run(info.run_id, sides, addresses=addresses, retry_refused=retry,
                                                progress=p, cancel=c),
                        f"resuming run {info.run_id}", self._finished)
        task.progressed.connect(self.show_progress)

    def _started(self, what: str) -> None:
        self.apply_button.setEnabled(False)
        self.resume_button.setEnabled(False)
        self.outcome.setText("")
        self.pace.setText(what[:1].upper() + what[1:] + "…")

    def show_progress(self, progress: Progress) -> None:
        """Per-side bars and figures, errors so far, rate and time left."""
        if not isinstance(progress, RunProgress):  # the address fixes, written before the links
            self.pace.setText(f"{progress.message}: {progress.done:,} of {progress.total:,}")
            return
        errors = self._show_sides(progress.sides)
        left = time_left(progress.seconds_left)
        self.pace.setText(f"{progress.done:,} of {progress.total:,} rows · {progress.rate:,.0f} rows/s"
                          + (f" · {left}" if left else "") + f" · {counted(errors, 'error')} so far")

    def _show_sides(self, sides: Mapping[str, SideFigures]) -> int:
        errors = 0
        for side, figures in sides.items():
            if side not in self.bars:
                continue
            self.bars[side].setRange(0, max(figures.total, 1))
            self.bars[side].setValue(figures.finished)
            name = self.side_text[side].text().split(":", 1)[0]
            self.side_text[side].setText(f"{name}: {figures.finished:,} of {figures.total:,} done, "
                                         f"{figures.failed:,} failed")
            errors += figures.failed
        return errors

    def _finished(self, report: RunReport) -> None:
        self.state.run_finished(report)
        self._offer_resume()
        self._show_report()

    def _show_report(self) -> None:
        report = self.state.run_report
        if report is None:
            return
        name = self.state.billing.system.display_name if self.state.billing is not None else "the billing system"
        then = next_step(report) if report.state != "done" else ""
        self.outcome.setText(f"{run_figures(report, name)} {then}".strip())
        errors = self._show_sides(figures_from_counts(report.write_counts))
        self.pace.setText(f"Finished with {counted(errors, 'failed write')}; the results file says why for each."
                          if errors else "Finished without a failed write.")
        self.apply_button.setEnabled(False)
        # A finished or undone run is not offered for resume (``core.run_figures.resumable``).
        self.resume_button.setEnabled(report.state != "done" and self.state.undo_report is None)
        self.completeChanged.emit()

    def _cancelled(self) -> None:
        self.show_error("Stopped between batches. The journal is consistent: Resume continues where it stopped.")
        self._offer_resume()
        self.resume_button.setEnabled(True)

    def isComplete(self) -> bool:
        return not self.working and self.state.run_report is not None
