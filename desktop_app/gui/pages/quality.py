"""Page — Data quality: addresses and country codes a billing system would refuse, with fixes to accept."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from desktop_app.core.address_changes import PROBLEM_SIDE
from desktop_app.core.addresses import apply_fixes
from desktop_app.core.counted import counted
from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
from desktop_app.gui.frame_model import SOURCE_POSITION_ROLE, FrameModel, ViewSpec
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import Journey, WizardState
from desktop_app.gui.table_view import make_table
from desktop_app.workflow.billing_check import breaks_line, rule_breaks
from desktop_app.workflow.projects import apply_fix_calls

ACCEPT_COLUMN = "accept"
PROBLEM_HEADERS = {"row": "Row", "record_id": "Record", "name": "Account / customer", "field": "Field",
                   "problem": "Problem", "value": "Value",
                   "suggestion": "Fix", "confidence": "Confidence", "severity": "Severity", "code": "Code",
                   "side": "Side", "file": "File", ACCEPT_COLUMN: "Fix accepted"}
FIRST_COLUMNS = (ACCEPT_COLUMN, "side", "name", "field", "value", "suggestion", "problem", "severity", "row")
KIND_LABELS = {"country_not_iso": "Country not an ISO code", "unknown_country": "Unknown country",
               "bad_postcode": "Postcode not valid for the country"}
EXAMPLES = 5  # fixes quoted in the confirmation of a bulk accept


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
    frame["name"] = record_names(state, frame)
    frame[ACCEPT_COLUMN] = frame[ACCEPT_COLUMN].astype(object)
    ordered = [c for c in FIRST_COLUMNS if c in frame.columns]
    return frame[ordered + [c for c in frame.columns if c not in ordered]]


def record_names(state: WizardState, problems: pd.DataFrame) -> pd.Series:
    """The name of the account or customer each problem is about ("" when it has none)."""
    names = pd.Series([""] * len(problems), index=problems.index, dtype=object)
    if "record_id" not in problems.columns:
        return names
    if state.journey is Journey.ADDRESSES:
        sources = {} if state.address_check is None else {
            PROBLEM_SIDE[state.address_check.loaded.side]: state.address_check.loaded.frame}
    else:
        run = state.match_run
        sources = {} if run is None else {"account": run.accounts.frame, "customer": run.customers.frame}
    for side, records in sources.items():
        id_column = "account_id" if side == "account" else "customer_id"
        if id_column not in records.columns or "name" not in records.columns:
            continue
        unique = records.drop_duplicates(id_column)
        by_id = unique.set_index(unique[id_column].astype(str))
        mine = problems["side"] == side if "side" in problems.columns else pd.Series(True, index=problems.index)
        found = problems.loc[mine, "record_id"].astype(str).map(by_id["name"])
        names.loc[mine] = found.fillna("").astype(str).to_numpy(dtype=object)
    return names


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


def checked_customers(state: WizardState) -> pd.DataFrame | None:
    """The customers whose problems the page lists (None when it lists none)."""
    if state.journey is Journey.ADDRESSES:
        check = state.address_check
        return check.loaded.frame if check is not None and check.loaded.side is Side.CUSTOMERS else None
    return state.match_run.customers.frame if state.match_run is not None else None


def required_line(state: WizardState, breaks: dict[str, int], customers: int) -> str:
    """"Of the 1,800 customers loaded, Sequence will refuse the link of those that break what it
    requires: 108 lack an e-mail address, 3 a town. " ("" without any)."""
    billing = state.billing
    if billing is None:
        return ""
    return breaks_line(breaks, billing.system.capabilities.customer_requirements, billing.system.display_name,
                       customers)


def kind_label(code: str, rules: dict[str, str] | None = None) -> str:
    """A problem code as people read it ("country_not_iso" → "Country not iso"; a billing rule's code
    → its kind, "Display name shared with another customer")."""
    if rules and code in rules:
        return rules[code]
    return KIND_LABELS.get(code, code.replace("_", " ").capitalize())


