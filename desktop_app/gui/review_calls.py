"""The Match page's review calls made on its session, with the write preview kept current.

A call that changes a few rows is made in place and its rows' preview said again at once. One that
may change thousands of rows of a big review (accept above a score, and undoing or redoing it) is
made on a fork of the session on a worker, with its preview, and taken over in one step, so the
table never waits for it; no other call is taken meanwhile. A new plan policy says the preview
again for every row on a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pandas as pd

from desktop_app.core.plan import Policy
from desktop_app.gui.frame_model import BACKGROUND_ROWS
from desktop_app.gui.pages.base import BasePage
from desktop_app.workflow.match import MatchRun
from desktop_app.workflow.review_prepare import LinkValues
from desktop_app.workflow.review_preview import (
    PREVIEW_COLUMNS,
    PreviewRule,
    adopt_columns,
    call_on_twin,
    full_preview,
    refresh_preview,
)
from desktop_app.workflow.review_session import ReviewSession, Step

# A call that may change this many rows of a review of ``BACKGROUND_ROWS`` or more is made on a worker.
BIG_CALL_ROWS = 1_000
Call = Callable[[ReviewSession], Step | None]


class ReviewCalls:
    """Makes calls on ``session`` for ``page`` and hands each result to ``landed(step, nothing)``
    (``step`` None: the call changed nothing, and ``nothing`` says why)."""

    def __init__(self, page: BasePage, landed: Callable[[Step | None, str], None]) -> None:
        self.page = page
        self.landed = landed
        self.session: ReviewSession | None = None
        self.run: MatchRun | None = None
        self.values: LinkValues | None = None  # what the files' link fields hold, for the preview
        self.policy = ""  # the plan policy the preview says
        self._twin: ReviewSession | None = None  # a fork a worker is making a big call on

    def start(self, session: ReviewSession | None, run: MatchRun | None = None, values: LinkValues | None = None,
              policy: str = "") -> None:
        """Make the calls on ``session`` from now on (None: there is no review)."""
        self.session, self.run, self.values, self.policy = session, run, values, policy
        self._twin = None

    def make(self, call: Call, nothing: str, *, what: str = "", rows: int = 0) -> None:
        """Make ``call``; ``what`` (for the progress panel) and ``rows`` (how many it may change) let a
        big one go to a worker. A call that cannot be made raises (``ReviewError``) before changing anything."""
        session = self.session
        if session is None:
            return
        if self._twin is not None:
            self.page.show_error("One moment: the last call is still being applied.")
            return
        rule = self.rule()
        if not what or rows < BIG_CALL_ROWS or len(session.frame) < BACKGROUND_ROWS:
            step = call(session)
            if step is not None and rule is not None:
                refresh_preview(session.frame, step.touched(), rule)
            self.landed(step, nothing)
            return
        twin = self._twin = session.fork()

        def made(step: Step | None) -> None:
            self._twin = None
            if step is not None and self.session is session:
                session.adopt(twin, adopt_columns(step, twin.frame))
            self.landed(step, nothing)

        task = self.page.run(lambda p, c: call_on_twin(twin, call, rule), what, made)
        task.finished.connect(self._ended)

    def _ended(self) -> None:
        self._twin = None  # also when the worker failed or was stopped: the session was not touched

    def rule(self, policy: str | None = None) -> PreviewRule | None:
        """How the write preview is worked out (None: no review to say it for)."""
        session, run, values = self.session, self.run, self.values
        if session is None or run is None or values is None or PREVIEW_COLUMNS[0] not in session.frame.columns:
            return None
        return PreviewRule(run, cast(Policy, self.policy if policy is None else policy), values)

    def refresh_all(self, policy: str, shown: Callable[[], None]) -> None:
        """Say the preview again for every row under ``policy`` (on a worker); ``shown`` repaints."""
        rule, session = self.rule(policy), self.session
        if rule is None or session is None:
            return
        self.policy = policy
        snapshot = session.frame[["account_id", "customer_id", "status"]].copy()

        def done(columns: dict[str, pd.Series]) -> None:
            frame = session.frame
            for name, column in columns.items():
                frame.isetitem(frame.columns.get_loc(name), column)  # type: ignore[arg-type]
            shown()

        self.page.run(lambda p, c: full_preview(snapshot, rule), "saying what each side will get", done)
