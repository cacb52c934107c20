"""Match & review on demo data: chart, table, filters, the reviewer's actions, and the saved results."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from desktop_app.cli import main
from desktop_app.core.plan_file import read_plan
from desktop_app.core.report_counts import DecisionCounts
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
    page.select_position(position)


def test_outcome_chart_and_table_show_the_run(match_page, wizard) -> None:
    decisions = wizard.state.match_run.result.decisions
    assert match_page.model.rowCount() == len(decisions)
    side = DecisionCounts.of(decisions)  # the chart and heading count accounts; customers' own rows apart
    assert {s: n for s, n in match_page.chart.counts.items() if n} == side.accounts
    assert sum(match_page.chart.counts.values()) == len(wizard.state.match_run.accounts.frame)
    text = match_page.summary.text()
    assert f"{len(wizard.state.match_run.accounts.frame):,} accounts: " in text
    assert f"<b>{side.open_accounts:,} need your decision</b>" in text
    assert f"{sum(side.left_over.values()):,} of the {len(wizard.state.match_run.customers.frame):,} customers" in text
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_a_filters_count_splits_accounts_from_customers_as_the_heading_counts_them(match_page, wizard) -> None:
    side = DecisionCounts.of(wizard.state.match_run.result.decisions)
    shared = [s for s in side.customers if side.accounts.get(s)]
    assert shared  # the demo has unmatched accounts and unmatched customers
    for status in shared:
        label = match_page.status_filter.itemText(match_page.status_filter.findData(status))
        accounts, customers = side.accounts[status], side.customers[status]
        assert label.endswith(f"({accounts + customers:,}: {accounts:,} accounts, {customers:,} customers)"), label
        assert f"{accounts:,} {status.replace('_', ' ')}" in match_page.summary.text()  # the heading's figure
    only_accounts = match_page.status_filter.itemText(match_page.status_filter.findData("already_linked"))
    assert only_accounts == f"Already linked ({side.accounts['already_linked']:,})"


def test_the_matchers_notes_show_under_the_summary(match_page, wizard) -> None:
    run = wizard.state.match_run
    run.notes[:] = [f"Mapping row {row}: no customer id beside account '<{row}>'; the row was ignored."
                    for row in range(2, 7)]
    match_page._update_outcome()
    text = match_page.summary.text()
    assert "Mapping row 2: no customer id beside account '&lt;2&gt;'; the row was ignored." in text
    assert "Mapping row 4:" in text
    assert "Mapping row 5:" not in text
    assert "… and 2 more notes like these" in text


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

    def accept_everything(dialog) -> bool:
        dialog.threshold.setValue(0)
        return True

    monkeypatch.setattr(dialogs, "run_dialog", accept_everything)
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
    # the saved matches carry the files' link values: an offline plan from them is the wizard's plan
    assert main(["plan", "--matches", str(tmp_path / "reviewed.csv"), "--out", str(tmp_path / "plan.json"),
                 "--offline"]) == 0
    offline = read_plan(tmp_path / "plan.json")
    assert [(k.account_id, k.account.action, k.customer.action) for k in offline.links] == [
        (k.account_id, k.account.action, k.customer.action) for k in wizard.state.plan.links]
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
    assert ("links; a field holding another id keeps it, only empty sides are written (policy skip_linked)."
            in plan_page.summary.text())  # the policy in words, as the page offers it, not only its name
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
    qtbot.keyClick(match_page.search, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert match_page.evidence.hasFocus()  # the whole reason, to read (and select) from the keyboard
    assert str(frame.loc[suggested[0], "reason"]) in match_page.evidence.toPlainText()


def test_every_review_call_undoes_and_redoes_from_the_keyboard(match_page, qtbot, monkeypatch) -> None:
    frame = match_page.model.frame
    start = frame.copy()
    suggested = frame.index[frame["status"] == "suggested"].tolist()
    _select(match_page, suggested[0])
    match_page.table.setFocus()
    qtbot.keyClick(match_page.table, Qt.Key.Key_Space)
    assert frame.loc[suggested[0], "status"] == "matched"
    qtbot.keyClick(match_page.table, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    assert frame.loc[suggested[0], "status"] == "unmatched"
    qtbot.keyClick(match_page.table, Qt.Key.Key_Space)  # a rejected suggestion keeps its customer
    assert frame.loc[suggested[0], "customer_id"] == start.loc[suggested[0], "customer_id"]
    ambiguous = int(frame.index[(frame["status"] == "ambiguous") & (frame["account_id"] != "")][0])
    _select(match_page, ambiguous)
    monkeypatch.setattr(dialogs, "ask_choice", lambda parent, title, label, choices: choices[0])
    match_page.choose_button.click()
    unmatched = int(frame.index[(frame["status"] == "unmatched") & (frame["account_id"] != "")][-1])
    free = str(frame.loc[(frame["account_id"] == "") & (frame["status"] == "unmatched"), "customer_id"].iloc[0])
    _select(match_page, unmatched)
    monkeypatch.setattr(dialogs, "ask_text", lambda *args: free)
    match_page.enter_button.click()
    monkeypatch.setattr(dialogs, "run_dialog", lambda dialog: True)
    match_page.accept_all_button.click()
    assert match_page.session.history[:3] == ["Accept 1 row", "Reject 1 row", "Accept 1 row"]
    assert len(match_page.session.history) == 6 == match_page.history.count()
    after = frame.copy()

    match_page.table.setFocus()
    for _ in range(6):
        qtbot.keyClick(match_page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert frame.equals(start)
    assert not match_page.undo_button.isEnabled()
    suggested_label = match_page.status_filter.itemText(match_page.status_filter.findData("suggested"))
    assert suggested_label == f"Suggested ({int((start['status'] == 'suggested').sum()):,})"
    for _ in range(3):
        qtbot.keyClick(match_page.table, Qt.Key.Key_Z,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    for _ in range(3):
        qtbot.keyClick(match_page.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert frame.equals(after)
    counts = {s: n for s, n in match_page.chart.counts.items() if n}
    assert counts == DecisionCounts.of(frame).accounts  # the chart counts accounts, kept current per call


def test_evidence_pane_shows_every_candidate_of_an_ambiguous_row(match_page, wizard) -> None:
    frame = match_page.model.frame
    position = int(frame.index[(frame["status"] == "ambiguous") & (frame["account_id"] != "")][0])
    _select(match_page, position)
    text = match_page.evidence.toPlainText()
    assert str(frame.loc[position, "reason"]) in text
    customers = wizard.state.match_run.customers.frame.set_index("customer_id")
    for candidate in str(frame.loc[position, "candidates"]).split("; "):
        assert str(customers.loc[candidate.split()[0], "name"]) in text
    assert "Website / e-mail domain" in text
    assert "✓" in text
    account = wizard.state.match_run.accounts.frame.set_index("account_id").loc[frame.loc[position, "account_id"]]
    assert str(account["city"]) in text


def test_bulk_accept_previews_the_scores_and_asks(match_page, monkeypatch) -> None:
    frame = match_page.model.frame
    open_suggestions = frame[(frame["status"] == "suggested") & (frame["account_id"] != "")
                             & (frame["customer_id"] != "")]
    seen: list[tuple[float, int, str]] = []

    def look(dialog) -> bool:
        seen.append((dialog.threshold.value(), dialog.taken(), dialog.preview.text()))
        return False

    monkeypatch.setattr(dialogs, "run_dialog", look)
    match_page.accept_all_button.click()
    threshold, taken, preview = seen[0]
    assert threshold <= open_suggestions["score"].max()  # never a default that takes nothing
    assert taken == int((open_suggestions["score"] >= threshold).sum()) > 0
    assert f"{taken:,} of {len(open_suggestions):,} suggestions" in preview
    assert (frame["status"] == "suggested").sum() >= len(open_suggestions)  # cancelled: nothing changed
    assert not match_page.session.can_undo()


def test_match_page_and_report_say_what_the_plan_writes_on_each_side(match_page, wizard, wait_idle, monkeypatch,
                                                                    tmp_path: Path) -> None:
    frame = match_page.model.frame
    accepted = frame["status"].isin(["matched", "already_linked"])
    assert (frame.loc[~accepted, ["account_write", "customer_write"]] == "").all().all()
    wizard.next()
    wait_idle(wizard.page_for("quality"))
    wizard.next()
    plan_page = wizard.page_for("plan")
    wait_idle(plan_page)
    links = {link.account_id: link for link in plan_page.plan.links}
    for account_id, account_text, customer_text in frame.loc[
            accepted, ["account_id", "account_write", "customer_write"]].itertuples(index=False):
        link = links[account_id]
        assert account_text.startswith("will") == (link.account.action == "set"), (account_text, link)
        assert customer_text.startswith("will") == (link.customer.action == "set"), (customer_text, link)
    points_back = frame[accepted & frame["customer_write"].str.startswith("already holds it (as")]
    assert len(points_back), "the demo has customers holding their Account in 15 characters or upper case"
    assert (points_back["account_write"].str.startswith(("will be written", "already holds it"))).all()
    wizard.next()
    apply = wizard.page_for("apply")
    monkeypatch.setattr(dialogs, "confirm", lambda *args: True)  # Write asks first; the person says yes
    apply.apply_button.click()
    wait_idle(apply, timeout=60_000)
    wizard.next()
    done = wizard.page_for("done")
    monkeypatch.setattr(dialogs, "choose_save_file", lambda *args: tmp_path / "report.xlsx")
    done.buttons["crosslink_report.xlsx"].click()
    wait_idle(done, timeout=60_000)
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    rows = list(book["Matched"].iter_rows(values_only=True))
    book.close()
    header = list(rows[0])
    for row in rows[1:]:
        link = links[str(row[header.index("account_id")])]
        assert str(row[header.index("account_write")]).startswith("will") == (link.account.action == "set")


def test_a_big_call_is_made_on_a_worker_and_lands_in_one_step(match_page, wait_idle, monkeypatch) -> None:
    import desktop_app.gui.review_calls as review_calls

    monkeypatch.setattr(review_calls, "BACKGROUND_ROWS", 0)  # as if the review had a million rows
    monkeypatch.setattr(review_calls, "BIG_CALL_ROWS", 1)
    monkeypatch.setattr(dialogs, "run_dialog", lambda dialog: dialog.threshold.setValue(0) or True)
    frame = match_page.model.frame
    start = frame.copy()
    open_suggestions = (frame["status"] == "suggested") & (frame["account_id"] != "") & (frame["customer_id"] != "")
    assert open_suggestions.sum() > 1
    match_page.accept_all_button.click()
    assert match_page.working  # made on a worker ...
    assert frame.equals(start)  # ... and nothing changed until it lands
    match_page.reject_button.click()  # no other call meanwhile
    assert "still being applied" in match_page.error_line.text()
    wait_idle(match_page)
    assert match_page.model.frame is frame
    assert (frame.loc[open_suggestions, "status"] == "matched").all()
    # what each side will get was said again for the accepted rows, off the UI thread too
    assert not frame.loc[open_suggestions, "account_write"].equals(start.loc[open_suggestions, "account_write"])
    assert match_page.session.history[-1].startswith(f"Accept {int(open_suggestions.sum()):,} rows")
    assert match_page.status_filter.itemText(match_page.status_filter.findData("matched")) == \
        f"Matched ({int((frame['status'] == 'matched').sum()):,})"
    match_page.undo_button.click()
    assert match_page.working
    wait_idle(match_page)
    assert frame.equals(start)
    assert not match_page.undo_button.isEnabled()
