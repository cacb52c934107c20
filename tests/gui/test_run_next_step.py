"""The Apply page says what to do when a run stops in the app's words, keeping the engine's reason.

Every sentence the engine can end a run with is checked: the stop messages of each error kind (made by
``stop_message`` itself), and every message literal in the engine's files that names the command line
(read from their source, so a sentence added there later is checked too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import requests

import desktop_app.workflow.apply_batches as apply_batches
import desktop_app.workflow.engine as engine
from desktop_app.billing.base import BillingAuthError, BillingQuotaExceeded
from desktop_app.gui.run_next_step import next_step, why_and_when
from desktop_app.salesforce.errors import RequestLimitExceeded, SessionExpired
from desktop_app.workflow.apply_batches import stop_message

STATES = ("interrupted", "cancelled", "done_with_failures", "running", "done")

# Each kind of stop: the error, what must stay of the engine's reason, and the app's step for it.
STOPS = [
    (SessionExpired("token revoked"), "no longer accepts this login", "Log in to Salesforce again"),
    (RequestLimitExceeded("REQUEST_LIMIT_EXCEEDED"), "used up its daily API requests",
     "Once the 24-hour window frees requests, press Resume"),
    (BillingQuotaExceeded("HTTP 429 for 90 s"), "used up its API quota or rate limit (HTTP 429 for 90 s)",
     "Once the quota renews, press Resume"),
    (BillingAuthError("HTTP 401: invalid key."), "refused the credentials: HTTP 401: invalid key.",
     "Connect the billing system again with working credentials"),
    (requests.ConnectionError("connection refused"), "stopped answering (connection refused)",
     "Once it answers again, press Resume"),
]


@pytest.mark.parametrize(("error", "reason", "step"), STOPS, ids=lambda v: type(v).__name__)
def test_each_stop_keeps_the_reason_and_names_the_button(error, reason, step) -> None:
    message = stop_message("Sequence", error)
    assert "desktop-app" in message  # the engine speaks to the command line ...
    for prefix in ("", "Every write was sent, but the read-back could not finish. "):
        shown = next_step("interrupted", prefix + message)
        assert "desktop-app" not in shown  # ... the app does not
        assert reason in shown, shown
        assert prefix.strip() in shown
        assert "The run stopped with the rest pending." in shown
        assert step in shown, shown
        assert "Resume" in shown


def _cli_sentences(path: Path) -> list[str]:
    """Every string (f-strings with their fields as "X") in ``path`` that names the command line."""
    found: list[str] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(tree):
        if id(node) in parts:  # a piece of an f-string, checked whole
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if "'desktop-app" in text:
            found.append(text)
    return found


ENGINE_SENTENCES = [s for module in (engine, apply_batches) for s in _cli_sentences(Path(str(module.__file__)))]


def test_the_engine_files_still_have_sentences_to_check() -> None:
    assert len(ENGINE_SENTENCES) >= 5  # cancelled, read-back cancelled/failed, failures, stop message


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("sentence", ENGINE_SENTENCES)
def test_no_engine_sentence_reaches_the_app_with_its_command(sentence: str, state: str) -> None:
    shown = next_step(state, sentence)
    assert "desktop-app" not in shown, shown
    assert shown.endswith("."), shown
    for untidy in ("  ", " .", ";.", ".."):
        assert untidy not in shown, shown
    if state != "done":
        assert "Resume" in shown or "Retry the failed writes" in shown, shown


def test_the_action_follows_what_the_command_would_do() -> None:
    assert "Retry the failed writes" in next_step("done_with_failures",
                                                  "Some writes failed; 'desktop-app resume' retries them.")
    assert "reads the written values back" in next_step(
        "cancelled", "Cancelled during the read-back; 'desktop-app resume' reads back again.")
    cancelled = next_step("cancelled", "Cancelled between batches; 'desktop-app resume' continues the run.")
    assert cancelled.startswith("Cancelled between batches. Press Resume")


def test_a_message_without_a_command_is_kept_whole() -> None:
    reason = why_and_when("Salesforce stopped answering (timeout).")
    assert (reason.why, reason.verb, reason.when) == ("Salesforce stopped answering (timeout).", "", "")
    assert next_step("running", "").startswith("The run did not finish. Press Resume")
    assert next_step("done", "") == ""


def test_the_apply_page_shows_the_reason_and_the_button_not_the_command(qtbot) -> None:
    from desktop_app.gui.pages.apply import ApplyPage
    from desktop_app.gui.state import WizardState
    from desktop_app.workflow.engine import RunReport

    state = WizardState()
    page = ApplyPage(state)
    qtbot.addWidget(page)
    message = stop_message("Sequence", BillingQuotaExceeded("HTTP 429 for 90 s"))
    state.run_report = RunReport("run-1", "apply", "interrupted", message,
                                 {"account": {"written": 3, "todo": 2}}, {"linked": 3}, None, None)
    page._show_report()
    shown = page.outcome.text()
    assert "run-1: interrupted" in shown
    assert "used up its API quota or rate limit (HTTP 429 for 90 s)" in shown
    assert "Once the quota renews, press Resume" in shown
    assert "desktop-app" not in shown
