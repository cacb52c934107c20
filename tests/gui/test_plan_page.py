"""The Plan page: names beside ids, a filter by action, rows explained in full, the same figures as Done."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from desktop_app.core.plan import Plan, PlanLink, PlanSource, SidePlan
from desktop_app.core.roles import Side
from desktop_app.gui.demo_files import write_demo_files
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.plan_view import explain, plan_table
from desktop_app.gui.state import Journey

DEMO_SIZE = 2_000  # enough for links that hold another id (conflicts under fill_empty)


def _next(wizard, key: str, wait_idle) -> None:
    wizard.next()
    assert wizard.currentId() == PAGE_IDS[key], wizard.currentPage().error_line.text()
    wait_idle(wizard.currentPage(), timeout=60_000)


def _to_plan(wizard, wait_idle, folder: Path, size: int) -> None:
    """Link demo files of ``size`` companies: load them, match, and go on to the Plan page."""
    files = write_demo_files(folder, size)
    welcome = wizard.page_for("welcome")
    welcome.files_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    _next(wizard, "load", wait_idle)
    load = wizard.page_for("load")
    load.slots[Side.ACCOUNTS].load(files.accounts)
    load.slots[Side.CUSTOMERS].load(files.customers)
    wait_idle(load)
    for key in ("match", "quality", "plan"):
        _next(wizard, key, wait_idle)


def _link_action(link: PlanLink) -> str:
    actions = (link.account.action, link.customer.action)
    return "conflict" if "conflict" in actions else "set" if "set" in actions else "skip"


@pytest.mark.timeout(120)
def test_plan_shows_names_filters_by_action_and_explains_a_row(wizard, wait_idle, tmp_path: Path) -> None:
    _to_plan(wizard, wait_idle, tmp_path, DEMO_SIZE)
    page = wizard.page_for("plan")
    plan = wizard.state.plan
    assert plan is not None
    page.policy.setCurrentIndex(page.policy.findData("fill_empty"))  # conflicts stay conflicts, side by side
    wait_idle(page)
    plan = wizard.state.plan
    assert page.summary.text().startswith("<br>".join(plan.summary_lines("Billing")))

    frame = page.model.frame
    assert {"account_name", "customer_name", "link_action"} <= set(frame.columns)
    named = frame[frame["account_name"] != ""]
    assert len(named) == len(frame)  # every planned account has its name from the review
    first = plan.links[0]
    assert frame.iloc[0]["account_id"] == first.account_id
    reviewed = wizard.state.reviewed
    assert frame.iloc[0]["customer_name"] in set(reviewed.loc[reviewed["customer_id"] == first.customer_id,
                                                              "customer_name"])

    expected = {action: sum(_link_action(link) == action for link in plan.links)
                for action in ("set", "skip", "conflict")}
    assert expected["conflict"] > 0, "the demo files hold links that conflict"
    for action, count in expected.items():
        page.action_filter.setCurrentIndex(page.action_filter.findData(action))
        wait_idle(page)
        assert page.model.rowCount() == count, action
        shown = {page.model.frame.iloc[page.model.source_position(r)]["link_action"]
                 for r in range(page.model.rowCount())}
        assert shown <= {action}
    page.table.selectRow(0)  # the first link in conflict, read in full
    text = page.detail.text()
    row = page.model.frame.iloc[page.model.source_position(0)]
    assert text.startswith(f"Row {row['row']}: Salesforce account {row['account_name']} ({row['account_id']})")
    assert "conflict — the field holds" in text
    assert row["note"]
    assert text.endswith(f"Why: {row['note']}")
    page.action_filter.setCurrentIndex(0)
    wait_idle(page)
    assert page.model.rowCount() == len(plan.links)

    _next(wizard, "done", wait_idle)
    done = wizard.page_for("done")
    assert " ".join(plan.summary_lines("billing")) in done.summary.text()


def test_explain_names_both_sides_and_the_reason() -> None:
    link = PlanLink(1, "001000000000001AAA", "C-1", SidePlan("conflict", "C-9", "C-1"),
                    SidePlan("set", "", "001000000000001AAA"), note="The account already holds another id.")
    plan = Plan((link,), "fill_empty", PlanSource(), "2026-01-01T00:00:00+00:00")
    decisions = pd.DataFrame({"account_id": ["001000000000001"], "account_name": ["Acme Ltd"],
                              "customer_id": ["C-1"], "customer_name": ["Acme Limited"], "status": ["matched"]})
    table = plan_table(plan, decisions)
    row = table.iloc[0]
    assert (row["account_name"], row["customer_name"], row["link_action"]) == ("Acme Ltd", "Acme Limited", "conflict")
    assert explain(row, "Sequence").splitlines() == [
        "Row 1: Salesforce account Acme Ltd (001000000000001AAA) ↔ Sequence customer Acme Limited (C-1).",
        "Salesforce: conflict — the field holds C-9, not C-1; it is left alone.",
        "Sequence: the field is empty; it is set to 001000000000001AAA.",
        "Why: The account already holds another id.",
    ]


@pytest.mark.timeout(120)
def test_a_review_call_made_after_the_plan_was_built_builds_it_again(wizard, wait_idle, tmp_path: Path) -> None:
    _to_plan(wizard, wait_idle, tmp_path, 300)
    planned = {link.account_id for link in wizard.state.plan.links}
    wizard.back()
    wizard.back()
    match = wizard.page_for("match")
    frame = match.model.frame
    position = int(next(p for p in range(len(frame)) if frame["account_id"].iat[p] in planned
                        and frame["status"].iat[p] == "matched"))
    account = frame["account_id"].iat[position]
    match.select_position(position)
    match.reject_selected()  # the same frame, edited in place: only the state says the plan is stale
    assert wizard.state.plan is None
    for key in ("quality", "plan"):
        _next(wizard, key, wait_idle)
    assert wizard.state.plan is not None
    assert account not in {link.account_id for link in wizard.state.plan.links}
