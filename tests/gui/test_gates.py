"""The gates around writes: Write and Undo ask first, Cancel and closing ask while work runs or results are
unsaved, and Resume / Retry the failed writes are buttons on Apply and on Welcome."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from desktop_app.core.progress import CancelToken
from desktop_app.gui import dialogs
from desktop_app.gui.connections import live_sides, run_settings
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.pages import apply as apply_page
from desktop_app.gui.state import Journey, Source
from desktop_app.workflow.apply import apply_plan, unfinished_runs

DEMO_SIZE = 200


class Answers:
    """Stands in for the person at ``dialogs.confirm``: records each question and gives the next answer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.asked: list[tuple[str, str]] = []
        self.answers: list[bool] = []
        monkeypatch.setattr(dialogs, "confirm", self._confirm)

    def _confirm(self, parent, title: str, message: str, yes_text: str) -> bool:
        self.asked.append((title, message))
        assert self.answers, f"unexpected question: {title}"
        return self.answers.pop(0)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


def _to_plan(wizard, wait_idle) -> None:
    wizard.state.demo_size = DEMO_SIZE
    welcome = wizard.page_for("welcome")
    welcome.demo_button.setChecked(True)
    welcome.journey_buttons[Journey.LINK].setChecked(True)
    for key in ("connect_salesforce", "connect_billing", "link_fields", "preflight", "load", "match", "quality",
                "plan"):
        if key == "load":
            wizard.page_for("preflight").accept_warnings.setChecked(True)
        wizard.next()
        assert wizard.currentId() == PAGE_IDS[key], (key, wizard.currentPage().error_line.text())
        wait_idle(wizard.currentPage(), timeout=60_000)


