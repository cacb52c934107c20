"""An undo stopped by a billing system that no longer answers: Done says why and offers Resume undo,
Welcome lists it after a restart, and resuming from the GUI finishes it on both sandboxes, with the
figures on Done agreeing with the journal and with what each sandbox holds (counted on its own)."""

from __future__ import annotations

import dataclasses

import pytest
import test_gates
from test_end_to_end import _in_place, _org_links
from test_gates import Answers, _to_plan

from desktop_app.core.journal import Journal
from desktop_app.core.run_figures import run_figures
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.workflow.stop_reason import StopKind

# Enough customers for three failed batches of 100 in a row: the engine then takes Sequence as down.
DEMO_SIZE = 600


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


def _write_the_plan(wizard, wait_idle, answers: Answers):
    """From Plan, write the links (saying yes to the question) and return the run's report."""
    wizard.next()
    apply = wizard.page_for("apply")
    wait_idle(apply)
    answers.answers = [True]
    apply.apply_button.click()
    wait_idle(apply, timeout=120_000)
    assert wizard.state.run_report is not None, apply.error_line.text()
    return wizard.state.run_report


def _customer_links(store, customers: list[str]) -> dict[str, str]:
    return {customer: store.link_of(customer, "Salesforce") or "" for customer in customers}


@pytest.mark.timeout(300)
def test_an_undo_stopped_by_a_silent_billing_system_says_why_and_resumes_from_the_gui(
        wizard, wait_idle, answers, monkeypatch) -> None:
    monkeypatch.setattr(test_gates, "DEMO_SIZE", DEMO_SIZE)
    _to_plan(wizard, wait_idle)
    state = wizard.state
    plan = state.plan
    org, sequence = state.salesforce.demo_server.org, state.demo_systems.sequence
    customers = [link.customer_id for link in plan.links if link.customer.action == "set"]
    pairs = [(link.account_id, link.customer_id) for link in plan.links]
    accounts_before, customers_before = _org_links(org), _customer_links(sequence.store, customers)
    linked_before = _in_place(org, sequence.store, pairs)
    run = _write_the_plan(wizard, wait_idle, answers)
    accounts_run, customers_run = _org_links(org), _customer_links(sequence.store, customers)
    wizard.next()
    done = wizard.page_for("done")
    wait_idle(done)
    box = done.outcome_box

    sequence.faults.down = True  # Sequence stops answering: every request goes unanswered
    answers.answers = [True]
    box.undo_button.click()
    assert answers.asked[-1][0].startswith("Undo the run")
    wait_idle(done, timeout=180_000)
    stopped = state.undo_report
    assert stopped is not None, done.error_line.text()
    assert stopped.state == "interrupted", stopped.message
    assert stopped.stop is not None
    assert (stopped.stop.kind, stopped.stop.side, stopped.stop.system) == (StopKind.SILENT, "customer", "Sequence")
    shown = box.undo_text.text()
    assert "Why the undo stopped:</b> Sequence stopped answering" in shown
    assert "Once it answers again, press Resume undo" in shown
    assert "desktop-app" not in shown
    assert box.undo.resume_button.isVisible()
    assert box.undo.resume_button.isEnabled()
    assert not box.undo_button.isEnabled()
    assert done.subTitle().startswith("The undo stopped before its end")
    with Journal() as journal:  # the stopped undo's figures on Done are the journal's
        assert run_figures(journal, stopped.run_id).headline() in shown
        assert stopped.write_counts == journal.state_counts(stopped.run_id)
    assert stopped.write_counts["customer"].get("written", 0) == 0  # Sequence took nothing back ...
    assert _customer_links(sequence.store, customers) == customers_run
    assert stopped.write_counts["account"].get("written", 0) > 0  # ... Salesforce, first in each batch, did

    wizard.restart()  # Welcome reads the journal again: the stopped undo is offered
    welcome = wizard.page_for("welcome")
    wait_idle(welcome)
    assert welcome.resume_button.isVisible()
    assert welcome.resume_button.text().replace("&", "") == f"Resume undo {stopped.run_id}…"
    listed = welcome.unfinished.text()
    assert f"An undo did not finish:</b> {stopped.run_id}" in listed
    assert f"undoing run {run.run_id}" in listed
    assert "Sequence stopped answering" in listed
    assert "desktop-app" not in listed
    welcome.resume_button.click()
    for key in ("connect_salesforce", "connect_billing", "done"):  # connect, then straight to Done
        assert wizard.currentId() == PAGE_IDS[key], (key, wizard.currentPage().error_line.text())
        wait_idle(wizard.currentPage(), timeout=60_000)
        if key != "done":
            wizard.next()
    assert state.undo_report is not None, done.error_line.text()
    assert state.undo_report.run_id == stopped.run_id
    assert "Why the undo stopped:</b> Sequence stopped answering" in box.undo_text.text()
    assert box.undo.resume_button.isVisible()

    assert done._elsewhere() == ""  # connected to the undo's own systems
    picked = state.resume_run
    state.resume_run = dataclasses.replace(picked, settings={**picked.settings, "instance_url": "https://other.test"})
    assert "go Back and connect to those systems" in done._elsewhere()  # another org: not resumed there
    state.resume_run = picked

    answers.answers = [False]  # Resume undo asks first; refused, nothing happens
    box.undo.resume_button.click()
    title, question = answers.asked[-1]
    assert title.startswith("Resume the undo")
    assert "Sequence stopped answering" in question
    assert not done.working
    assert state.undo_report.state == "interrupted"

    sequence.faults.down = False
    answers.answers = [True]
    box.undo.resume_button.click()
    wait_idle(done, timeout=180_000)
    finished = state.undo_report
    assert finished.run_id == stopped.run_id, done.error_line.text()
    assert finished.state == "done", finished.message
    assert finished.stop is None
    assert not box.undo.resume_button.isVisible()
    assert "Why the undo stopped" not in box.undo_text.text()

    # The figures on Done are the journal's ...
    with Journal() as journal:
        undo_figures, run_now = run_figures(journal, finished.run_id), run_figures(journal, run.run_id)
        journal_states = journal.state_counts(finished.run_id)
    assert undo_figures.headline() in box.undo_text.text()
    assert run_now.headline() in done.summary.text()
    assert run_now.headline() in box.figures.text()
    assert finished.write_counts == journal_states
    # ... and each sandbox, counted on its own, agrees: every value the run changed is back, and the
    # undo's journal counts exactly the values that changed back in each.
    accounts_now, customers_now = _org_links(org), _customer_links(sequence.store, customers)
    assert accounts_now == accounts_before
    assert customers_now == customers_before
    changed_back_in_org = sum(accounts_run[a] != accounts_now[a] for a in accounts_now)
    changed_back_in_sequence = sum(customers_run[c] != customers_now[c] for c in customers)
    assert changed_back_in_org == journal_states["account"].get("written", 0) > 0
    assert changed_back_in_sequence == journal_states["customer"].get("written", 0) > 0
    assert _in_place(org, sequence.store, pairs) == run_now.linked_now == linked_before
    assert max(sequence.counters.writes.values()) <= 2  # written once by the run, once by the undo


