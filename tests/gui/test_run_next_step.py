"""The app says why a run or an undo stopped, from the engine's structured reason, with its buttons.

Every kind of stop the engine can build (``workflow.stop_reason``) is checked: the reason's sentence
stays, the command line's command never reaches the app, and the step names the right button and the
condition to wait for.
"""

from __future__ import annotations

import pytest
import requests

from desktop_app.billing.base import BillingAuthError, BillingQuotaExceeded
from desktop_app.core.journal import RunInfo
from desktop_app.gui.run_next_step import next_step
from desktop_app.salesforce.errors import RequestLimitExceeded, SessionExpired
from desktop_app.workflow.stop_reason import (
    CANCELLED,
    CLOSED,
    FAILED_WRITES,
    READ_BACK_CANCELLED,
    NextAction,
    StopKind,
    StopReason,
    failed_writes,
    read_back_failed,
    reason_of,
    stop_reason,
)

# Each kind of stop: the error, its kind and side, what must stay of the reason, and the app's step.
STOPS = [
    (SessionExpired("token revoked"), StopKind.LOGIN_EXPIRED, "account", "no longer accepts this login",
     "Log in to Salesforce again"),
    (RequestLimitExceeded("REQUEST_LIMIT_EXCEEDED"), StopKind.DAILY_LIMIT, "account",
     "used up its daily API requests", "Once the 24-hour window frees requests, press Resume"),
    (BillingQuotaExceeded("HTTP 429 for 90 s"), StopKind.QUOTA, "customer",
     "used up its API quota or rate limit (HTTP 429 for 90 s)", "Once the quota renews, press Resume"),
    (BillingAuthError("HTTP 401: invalid key."), StopKind.CREDENTIALS, "customer",
     "refused the credentials: HTTP 401: invalid key.", "Connect the billing system again with working credentials"),
    (requests.ConnectionError("connection refused"), StopKind.SILENT, "customer",
     "stopped answering (connection refused)", "Once it answers again, press Resume"),
]
EVERY_REASON = [stop_reason("Sequence", error, "customer") for error, *_ in STOPS] + [
    CANCELLED, READ_BACK_CANCELLED, FAILED_WRITES, CLOSED, read_back_failed(OSError("disk full")),
    failed_writes({"Sequence": 3}, 0, 0), failed_writes({"Sequence": 2, "Salesforce": 1}, 4, 1),
    failed_writes({}, 2, 1)]


@pytest.mark.parametrize(("error", "kind", "side", "reason", "step"), STOPS, ids=lambda v: type(v).__name__)
def test_each_stop_is_data_and_the_app_says_its_reason_and_button(error, kind, side, reason, step) -> None:
    stop = stop_reason("Sequence", error, "customer")
    assert (stop.kind, stop.side, stop.action) == (kind, side, NextAction.CONTINUE)
    assert "desktop-app" not in stop.why  # the plain sentence names no command ...
    assert "'desktop-app resume' continues it" in stop.cli_message()  # ... the command line's message does
    for shown_stop in (stop, stop.during_read_back()):
        shown = next_step(shown_stop)
        assert "desktop-app" not in shown
        assert reason in shown, shown
        assert "The run stopped with the rest pending." in shown
        assert step.replace("press Resume", "") in shown, shown
    assert "Every write was sent, but the read-back could not finish." in next_step(stop.during_read_back())
    assert "reads the written values back again" in next_step(stop.during_read_back())
    undo = next_step(stop, undo=True)
    assert "press Resume undo: it puts back the values not restored yet" in undo
    assert "Resume:" not in undo


@pytest.mark.parametrize("stop", EVERY_REASON, ids=lambda s: s.kind.value)
@pytest.mark.parametrize("undo", [False, True])
def test_no_reason_reaches_the_app_with_a_command_or_untidy(stop: StopReason, undo: bool) -> None:
    shown = next_step(stop, undo=undo)
    assert "desktop-app" not in shown, shown
    assert shown.endswith("."), shown
    for untidy in ("  ", " .", ";.", ".."):
        assert untidy not in shown, shown
    assert ("Resume undo" if undo else "Resume") in shown or "Retry the failed writes" in shown, shown