@pytest.mark.timeout(180)
def test_write_retry_and_undo_each_ask_first_and_do_nothing_when_refused(wizard, wait_idle, answers,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _to_plan(wizard, wait_idle)
    plan = wizard.state.plan
    counts = plan.counts()
    wizard.next()
    apply = wizard.page_for("apply")
    wait_idle(apply)

    answers.answers = [False]
    apply.apply_button.click()
    title, question = answers.asked[-1]
    assert title.startswith("Write the links")
    assert f"{counts['account']['set']:,} Salesforce Accounts</b> get <code>Billing_Customer_ID__c</code>" in question
    assert f"{counts['customer']['set']:,} Sequence customers" in question
    assert "How to undo" in question
    assert not apply.working
    assert wizard.state.run_report is None
    assert unfinished_runs() == []  # refused: not even a run was journaled

    answers.answers = [True]
    apply.apply_button.click()
    wait_idle(apply, timeout=120_000)
    report = wizard.state.run_report
    assert report is not None, apply.error_line.text()
    # The demo's Sequence refuses its invalid customers: the run ends with failed writes, offered for retry.
    assert report.state == "done_with_failures"
    assert "desktop-app" not in apply.outcome.text()
    assert "Retry the failed writes" in apply.outcome.text()
    assert "refused as invalid by Sequence" in apply.outcome.text()
    assert "Once fixed in Sequence" in apply.outcome.text() or "once the refused ones are fixed" in apply.outcome.text()
    assert apply.resume_button.isVisible()
    assert apply.resume_button.text().replace("&", "") == "Retry the failed writes"

    answers.answers = [False]
    apply.resume_button.click()
    assert answers.asked[-1][0].startswith("Retry the failed writes")
    assert not apply.working
    answers.answers = [True]
    asked_for: list[bool] = []
    real_resume = apply_page.resume_run

    def resume_run(*args, **kwargs):  # a spy: the real resume runs, what the page asked is kept
        asked_for.append(kwargs.get("retry_refused", False))
        return real_resume(*args, **kwargs)

    monkeypatch.setattr(apply_page, "resume_run", resume_run)
    apply.resume_button.click()
    wait_idle(apply, timeout=120_000)
    assert asked_for == [True]  # Retry the failed writes sends the refused ones again too
    assert "refused as invalid" in answers.asked[-1][1]
    retried = wizard.state.run_report
    assert retried is not None, apply.error_line.text()
    assert retried is not report
    assert retried.run_id == report.run_id  # the same run, resumed through the journal

    wizard.next()
    done = wizard.page_for("done")
    wait_idle(done)
    answers.answers = [False]
    done.outcome_box.undo_button.click()
    title, question = answers.asked[-1]
    assert title.startswith("Undo the run")
    written = retried.write_counts["account"]["written"]
    assert f"{written:,} Salesforce Accounts</b> get back" in question
    assert not done.working
    assert wizard.state.undo_report is None
    answers.answers = [True]
    done.outcome_box.undo_button.click()
    wait_idle(done, timeout=120_000)
    assert wizard.state.undo_report is not None, done.error_line.text()
    assert wizard.state.undo_report.kind == "undo"


@pytest.mark.timeout(180)
def test_welcome_resumes_an_unfinished_run_with_a_button(wizard, wait_idle, answers) -> None:
    _to_plan(wizard, wait_idle)
    state = wizard.state
    sides = live_sides(state.salesforce, state.billing, state.link_field)
    stopped = CancelToken()
    stopped.cancel()  # as if the app had been closed before the first batch
    interrupted = apply_plan(state.plan, sides, run_settings(state.salesforce, state.billing, state.link_field),
                             cancel=stopped)
    assert interrupted.state == "cancelled"
    wizard.restart()  # back on Welcome, which reads the journal again
    welcome = wizard.page_for("welcome")
    wait_idle(welcome)
    assert welcome.resume_button.isVisible()
    assert welcome.resume_button.text().replace("&", "") == f"Resume run {interrupted.run_id}…"
    assert "desktop-app" not in welcome.unfinished.text()
    welcome.resume_button.click()
    assert state.resume_run is not None
    assert state.resume_run.run_id == interrupted.run_id
    for key in ("connect_salesforce", "connect_billing", "apply"):  # connect, then straight to writing
        assert wizard.currentId() == PAGE_IDS[key], (key, wizard.currentPage().error_line.text())
        wait_idle(wizard.currentPage(), timeout=60_000)
        if key != "apply":
            wizard.next()
    apply = wizard.page_for("apply")
    assert not apply.apply_button.isVisible()
    assert apply.resume_button.isVisible(), apply.error_line.text()
    answers.answers = [True]
    apply.resume_button.click()
    assert answers.asked[-1][0].startswith("Resume the run")
    wait_idle(apply, timeout=60_000)
    report = state.run_report
    assert report is not None, apply.error_line.text()
    assert report.run_id == interrupted.run_id
    assert report.state in ("done", "done_with_failures")
    wizard.next()
    assert wizard.currentId() == PAGE_IDS["done"]


def test_cancel_asks_nothing_when_nothing_runs_or_is_unsaved(wizard, wait_idle, answers) -> None:
    wait_idle(wizard.page_for("welcome"))
    wizard.reject()
    assert answers.asked == []
    assert not wizard.isVisible()


def test_cancel_and_close_ask_while_work_runs(wizard, wait_idle, answers, qtbot) -> None:
    wait_idle(wizard.page_for("welcome"))
    load = wizard.page_for("load")
    task = load.run(lambda progress, cancel: cancel.wait(60), "reading a very big file", lambda _: None)

    answers.answers = [False]
    wizard.reject()  # the Cancel button and Escape
    assert "reading a very big file is still running" in answers.asked[-1][1]
    assert wizard.isVisible()
    assert task.running
    answers.answers = [False]
    wizard.close()  # the window's close button
    assert len(answers.asked) == 2
    assert wizard.isVisible()
    assert task.running

    answers.answers = [True]
    wizard.close()
    assert not wizard.isVisible()
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)


def test_results_not_saved_are_a_reason_to_ask(wizard) -> None:
    state = wizard.state
    state.source = Source.FILES
    assert wizard.leaving_reasons() == []
    state.reviewed = pd.DataFrame({"status": ["matched"], "account_id": ["001000000000001AAA"]})
    assert wizard.leaving_reasons() == ["Neither the report nor the reviewed matches were saved yet (Done page)."]
    state.saved.append(Path("report.xlsx"))
    assert wizard.leaving_reasons() == []
