"""What a user sees from the preflight checks for each sandbox scenario."""

from __future__ import annotations

from typing import Any

import pytest
from sf_support import admin_client

from desktop_app.salesforce.preflight import DATA_CHECKS, CheckResult, run_preflight

LINK = "Billing_Customer_ID__c"


def checks_for(start_sandbox: Any, scenario: str, **kwargs: Any) -> dict[str, CheckResult]:
    sandbox = start_sandbox(scenario=scenario, accounts=50)
    kwargs.setdefault("link_field", LINK)
    results = run_preflight(admin_client(sandbox), **kwargs)
    return {r.key: r for r in results}


def test_healthy_org_passes_everything_that_matters(start_sandbox: Any) -> None:
    found = checks_for(
        start_sandbox,
        "healthy",
        billing_currencies=["EUR", "USD"],
        longest_billing_id=18,
        planned_writes=2000,
    )
    assert len(found) == 11
    failing = {k: r.explanation for k, r in found.items() if r.status == "fail"}
    assert failing == {}
    assert found["api_access"].details["edition"] == "Enterprise Edition"
    assert found["currencies"].status == "pass"
    assert found["link_field_unique"].status == "warn"  # external id but not unique in the default scenario


def test_no_api_access_fails_first_and_alone(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "no-api")
    assert list(found) == ["api_access"]
    assert found["api_access"].status == "fail"
    assert "API Enabled" in found["api_access"].remedy
    assert found["api_access"].setup_url
    assert found["api_access"].setup_url.startswith("/lightning/setup/")


def test_number_link_field_is_refused(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "number-link-field")
    assert found["link_field_type"].status == "fail"
    assert "Upflow and Sequence cannot use a number field" in found["link_field_type"].explanation


def test_read_only_link_field_is_refused(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "readonly-link-field")
    assert found["link_field_editable"].status == "fail"
    assert "Field-Level Security" in found["link_field_editable"].remedy


def test_missing_link_field(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "healthy", link_field="Stripe_Id__c")
    for key in ("link_field_exists", "link_field_type", "link_field_editable"):
        assert found[key].status == "fail"
        assert "Stripe_Id__c" in found[key].explanation


def test_short_link_field(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "healthy", longest_billing_id=400)
    assert found["link_field_length"].status == "fail"
    assert "400" in found["link_field_length"].remedy


def test_single_currency_org_warns_about_other_billing_currencies(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "single-currency", billing_currencies=["EUR", "USD"])
    assert found["currencies"].status == "warn"
    assert found["currencies"].details["multi_currency"] is False
    assert "Activate Multiple Currencies" in found["currencies"].remedy


def test_inactive_billing_currency(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "healthy", billing_currencies=["EUR", "JPY", "CHF"])
    assert found["currencies"].status == "warn"
    assert found["currencies"].details["missing"] == ["CHF", "JPY"]


@pytest.mark.parametrize("scenario", ["healthy", "single-currency"])
def test_customers_without_a_currency_leave_the_currency_check_not_checked(start_sandbox: Any, scenario: str) -> None:
    found = checks_for(start_sandbox, scenario, billing_currencies=[])  # said "matching the billing system"
    assert found["currencies"].status == "not_checked"
    assert "carry no currency" in found["currencies"].explanation


def test_validation_rule_is_named(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "validation-rule")
    assert found["validation_rules"].status == "warn"
    rules = found["validation_rules"].details["rules"]
    assert rules
    assert all(r["message"] for r in rules)
    assert rules[0]["name"] in found["validation_rules"].explanation


def test_required_field_is_named(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "required-field")
    assert found["required_fields"].status == "warn"
    assert found["required_fields"].details["fields"] == ["Account_Tier__c"]


@pytest.mark.parametrize(("planned", "status"), [(0, "fail"), (1_000, "fail")])
def test_api_limits_low(start_sandbox: Any, planned: int, status: str) -> None:
    found = checks_for(start_sandbox, "api-limits-low", planned_writes=planned)
    assert found["api_limits"].status == status
    assert found["api_limits"].details["requests_remaining"] < found["api_limits"].details["requests_needed"]


def test_expected_package_missing_and_present(start_sandbox: Any) -> None:
    missing = checks_for(start_sandbox, "healthy", expected_package_namespace="nosuchpkg")
    assert missing["managed_package"].status == "fail"
    assert missing["managed_package"].details["installed"] == ["sf_com_apps"]
    present = checks_for(start_sandbox, "healthy", expected_package_namespace="sf_com_apps")
    assert present["managed_package"].status == "pass"


def test_checks_without_their_input_are_not_checked_yet_never_passed(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "healthy")  # nothing known of the data yet, as on the wizard's Preflight
    for key in DATA_CHECKS:
        assert found[key].status == "not_checked", (key, found[key].explanation)
        assert found[key].explanation.startswith("Not checked yet:")
        assert "Plan page" in found[key].explanation  # says when it will run
    assert found["api_limits"].details["requests_remaining"] > 0  # what could be read is still shown
    known = checks_for(start_sandbox, "healthy", billing_currencies=["EUR"], longest_billing_id=18,
                       planned_writes=10, billing_system="Sequence")
    assert {known[key].status for key in DATA_CHECKS} == {"pass"}
    assert "No Sequence package is needed" in known["managed_package"].explanation


def test_too_few_api_requests_fail_even_before_the_job_is_known(start_sandbox: Any) -> None:
    found = checks_for(start_sandbox, "api-limits-low")
    assert found["api_limits"].status == "fail"


def test_data_checks_run_on_the_plan_and_the_loaded_customers(start_sandbox: Any) -> None:
    import pandas as pd

    from desktop_app.core.plan import build_plan
    from desktop_app.salesforce.preflight_data import data_inputs, run_data_checks

    long_id = "cus_" + "x" * 296  # 300 characters: more than the link field holds
    decisions = pd.DataFrame({"account_id": ["0015g000000l7dUAAQ", "0015g000000l7dVAAQ"],
                              "customer_id": [long_id, "cus_short"], "status": "matched"}, dtype=object)
    plan = build_plan(decisions, account_values={}, customer_values={})
    customers = pd.DataFrame({"customer_id": [long_id, "cus_short", "cus_other"],
                              "currency": ["jpy", "EUR", "CHF"]}, dtype=object)
    inputs = data_inputs(plan, customers)
    assert inputs.longest_billing_id == 300
    assert inputs.planned_writes == 2
    assert inputs.billing_currencies == ("EUR", "JPY")  # the plan's customers, not every loaded one
    sandbox = start_sandbox(scenario="healthy", accounts=50)
    found = {r.key: r for r in run_data_checks(admin_client(sandbox), link_field=LINK, inputs=inputs,
                                                billing_system="Sequence")}
    assert set(found) == set(DATA_CHECKS)
    assert found["link_field_length"].status == "fail"
    assert found["link_field_length"].details["longest_billing_id"] == 300
    assert found["currencies"].status == "warn"
    assert found["currencies"].details["missing"] == ["JPY"]
    assert found["api_limits"].status == "pass"
    assert found["api_limits"].details["requests_needed"] == 21
    empty = build_plan(decisions.iloc[:0], account_values={}, customer_values={})
    nothing = {r.key: r for r in run_data_checks(admin_client(sandbox), link_field=LINK,
                                                  inputs=data_inputs(empty, customers), billing_system="Sequence")}
    assert nothing["link_field_length"].status == "not_checked"  # no id to measure is no pass