@pytest.mark.parametrize("stop", EVERY_REASON, ids=lambda s: s.kind.value)
def test_a_reason_kept_in_the_journal_comes_back_whole(stop: StopReason) -> None:
    info = RunInfo("run-1", "undo", "run-0", "p", "", {}, stop.state, stop.cli_message(), "", "", 3,
                   {"stop": stop.as_dict()})
    assert reason_of(info) == stop


def test_the_action_follows_what_resuming_does() -> None:
    assert "Retry the failed writes" in next_step(FAILED_WRITES)
    assert "'desktop-app resume run-9' retries them." in FAILED_WRITES.cli_next("run-9")
    assert "reads the written values back" in next_step(READ_BACK_CANCELLED)
    assert next_step(CANCELLED).startswith("Cancelled between batches. Press Resume")
    assert next_step(None) == ""
    assert (CANCELLED.state, FAILED_WRITES.state, CLOSED.state, read_back_failed(OSError()).state) == (
        "cancelled", "done_with_failures", "running", "interrupted")
    silent = stop_reason("Sequence", requests.ConnectionError("refused"), "customer")
    for stopped in (read_back_failed(OSError("gone"), 2), silent.during_read_back(2)):
        assert stopped.why.startswith("2 writes failed or were not sent")  # never "every write was sent"
        assert "press resume: it continues the run where it stopped" in next_step(stopped).lower()


def test_failed_writes_say_how_many_and_refused_ones_need_a_fix_and_the_retry_flag() -> None:
    refused = failed_writes({"Sequence": 11}, 0, 0)
    assert refused.why == ("11 writes did not succeed: 11 refused as invalid by Sequence. The results file gives "
                           "each one's reason.")
    assert refused.cli_next("run-9") == ("'desktop-app resume run-9 --retry-refused' retries them once fixed in "
                                         "Sequence.")
    assert next_step(refused) == (f"{refused.why} Once fixed in Sequence, press Retry the failed writes: it tries "
                                  "them again (values are read first, nothing is written twice).")
    mixed = failed_writes({"Sequence": 2}, 1, 3)
    assert mixed.why.startswith("6 writes did not succeed: 2 refused as invalid by Sequence, 1 failed for other "
                                "reasons, 3 held until their Account is written.")
    assert mixed.cli_next("run-9").endswith("retries them once the refused ones are fixed in Sequence.")
    other = failed_writes({}, 1, 0)
    assert other.why.startswith("1 write did not succeed: 1 failed.")
    assert other.cli_next("run-9") == "'desktop-app resume run-9' retries them."
    assert "Retry the failed writes" in next_step(other)


def test_a_run_without_a_kept_reason_gets_one_by_its_state() -> None:
    def info(state: str, summary: dict[str, object]) -> RunInfo:
        return RunInfo("run-1", "apply", None, "p", "", {}, state, "", "", "", 3, summary)

    assert reason_of(info("done", {})) is None
    assert reason_of(info("running", {})) == CLOSED  # the process ended while it ran (kill, crash)
    assert reason_of(info("cancelled", {})) == CANCELLED
    assert reason_of(info("done_with_failures", {"stop": {"kind": "no such kind"}})) == FAILED_WRITES
    assert next_step(reason_of(info("running", {}))).startswith("The run did not finish: Crosslink was closed")


def test_the_apply_page_shows_the_reason_and_the_button_not_the_command(qtbot) -> None:
    from desktop_app.gui.pages.apply import ApplyPage
    from desktop_app.gui.state import WizardState
    from desktop_app.workflow.engine import RunReport

    state = WizardState()
    page = ApplyPage(state)
    qtbot.addWidget(page)
    stop = stop_reason("Sequence", BillingQuotaExceeded("HTTP 429 for 90 s"), "customer")
    state.run_report = RunReport("run-1", "apply", "interrupted", stop.cli_message(),
                                 {"account": {"written": 3, "todo": 2}}, {"linked": 3}, None, None, stop=stop)
    page._show_report()
    shown = page.outcome.text()
    assert "run-1: interrupted" in shown
    assert "used up its API quota or rate limit (HTTP 429 for 90 s)" in shown
    assert "Once the quota renews, press Resume" in shown
    assert "desktop-app" not in shown