@pytest.mark.timeout(240)
def test_a_cancelled_undo_is_shown_stopped_and_resumes(wizard, wait_idle, answers, monkeypatch) -> None:
    monkeypatch.setattr(test_gates, "DEMO_SIZE", 200)
    _to_plan(wizard, wait_idle)
    state = wizard.state
    run = _write_the_plan(wizard, wait_idle, answers)
    wizard.next()
    done = wizard.page_for("done")
    wait_idle(done)
    box = done.outcome_box

    answers.answers = [True]
    box.undo_button.click()
    done.task.cancel()  # Cancel on the progress panel, before the first batch is through
    wait_idle(done, timeout=60_000)
    stopped = state.undo_report
    assert stopped is not None, done.error_line.text()
    assert stopped.state == "cancelled"
    assert "Nothing was changed" not in done.error_line.text()  # the undo is in the journal, stopped
    assert "Why the undo stopped:</b> Cancelled" in box.undo_text.text()
    assert box.undo.resume_button.isVisible()
    with Journal() as journal:
        assert journal.run(stopped.run_id).state == "cancelled"

    answers.answers = [True]
    box.undo.resume_button.click()
    wait_idle(done, timeout=120_000)
    assert state.undo_report.run_id == stopped.run_id, done.error_line.text()
    assert state.undo_report.state == "done", state.undo_report.message
    with Journal() as journal:
        assert run_figures(journal, run.run_id).headline() in done.summary.text()
