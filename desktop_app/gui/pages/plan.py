"""Page — Plan (dry run): per link and per side, what an apply would write, skip or leave in conflict.

The current link values come from the loaded files (the Account's customer-id field and the customer's
Salesforce-id field), so the plan is exactly what the files say today; nothing is written anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from desktop_app.core.plan import Plan, PlanSource, build_plan
from desktop_app.core.plan_file import write_plan
from desktop_app.gui import dialogs
from desktop_app.gui.connections import live_sides
from desktop_app.gui.frame_model import FrameModel
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.pages.preflight import STATUS_WORDS
from desktop_app.gui.plan_view import ACTION_FILTERS, explain, plan_table
from desktop_app.gui.run_outcome import accepted_fixes_lines
from desktop_app.gui.state import WizardState
from desktop_app.gui.table_view import make_table
from desktop_app.salesforce.preflight import CheckResult
from desktop_app.salesforce.preflight_data import data_inputs, run_data_checks
from desktop_app.workflow.apply import nothing_to_write
from desktop_app.workflow.billing_check import CHECK_KEY as BILLING_CHECK_KEY
from desktop_app.workflow.billing_check import requirements_check
from desktop_app.workflow.match import file_link_values
from desktop_app.workflow.plan import plan_from_live
from desktop_app.workflow.plan_outlook import summary_lines

POLICY_CHOICES = (
    ("skip_linked", "Keep the other id, write only the empty side (recommended)"),
    ("fill_empty", "Leave the other id and report it as a conflict"),
    ("overwrite", "Replace the other id (overwrite)"),
)
PLAN_HEADERS = {"row": "#", "link_action": "Action", "account_id": "Account ID", "account_name": "Account",
                "customer_id": "Customer ID", "customer_name": "Customer",
                "account_action": "Salesforce", "account_before": "Salesforce now", "account_after": "Salesforce after",
                "customer_action": "Billing", "customer_before": "Billing now", "customer_after": "Billing after",
                "note": "Note", "match_status": "Match", "score": "Score"}


class PlanPage(BasePage):
    """Builds the plan in the background for the chosen policy; shows the figures and the table."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["plan"],
                         "What would be written on each side. Nothing is written now.", parent)
        row = QHBoxLayout()
        label = QLabel("When a field already holds &another id:", self)
        self.policy = QComboBox(self)
        self.policy.setAccessibleName("When a field already holds another id")
        for value, text in POLICY_CHOICES:
            self.policy.addItem(text, value)
        label.setBuddy(self.policy)
        row.addWidget(label)
        row.addWidget(self.policy, 1)
        self.body.addLayout(row)
        self.normalize = QCheckBox("Rewrite Account ids held in 15 characters or another letter case in their "
                                   "18-character form (counted; they are the same link either way)", self)
        self.normalize.setAccessibleName("Rewrite Account ids in their 18-character form")
        self.body.addWidget(self.normalize)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.checks = QLabel(self)  # the data-dependent preflight checks, run on the real inputs
        self.checks.setWordWrap(True)
        self.checks.setAccessibleName("Checks on the loaded data")
        self.checks.hide()
        self.body.addWidget(self.checks)
        self.write_refused = QCheckBox(self)  # shown when the billing system's own rules would refuse customers
        self.write_refused.setAccessibleName("Write the other links anyway; the refused customers are reported")
        self.write_refused.hide()
        self.write_refused.toggled.connect(self.completeChanged)
        self.body.addWidget(self.write_refused)
        find_row = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search the plan (ids, names, notes)…")
        self.search.setAccessibleName("Search the plan")
        self.search.setClearButtonEnabled(True)
        find_row.addWidget(self.search, 1)
        show_label = QLabel("S&how:", self)
        self.action_filter = QComboBox(self)
        self.action_filter.setAccessibleName("Show the links by action")
        for text, value in ACTION_FILTERS:
            self.action_filter.addItem(text, value)
        show_label.setBuddy(self.action_filter)
        find_row.addWidget(show_label)
        find_row.addWidget(self.action_filter)
        self.body.addLayout(find_row)
        self.model = FrameModel(headers=PLAN_HEADERS, parent=self)
        self.table = make_table(self, "Plan", self.model)
        self.table.verticalHeader().hide()  # the plan's own row number is the first column
        self.body.addWidget(self.table, 1)
        self.detail = QLabel("Select a row to read it in full.", self)
        self.detail.setObjectName("planRowDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.detail.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.detail.setAccessibleName("The selected plan row in full")
        self.body.addWidget(self.detail)
        save_row = QHBoxLayout()
        self.save_button = QPushButton("&Save the plan…", self)
        self.save_button.setAccessibleName("Save the plan file")
        self.save_button.setEnabled(False)
        save_row.addWidget(self.save_button)
        self.next_step = QLabel(
            "To write the links, connect to Salesforce and the billing system and run "
            "<code>desktop-app apply PLAN_FILE</code> (shows what it would write with <code>--dry-run</code>).",
            self)
        self.next_step.setWordWrap(True)
        save_row.addWidget(self.next_step, 1)
        self.body.addLayout(save_row)
        self.plan: Plan | None = None
        self.data_checks: list[CheckResult] | None = None
        self.nothing_to_write: str | None = None  # why Write waits: the plan would write nothing
        self._built_for: object = None
        self.policy.currentIndexChanged.connect(self._build)
        self.normalize.toggled.connect(self._build)
        self.search.textChanged.connect(
            lambda text: self.model.set_view(replace(self.model.spec, search=text)))
        self.action_filter.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.save_button.clicked.connect(self._save)

    def initializePage(self) -> None:
        self.policy.setCurrentIndex(max(0, self.policy.findData(self.state.policy)))
        if self.state.live:
            self.next_step.setText("Next: Apply writes these links into both systems, Salesforce first.")
        key = (id(self.state.reviewed), self.policy.currentData(), self.normalize.isChecked(), self.state.live)
        if key != self._built_for or self.state.plan is None:  # None: what it was built from changed (review calls)
            self._build()
        elif self.plan is not None:
            self._show((self.plan, self.data_checks))  # the same plan; the accepted fixes may have changed

    def _build(self) -> None:
        run, decisions = self.state.match_run, self.state.reviewed
        if run is None or decisions is None:
            return
        policy = str(self.policy.currentData())
        self.state.policy_chosen(policy)
        normalize = self.normalize.isChecked()
        self._built_for = (id(decisions), policy, normalize, self.state.live)
        if self.state.live:
            self._build_live(decisions.copy(), policy, normalize)
            return
        snapshot = decisions.copy()
        checks = self._data_checks()
        accounts, customers = file_link_values(run)
        source = PlanSource(matches_file="reviewed in the wizard", values_from="match inputs (offline)",
                            extra={"accounts file": str(run.accounts.table.path),
                                   "customers file": str(run.customers.table.path)})
        self.plan = None
        self.save_button.setEnabled(False)

        def work(progress: Any, cancel: Any) -> tuple[Plan, pd.DataFrame, list[CheckResult] | None]:
            plan = build_plan(snapshot, account_values=accounts, customer_values=customers,
                              policy=policy, source=source, normalize_ids=normalize)  # type: ignore[arg-type]
            return plan, plan_table(plan, snapshot), checks(plan, cancel)

        self.run(work, "planning the links", self._built)

    def _build_live(self, decisions: pd.DataFrame, policy: str, normalize: bool) -> None:
        salesforce, billing = self.state.salesforce, self.state.billing
        assert salesforce is not None
        assert billing is not None
        sides = live_sides(salesforce, billing, self.state.link_field)
        source = PlanSource(matches_file="reviewed in the wizard", link_field=self.state.link_field,
                            billing_system=billing.choice.kind, billing_link_key=billing.choice.link_key,
                            values_from="live systems")
        self.plan = None
        self.save_button.setEnabled(False)
        checks = self._data_checks()

        def work(progress: Any, cancel: Any) -> tuple[Plan, pd.DataFrame, list[CheckResult] | None]:
            plan = plan_from_live(decisions, sides, policy=policy, source=source,  # type: ignore[arg-type]
                                  cancel=cancel, normalize_ids=normalize)
            return plan, plan_table(plan, decisions), checks(plan, cancel)

        self.run(work, "reading the current links from both systems and checking the org", self._built)

    def _built(self, built: tuple[Plan, pd.DataFrame, list[CheckResult] | None]) -> None:
        plan, table, checks = built
        self.model.set_frame(table, self.model.spec)
        self.table.resizeColumnsToContents()
        self._show((plan, checks))

    def _filter(self) -> None:
        value = str(self.action_filter.currentData() or "")
        self.model.set_view(replace(self.model.spec, filter_column="link_action" if value else None,
                                    filter_values=frozenset({value}) if value else frozenset()))

    def _selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not len(self.model.frame):
            self.detail.setText("Select a row to read it in full.")
            return
        row = self.model.frame.iloc[self.model.source_position(rows[0].row())]
        self.detail.setText(explain(row, self._billing_name()))

    def _billing_name(self) -> str:
        return self.state.billing.system.display_name if self.state.billing is not None else "billing"

    def _data_checks(self) -> Callable[[Plan, Any], list[CheckResult] | None]:
        """The preflight checks that need the data and the billing system's own rules on the customers
        to be linked, for the worker to run on the plan (None when there is neither)."""
        salesforce, run = self.state.salesforce, self.state.match_run
        billing = self.state.billing
        link_field, name = self.state.link_field, billing.system.display_name if billing else "the billing system"
        customers = run.customers.frame if run is not None else None
        rules = billing.system.capabilities.customer_requirements if billing is not None else ()
        fixes = self.state.accepted_fixes

        def check(plan: Plan, cancel: Any) -> list[CheckResult] | None:
            billing_rules = requirements_check(plan, customers, rules, name, fixes)
            if salesforce is None:
                return None if billing_rules is None else [billing_rules]
            results = run_data_checks(salesforce.client, link_field=link_field, inputs=data_inputs(plan, customers),
                                      billing_system=name, cancel=cancel)
            return results + ([billing_rules] if billing_rules is not None else [])

        return check

    def _show(self, outcome: tuple[Plan, list[CheckResult] | None]) -> None:
        plan, checks = outcome
        self._show_checks(checks)
        self.plan = plan
        self.state.planned(plan)
        name = self.state.billing.system.display_name if self.state.billing is not None else "Billing"
        fixes = accepted_fixes_lines(self.state, name) if self.state.live else []
        # a live run of a plan with nothing in it would only report "done" for nothing
        self.nothing_to_write = nothing_to_write(plan, self.state.accepted_fixes) if self.state.live else None
        empty = [f"<b>{html.escape(self.nothing_to_write)}</b>"] if self.nothing_to_write else []
        self.summary.setText("<br>".join([*summary_lines(plan, name), *fixes, *empty]))
        self.save_button.setEnabled(True)
        self.completeChanged.emit()

    def _show_checks(self, checks: list[CheckResult] | None) -> None:
        """Show the data checks' outcome and put them in place of the Preflight page's "not checked yet"."""
        self.data_checks = checks
        self.checks.setVisible(checks is not None)
        if checks is None:
            return
        self.state.data_checked(checks)
        lines = [f"<b>{STATUS_WORDS[c.status]}</b> — {c.title}: {c.explanation}"
                 + (f" What to do: {c.remedy}" if c.status != "pass" and c.remedy else "") for c in checks]
        failed = any(c.status == "fail" for c in checks)
        self.checks.setText("Checks on the loaded data (preflight):<br>" + "<br>".join(lines)
                            + ("<br><b>Fix what failed before writing, then build the plan again.</b>" if failed
                               else ""))
        refused = next((c for c in checks if c.key == BILLING_CHECK_KEY and c.status == "fail"), None)
        self.write_refused.setVisible(refused is not None)
        self.write_refused.setChecked(False)
        if refused is not None:
            count = len(refused.details.get("customers", ()))
            these = "this customer" if count == 1 else f"these {count:,} customers"
            self.write_refused.setText(f"Write the other links anyway: {self._billing_name()} will refuse {these} "
                                       "and the run reports them")

    def _save(self) -> None:
        plan = self.plan
        if plan is None:
            return
        path = dialogs.choose_save_file(self, "Save the plan — Crosslink", "crosslink_plan.json",
                                        "Plan files (*.json)")
        if path is not None:
            self.run(lambda p, c: write_plan(plan, path), f"saving {path.name}",
                     lambda _: self.state.file_saved(path))

    def isComplete(self) -> bool:
        """Write waits for a plan and for every data check to pass; customers the billing system's own
        rules would refuse block it until the person chooses to write the others anyway."""
        failed = [c for c in self.data_checks or () if c.status == "fail"
                  and not (c.key == BILLING_CHECK_KEY and self.write_refused.isChecked())]
        return not self.working and self.plan is not None and not failed and self.nothing_to_write is None