class QualityPage(BasePage):
    """The problems table with fixes to accept one by one, by selection, or above a confidence."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["quality"],
                         "Billing systems refuse incomplete addresses and need ISO country codes.", parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        row = QHBoxLayout()
        self.kind_filter = QComboBox(self)
        self.kind_filter.setAccessibleName("Show problems of kind")
        self.kind_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        kind_label = QLabel("&Show:", self)
        kind_label.setBuddy(self.kind_filter)
        self.accept_button = QPushButton("&Accept fix", self)
        self.accept_button.setAccessibleName("Accept the fix of the selected problems")
        self.accept_button.setToolTip("Accept the fix of the selected problems (Ctrl+Return)")
        self.undo_button = QPushButton("&Undo", self)
        self.undo_button.setAccessibleName("Do not apply the fix of the selected problems")
        self.confidence = QDoubleSpinBox(self)
        self.confidence.setRange(0.0, 1.0)
        self.confidence.setSingleStep(0.05)
        self.confidence.setValue(0.9)
        self.confidence.setAccessibleName("Lowest confidence to accept")
        self.accept_all_button = QPushButton("Accept all fixes with &confidence at least…", self)
        self.accept_all_button.setAccessibleName("Accept every fix at or above the confidence, after a preview")
        row.addWidget(kind_label)
        row.addWidget(self.kind_filter)
        row.addWidget(self.accept_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        row.addWidget(self.accept_all_button)
        row.addWidget(self.confidence)
        self.body.addLayout(row)
        hint = QLabel("Double-click a fix (or press F2) to type your own; Enter keeps it and accepts it.", self)
        hint.setWordWrap(True)
        self.body.addWidget(hint)
        self.model = FrameModel(headers=PROBLEM_HEADERS, parent=self)
        self.model.set_editable(["suggestion"])
        self.model.edited.connect(self._fix_edited)
        self.table = make_table(self, "Address problems", self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.body.addWidget(self.table, 1)
        self.accept_button.clicked.connect(lambda: self._mark_selected("yes"))
        self.undo_button.clicked.connect(lambda: self._mark_selected(""))
        self.accept_all_button.clicked.connect(self.accept_all_previewed)
        self.kind_filter.currentIndexChanged.connect(self._filter)
        toggle = QAction(self)
        toggle.setShortcut(QKeySequence("Ctrl+Return"))
        toggle.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        toggle.triggered.connect(lambda: self._mark_selected("yes"))
        self.addAction(toggle)
        self._source: object = None
        self._breaks: dict[str, int] = {}
        self._customers = 0

    def initializePage(self) -> None:
        source = self.state.address_check if self.state.journey is Journey.ADDRESSES else self.state.match_run
        if source is self._source:
            return
        self._source = source
        self.model.set_frame(problems_for(WizardState()), ViewSpec())
        state = self.state
        fixes = state.take_restored_fixes()  # a reopened project's accepted fixes

        customers = checked_customers(state)
        billing = state.billing
        rules = billing.system.capabilities.customer_requirements if billing is not None else ()
        name = billing.system.display_name if billing is not None else "the billing system"

        def work(progress: object, cancel: object) -> tuple[pd.DataFrame, dict[str, int], int]:
            problems, _ = apply_fix_calls(problems_for(state), fixes, ACCEPT_COLUMN)
            return problems, rule_breaks(customers, rules, name), 0 if customers is None else len(customers)

        self.run(work, "collecting the address problems", self._show)

    def _show(self, found: tuple[pd.DataFrame, dict[str, int], int]) -> None:
        problems, self._breaks, self._customers = found
        self.model.set_frame(problems, ViewSpec())
        self._fill_kinds()
        self.table.resizeColumnsToContents()
        columns = [str(c) for c in problems.columns]
        for name, width in (("name", 240), ("problem", 420), ("value", 200), ("suggestion", 200)):
            if name in columns:
                index = columns.index(name)
                self.table.setColumnWidth(index, min(width, self.table.columnWidth(index)))
        if "suggestion" in columns:  # room to type a fix
            index = columns.index("suggestion")
            self.table.setColumnWidth(index, max(140, self.table.columnWidth(index)))
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

    def accept_confident(self) -> int:
        """Accept every fix at or above the chosen confidence (no question asked); how many were new."""
        positions = self._confident_positions()
        self.model.set_values(positions, {ACCEPT_COLUMN: "yes"})
        self._update_summary()
        return int(positions.size)

    def _confident_positions(self) -> np.ndarray:
        frame = self.model.frame
        if frame.empty or "confidence" not in frame.columns:
            return np.zeros(0, dtype=np.intp)
        confidence = pd.to_numeric(frame["confidence"], errors="coerce").to_numpy(dtype=float)
        pending = frame[ACCEPT_COLUMN].to_numpy(dtype=object) != "yes"
        return np.flatnonzero(self._fixable() & (confidence >= self.confidence.value()) & pending).astype(np.intp)

    def bulk_preview(self) -> str:
        """What accepting every fix at or above the confidence would do: how many, of which kinds, examples."""
        positions = self._confident_positions()
        frame = self.model.frame.iloc[positions]
        if not len(frame):
            return ""
        kinds = frame["code"].astype(str).value_counts() if "code" in frame.columns else pd.Series(dtype=int)
        lines = [f"This accepts {counted(len(frame), 'fix', 'fixes')} with confidence "
                 f"{self.confidence.value():.2f} or more:"]
        lines += [f"  • {count:,} × {kind_label(str(kind))}" for kind, count in kinds.items()]
        lines.append("For example:")
        for _, example in frame.head(EXAMPLES).iterrows():
            who = str(example.get("name", "")) or str(example.get("record_id", ""))
            lines.append(f"  • {who}: {example.get('field', '')} '{example.get('value', '')}' → "
                         f"'{example.get('suggestion', '')}'")
        lines.append("You can take back any of them: select the rows and press Undo.")
        return "\n".join(lines)

    def accept_all_previewed(self) -> None:
        """Show what a bulk accept would take and do it only when the person confirms."""
        preview = self.bulk_preview()
        if not preview:
            self.show_error(f"No fix with confidence {self.confidence.value():.2f} or more is left to accept.")
            return
        self.show_error("")
        if dialogs.confirm_action(self, "Accept the fixes — Crosslink", preview, "Accept them"):
            self.accept_confident()

    def _fix_edited(self, position: int, column: str) -> None:
        """A fix typed by the person is accepted (emptying it takes the acceptance back)."""
        typed = str(self.model.frame[column].iat[position])
        self.model.set_values([position], {ACCEPT_COLUMN: "yes" if typed else ""})
        self._update_summary()

    def _fill_kinds(self) -> None:
        frame = self.model.frame
        self.kind_filter.blockSignals(True)
        self.kind_filter.clear()
        self.kind_filter.addItem(f"All problems ({len(frame):,})", "")
        if "severity" in frame.columns:
            for severity, text in (("error", "Refused by billing (errors)"), ("warning", "Untidy (warnings)")):
                count = int((frame["severity"] == severity).sum())
                if count:
                    self.kind_filter.addItem(f"{text} ({count:,})", f"severity={severity}")
        if "code" in frame.columns:
            billing = self.state.billing
            rules = {code: kind for rule in (billing.system.capabilities.customer_requirements if billing else ())
                     for code, kind in rule.kind_names().items()}
            name = self.state.billing.system.display_name if self.state.billing is not None else ""
            for code, count in frame["code"].astype(str).value_counts().items():
                prefix = f"{name}: " if str(code) in rules else ""
                self.kind_filter.addItem(f"{prefix}{kind_label(str(code), rules)} ({count:,})", f"code={code}")
        self.kind_filter.blockSignals(False)

    def accepted(self) -> pd.DataFrame:
        """The problems whose fix the person accepted."""
        frame = self.model.frame
        return frame[frame[ACCEPT_COLUMN] == "yes"] if len(frame) else frame

    def _filter(self) -> None:
        column, _, value = str(self.kind_filter.currentData() or "").partition("=")  # "code=bad_postcode"
        self.model.set_view(replace(self.model.spec, filter_column=column or None,
                                    filter_values=frozenset({value}) if value else frozenset()))

    def _update_summary(self) -> None:
        frame = self.model.frame
        if frame.empty:
            self.summary.setText("No address problems found. Nothing to fix.")
            return
        errors = int((frame["severity"] == "error").sum()) if "severity" in frame.columns else 0
        rules = required_line(self.state, self._breaks, self._customers)
        fixable = int(self._fixable().sum())
        self.summary.setText(
            f"{counted(len(frame), 'problem')} ({errors:,} a billing system would refuse). {rules}"
            f"{fixable:,} {'has' if fixable == 1 else 'have'} a fix, <b>{len(self.accepted()):,} accepted</b>. " + (
                "Accepted fixes are written into the systems before the links (each only where the value is "
                "still what was checked) and go into the fixed files on the last page." if self.state.connects
                else "Accepted fixes go into the fixed files you save on the last page; your source files are "
                     "never changed."))

    def validatePage(self) -> bool:
        self.state.fixes_accepted(self.accepted().copy())
        return True
