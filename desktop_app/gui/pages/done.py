"""Page — Done: what was decided, and the files to take away (report, reviewed matches, fixed records)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from desktop_app.core.counted import counted
from desktop_app.core.report import write_csv, write_xlsx_report
from desktop_app.core.report_outcomes import read_results
from desktop_app.gui import dialogs
from desktop_app.gui.done_undo import undo_stopped
from desktop_app.gui.fix_write_box import FixWriteBox
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.pages.quality import fixed_records
from desktop_app.gui.run_outcome import RunOutcomeBox
from desktop_app.gui.state import Journey, WizardState
from desktop_app.gui.tasks import TaskFailure
from desktop_app.workflow.address_outcome import accepted_fixes_clause, address_report_rows
from desktop_app.workflow.load_files import LoadedInput
from desktop_app.workflow.plan_outlook import summary_lines
from desktop_app.workflow.quality import write_fixed_records

if TYPE_CHECKING:
    from desktop_app.workflow.engine import RunReport
    from desktop_app.workflow.match import MatchRun
    from desktop_app.workflow.undo import UndoOutcome

CSV = "CSV files (*.csv)"
XLSX = "Excel workbooks (*.xlsx)"


def reviewed_run(state: WizardState) -> MatchRun | None:
    """The match run with the person's reviewed decisions in place of the matcher's."""
    run = state.match_run
    if run is None or state.reviewed is None:
        return run
    return dataclasses.replace(run, result=dataclasses.replace(run.result, decisions=state.reviewed))


KEPT = "the report and results are kept with the run."
RUN_SUBTITLES = {
    "done": f"The links were written and read back; {KEPT}",
    "done_with_failures": ("Some writes failed or were refused: the figures below count them, the results say "
                           f"why; {KEPT}"),
}
RUN_STOPPED = ("The run stopped before its end: the figures below say what was written, the rest can be "
               f"resumed; {KEPT}")


def run_summary_rows(state: WizardState) -> dict[str, object]:
    """The report's summary rows on the session's run: its figures and its address fixes, in the
    sentences the Done page shows ({} before a run)."""
    report, undo = state.run_report, state.undo_report
    if report is None:
        return {}
    rows = report.figures.report_rows() if report.figures is not None else {}
    accepted = state.accepted_fixes
    name = state.billing.system.display_name if state.billing is not None else "the billing system"
    return rows | address_report_rows(len(accepted) if accepted is not None else 0, report.addresses, name,
                                      undo.addresses if undo is not None else None)


class DonePage(BasePage):
    """A summary sentence and one Save button per result file; saving runs in the background."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["done"], "Save what you need. Nothing was written to Salesforce or billing.",
                         parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.body.addSpacing(8)
        self.grid = QGridLayout()
        self.body.addLayout(self.grid)
        self.saved_label = QLabel(self)
        self.saved_label.setWordWrap(True)
        self.body.addWidget(self.saved_label)
        self.outcome_box = RunOutcomeBox(self)
        self.outcome_box.undone.connect(self._run_undone)
        self.body.addWidget(self.outcome_box)
        self.fix_box = FixWriteBox(self)
        self.fix_box.hide()
        self.body.addWidget(self.fix_box)
        self.body.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}

    def initializePage(self) -> None:
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons.clear()
        self.saved_label.setText("")
        state = self.state
        self.outcome_box.refresh()
        resuming = state.resume_run
        if resuming is not None and resuming.kind == "undo":  # picked on Welcome: no match in this session
            self._show_stopped_undo(resuming.run_id)
            return
        if undo_stopped(state.undo_report):
            self.setSubTitle("The undo stopped before its end: below is why, and Resume undo finishes it.")
        elif state.run_report is not None:
            self.setSubTitle(RUN_SUBTITLES.get(state.run_report.state, RUN_STOPPED))
        elif state.journey is Journey.ADDRESSES and state.salesforce is not None:
            self.setSubTitle("Save what you need; the accepted fixes go into Salesforce only when you press Write.")
        accepted = state.accepted_fixes if state.accepted_fixes is not None else pd.DataFrame()
        if state.journey is Journey.ADDRESSES:
            check = state.address_check
            problems = len(check.problems) if check is not None else 0
            self.summary.setText(f"{counted(problems, 'address problem')} found; "
                                 f"{counted(len(accepted), 'fix', 'fixes')} accepted.")
            self._add("Save the &problems (.xlsx or .csv)…", "address_problems.xlsx", f"{XLSX};;{CSV}",
                      self._write_problems)
            self.fix_box.refresh(accepted)
        else:
            self.summary.setText(self._headline(len(accepted)))
            if state.plan is not None and state.run_report is None:  # the dry run's figures, as Plan and Apply say
                name = state.billing.system.display_name if state.billing is not None else "Billing"
                self.summary.setText(self.summary.text() + "<br>The plan (dry run): " +
                                     " ".join(summary_lines(state.plan, name)))
            self._add("Save the &report (.xlsx)…", "crosslink_report.xlsx", XLSX, self._write_report)
            self._add("Save the reviewed &matches (.csv)…", "reviewed_matches.csv", CSV, self._write_reviewed)
        if len(accepted):
            for side in fixed_records(state, accepted.iloc[0:0]):
                writer = self._fixed_writer(side, accepted)
                self._add(f"Save the fixed {side} (.csv)…", f"fixed_{side}.csv", CSV, writer)

    def _headline(self, accepted: int) -> str:
        """After a run: its read-back figures (``core.run_figures``, as the CLI and the report say them);
        before one: what the review decided, nothing written."""
        state = self.state
        report = state.run_report
        if report is not None and report.figures is not None:
            undo = state.undo_report
            fixes = accepted_fixes_clause(accepted, report.addresses, undo.addresses if undo is not None else None)
            return (f"<b>{report.figures.headline()}</b> {fixes}.<br>What was "
                    "written is below; save the reviewed matches and fixed records if you need them.")
        decisions = state.reviewed if state.reviewed is not None else pd.DataFrame({"status": [], "account_id": []})
        accounts = decisions["account_id"].astype(str) != ""
        chosen = int((decisions["status"].isin(["matched", "already_linked"]) & accounts).sum())
        have = "has" if chosen == 1 else "have"
        return (f"<b>{chosen:,} of {counted(int(accounts.sum()), 'account')} {have} a customer in the reviewed "
                f"matches</b> (nothing written yet); {accepted_fixes_clause(accepted, None)}.<br>Save the report "
                "for the record, "
                "and the reviewed matches: they are the list of links to write into both systems.")

    def _run_undone(self) -> None:
        accepted = self.state.accepted_fixes
        self.summary.setText(self._headline(len(accepted) if accepted is not None else 0))
        self.setSubTitle("The undo stopped before its end: below is why, and Resume undo finishes it."
                         if undo_stopped(self.state.undo_report) else "The undo went through; its figures are below.")

    def _show_stopped_undo(self, undo_id: str) -> None:
        """An undo picked on Welcome: read it and the run it undoes from the journal, then show both."""
        from desktop_app.workflow.undo import undo_with_its_run

        self.summary.setText(f"Reading undo {undo_id} from the journal…")
        self.setSubTitle("An undo that stopped before its end, on the systems it was started on.")

        def shown(pair: tuple[RunReport, UndoOutcome]) -> None:
            original, outcome = pair
            self.state.run_finished(original)
            self.outcome_box.undo.elsewhere = self._elsewhere()
            self.outcome_box.undo.show_outcome(outcome)
            self.outcome_box.refresh()
            self._run_undone()
            self.show_error(self.outcome_box.undo.elsewhere)

        self.run(lambda p, c: undo_with_its_run(undo_id), f"reading undo {undo_id}", shown)

    def _elsewhere(self) -> str:
        """Why the undo picked on Welcome cannot be resumed on the systems connected now ("" when it can)."""
        from desktop_app.gui.connections import run_settings
        from desktop_app.workflow.apply import resumable_here

        state, wanted = self.state, self.state.resume_run
        if wanted is None or state.salesforce is None or state.billing is None:
            return "Not connected: go Back and connect Salesforce and the billing system to resume the undo."
        if resumable_here([wanted], run_settings(state.salesforce, state.billing, state.link_field)) is None:
            where = wanted.settings.get("instance_url", "") or "its org"
            return (f"Undo {wanted.run_id} was made on {where} and {wanted.settings.get('billing_system', '')}; go "
                    "Back and connect to those systems to resume it.")
        return ""

    def _cancelled(self) -> None:
        if not self.outcome_box.undo.task_stopped():
            super()._cancelled()

    def _failed(self, failure: TaskFailure) -> None:
        super()._failed(failure)
        self.outcome_box.undo.task_stopped()  # an undo that failed is in the journal, stopped with why

    def _fixed_writer(self, side: str, accepted: pd.DataFrame) -> Callable[[Path], Path]:
        def write(path: Path) -> Path:
            return write_fixed_records(path, self._loaded(side), fixed_records(self.state, accepted)[side])

        return write

    def _loaded(self, side: str) -> LoadedInput:
        """The loaded file whose fixed copy ``side`` ("accounts", "customers") is."""
        check, run = self.state.address_check, self.state.match_run
        if self.state.journey is Journey.ADDRESSES and check is not None:
            return check.loaded
        assert run is not None
        return run.accounts if side == "accounts" else run.customers

    def _add(self, text: str, suggested: str, filters: str, write: Callable[[Path], Any]) -> None:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", "").removesuffix("…"))
        button.clicked.connect(lambda: self._save(text.replace("&", "").removesuffix("…"), suggested, filters, write))
        self.grid.addWidget(button, len(self.buttons), 0, Qt.AlignmentFlag.AlignLeft)
        self.buttons[suggested] = button

    def _save(self, title: str, suggested: str, filters: str, write: Callable[[Path], Any]) -> None:
        path = dialogs.choose_save_file(self, f"{title} — Crosslink", suggested, filters)
        if path is None:
            return

        def saved(_: object) -> None:
            self.state.file_saved(path)
            self.saved_label.setText("Saved: " + ", ".join(str(p) for p in self.state.saved))

        self.run(lambda p, c: write(path), f"saving {path.name}", saved)

    def _task_done(self) -> None:
        self.outcome_box.refresh()
        if self.state.journey is Journey.ADDRESSES:
            self.fix_box.refresh(self.state.accepted_fixes if self.state.accepted_fixes is not None
                                 else pd.DataFrame())
        super()._task_done()

    def _write_reviewed(self, path: Path) -> Path:
        from desktop_app.workflow.match import with_link_values

        run, reviewed = self.state.match_run, self.state.reviewed
        if reviewed is None:
            return write_csv(path, pd.DataFrame())
        # with the files' link values, so 'plan --offline' on this file plans what the wizard showed
        return write_csv(path, with_link_values(run, reviewed) if run is not None else reviewed)

    def _write_report(self, path: Path) -> list[str]:
        from desktop_app.workflow.match import write_match_output

        run = reviewed_run(self.state)
        if run is None:
            raise ValueError("There are no matches to report yet; go back to the Match page and run it.")
        report = self.state.run_report
        rows = run_summary_rows(self.state)
        results_path = report.results_path if report is not None else None
        results = read_results(results_path) if results_path is not None and results_path.is_file() else None
        return write_match_output(run, path, results, run_summary=rows,
                                  plan=self.state.plan)  # per side, what the plan writes

    def _write_problems(self, path: Path) -> object:
        check = self.state.address_check
        problems = check.problems if check is not None else pd.DataFrame()
        if path.suffix.lower() == ".xlsx":
            return write_xlsx_report(path, address_problems=problems,
                                     summary={"file": str(check.loaded.table.path) if check else ""})
        return write_csv(path, problems)
