"""The Plan page's check of the billing system's own rules on the customers to be linked (issue 14)."""

from __future__ import annotations

import pandas as pd

from desktop_app.billing.requirements import customer_requirements
from desktop_app.core.plan import Plan, PlanLink, PlanSource, SidePlan
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW
from desktop_app.workflow.billing_check import requirements_check


def _customers(*rows: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame([{role: row.get(role, "") for role in CUSTOMER_ROLES} for row in rows], dtype=object)
    frame[SOURCE_ROW] = range(2, len(frame) + 2)
    return frame


def _plan(*links: tuple[str, str, str]) -> Plan:
    """(customer id, customer action, link value written)."""
    return Plan(tuple(PlanLink(n, f"001000000000{n:03d}AAA", customer, SidePlan("set", "", "x"),
                               SidePlan(action, "", value))  # type: ignore[arg-type]
                      for n, (customer, action, value) in enumerate(links, start=1)),
                "fill_empty", PlanSource(), "2026-01-01T00:00:00Z")  # type: ignore[arg-type]


def test_a_quickbooks_name_held_by_another_customer_blocks_the_write_of_the_planned_one() -> None:
    customers = _customers({"customer_id": "1", "name": "Acme Ltd"}, {"customer_id": "2", "name": "acme ltd"},
                           {"customer_id": "3", "name": "Bolt GmbH"})
    rules = customer_requirements("quickbooks")
    check = requirements_check(_plan(("1", "set", "001000000000001AAA"), ("3", "set", "001000000000003AAA")),
                               customers, rules, "QuickBooks Online")
    assert check is not None
    assert check.status == "fail"
    assert check.details["customers"] == ["1"]  # customer 2 is not written: only its name counts
    assert check.explanation == ("1 of the 2 customers to be linked breaks a rule of QuickBooks Online's, which "
                                 "would refuse its link: 1 shares a display name with another (first: row 2 "
                                 "(name)).")
    assert "leave them out on the Review page" in check.remedy
    skipped = requirements_check(_plan(("1", "skip", ""), ("3", "set", "001000000000003AAA")), customers, rules,
                                 "QuickBooks Online")
    assert skipped is not None
    assert skipped.status == "pass"


def test_the_link_value_judged_is_the_one_the_plan_writes() -> None:
    customers = _customers({"customer_id": "c1", "sf_account_id": "x" * 60}, {"customer_id": "c2"})
    rules = customer_requirements("xero")
    fine = requirements_check(_plan(("c1", "set", "001000000000001AAA")), customers, rules, "Xero")
    assert fine is not None
    assert fine.status == "pass"
    long = requirements_check(_plan(("c2", "set", "y" * 51)), customers, rules, "Xero")
    assert long is not None
    assert long.status == "fail"
    assert "1 has a Salesforce Account id (the link) that is too long (first: row 3 (sf_account_id))" \
        in long.explanation


def test_accepted_fixes_count_and_warnings_do_not_block() -> None:
    customers = _customers({"customer_id": "z1", "country": "United States", "state": ""})
    rules = customer_requirements("zuora")
    plan = _plan(("z1", "set", "001000000000001AAA"))
    failed = requirements_check(plan, customers, rules, "Zuora")
    assert failed is not None
    assert failed.status == "fail"
    assert "1 lacks a bill-to state or province" in failed.explanation
    fix = pd.DataFrame([{"row": 2, "record_id": "z1", "field": "state", "problem": "", "value": "",
                         "suggestion": "NY", "confidence": 1.0, "severity": "error", "code": "missing_state",
                         "side": "customer"}])
    fixed = requirements_check(plan, customers, rules, "Zuora", fix)
    assert fixed is not None
    assert fixed.status == "pass"
    assert fixed.explanation == "The customer to be linked meets Zuora's rules."  # not "All 1 customers … meet"
    upflow = requirements_check(_plan(("z1", "set", "")), customers, customer_requirements("upflow"), "Upflow")
    assert upflow is not None
    assert upflow.status == "warn"
    assert requirements_check(plan, customers, (), "Stripe") is None


def test_the_data_quality_line_says_each_count_with_its_verb() -> None:
    from desktop_app.workflow.billing_check import breaks_line

    rules = customer_requirements("sequence")
    line = breaks_line({"required_email": 1, "required_city": 2}, rules, "Sequence", 1)
    assert line == ("Of the 1 customer loaded, Sequence will refuse the link of those that break what it requires: "
                    "1 lacks an e-mail address, 2 lack a town. ")
    assert breaks_line({}, rules, "Sequence", 3) == ""
