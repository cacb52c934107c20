"""Plan building: per-side actions under each policy, 1:1 repeats, the file format and its errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from desktop_app.core.plan import Plan, PlanError, PlanSource, build_plan, values_from_decisions
from desktop_app.core.plan_file import dumps, loads, plan_id, read_plan, write_plan

A1, A2, A3, A4 = "001A0000006Vm9rIAC", "0015g00000ABCdeAAH", "0015g00000ABCdfAAH", "0015g00000ABCdgAAH"


def decisions(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"account_id": a, "customer_id": c, "status": s, "score": "97"} for a, c, s in rows], dtype=object
    )


MATCHES = decisions(
    (A1, "cus_1", "matched"), (A2, "cus_2", "matched"), (A3, "cus_3", "matched"), (A4, "cus_4", "suggested")
)
# A1 empty both sides; A2 account holds another customer; A3 customer holds this account already.
ACCOUNTS = {A2: "cus_old"}
CUSTOMERS = {"cus_3": A3}


def actions(plan: Plan, row: int) -> tuple[str, str]:
    link = plan.links[row - 1]
    return link.account.action, link.customer.action


def test_skip_linked_keeps_another_id_and_still_writes_the_empty_side() -> None:
    plan = build_plan(MATCHES, account_values=ACCOUNTS, customer_values=CUSTOMERS)
    assert len(plan.links) == 3  # suggested rows are not in by default
    assert actions(plan, 1) == ("set", "set")
    assert actions(plan, 2) == ("skip", "set")  # the empty customer side is written whatever the policy
    assert plan.links[1].account.after == "cus_old"  # kept as it is
    assert "kept (policy skip_linked)" in plan.links[1].note
    assert actions(plan, 3) == ("set", "skip")
    assert plan.counts()["account"] == {
        "set": 2, "skip": 1, "conflict": 0, "replace": 0, "rewrite": 0, "placeholder": 0, "keep": 1
    }
    assert "1 of the skipped keeps another id" in " ".join(plan.summary_lines())
    assert plan.summary_lines()[2].startswith("Billing customers: ")  # its own sentence, capitalised


def test_fill_empty_fills_the_empty_side_and_overwrite_counts_replacements() -> None:
    fill = build_plan(MATCHES, account_values=ACCOUNTS, customer_values=CUSTOMERS, policy="fill_empty")
    assert actions(fill, 2) == ("conflict", "set")
    over = build_plan(MATCHES, account_values=ACCOUNTS, customer_values=CUSTOMERS, policy="overwrite")
    assert actions(over, 2) == ("set", "set")
    assert over.links[1].account.before == "cus_old"
    assert over.counts()["account"]["replace"] == 1
    assert "1 of the values set replaces another id" in " ".join(over.summary_lines())


def test_repeated_account_or_customer_is_a_conflict() -> None:
    plan = build_plan(
        decisions((A1, "cus_1", "matched"), (A2, "cus_1", "matched")), account_values={}, customer_values={}
    )
    assert actions(plan, 1) == ("set", "set")
    assert actions(plan, 2) == ("conflict", "conflict")
    assert "plan row 1" in plan.links[1].note


def test_statuses_option_and_15_char_ids_are_normalised() -> None:
    plan = build_plan(
        decisions((A1[:15], "cus_1", "suggested")), account_values={}, customer_values={}, statuses=("suggested",)
    )
    assert plan.links[0].account_id == A1


def test_bad_account_id_names_the_row() -> None:
    with pytest.raises(PlanError, match=r"row 3.*account_id"):
        build_plan(
            decisions((A1, "cus_1", "matched"), ("not-an-id", "cus_2", "matched")),
            account_values={},
            customer_values={},
        )


def test_file_round_trip_is_stable_and_one_link_per_line(tmp_path: Path) -> None:
    source = PlanSource(matches_file="m.csv", billing_system="sequence", values_from="live systems")
    plan = build_plan(
        MATCHES,
        account_values=ACCOUNTS,
        customer_values=CUSTOMERS,
        source=source,
        created_at="2026-01-01T00:00:00+00:00",
    )
    path = write_plan(plan, tmp_path / "plan.json")
    text = path.read_text(encoding="utf-8")
    assert sum(1 for line in text.splitlines() if '"account_id"' in line) == 3
    again = read_plan(path)
    assert again.links == plan.links
    assert plan_id(again) == plan_id(plan)
    assert dumps(again) == text


def test_damaged_plan_is_a_clear_error() -> None:
    with pytest.raises(PlanError, match="not valid JSON"):
        loads("{", "p.json")
    with pytest.raises(PlanError, match=r"link 1 \(account\): expected"):
        loads(
            '{"format": "crosslink-plan", "policy": "fill_empty", "links": '
            '[{"account_id": "x", "customer_id": "y", "account": {"action": "delete"}}]}',
            "p.json",
        )


def test_offline_values_from_already_linked_rows() -> None:
    accounts, customers = values_from_decisions(decisions((A1, "cus_1", "already_linked"), (A2, "cus_2", "matched")))
    assert accounts == {A1: "cus_1"}
    assert customers == {"cus_1": A1}


def test_the_summary_says_the_policy_in_words_beside_its_name() -> None:
    said = {policy: build_plan(MATCHES, account_values=ACCOUNTS, customer_values=CUSTOMERS,
                               policy=policy).summary_lines()[0]  # type: ignore[arg-type]
            for policy in ("skip_linked", "fill_empty", "overwrite")}
    assert said["skip_linked"] == ("3 links; a field holding another id keeps it, only empty sides are written "
                                   "(policy skip_linked).")
    assert said["fill_empty"] == ("3 links; a field holding another id is left alone and reported as a conflict "
                                  "(policy fill_empty).")
    assert said["overwrite"] == "3 links; a field holding another id is overwritten (policy overwrite)."
