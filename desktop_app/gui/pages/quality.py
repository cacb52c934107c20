"""Page — Data quality: addresses and country codes a billing system would refuse, with fixes to accept."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from desktop_app.core.address_changes import PROBLEM_SIDE
from desktop_app.core.addresses import apply_fixes
from desktop_app.core.billing_rules import REQUIRED_CODE_PREFIX
from desktop_app.gui.frame_model import SOURCE_POSITION_ROLE, FrameModel, ViewSpec
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import Journey, WizardState
from desktop_app.gui.table_view import make_table
from desktop_app.workflow.projects import apply_fix_calls

ACCEPT_COLUMN = "accept"
PROBLEM_HEADERS = {"row": "Row", "record_id": "Record", "field": "Field", "problem": "Problem", "value": "Value",
                   "suggestion": "Fix", "confidence": "Confidence", "severity": "Severity", "code": "Code",
                   "side": "Side", "file": "File", ACCEPT_COLUMN: "Fix accepted"}
FIRST_COLUMNS = (ACCEPT_COLUMN, "side", "row", "field", "value", "suggestion", "problem", "severity")


def problems_for(state: WizardState) -> pd.DataFrame:
    """The address problems of the journey's files, with an ``accept`` column ("" or "yes")."""
    if state.journey is Journey.ADDRESSES:
        check = state.address_check
        problems = check.problems.assign(side=PROBLEM_SIDE[check.loaded.side]) if check is not None else pd.DataFrame()
    else:
        run = state.match_run
        problems = getattr(run, "address_problems", pd.DataFrame())
    if problems.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (ACCEPT_COLUMN, "side", "row", "field", "value",
                                                                   "suggestion", "problem")})
    frame = problems.reset_index(drop=True).assign(**{ACCEPT_COLUMN: ""})
    frame[ACCEPT_COLUMN] = frame[ACCEPT_COLUMN].astype(object)
    ordered = [c for c in FIRST_COLUMNS if c in frame.columns]
    return frame[ordered + [c for c in frame.columns if c not in ordered]]


