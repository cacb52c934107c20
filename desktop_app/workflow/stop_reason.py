"""Why a run (an apply, a resume or an undo) stopped before its end, as data every screen can say.

The engine builds a ``StopReason`` where a run stops: which kind of stop, on which side, a plain
sentence (no command), what resuming would do and the condition to wait for first. The command line
says it with its command (``cli_message``, also the journal's message); the wizard says it with its
buttons (``gui.run_next_step``). The reason is kept in the run's journal summary (``as_dict``), so a
run listed after a restart still says why it stopped (``reason_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum

from desktop_app.billing.base import BillingAuthError, BillingQuotaExceeded
from desktop_app.core.counted import counted
from desktop_app.core.journal import RunInfo
from desktop_app.salesforce.errors import RequestLimitExceeded, SessionExpired

STOP_KEY = "stop"  # where a run's summary in the journal keeps its reason


class StopKind(Enum):
    """What stopped the run."""

    LOGIN_EXPIRED = "login_expired"  # Salesforce no longer accepts the login
    DAILY_LIMIT = "daily_limit"  # the org used up its daily API requests
    QUOTA = "quota"  # the billing system's API quota or rate limit
    CREDENTIALS = "credentials"  # the billing system refused the credentials
    SILENT = "silent"  # a system stopped answering (or failed every batch)
    CANCELLED = "cancelled"  # the person stopped it
    READ_BACK_FAILED = "read_back_failed"  # every write was sent; the read-back failed
    FAILED_WRITES = "failed_writes"  # the run went to its end with writes that failed
    CLOSED = "closed"  # the process ended while it ran (app closed, crash, kill)


class NextAction(Enum):
    """What resuming the run does."""

    CONTINUE = "continue"  # sends what is still pending
    READ_BACK = "read_back"  # reads the written values back again
    RETRY = "retry"  # sends the failed writes again
    RETRY_REFUSED = "retry_refused"  # sends them again, those refused as invalid included (once fixed)


# What the command line says for each action (the journal's message keeps these words).
CLI_ACTIONS = {NextAction.CONTINUE: "continues it", NextAction.READ_BACK: "reads back again",
               NextAction.RETRY: "retries them", NextAction.RETRY_REFUSED: "retries them"}
_STATES = {StopKind.CANCELLED: "cancelled", StopKind.FAILED_WRITES: "done_with_failures", StopKind.CLOSED: "running"}


@dataclass(frozen=True)
class StopReason:
    """One stop: ``kind``, the ``side`` it came from ("account", "customer"; "" for none) and that
    side's name (``system``), the reason as a plain sentence (``why``), what resuming does
    (``action``) and what to wait for before (``when``: "once the quota renews"; "" to go on now)."""

    kind: StopKind
    why: str
    side: str = ""
    system: str = ""
    action: NextAction = NextAction.CONTINUE
    when: str = ""

    @property
    def state(self) -> str:
        """The run state this stop leaves: ``interrupted``, ``cancelled``, ``done_with_failures`` or
        (the process ended) ``running``."""
        return _STATES.get(self.kind, "interrupted")

    @property
    def needs_login(self) -> bool:
        """True when the Salesforce login must be renewed before resuming."""
        return self.kind is StopKind.LOGIN_EXPIRED

    @property
    def needs_credentials(self) -> bool:
        """True when the billing system needs working credentials before resuming."""
        return self.kind is StopKind.CREDENTIALS

    def cli_message(self) -> str:
        """The reason and the command that goes on (the message kept in the journal)."""
        return f"{self.why} {self.cli_next()}"

    def cli_next(self, run_id: str = "") -> str:
        """What to do next, as the command line does it: "'desktop-app resume run-1' continues it once
        the quota renews." (the newest unfinished run without ``run_id``)."""
        flag = " --retry-refused" if self.action is NextAction.RETRY_REFUSED else ""
        command = f"'desktop-app resume {run_id}{flag}'" if run_id else f"'desktop-app resume{flag}'"
        return f"{command} {CLI_ACTIONS[self.action]}{f' {self.when}' if self.when else ''}."

    def during_read_back(self, unsent: int = 0) -> StopReason:
        """The same stop met while reading back a run; ``unsent``: its writes that failed or were not sent
        (resume then retries them before reading back)."""
        return replace(self, why=f"{_sent(unsent)}, but the read-back could not finish. {self.why}",
                       action=NextAction.CONTINUE if unsent else NextAction.READ_BACK)

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form (the journal's run summary, ``--json``)."""
        return {"kind": self.kind.value, "why": self.why, "side": self.side, "system": self.system,
                "action": self.action.value, "when": self.when}

    @classmethod
    def from_dict(cls, data: object) -> StopReason | None:
        """The reason ``as_dict`` wrote (None for anything else, e.g. a journal of an older version)."""
        if not isinstance(data, Mapping):
            return None
        try:
            return cls(StopKind(data["kind"]), str(data["why"]), str(data.get("side", "")),
                       str(data.get("system", "")), NextAction(data.get("action", "continue")),
                       str(data.get("when", "")))
        except (KeyError, ValueError):
            return None


_PENDING = "The run stopped with the rest pending."


def stop_reason(label: str, error: BaseException, side: str = "") -> StopReason:
    """Why a run stopped on ``error`` from side ``side`` (named ``label``), and when to resume."""
    if isinstance(error, SessionExpired):
        return StopReason(StopKind.LOGIN_EXPIRED, "Salesforce no longer accepts this login and it could not be "
                          f"renewed. {_PENDING}", "account", "Salesforce", when="after you log in again")
    if isinstance(error, RequestLimitExceeded):
        return StopReason(StopKind.DAILY_LIMIT, f"The Salesforce org has used up its daily API requests. {_PENDING}",
                          "account", "Salesforce", when="once the 24-hour window frees requests")
    if isinstance(error, BillingQuotaExceeded):
        return StopReason(StopKind.QUOTA, f"{_said(f'{label} has used up its API quota or rate limit', error)} "
                          f"{_PENDING}", side or "customer", label, when="once the quota renews")
    if isinstance(error, BillingAuthError):
        return StopReason(StopKind.CREDENTIALS, f"{label} refused the credentials: {error} {_PENDING}",
                          side or "customer", label, when="with working credentials")
    return StopReason(StopKind.SILENT, f"{_said(f'{label} stopped answering', error)} {_PENDING}", side, label,
                      when="once it answers again")


def _said(what: str, error: BaseException) -> str:
    """``what`` with the error's own words: in brackets when short ("… (HTTP 429)."), after a colon
    when they are sentences of their own ("…: Sequence did not answer … then try again.")."""
    detail = str(error).strip()
    if not detail:
        return f"{what}."
    if detail.endswith((".", "!", "?")):
        return f"{what}: {detail}"
    return f"{what} ({detail})."


CANCELLED = StopReason(StopKind.CANCELLED, "Cancelled between batches.")
READ_BACK_CANCELLED = StopReason(StopKind.CANCELLED, "Cancelled during the read-back.", action=NextAction.READ_BACK)
FAILED_WRITES = StopReason(StopKind.FAILED_WRITES, "Some writes failed.", action=NextAction.RETRY)


def failed_writes(refused: Mapping[str, int], failed: int, held: int) -> StopReason:
    """A run that went to its end with writes that did not succeed: ``refused`` per system, those it
    refused as invalid (a plain resume leaves them alone until they are fixed), ``failed`` the others
    that failed, ``held`` the billing writes waiting on an Account write that failed."""
    refused = {name: n for name, n in sorted(refused.items()) if n}
    total = sum(refused.values()) + failed + held
    parts = [f"{n:,} refused as invalid by {name}" for name, n in refused.items()]
    if failed:
        parts.append(f"{failed:,} failed" + (" for other reasons" if refused else ""))
    if held:
        parts.append(f"{held:,} held until their Account is written")
    why = (f"{total:,} write{'' if total == 1 else 's'} did not succeed: {', '.join(parts)}. The results file "
           "gives each one's reason.")
    if not refused:
        return StopReason(StopKind.FAILED_WRITES, why, action=NextAction.RETRY)
    names = " and ".join(refused)
    which = "the refused ones are fixed" if failed or held else "fixed"
    return StopReason(StopKind.FAILED_WRITES, why, system=names, action=NextAction.RETRY_REFUSED,
                      when=f"once {which} in {names}")


CLOSED = StopReason(StopKind.CLOSED, "The run did not finish: Crosslink was closed or stopped while it ran.")


def read_back_failed(error: BaseException, unsent: int = 0) -> StopReason:
    """Reading a run's writes back failed on ``error``; ``unsent`` as in ``StopReason.during_read_back``."""
    return StopReason(StopKind.READ_BACK_FAILED, f"{_sent(unsent)}, but the read-back failed ({error}).",
                      action=NextAction.CONTINUE if unsent else NextAction.READ_BACK)


def _sent(unsent: int) -> str:
    if not unsent:
        return "Every write was sent"
    return (f"{counted(unsent, 'write')} failed or {'was' if unsent == 1 else 'were'} not sent (the results file "
            "says why), the others were sent")


def reason_of(info: RunInfo) -> StopReason | None:
    """Why the journaled run ``info`` stopped (None when it finished). A run without a kept reason
    (still ``running`` after its process ended, or written by an older version) gets one by its state."""
    if info.state == "done":
        return None
    kept = StopReason.from_dict(info.summary.get(STOP_KEY))
    if kept is not None:
        return kept
    if info.state == "cancelled":
        return CANCELLED
    if info.state == "done_with_failures":
        return FAILED_WRITES
    if info.state == "interrupted":
        return StopReason(StopKind.SILENT, "The run was interrupted.")
    return CLOSED
