"""What a GUI user does when a run or an undo stops, in the app's words, from the engine's reason.

The engine says why a run stopped as data (``workflow.stop_reason.StopReason``: kind, side, a plain
sentence, what resuming does and what to wait for); the command line says it with its command. A
person in the wizard has buttons instead (Resume, Retry the failed writes, Resume undo) and logs in
again on a page of the wizard: ``next_step`` says that. Pure text, no Qt, checked in a plain test.
"""

from __future__ import annotations

from desktop_app.workflow.stop_reason import NextAction, StopReason

RESUME = "press Resume: it continues the run where it stopped, and nothing is written twice"
READ_BACK = "press Resume: it reads the written values back again"
RETRY = "press Retry the failed writes: it tries them again (values are read first, nothing is written twice)"
UNDO_ACTIONS = {
    NextAction.CONTINUE: "press Resume undo: it puts back the values not restored yet, and nothing is written twice",
    NextAction.READ_BACK: "press Resume undo: it reads the restored values back again",
    NextAction.RETRY: "press Resume undo: it tries the failed writes again (values are read first)",
    NextAction.RETRY_REFUSED: "press Resume undo: it tries the failed writes again (values are read first)",
}
RUN_ACTIONS = {NextAction.CONTINUE: RESUME, NextAction.READ_BACK: READ_BACK, NextAction.RETRY: RETRY,
               NextAction.RETRY_REFUSED: RETRY}
# Conditions that need a step inside the app before the button does any good.
LOG_IN_AGAIN = "Log in to Salesforce again (go Back to Connect Salesforce), then come back here and "
NEW_CREDENTIALS = ("Connect the billing system again with working credentials (go Back to Connect the billing "
                   "system), then come back here and ")


def next_step(stop: StopReason | None, *, undo: bool = False) -> str:
    """Why the run (an ``undo`` when so) stopped, then what to do in the app ("" when it did not stop)."""
    if stop is None:
        return ""
    action = (UNDO_ACTIONS if undo else RUN_ACTIONS)[stop.action]
    if stop.needs_login:
        step = LOG_IN_AGAIN + action
    elif stop.needs_credentials:
        step = NEW_CREDENTIALS + action
    elif stop.when:
        step = f"{stop.when[:1].upper()}{stop.when[1:]}, {action}"
    else:
        step = action[:1].upper() + action[1:]
    return f"{stop.why} {step}."