def fixed_records(state: WizardState, accepted: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each file's records with the accepted fixes applied, by side name ("accounts", "customers")."""
    if state.journey is Journey.ADDRESSES and state.address_check is not None:
        loaded = state.address_check.loaded
        fixed, _ = apply_fixes(loaded.frame, accepted, min_confidence=0.0)
        return {loaded.side.value: fixed}
    run = state.match_run
    if run is None:
        return {}
    result = {}
    for side_name, loaded in (("account", run.accounts), ("customer", run.customers)):
        mine = accepted[accepted["side"] == side_name] if "side" in accepted.columns else accepted.iloc[0:0]
        fixed, _ = apply_fixes(loaded.frame, mine, min_confidence=0.0)
        result[side_name + "s"] = fixed
    return result


def required_line(state: WizardState, problems: pd.DataFrame) -> str:
    """"Sequence requires of every customer: 108 lack an e-mail address, 3 a town. " ("" without any)."""
    if "code" not in problems.columns:
        return ""
    codes = problems["code"].astype(str)
    counts = codes[codes.str.startswith(REQUIRED_CODE_PREFIX)].value_counts()
    if counts.empty:
        return ""
    billing = state.billing
    rules = {r.code: r.label for r in billing.system.capabilities.customer_requirements} if billing else {}
    name = billing.system.display_name if billing is not None else "The billing system"
    parts = [f"{n:,} lack {'an' if rules.get(str(c), ' ')[0] in 'aeiou' else 'a'} "
             f"{rules.get(str(c), str(c).removeprefix(REQUIRED_CODE_PREFIX).replace('_', ' '))}"
             for c, n in counts.items()]
    return f"{name} will refuse the link of customers that lack what it requires: {', '.join(parts)}. "


class QualityPage(BasePage):
    """The problems table with fixes to accept one by one, by selection, or above a confidence."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, "Check addresses and country codes",
                         "Billing systems refuse incomplete addresses and need ISO country codes.", parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        row = QHBoxLayout()
        self.severity_filter = QComboBox(self)
        self.severity_filter.setAccessibleName("Show severity")
        for text, value in (("All problems", ""), ("Refused by billing (errors)", "error"),
                            ("Untidy (warnings)", "warning")):
            self.severity_filter.addItem(text, value)
        self.accept_button = QPushButton("&Accept fix", self)
        self.accept_button.setAccessibleName("Accept the fix of the selected problems")
        self.undo_button = QPushButton("&Undo", self)
        self.undo_button.setAccessibleName("Do not apply the fix of the selected problems")
        self.confidence = QDoubleSpinBox(self)
        self.confidence.setRange(0.0, 1.0)
        self.confidence.setSingleStep(0.05)
        self.confidence.setValue(0.9)
        self.confidence.setAccessibleName("Lowest confidence to accept")
        self.accept_all_button = QPushButton("Accept all fixes with &confidence at least", self)
        self.accept_all_button.setAccessibleName("Accept every fix at or above the confidence")
        row.addWidget(self.severity_filter)
        row.addWidget(self.accept_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        row.addWidget(self.accept_all_button)
        row.addWidget(self.confidence)
        self.body.addLayout(row)
        self.model = FrameModel(headers=PROBLEM_HEADERS, parent=self)
        self.table = make_table(self, "Address problems", self.model)
        self.body.addWidget(self.table, 1)
        self.accept_button.clicked.connect(lambda: self._mark_selected("yes"))
        self.undo_button.clicked.connect(lambda: self._mark_selected(""))
        self.accept_all_button.clicked.connect(self.accept_confident)
        self.severity_filter.currentIndexChanged.connect(self._filter)
        toggle = QAction(self)
        toggle.setShortcut(QKeySequence("Ctrl+Return"))
        toggle.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toggle.triggered.connect(lambda: self._mark_selected("yes"))
        self.addAction(toggle)
        self._source: object = None

    def initializePage(self) -> None:
        source = self.state.address_check if self.state.journey is Journey.ADDRESSES else self.state.match_run
        if source is self._source:
            return
        self._source = source
        self.model.set_frame(problems_for(WizardState()), ViewSpec())
        state = self.state
        fixes, state.restored_fixes = state.restored_fixes, None  # a reopened project's accepted fixes

        def work(progress: object, cancel: object) -> pd.DataFrame:
            problems, _ = apply_fix_calls(problems_for(state), fixes, ACCEPT_COLUMN)
            return problems

        self.run(work, "collecting the address problems", self._show)

    def _show(self, problems: pd.DataFrame) -> None:
        self.model.set_frame(problems, ViewSpec())
        self.table.resizeColumnsToContents()
        self._update_summary()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.working

    def _fixable(self) -> np.ndarray:
        frame = self.model.frame
        if "suggestion" not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        fixable: np.ndarray = frame["suggestion"].astype(str).to_numpy() != ""
        return fixable

    def _mark_selected(self, value: str) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        positions = np.array([self.model.data(self.model.index(r, 0), SOURCE_POSITION_ROLE) for r in rows],
                             dtype=np.intp)
        if positions.size:
            positions = positions[self._fixable()[positions]]
        if positions.size == 0:
            self.show_error("Select problems that have a fix (the Fix column) first.")
            return
        self.show_error("")
        self.model.set_values(positions, {ACCEPT_COLUMN: value})
        self._update_summary()

    def accept_confident(self) -> None:
        """Accept every fix at or above the chosen confidence."""
        frame = self.model.frame
        if frame.empty:
            return
        confidence = pd.to_numeric(frame["confidence"], errors="coerce").to_numpy(dtype=float)
        positions = np.flatnonzero(self._fixable() & (confidence >= self.confidence.value()))
        self.model.set_values(positions, {ACCEPT_COLUMN: "yes"})
        self._update_summary()

    def accepted(self) -> pd.DataFrame:
        """The problems whose fix the person accepted."""
        frame = self.model.frame
        return frame[frame[ACCEPT_COLUMN] == "yes"] if len(frame) else frame

    def _filter(self) -> None:
        severity = self.severity_filter.currentData() or ""
        self.model.set_view(replace(self.model.spec, filter_column="severity" if severity else None,
                                    filter_values=frozenset({severity}) if severity else frozenset()))

    def _update_summary(self) -> None:
        frame = self.model.frame
        if frame.empty:
            self.summary.setText("No address problems found. Nothing to fix.")
            return
        errors = int((frame["severity"] == "error").sum()) if "severity" in frame.columns else 0
        self.summary.setText(
            f"{len(frame):,} problems ({errors:,} a billing system would refuse); {required_line(self.state, frame)}"
            f"{int(self._fixable().sum()):,} "
            f"have a fix, <b>{len(self.accepted()):,} accepted</b>. " + (
                "Accepted fixes are written into the systems before the links (each only where the value is "
                "still what was checked) and go into the fixed files on the last page." if self.state.connects
                else "Accepted fixes go into the fixed files you save on the last page; your source files are "
                     "never changed."))

    def validatePage(self) -> bool:
        self.state.accepted_fixes = self.accepted().copy()
        return True
