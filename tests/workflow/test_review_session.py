"""Every review call can be undone and redone; candidates survive a reject; customer rows follow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.matching import match
from desktop_app.core.report_counts import DecisionCounts
from desktop_app.sandbox.demo_data import DemoData, generate
from desktop_app.workflow.review import (
    REVIEW_COLUMN,
    TAKEN,
    ReviewError,
    apply_review_calls,
    candidates_of,
    review_calls,
    with_review_column,
    write_rows,
)
from desktop_app.workflow.review_session import ReviewSession

COLUMNS = ["customer_id", "customer_name", "status", "candidates", REVIEW_COLUMN]


@pytest.fixture(scope="module")
def demo() -> tuple[DemoData, pd.DataFrame]:
    data = generate(2_000)
    return data, with_review_column(match(data.accounts, data.customers).decisions)


@pytest.fixture
def session(demo: tuple[DemoData, pd.DataFrame]) -> ReviewSession:
    data, decisions = demo
    return ReviewSession(decisions.copy(), data.customers)


def _status_counts(frame: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame["status"].value_counts().items()}


def _undo_redo_round_trip(session: ReviewSession, before: pd.DataFrame) -> None:
    after = session.frame.copy()
    assert session.undo() is not None
    pd.testing.assert_frame_equal(session.frame, before)
    assert session.counts == _status_counts(before)
    assert session.side_counts == DecisionCounts.of(before)
    assert session.redo() is not None
    pd.testing.assert_frame_equal(session.frame, after)
    assert session.counts == _status_counts(after)
    assert session.side_counts == DecisionCounts.of(after)


def test_accept_and_reject_undo_and_redo(session: ReviewSession) -> None:
    frame = session.frame
    suggested = frame.index[frame["status"] == "suggested"].tolist()
    before = frame.copy()
    session.accept([suggested[0]])
    assert frame.loc[suggested[0], ["status", REVIEW_COLUMN]].tolist() == ["matched", "accepted"]
    _undo_redo_round_trip(session, before)
    before = frame.copy()
    session.reject([suggested[0]])
    assert frame.loc[suggested[0], "status"] == "unmatched"
    _undo_redo_round_trip(session, before)
    assert session.history == ["Accept 1 row", "Reject 1 row"]


def test_a_rejected_suggestion_keeps_its_customer_for_accept_and_choose(session: ReviewSession) -> None:
    frame = session.frame
    position = int(frame.index[frame["status"] == "suggested"][0])
    proposed = str(frame.loc[position, "customer_id"])
    session.reject([position])
    assert frame.loc[position, "customer_id"] == ""
    assert [c for c, _ in candidates_of(frame, position)] == [proposed]
    session.accept([position])
    assert frame.loc[position, ["customer_id", "status"]].tolist() == [proposed, "matched"]


def test_accept_above_undo_and_redo(session: ReviewSession) -> None:
    frame = session.frame
    before = frame.copy()
    step = session.accept_above(0)
    assert step is not None
    assert step.rows == int(((before["status"] == "suggested") & (before["account_id"] != "")
                                                  & (before["customer_id"] != "")).sum()) > 0
    _undo_redo_round_trip(session, before)


def test_choose_and_enter_undo_and_redo_and_the_customer_row_follows(session: ReviewSession) -> None:
    frame = session.frame
    customer_rows = frame[(frame["account_id"] == "") & (frame["status"] == "ambiguous")]
    customer_position = int(customer_rows.index[0])
    customer = str(frame.loc[customer_position, "customer_id"])
    account_position = int(frame.index[(frame["account_id"] != "") & (frame["status"] == "ambiguous")
                                       & frame["candidates"].str.contains(customer, regex=False)][0])
    before = frame.copy()
    session.choose(account_position, customer)
    assert frame.loc[account_position, ["customer_id", "status"]].tolist() == [customer, "matched"]
    assert frame.loc[customer_position, "status"] == TAKEN
    _undo_redo_round_trip(session, before)
    session.reject([account_position])
    assert frame.loc[customer_position, "status"] == "ambiguous"  # no account holds it any more

    unmatched = int(frame.index[(frame["account_id"] != "") & (frame["status"] == "unmatched")][0])
    free = str(frame.loc[(frame["account_id"] == "") & (frame["status"] == "unmatched"), "customer_id"].iloc[0])
    before = frame.copy()
    session.choose(unmatched, free, typed=True)
    assert session.history[-1].startswith(f"Enter {free}")
    _undo_redo_round_trip(session, before)
    with pytest.raises(ReviewError, match="No loaded customer"):
        session.choose(unmatched, "cus_doesNotExist")


def test_counts_per_side_add_up_after_every_call(session: ReviewSession) -> None:
    """Accounts per status always add up to the accounts; a customer a call gives to an account
    leaves the customers that went to no account (its own row reads taken)."""
    frame = session.frame
    accounts = int((frame["account_id"] != "").sum())
    first = session.side_counts
    assert first.account_total == accounts
    unmatched = int(frame.index[(frame["account_id"] != "") & (frame["status"] == "unmatched")][0])
    free = str(frame.loc[(frame["account_id"] == "") & (frame["status"] == "unmatched"), "customer_id"].iloc[0])
    session.choose(unmatched, free)
    after = session.side_counts
    assert after.account_total == accounts
    assert after.accounts["matched"] == first.accounts["matched"] + 1
    assert after.accounts["unmatched"] == first.accounts["unmatched"] - 1
    assert after.left_over["unmatched"] == first.left_over["unmatched"] - 1
    assert after.customers[TAKEN] == 1
    assert TAKEN not in after.left_over
    session.undo()
    assert session.side_counts == first


def test_a_new_call_after_undo_drops_the_redo(session: ReviewSession) -> None:
    frame = session.frame
    suggested = frame.index[frame["status"] == "suggested"].tolist()
    session.accept([suggested[0]])
    session.undo()
    assert session.can_redo()
    session.accept([suggested[1]])
    assert not session.can_redo()
    assert session.redo() is None
    session.undo()
    assert session.undo() is None
    assert not session.can_undo()


def test_conflicts_offer_the_customer_named_in_the_link_field(demo: tuple[DemoData, pd.DataFrame]) -> None:
    data, frame = demo
    accounts = data.accounts
    held = accounts.set_index("account_id")["link_customer_id"]
    conflicts = frame[(frame["status"] == "conflict") & frame["account_id"].map(held).fillna("").ne("")]
    position = int(conflicts.index[0])
    named = str(held[frame.loc[position, "account_id"]])
    assert named in [c for c, _ in candidates_of(frame, position, accounts)]


def test_a_customer_row_restored_as_taken_is_freed_by_a_reject(session: ReviewSession) -> None:
    frame = session.frame
    account = int(frame.index[(frame["account_id"] != "") & (frame["status"] == "unmatched")][0])
    customer_row = int(frame.index[(frame["account_id"] == "") & (frame["status"] == "unmatched")][0])
    session.choose(account, str(frame.loc[customer_row, "customer_id"]))
    reopened = ReviewSession(frame.copy(), session._customers)  # as a reopened project lays the calls over
    assert reopened.frame.loc[customer_row, "status"] == TAKEN
    reopened.reject([account])
    assert reopened.frame.loc[customer_row, "status"] == "unmatched"


def test_a_rejected_suggestion_keeps_its_customer_in_the_saved_calls(session: ReviewSession,
                                                                      demo: tuple[DemoData, pd.DataFrame]) -> None:
    frame = session.frame
    position = int(frame.index[frame["status"] == "suggested"][0])
    proposed = str(frame.loc[position, "customer_id"])
    session.reject([position])
    fresh, restored = apply_review_calls(demo[1].copy(), review_calls(frame))
    assert restored == 1
    reopened = ReviewSession(fresh, demo[0].customers)
    reopened.accept([position])
    assert reopened.frame.loc[position, ["customer_id", "status"]].tolist() == [proposed, "matched"]


def test_a_call_made_on_a_fork_leaves_the_session_alone_until_adopted(session: ReviewSession) -> None:
    frame = session.frame
    before = frame.copy()
    session.accept([int(frame.index[frame["status"] == "suggested"][0])])
    after_one = frame.copy()
    twin = session.fork()
    step = twin.accept_above(0)
    assert step is not None
    assert step.rows > 1
    pd.testing.assert_frame_equal(session.frame, after_one)  # the twin's writes never reach the session
    assert session.history == ["Accept 1 row"]
    assert session.counts == _status_counts(after_one)
    made = twin.frame.copy()
    session.adopt(twin, step.columns())
    assert session.frame is frame  # the same frame object, its columns taken over
    pd.testing.assert_frame_equal(frame, made)
    assert twin.frame.empty  # spent: it shares no column with the session any longer
    assert session.history == twin.history
    assert session.counts == _status_counts(frame)
    assert session.next_undo() is step
    session.undo()
    pd.testing.assert_frame_equal(frame, after_one)
    assert session.next_redo() is step
    session.undo()
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("count", [1, 3, 200])  # cell by cell, and through ``iloc`` past a few rows
def test_write_rows_writes_one_value_or_one_per_row(session: ReviewSession, count: int) -> None:
    frame = session.frame
    expected = frame.copy()
    rows = np.arange(0, count * 3, 3, dtype=np.intp)
    write_rows(frame, "status", rows, "matched")
    expected.iloc[rows, expected.columns.get_loc("status")] = "matched"
    per_row = np.array([f"cus_{n}" for n in range(count)], dtype=object)
    write_rows(frame, "customer_id", rows, per_row)
    expected.iloc[rows, expected.columns.get_loc("customer_id")] = per_row
    pd.testing.assert_frame_equal(frame, expected)
