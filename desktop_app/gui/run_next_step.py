"""What a GUI user does when a run stops, in the app's words, keeping the engine's reason.

The engine's messages end with the command line's instruction ("…; 'desktop-app resume' continues it
once the quota renews."). A person in the wizard has the Resume and Retry buttons instead, and logs
in again on a page of the wizard. ``why_and_when`` takes the command-line clause out of a message and
keeps what it said about *when* to go on; ``next_step`` says the app's step with that condition.
Pure text, no Qt, so every engine sentence can be checked in a plain test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One clause naming a command: from the last sentence or clause break before it to the next.
_CLI_CLAUSE = re.compile(r"(?:^|(?<=[.;:])|\s)\s*\(?[^.;:()]*'desktop-app [^']*'(?P<rest>[^.;()]*)[.;)]*")
_CONDITION = re.compile(r"\b(?P<when>(?:after|once|when|with)\b.*)$")

RESUME = "press Resume: it continues the run where it stopped, and nothing is written twice"
READ_BACK = "press Resume: it reads the written values back again"
RETRY = "press Retry the failed writes: it tries them again (values are read first, nothing is written twice)"
# Conditions that need a step inside the app before the button does any good.
LOG_IN_AGAIN = "Log in to Salesforce again (go Back to Connect Salesforce), then come back here and "
NEW_CREDENTIALS = ("Connect the billing system again with working credentials (go Back to Connect the billing "
                   "system), then come back here and ")


@dataclass(frozen=True)
class StopReason:
    """An engine message taken apart: the reason (``why``), what the command line would do
    (``verb``: "continues it", "reads back again", "retries them"; "" when it named no command) and
    the condition it put on doing it (``when``: "once the quota renews"; "" when none)."""

    why: str
    verb: str
    when: str


def why_and_when(message: str) -> StopReason:
    """The message without its command-line clauses, with what those clauses said."""
    verb = when = ""
    for found in _CLI_CLAUSE.finditer(message):
        rest = found.group("rest").strip()
        condition = _CONDITION.search(rest)
        if condition is not None:
            when = condition.group("when").strip()
            rest = rest[: condition.start()].strip()
        verb = verb or rest
    why = _CLI_CLAUSE.sub("", message).strip()
    why = re.sub(r"[\s;:,(]+$", "", why)
    if why and not why.endswith((".", "!", "?")):
        why += "."
    return StopReason(why, verb, when)


def next_step(state: str, message: str) -> str:
    """The engine's reason for a run's end ``state``, then what to do in the app (never a command)."""
    reason = why_and_when(message)
    if state == "done":
        return reason.why
    if state == "done_with_failures" or reason.verb.startswith("retries"):
        action = RETRY
    elif "read" in reason.verb:
        action = READ_BACK
    else:
        action = RESUME
    when = reason.when
    if "log in" in when:
        step = LOG_IN_AGAIN + action
    elif "credentials" in when:
        step = NEW_CREDENTIALS + action
    elif when:
        step = f"{when[:1].upper()}{when[1:]}, {action}"
    else:
        step = action[:1].upper() + action[1:]
    why = reason.why or {"cancelled": "The run was stopped between batches.",
                         "done_with_failures": "Some writes failed.",
                         "running": "The run did not finish."}.get(state, "The run did not finish.")
    return f"{why} {step}."
