"""Match & review on demo data: chart, table, filters, the reviewer's actions, and the saved results."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from desktop_app.core.plan_file import read_plan
from desktop_app.gui import dialogs
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey


@pytest.fixture
def match_page(wizard, wait_idle, through_org_pages):
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    through_org_pages(wizard)
    wait_idle(wizard.page_for("load"))
    wizard.next()
    page = wizard.page_for("match")
    assert wizard.currentId() == PAGE_IDS["match"]
    wait_idle(page, timeout=60_000)
    assert page.isComplete(), page.error_line.text()
    return page


def _select(page, position: int) -> None:
    row = int(list(page.model.view_positions()).index(position))
    page.table.clearSelection()
    page.table.selectRow(row)


def test_outcome_chart_and_table_show_the_run(match_page, wizard) -> None:
    decisions = wizard.state.match_run.result.decisions
    assert match_page.model.rowCount() == len(decisions)
    counts = wizard.state.match_run.result.counts
    assert {s: n for s, n in match_page.chart.counts.items() if n} == {s: n for s, n in counts.items() if n}
    assert "need your decision" in match_page.summary.text()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_filter_by_status_and_search(match_page, qtbot) -> None:
    index = match_page.status_filter.findData("suggested")
    match_page.status_filter.setCurrentIndex(index)
    frame = match_page.model.frame
    assert match_page.model.rowCount() == int((frame["status"] == "suggested").sum()) > 0
    match_page.status_filter.setCurrentIndex(0)
    name = str(frame.loc[frame["status"] == "matched", "account_name"].iloc[0])
    match_page.search.setText(name)
    qtbot.waitUntil(lambda: match_page.model.rowCount() < len(frame), timeout=5000)
    shown = frame.iloc[match_page.model.view_positions()]
    assert (shown.astype(str).apply(lambda col: col.str.contains(name, regex=False)).any(axis=1)).all()


def test_review_actions_change_the_reviewed_decisions(match_page, wizard, monkeypatch) -> None:
    frame = match_page.model.frame
    suggested = frame.index[frame["status"] == "suggested"].tolist()
    _select(match_page, suggested[0])
    match_page.accept_button.click()
    assert frame.loc[suggested[0], ["status", "reviewed"]].tolist() == ["matched", "accepted"]
    _select(match_page, suggested[0])
    match_page.reject_button.click()
    assert frame.loc[suggested[0], ["status", "customer_id"]].tolist() == ["unmatched", ""]

    match_page.threshold.setValue(0)
    match_page.accept_all_button.click()
    assert not ((frame["status"] == "suggested") & (frame["account_id"] != "")).any()

    linked = set(frame.loc[frame["status"].isin(["matched", "already_linked"]), "customer_id"])
    free = [(position, candidate.split()[0])
            for position in frame.index[frame["status"] == "ambiguous"]
            for candidate in str(frame.loc[position, "candidates"]).split("; ")
            if candidate and candidate.split()[0] not in linked]
    position, customer = free[0]
    _select(match_page, position)
    offered: list[list[str]] = []

    def pick(parent, title, label, choices):
        offered.append(choices)
        return next(c for c in choices if c.startswith(customer + " "))

    monkeypatch.setattr(dialogs, "ask_choice", pick)
    match_page.choose_button.click()
    assert len(offered[0]) >= 1
    assert frame.loc[position, ["customer_id", "status", "reviewed"]].tolist() == [customer, "matched", "entered"]

    unmatched = frame.index[(frame["status"] == "unmatched") & (frame["account_id"] != "")].tolist()
    _select(match_page, unmatched[0])
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: "cus_doesNotExist")
    match_page.enter_button.click()
    assert "No loaded customer has the id cus_doesNotExist" in match_page.error_line.text()
    assert frame.loc[unmatched[0], "status"] == "unmatched"
    assert wizard.state.reviewed is frame


def test_done_saves_the_reviewed_matches_and_the_report(match_page, wizard, wait_idle, monkeypatch,
                                                        tmp_path: Path) -> None:
    frame = match_page.model.frame
    first_suggestion = frame.index[frame["status"] == "suggested"][0]
    _select(match_page, first_suggestion)
    match_page.accept_button.click()
    wizard.next()
    wait_idle(wizard.page_for("quality"))
    wizard.next()
    assert wizard.currentId() == PAGE_IDS["plan"]
    wait_idle(wizard.page_for("plan"))
    wizard.next()
    apply = wizard.page_for("apply")
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)  # Write asks first; the person says yes
    apply.apply_button.click()
    wait_idle(apply, timeout=60_000)
    wizard.next()
    done = wizard.page_for("done")
    assert wizard.currentId() == PAGE_IDS["done"]
    targets = iter([tmp_path / "reviewed.csv", tmp_path / "report.xlsx"])
    monkeypatch.setattr(dialogs, "choose_save_file", lambda *args: next(targets))
    done.buttons["reviewed_matches.csv"].click()
    wait_idle(done)
    done.buttons["crosslink_report.xlsx"].click()
    wait_idle(done, timeout=60_000)
    with (tmp_path / "reviewed.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(frame)
    assert rows[first_suggestion]["status"] == "matched"
    assert rows[first_suggestion]["reviewed"] == "accepted"
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    assert "Summary" in book.sheetnames
    assert "Matched" in book.sheetnames
    book.close()


def test_plan_is_a_dry_run_of_the_reviewed_links(match_page, wizard, wait_idle, monkeypatch, tmp_path: Path) -> None:
    frame = match_page.model.frame
    wizard.next()
    wait_idle(wizard.page_for("quality"))
    wizard.next()
    plan_page = wizard.page_for("plan")
    wait_idle(plan_page)
    plan = plan_page.plan
    linked = frame[frame["status"].isin(["matched", "already_linked"])]
    assert len(plan.links) == len(linked)
    assert plan.policy == "skip_linked"
    assert "links, policy skip_linked" in plan_page.summary.text()
    already = linked.index[linked["status"] == "already_linked"][0]
    link = next(k for k in plan.links if k.account_id == frame.loc[already, "account_id"])
    assert (link.account.action, link.customer.action) == ("skip", "skip")  # the files already hold it
    plan_page.policy.setCurrentIndex(plan_page.policy.findData("overwrite"))
    wait_idle(plan_page)
    assert plan_page.plan.policy == "overwrite"
    monkeypatch.setattr(dialogs, "choose_save_file", lambda *args: tmp_path / "plan.json")
    plan_page.save_button.click()
    wait_idle(plan_page)
    assert read_plan(tmp_path / "plan.json").links == plan_page.plan.links


def test_keyboard_shortcuts_accept_and_reject(match_page, qtbot) -> None:
    frame = match_page.model.frame
    suggested = frame.index[frame["status"] == "suggested"].tolist()
    _select(match_page, suggested[0])
    match_page.table.setFocus()
    qtbot.keyClick(match_page.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert frame.loc[suggested[0], "status"] == "matched"
    qtbot.keyClick(match_page.table, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    assert frame.loc[suggested[0], "status"] == "unmatched"
    qtbot.keyClick(match_page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert match_page.search.hasFocus()
