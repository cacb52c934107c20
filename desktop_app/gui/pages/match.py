"""Page — Match & review: run the matching, see the outcome, and decide what the matcher could not."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.plan import Policy
from desktop_app.core.report import STATUS_ORDER
from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
from desktop_app.gui.frame_model import SOURCE_POSITION_ROLE, FrameModel, ViewSpec
from desktop_app.gui.outcome_chart import OutcomeChart, status_label
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import WizardState
from desktop_app.gui.table_view import make_table
from desktop_app.workflow.match import MatchRun, file_link_values, match_files, with_write_preview
from desktop_app.workflow.review import (
    Edit,
    ReviewError,
    accept,
    accept_above,
    apply_review_calls,
    candidates_of,
    choose_customer,
    reject,
    status_counts,
    with_review_column,
)

ALL_STATUSES = "All statuses"
LinkValues = tuple[dict[str, str], dict[str, str]]
DECISION_HEADERS = {"account_id": "Account ID", "account_name": "Account", "customer_id": "Customer ID",
                    "customer_name": "Customer", "status": "Status", "score": "Score", "reason": "Why",
                    "method": "Found by", "candidates": "Candidates", "reviewed": "Your call",
                    "account_row": "Account row", "customer_row": "Customer row",
                    "account_write": "Salesforce side", "customer_write": "Billing side"}
# Shown first, in this order; the rest follow; row numbers are in the report, not on screen.
LEADING_COLUMNS = ("status", "score", "account_name", "customer_name", "account_write", "customer_write", "reason",
                   "reviewed")
HIDDEN_COLUMNS = ("account_row", "customer_row", "method", "evidence")  # evidence: shown per row, not as JSON


class MatchPage(BasePage):
    """Matches the loaded files in the background, then shows the chart and the review table."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, "Match and review",
                         "Crosslink proposes a customer for every account; you decide the unsure ones.", parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.chart = OutcomeChart(self)

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
        controls.addWidget(status_label_widget)
        controls.addWidget(self.status_filter)
        controls.addWidget(self.search, 1)

        actions = QHBoxLayout()
        self.accept_button = self._button("&Accept", "Ctrl+Return", "Accept the proposed customer",
                                          self.accept_selected)
        self.reject_button = self._button("&Reject", "Ctrl+Backspace", "Reject: link nothing for this account",
                                          self.reject_selected)
        self.choose_button = self._button("C&hoose…", "Ctrl+H", "Choose among the candidate customers",
                                          self.choose_candidate)
        self.enter_button = self._button("&Enter id…", "Ctrl+E", "Type or paste the customer id", self.enter_id)
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0, 100)
        self.threshold.setValue(90)
        self.threshold.setDecimals(0)
        self.threshold.setAccessibleName("Lowest score to accept")
        self.accept_all_button = self._button("Accept all suggestions &scoring at least", "",
                                              "Accept every suggestion at or above the score", self.accept_all)
        for button in (self.accept_button, self.reject_button, self.choose_button, self.enter_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.accept_all_button)
        actions.addWidget(self.threshold)

        self.model = FrameModel(headers=DECISION_HEADERS, parent=self)
        self.table = make_table(self, "Matches", self.model)

        table_area = QWidget(self)
        table_layout = QVBoxLayout(table_area)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(controls)
        table_layout.addLayout(actions)
        table_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.chart)
        splitter.addWidget(table_area)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([190, 420])
        self.body.addWidget(splitter, 1)

        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: self.search.setFocus())
        self.addAction(find)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)  # search after typing pauses, not on every key
        self._search_timer.timeout.connect(self._apply_view)
        self.search.textChanged.connect(self._search_timer.start)
        self.status_filter.currentIndexChanged.connect(self._apply_view)
        self._signature: object = None
        self._values: LinkValues | None = None  # what the files' link fields hold, for the preview
        self._preview_policy = ""

    def _button(self, text: str, shortcut: str, description: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(description)
        if shortcut:
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{description} ({keys})")
        else:
            button.setToolTip(description)
        button.clicked.connect(slot)
        return button

    # --- matching ------------------------------------------------------------------------------
    def initializePage(self) -> None:
        state = self.state
        billing = state.billing
        rules = billing.system.capabilities.customer_requirements if billing is not None else ()
        billing_name = billing.system.display_name if billing is not None else "the billing system"
        signature = (tuple(sorted((s.value, str(p)) for s, p in state.paths.items())),
                     tuple(state.all_overrides()), rules)
        if signature == self._signature and state.reviewed is not None:
            if state.policy != self._preview_policy:  # chosen again on the Plan page meanwhile
                self._refresh_all_previews()
            return
        self._signature = signature
        state.match_run = None
        state.reviewed = None
        self.model.set_frame(with_review_column(_empty_decisions()))
        self.summary.setText("Matching…")
        accounts, customers = state.paths[Side.ACCOUNTS], state.paths[Side.CUSTOMERS]
        mapping = state.paths.get(Side.MAPPING)
        overrides = state.all_overrides()
        calls, state.restored_calls = state.restored_calls, None  # a reopened project's calls, laid over once
        policy = cast(Policy, state.policy)

        def work(progress: Any, cancel: Any) -> tuple[MatchRun, pd.DataFrame, int, LinkValues]:
            run = match_files(accounts, customers, mapping_path=mapping, overrides=overrides,
                              customer_requirements=rules, billing_name=billing_name,
                              progress=progress, cancel=cancel)
            frame = with_review_column(run.result.decisions)  # the copy is made off the UI thread
            frame, restored = apply_review_calls(frame, calls) if calls is not None else (frame, 0)
            values = file_link_values(run)
            return run, with_write_preview(run, frame, policy=policy, values=values), restored, values

        self.run(work, f"matching {accounts.name} with {customers.name}", self._matched)

    def _matched(self, outcome: tuple[MatchRun, pd.DataFrame, int, LinkValues]) -> None:
        run, frame, restored, values = outcome
        self.show_run(run, frame, values)
        if restored:
            self.summary.setText(self.summary.text() + f" {restored:,} of your review calls were restored from "
                                 "the project.")

    def show_run(self, run: MatchRun, frame: pd.DataFrame | None = None, values: LinkValues | None = None) -> None:
        """Show a finished match run: chart, summary and the decisions to review (``frame``: the
        decisions already prepared for review; ``values``: ``file_link_values(run)``)."""
        self._values = values if values is not None else file_link_values(run)
        self._preview_policy = self.state.policy
        self.state.match_run = run
        if frame is None:
            frame = with_write_preview(run, with_review_column(run.result.decisions),
                                       policy=cast(Policy, self.state.policy), values=self._values)
        self.state.reviewed = frame
        self.model.set_frame(frame, ViewSpec())
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(ALL_STATUSES, "")
        for status, count in status_counts(frame, STATUS_ORDER).items():
            if count:
                self.status_filter.addItem(f"{status_label(status)} ({count:,})", status)
        self.status_filter.blockSignals(False)
        self._update_outcome()
        self._arrange_columns()
        self.completeChanged.emit()

    def _arrange_columns(self) -> None:
        header = self.table.horizontalHeader()
        columns = [str(c) for c in self.model.frame.columns]
        for target, name in enumerate(c for c in LEADING_COLUMNS if c in columns):
            header.moveSection(header.visualIndex(columns.index(name)), target)
        for name in columns:
            self.table.setColumnHidden(columns.index(name), name in HIDDEN_COLUMNS)
        self.table.resizeColumnsToContents()
        for name, width in (("reason", 420), ("account_name", 260), ("customer_name", 260)):
            if name in columns:
                self.table.setColumnWidth(columns.index(name), min(width, self.table.columnWidth(columns.index(name))))

    def _update_outcome(self) -> None:
        frame = self.model.frame
        counts = status_counts(frame, STATUS_ORDER)
        self.chart.show_counts({s: n for s, n in counts.items() if n or s in STATUS_ORDER})
        open_count = int(frame["status"].isin(["suggested", "ambiguous", "conflict"]).sum())
        run = self.state.match_run
        accounts = len(run.accounts.frame) if run is not None else 0
        customers = len(run.customers.frame) if run is not None else 0
        self.summary.setText(
            f"{accounts:,} accounts and {customers:,} customers: {counts.get('matched', 0):,} matched, "
            f"{counts.get('already_linked', 0):,} already linked, <b>{open_count:,} need your decision</b>. "
            "Only matched and already-linked rows will be linked.")

    # --- review --------------------------------------------------------------------------------
    def selected_positions(self) -> np.ndarray:
        """Frame positions of the selected rows."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return np.array([self.model.data(self.model.index(r, 0), SOURCE_POSITION_ROLE) for r in rows],
                        dtype=np.intp)

    def _apply(self, edit: Edit, nothing: str) -> None:
        if edit.positions.size == 0:
            self.show_error(nothing)
            return
        self.show_error("")
        self.model.set_values(edit.positions, edit.values)
        self._refresh_preview(edit.positions)
        self._update_outcome()

    def _refresh_all_previews(self) -> None:
        run, values, frame = self.state.match_run, self._values, self.model.frame
        if run is None or values is None:
            return
        policy = cast(Policy, self.state.policy)
        self._preview_policy = policy
        snapshot = frame[["account_id", "customer_id", "status"]].copy()

        def done(preview: pd.DataFrame) -> None:
            positions = np.arange(len(preview), dtype=np.intp)
            self.model.set_values(positions, {c: preview[c].to_numpy(dtype=object) for c in ("account_write",
                                                                                          "customer_write")})

        self.run(lambda p, c: with_write_preview(run, snapshot, policy=policy, values=values),
                 "saying what each side will get", done)

    def _refresh_preview(self, positions: np.ndarray) -> None:
        """Say again what the edited rows will write on each side (the plan's rule; a few rows)."""
        run = self.state.match_run
        if run is None or self._values is None or "account_write" not in self.model.frame.columns:
            return
        rows = self.model.frame.iloc[positions]
        preview = with_write_preview(run, rows, policy=cast(Policy, self.state.policy), values=self._values)
        self.model.set_values(positions, {c: preview[c].to_numpy(dtype=object) for c in ("account_write",
                                                                                      "customer_write")})

    def accept_selected(self) -> None:
        """Accept the proposed customer of the selected rows."""
        if self.state.reviewed is not None:
            self._apply(accept(self.model.frame, self.selected_positions()),
                        "Select rows with a proposed customer to accept (ambiguous rows: use Choose…).")

    def reject_selected(self) -> None:
        """Link nothing for the selected rows."""
        if self.state.reviewed is not None:
            self._apply(reject(self.model.frame, self.selected_positions()), "Select the rows to reject first.")

    def accept_all(self) -> None:
        """Accept every suggestion at or above the chosen score."""
        if self.state.reviewed is not None:
            self._apply(accept_above(self.model.frame, self.threshold.value()),
                        f"No open suggestion scores {self.threshold.value():.0f} or more.")

    def _one_position(self) -> int | None:
        positions = self.selected_positions()
        if positions.size != 1:
            self.show_error("Select one row first.")
            return None
        return int(positions[0])

    def choose_candidate(self) -> None:
        """Pick one of the matcher's candidate customers for the selected row."""
        position = self._one_position()
        if position is None or self.state.match_run is None:
            return
        choices = candidates_of(self.model.frame, position)
        if not choices:
            self.show_error("The matcher found no candidate for this account; use Enter id… instead.")
            return
        labels = [label for _, label in choices]
        picked = dialogs.ask_choice(self, "Choose the customer — Crosslink", "Customer for this account:", labels)
        if picked:
            self._choose(position, choices[labels.index(picked)][0])

    def enter_id(self) -> None:
        """Type or paste the customer id for the selected row (checked against the customers loaded)."""
        position = self._one_position()
        if position is None or self.state.match_run is None:
            return
        typed = dialogs.ask_text(self, "Enter the customer id — Crosslink",
                                 f"Customer id for account {self.model.frame['account_id'].iat[position]!s}:")
        if typed is not None:
            self._choose(position, typed)

    def _choose(self, position: int, customer_id: str) -> None:
        run = self.state.match_run
        if run is None:
            return
        try:
            edit = choose_customer(self.model.frame, run.customers.frame, position, customer_id)
        except ReviewError as error:
            self.show_error(str(error))
            return
        self._apply(edit, "")

    def _apply_view(self) -> None:
        status = self.status_filter.currentData() or ""
        spec = replace(self.model.spec, filter_column="status" if status else None,
                       filter_values=frozenset({status}) if status else frozenset(),
                       search=self.search.text())
        self.model.set_view(spec)

    def isComplete(self) -> bool:
        return not self.working and self.state.reviewed is not None


def _empty_decisions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ("account_id", "customer_id", "status", "reason")}
                        ).assign(score=pd.Series(dtype=float))
