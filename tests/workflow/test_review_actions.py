"""The reviewer's edits: accept, reject, accept above a score, choose or type a customer id."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.workflow.review import (
    REVIEW_COLUMN,
    ReviewError,
    accept,
    accept_above,
    candidates_of,
    choose_customer,
    reject,
    status_counts,
    with_review_column,
)

DECISIONS = with_review_column(pd.DataFrame({
    "account_id": ["001A", "001B", "001C", "001D", "001E", ""],
    "customer_id": ["cus_1", "cus_2", "", "cus_4", "", "cus_7"],
    "customer_name": ["One", "Two", "", "Four", "", "Seven"],
    "status": ["matched", "suggested", "unmatched", "suggested", "ambiguous", "suggested"],
    "score": [100.0, 93.0, 0.0, 71.5, 0.0, 95.0],
    "reason": ["same id", "similar name", "", "similar name", "two customers share the name", "no account"],
    "candidates": ["", "", "", "", "cus_5 Five Ltd (92); cus_6 Five Limited (92)", ""],
}))
CUSTOMERS = pd.DataFrame({"customer_id": ["cus_1", "cus_2", "cus_4", "cus_5", "cus_6", "cus_Free"],
                          "name": ["One", "Two", "Four", "Five Ltd", "Five Limited", "Free"]})


def _applied(frame: pd.DataFrame, edit) -> pd.DataFrame:
    result = frame.copy()
    for column, value in edit.values.items():
        result.loc[edit.positions, column] = value
    return result


def test_accept_takes_only_rows_with_an_open_proposal() -> None:
    edit = accept(DECISIONS, [0, 1, 2, 5])
    assert edit.positions.tolist() == [1]  # 0 is matched already, 2 has no customer, 5 no account
    after = _applied(DECISIONS, edit)
    assert after.loc[1, "status"] == "matched"
    assert after.loc[1, REVIEW_COLUMN] == "accepted"


def test_reject_clears_the_customer() -> None:
    after = _applied(DECISIONS, reject(DECISIONS, np.array([3])))
    assert after.loc[3, ["status", "customer_id", REVIEW_COLUMN]].tolist() == ["unmatched", "", "rejected"]


def test_accept_above_a_score_is_vectorised_over_suggestions() -> None:
    assert accept_above(DECISIONS, 90).positions.tolist() == [1]
    assert accept_above(DECISIONS, 70).positions.tolist() == [1, 3]
    assert accept_above(DECISIONS, 101).positions.tolist() == []


def test_candidates_and_choosing_one() -> None:
    assert candidates_of(DECISIONS, 4) == [("cus_5", "cus_5 Five Ltd (92)"), ("cus_6", "cus_6 Five Limited (92)")]
    assert candidates_of(DECISIONS, 1) == [("cus_2", "cus_2 Two")]
    assert candidates_of(DECISIONS, 2) == []
    after = _applied(DECISIONS, choose_customer(DECISIONS, CUSTOMERS, 4, " cus_6 "))
    assert after.loc[4, ["customer_id", "customer_name", "status", REVIEW_COLUMN]].tolist() == [
        "cus_6", "Five Limited", "matched", "entered"]


def test_typed_ids_are_checked() -> None:
    with pytest.raises(ReviewError, match="No loaded customer has the id cus_9"):
        choose_customer(DECISIONS, CUSTOMERS, 2, "cus_9")
    with pytest.raises(ReviewError, match="Did you mean cus_Free"):
        choose_customer(DECISIONS, CUSTOMERS, 2, "cus_free")
    with pytest.raises(ReviewError, match="already linked to account 001A"):
        choose_customer(DECISIONS, CUSTOMERS, 2, "cus_1")
    with pytest.raises(ReviewError, match="customer no account took"):
        choose_customer(DECISIONS, CUSTOMERS, 5, "cus_Free")
    with pytest.raises(ReviewError, match="Type or paste"):
        choose_customer(DECISIONS, CUSTOMERS, 2, "  ")


def test_status_counts_keep_the_order_and_add_unknown_statuses() -> None:
    counts = status_counts(DECISIONS, ("matched", "suggested", "conflict"))
    assert list(counts.items()) == [("matched", 1), ("suggested", 3), ("conflict", 0), ("unmatched", 1),
                                    ("ambiguous", 1)]
