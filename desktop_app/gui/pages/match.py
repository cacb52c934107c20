"""Page — Match & review: run the matching, see the outcome, and decide what the matcher could not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any, cast

import numpy as np
import pandas as pd
from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.plan import Policy
from desktop_app.core.report import STATUS_ORDER
from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
from desktop_app.gui.bulk_accept_dialog import BulkAcceptDialog
from desktop_app.gui.evidence_pane import EvidencePane
from desktop_app.gui.frame_model import BACKGROUND_ROWS, SOURCE_POSITION_ROLE, FrameModel, ViewSpec
from desktop_app.gui.match_summary import filter_count, notes_html, outcome_text
from desktop_app.gui.outcome_chart import OutcomeChart, status_label
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.review_calls import BIG_CALL_ROWS, ReviewCalls
from desktop_app.gui.review_columns import DECISION_HEADERS, arrange_columns
from desktop_app.gui.shortcut_button import shortcut_button
from desktop_app.gui.state import WizardState
from desktop_app.gui.table_view import make_table
from desktop_app.workflow.match import MatchRun, match_files
from desktop_app.workflow.review import (
    ReviewError,
    apply_review_calls,
    candidates_of,
    suggestion_scores,
    with_review_column,
)
from desktop_app.workflow.review_evidence import Lookup, evidence_for
from desktop_app.workflow.review_prepare import Prepared, prepare_review
from desktop_app.workflow.review_session import ReviewSession, Step

ALL_STATUSES = "All statuses"

class MatchPage(BasePage):
    """Matches the loaded files in the background, then shows the chart, the review table and the
    evidence of the selected row; every review call can be undone and redone."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["match"],
                         "Crosslink proposes a customer for every account; you decide the unsure ones.", parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.chart = OutcomeChart(self)
        self.calls = ReviewCalls(self, self._done)
        self._lookups: tuple[Lookup, Lookup] | None = None

        controls = QHBoxLayout()
        self.status_filter = QComboBox(self)
        self.status_filter.setAccessibleName("Show status")
        self.status_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search accounts, customers, reasons… (Ctrl+F)")
        self.search.setAccessibleName("Search the matches")
        self.search.setClearButtonEnabled(True)
        status_label_widget = QLabel("&Show:", self)
        status_label_widget.setBuddy(self.status_filter)
        self.chart_button = QPushButton("Char&t", self)
        self.chart_button.setCheckable(True)
        self.chart_button.setAccessibleName("Show the chart of outcomes")
        self.chart_button.setToolTip("Show or hide the chart of outcomes by status")
        controls.addWidget(status_label_widget)
        controls.addWidget(self.status_filter)
        controls.addWidget(self.search, 1)
        controls.addWidget(self.chart_button)

        self.model = FrameModel(headers=DECISION_HEADERS, parent=self)
        self.table = make_table(self, "Matches", self.model)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 5)  # rows to decide on
        actions = QHBoxLayout()
        make_button = partial(shortcut_button, self)
        self.accept_button = make_button("&Accept", ("Ctrl+Return",), "Accept the proposed customer",
                                    self.accept_selected)
        self.accept_button.setToolTip(self.accept_button.toolTip().replace(")", ", or Space in the table)"))
        self.table.installEventFilter(self)  # Space in the table accepts (the view would toggle the selection)
        self.reject_button = make_button("&Reject", ("Ctrl+Backspace",), "Reject: link nothing for this account",
                                    self.reject_selected)
        self.choose_button = make_button("C&hoose…", ("Ctrl+H",), "Choose among the candidate customers",
                                    self.choose_candidate)
        self.enter_button = make_button("&Enter id…", ("Ctrl+E",), "Type or paste the customer id", self.enter_id)
        self.accept_all_button = make_button("Accept &suggestions…", (), "Accept every suggestion at or above a "
                                        "score, after a preview", self.accept_all)
        self.undo_button = make_button("&Undo", ("Ctrl+Z",), "Undo the last review call", self.undo)
        self.redo_button = make_button("Re&do", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the review call undone last",
                                  self.redo)
        for button in (self.accept_button, self.reject_button, self.choose_button, self.enter_button,
                       self.accept_all_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.undo_button)
        actions.addWidget(self.redo_button)

        self.evidence = EvidencePane(self)
        self.history = QListWidget(self)
        self.history.setAccessibleName("Review calls, oldest first")
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        history_label = QLabel("History (Ctrl+Z undoes the last):", self)

        table_area = QWidget(self)
        table_layout = QVBoxLayout(table_area)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(controls)
        table_layout.addLayout(actions)
        table_layout.addWidget(self.table, 1)
        # The table has the page's whole height; the chart (one click away: the summary line holds the
        # counts), the evidence and the history share the column beside it, their sizes the person's.
        self.side = QSplitter(Qt.Orientation.Vertical, self)
        history_area = QWidget(self)
        history_layout = QVBoxLayout(history_area)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addWidget(history_label)
        history_layout.addWidget(self.history, 1)
        for widget in (self.chart, self.evidence, history_area):
            self.side.addWidget(widget)
        self.side.setStretchFactor(1, 1)
        self.side.setSizes([0, 430, 60])
        self.chart.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(table_area)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([540, 460])
        self.body.addWidget(self.splitter, 1)
        self.chart_button.toggled.connect(self._show_chart)

        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: self.search.setFocus())
        self.addAction(find)
        read = QAction(self)  # keyboard users read the whole reason and evidence there (Tab goes back)
        read.setShortcut(QKeySequence("Ctrl+I"))
        read.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        read.triggered.connect(lambda: self.evidence.setFocus())
        self.addAction(read)
        self.evidence.setToolTip("The evidence for the selected row (Ctrl+I to read it from the keyboard)")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)  # search after typing pauses, not on every key
        self._search_timer.timeout.connect(self._apply_view)
        self.search.textChanged.connect(self._search_timer.start)
        self.status_filter.currentIndexChanged.connect(self._apply_view)
        self.table.selectionModel().currentRowChanged.connect(self._show_evidence)
        self.model.modelReset.connect(self._show_evidence)
        self._signature: object = None
        self._update_history()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            self.accept_selected()
            return True
        return super().eventFilter(watched, event)

    def _show_chart(self, shown: bool) -> None:
        self.chart.setVisible(shown)
        if shown:
            sizes = self.side.sizes()
            self.side.setSizes([190, max(sizes[1] - 190, 120), sizes[2]])

    # --- matching ------------------------------------------------------------------------------
    def initializePage(self) -> None:
        state = self.state
        billing = state.billing
        rules = billing.system.capabilities.customer_requirements if billing is not None else ()
        billing_name = billing.system.display_name if billing is not None else "the billing system"
        signature = (tuple(sorted((s.value, str(p)) for s, p in state.paths.items())),
                     tuple(state.all_overrides()), rules)
        if signature == self._signature and state.reviewed is not None:
            if state.policy != self.calls.policy:  # chosen again on the Plan page meanwhile
                self.calls.refresh_all(state.policy, self.model.values_changed)
            return
        self._signature = signature
        state.match_started()
        self.calls.start(None)
        self.model.set_frame(with_review_column(_empty_decisions()))
        self._update_history()
        self.summary.setText("Matching…")
        accounts, customers = state.paths[Side.ACCOUNTS], state.paths[Side.CUSTOMERS]
        mapping = state.paths.get(Side.MAPPING)
        overrides = state.all_overrides()
        calls = state.take_restored_calls()  # a reopened project's calls, laid over once
        policy = cast(Policy, state.policy)

        def work(progress: Any, cancel: Any) -> tuple[MatchRun, Prepared, int]:
            run = match_files(accounts, customers, mapping_path=mapping, overrides=overrides,
                              customer_requirements=rules, billing_name=billing_name,
                              progress=progress, cancel=cancel)
            frame = with_review_column(run.result.decisions)  # the copy is made off the UI thread
            frame, restored = apply_review_calls(frame, calls) if calls is not None else (frame, 0)
            return run, prepare_review(run, frame, policy), restored

        self.run(work, f"matching {accounts.name} with {customers.name}", self._matched)

    def _matched(self, outcome: tuple[MatchRun, Prepared, int]) -> None:
        run, prepared, restored = outcome
        self.show_run(run, prepared)
        if restored:
            self.summary.setText(self.summary.text() + f" {restored:,} of your review calls were restored from "
                                 "the project.")

    def show_run(self, run: MatchRun, prepared: Prepared | None = None) -> None:
        """Show a finished match run: chart, summary and the decisions to review (``prepared``: made
        ready for review off the UI thread by ``prepare_review`` with the page's policy)."""
        self.state.matched(run)
        if prepared is None:
            prepared = prepare_review(run, with_review_column(run.result.decisions), cast(Policy, self.state.policy))
        frame = prepared.session.frame
        self.state.review_changed(frame)
        self.calls.start(prepared.session, run, prepared.values, self.state.policy)
        self._lookups = prepared.lookups
        self.model.set_frame(frame, ViewSpec())
        self._update_outcome()
        self._update_history()
        arrange_columns(self.table, self.model)
        if self.model.rowCount():
            self.select_position(0)
        self.completeChanged.emit()

    def _update_outcome(self) -> None:
        """Chart, summary and filter labels from the session's counts (kept current per call): the
        chart and summary count accounts, the filter counts the table's rows (customers' own too)."""
        counts = self.session.counts if self.session is not None else {}
        side = self.session.side_counts if self.session is not None else None
        ordered = {s: counts.get(s, 0) for s in STATUS_ORDER} | {s: n for s, n in counts.items()
                                                                if s not in STATUS_ORDER}
        accounts = side.accounts if side is not None else {}
        self.chart.show_counts({s: accounts.get(s, 0) for s in STATUS_ORDER}
                               | {s: n for s, n in accounts.items() if s not in STATUS_ORDER})
        run = self.state.match_run
        text = outcome_text(side, len(run.customers.frame) if run is not None else 0)
        self.summary.setText(text + notes_html(run.notes if run is not None else []))
        self._update_filter_labels(ordered, side.customers if side is not None else {})

    def _update_filter_labels(self, counts: dict[str, int], customers: Mapping[str, int]) -> None:
        """One item per status with its rows; where customers no account took share the status, the
        rows are split, so "Unmatched (385)" never stands beside the heading's "293 unmatched"."""
        current = self.status_filter.currentData() or ""
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(ALL_STATUSES, "")
        for status, count in counts.items():
            if count or status == current:
                self.status_filter.addItem(f"{status_label(status)} ({filter_count(count, customers.get(status, 0))})",
                                           status)
        self.status_filter.setCurrentIndex(max(self.status_filter.findData(current), 0))
        self.status_filter.blockSignals(False)

    def _update_history(self) -> None:
        session = self.session
        self.history.clear()
        if session is not None:
            self.history.addItems(session.history)
            for label in session.redo_history:
                self.history.addItem(f"(undone) {label}")
            self.history.scrollToBottom()
        self.undo_button.setEnabled(session is not None and session.can_undo())
        self.redo_button.setEnabled(session is not None and session.can_redo())
        self.undo_button.setToolTip("Undo " + session.history[-1] if session and session.can_undo()
                                    else "Nothing to undo")
        self.redo_button.setToolTip("Redo " + session.redo_history[0] if session and session.can_redo()
                                    else "Nothing to redo")

    def select_position(self, position: int) -> None:
        """Make frame row ``position`` the selected, current row (shown from its first column)."""
        positions = self.model.view_positions()
        found = np.flatnonzero(positions == position)
        if not found.size:
            return
        index = self.model.index(int(found[0]), self.table.horizontalHeader().logicalIndex(0))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)  # the same whatever modifier keys are down
        self.table.scrollTo(index)

    # --- evidence ------------------------------------------------------------------------------
    def _show_evidence(self) -> None:
        run, lookups = self.state.match_run, self._lookups
        current = self.table.currentIndex()
        if run is None or lookups is None or not current.isValid():
            self.evidence.show_nothing()
            return
        position = self.model.source_position(current.row())
        self.evidence.show_evidence(evidence_for(
            self.model.frame, position, run.accounts.frame, run.customers.frame, link_field=self.state.link_field,
            account_lookup=lookups[0], customer_lookup=lookups[1]))

    # --- review --------------------------------------------------------------------------------
    def selected_positions(self) -> np.ndarray:
        """Frame positions of the selected rows."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return np.array([self.model.data(self.model.index(r, 0), SOURCE_POSITION_ROLE) for r in rows],
                        dtype=np.intp)

    def _done(self, step: Step | None, nothing: str) -> None:
        if step is None:
            self.show_error(nothing)
            return
        self.show_error("")
        self._changed()

    def _changed(self) -> None:
        self.model.values_changed()
        self._update_outcome()
        self._update_history()
        self._show_evidence()
        self.state.review_changed(self.model.frame)

    def accept_selected(self) -> None:
        """Accept the proposed customer of the selected rows."""
        self.calls.make(lambda session: session.accept(self.selected_positions()),
                   "Select rows with a proposed customer to accept (ambiguous rows: use Choose…).")

    def reject_selected(self) -> None:
        """Link nothing for the selected rows."""
        self.calls.make(lambda session: session.reject(self.selected_positions()), "Select the rows to reject first.")

    def accept_all(self) -> None:
        """Preview the suggestions by score, then accept those at or above the chosen score (the
        scores of a big review are gathered on a worker first)."""
        if self.session is None:
            return
        frame = self.model.frame
        if len(frame) < BACKGROUND_ROWS:
            self._ask_bulk(suggestion_scores(frame))
            return
        snapshot = frame.copy(deep=False)
        self.run(lambda p, c: suggestion_scores(snapshot), "weighing the suggestions", self._ask_bulk)

    def _ask_bulk(self, scores: np.ndarray) -> None:
        if not scores.size:
            self.show_error("No open suggestion is left to accept.")
            return
        dialog = BulkAcceptDialog(scores, self)
        try:
            if not dialogs.run_dialog(dialog):
                return
            threshold = dialog.threshold.value()
        finally:
            dialog.deleteLater()
        self.calls.make(lambda session: session.accept_above(threshold),
                        f"No open suggestion scores {threshold:.0f} or more.", what="accepting the suggestions",
                        rows=BIG_CALL_ROWS)

    def undo(self) -> None:
        """Take back the last review call."""
        step = self.session.next_undo() if self.session is not None else None
        self.calls.make(lambda session: session.undo(), "Nothing to undo.", what="taking back the last call",
                   rows=step.rows if step is not None else 0)

    def redo(self) -> None:
        """Make the review call undone last again."""
        step = self.session.next_redo() if self.session is not None else None
        self.calls.make(lambda session: session.redo(), "Nothing to redo.", what="making the call again",
                   rows=step.rows if step is not None else 0)

    def _one_position(self) -> int | None:
        positions = self.selected_positions()
        if positions.size != 1:
            self.show_error("Select one row first.")
            return None
        return int(positions[0])

    def choose_candidate(self) -> None:
        """Pick one of the candidate customers for the selected row (the proposed one, the matcher's
        candidates, and the customer the account's link field names)."""
        position = self._one_position()
        run = self.state.match_run
        if position is None or run is None:
            return
        choices = candidates_of(self.model.frame, position, run.accounts.frame)
        if not choices:
            self.show_error("The matcher found no candidate for this account; use Enter id… instead.")
            return
        labels = [label for _, label in choices]
        picked = dialogs.ask_choice(self, "Choose the customer — Crosslink", "Customer for this account:", labels)
        if picked:
            self._choose(position, choices[labels.index(picked)][0], typed=False)

    def enter_id(self) -> None:
        """Type or paste the customer id for the selected row (checked against the customers loaded)."""
        position = self._one_position()
        if position is None or self.state.match_run is None:
            return
        typed = dialogs.ask_text(self, "Enter the customer id — Crosslink",
                                 f"Customer id for account {self.model.frame['account_id'].iat[position]!s}:")
        if typed is not None:
            self._choose(position, typed, typed=True)

    def _choose(self, position: int, customer_id: str, *, typed: bool) -> None:
        try:
            self.calls.make(lambda session: session.choose(position, customer_id, typed=typed), "")
        except ReviewError as error:
            self.show_error(str(error))

    def _apply_view(self) -> None:
        status = self.status_filter.currentData() or ""
        spec = replace(self.model.spec, filter_column="status" if status else None,
                       filter_values=frozenset({status}) if status else frozenset(),
                       search=self.search.text())
        self.model.set_view(spec)

    @property
    def session(self) -> ReviewSession | None:
        """The review being made (None until the match ran)."""
        return self.calls.session

    def isComplete(self) -> bool:
        return not self.working and self.state.reviewed is not None


def _empty_decisions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ("account_id", "customer_id", "status", "reason")}
                        ).assign(score=pd.Series(dtype=float))
