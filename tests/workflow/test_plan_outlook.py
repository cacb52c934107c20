"""The plan says before the write which pairs cannot end linked on both sides, in the run's words:
under skip_linked a field holding another id is 'skipped' (the plan read '0 in conflict') and the
written pair then counts as conflict on the Done page."""

from __future__ import annotations

import pandas as pd

from desktop_app.core.ids import normalize_id
from desktop_app.core.plan import build_plan
from desktop_app.workflow.plan_outlook import outlook_line, pairs_left_pointing_elsewhere, summary_lines

A = [normalize_id(f"0015g0000{n:06d}") or "" for n in range(4)]
DECISIONS = pd.DataFrame({"account_id": A, "customer_id": ["cus_0", "cus_1", "cus_2", "cus_3"],
                          "status": ["matched"] * 4})
# cus_1's Account holds cus_9 already; cus_2 holds its Account's id in 15 characters (the same link);
# cus_3 names another Account.
ACCOUNTS = {A[0]: "", A[1]: "cus_9", A[2]: "", A[3]: ""}
CUSTOMERS = {"cus_0": "", "cus_1": "", "cus_2": A[2][:15], "cus_3": A[0]}


def test_skipped_fields_that_keep_another_id_are_counted_as_pairs_left_unlinked() -> None:
    plan = build_plan(DECISIONS, account_values=ACCOUNTS, customer_values=CUSTOMERS, policy="skip_linked")
    assert plan.counts()["account"]["conflict"] == plan.counts()["customer"]["conflict"] == 0
    assert pairs_left_pointing_elsewhere(plan) == 2  # cus_1 (Account keeps cus_9) and cus_3 (keeps A[0])
    line = outlook_line(plan)
    assert line is not None
    assert line.startswith("2 of the 4 pairs cannot end linked on both sides")
    assert summary_lines(plan, "Sequence") == [*plan.summary_lines("Sequence"), line]


def test_overwrite_leaves_no_pair_pointing_elsewhere() -> None:
    plan = build_plan(DECISIONS, account_values=ACCOUNTS, customer_values=CUSTOMERS, policy="overwrite")
    assert pairs_left_pointing_elsewhere(plan) == 0
    assert outlook_line(plan) is None
    assert summary_lines(plan, "Sequence") == plan.summary_lines("Sequence")
