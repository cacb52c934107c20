"""What each side will get, kept current while a person reviews, and big calls made off the UI thread.

The Match page shows per row what the plan would write on the Salesforce side and on the billing
side (``account_write``, ``customer_write``). A review call changes that for the rows it touched, so
``refresh_preview`` says it again for those rows only; a new plan policy says it again for all rows
(``full_preview``, on a worker). A call that may touch thousands of rows of a million-row review
(accept above a score, and undoing or redoing it) is made by ``call_on_twin`` on a fork of the
session, on a worker, with its preview; the page then takes the twin over in one step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from desktop_app.core.plan import Policy
from desktop_app.workflow.match import MatchRun, with_write_preview
from desktop_app.workflow.review import write_rows
from desktop_app.workflow.review_prepare import LinkValues
from desktop_app.workflow.review_session import ReviewSession, Step

PREVIEW_COLUMNS = ("account_write", "customer_write")


@dataclass(frozen=True)
class PreviewRule:
    """What the preview is worked out from: the match run, the plan's policy, the files' link values."""

    run: MatchRun
    policy: Policy
    values: LinkValues


def refresh_preview(frame: pd.DataFrame, positions: npt.NDArray[np.intp], rule: PreviewRule) -> None:
    """Say again, in ``frame``, what rows ``positions`` will write on each side."""
    if positions.size == 0 or PREVIEW_COLUMNS[0] not in frame.columns:
        return
    preview = with_write_preview(rule.run, frame.iloc[positions], policy=rule.policy, values=rule.values)
    for column in PREVIEW_COLUMNS:
        write_rows(frame, column, positions, preview[column].to_numpy(dtype=object))


def full_preview(decisions: pd.DataFrame, rule: PreviewRule) -> dict[str, pd.Series]:
    """The preview columns for every row of ``decisions`` (slow on a million rows: a worker's job)."""
    preview = with_write_preview(rule.run, decisions[["account_id", "customer_id", "status"]], policy=rule.policy,
                                 values=rule.values)
    return {column: pd.Series(preview[column].to_numpy(dtype=object), index=decisions.index, dtype=object)
            for column in PREVIEW_COLUMNS}


def call_on_twin(twin: ReviewSession, call: Callable[[ReviewSession], Step | None],
                 rule: PreviewRule | None) -> Step | None:
    """Make ``call`` on ``twin`` (a ``ReviewSession.fork``) and say again what its rows will write;
    the step made (None: the call changed nothing). The caller adopts the twin's ``adopt_columns``."""
    step = call(twin)
    if step is not None and rule is not None:
        refresh_preview(twin.frame, step.touched(), rule)
    return step


def adopt_columns(step: Step, frame: pd.DataFrame) -> list[str]:
    """The columns a step made on a twin changed in its frame (its own, and the preview's)."""
    return sorted(step.columns() | {c for c in PREVIEW_COLUMNS if c in frame.columns})
