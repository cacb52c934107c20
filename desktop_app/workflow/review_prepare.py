"""A review made ready off the UI thread: the session over the decisions with what each side will
get, the record lookups of the evidence pane, and what the files' link fields hold (the slow parts
on a million rows, done once on a worker before the Match page shows them)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from desktop_app.core.plan import Policy
from desktop_app.workflow.match import MatchRun, file_link_values, with_write_preview
from desktop_app.workflow.review_evidence import Lookup
from desktop_app.workflow.review_session import ReviewSession

LinkValues = tuple[dict[str, str], dict[str, str]]


@dataclass(frozen=True)
class Prepared:
    """The session over the decisions (with the write preview), the id lookups, the link values."""

    session: ReviewSession
    lookups: tuple[Lookup, Lookup]
    values: LinkValues


def prepare_review(run: MatchRun, frame: pd.DataFrame, policy: Policy = "skip_linked") -> Prepared:
    """The session, record lookups and per-side write preview for ``frame``."""
    values = file_link_values(run)
    frame = with_write_preview(run, frame, policy=policy, values=values)
    return Prepared(ReviewSession(frame, run.customers.frame),
                    (Lookup(run.accounts.frame, "account_id").prepare(),
                     Lookup(run.customers.frame, "customer_id").prepare()), values)
