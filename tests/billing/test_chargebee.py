"""Chargebee adapter against its sandbox: next_offset paging, custom field / meta_data, faults, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY

from desktop_app.billing.base import BillingAuthError, BillingQuotaExceeded
from desktop_app.billing.chargebee_adapter import ChargebeeBilling, ChargebeeLinkStorage
from desktop_app.sandbox.chargebee import (
    ChargebeeFaults,
    RunningChargebeeSandbox,
    customers_from_rows,
    start_chargebee_sandbox,
)


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"customer_id": f"cb-{i:03d}", "name": f"Company {i}", "legal_name": f"Company {i} Ltd",
             "street": f"{i} Rue de Rivoli", "city": "Paris", "postcode": "75001", "country": "FR",
             "email": f"ap{i}@company{i}.example", "currency": "eur"} for i in range(n)]


@pytest.fixture
def chargebee(tmp_path: Path) -> Iterator[RunningChargebeeSandbox]:
    customers = customers_from_rows(_rows(25), messy=False)
    customers[3]["deleted"] = True
    customers[6]["cf_salesforce_account_id"] = " 0015g00000oldoldaa "
    customers[8]["pii_cleared"] = "cleared"
    customers[9]["meta_data"] = {"plan_owner": "emea"}
    sandbox = start_chargebee_sandbox(customers, workdir=tmp_path, faults=ChargebeeFaults(retry_after_seconds=0))
    yield sandbox
    sandbox.stop()


def _adapter(sandbox: RunningChargebeeSandbox, **options: Any) -> ChargebeeBilling:
    options.setdefault("retry", FAST_RETRY)
    return ChargebeeBilling(sandbox.api_key, base_url=sandbox.url, ca_cert=sandbox.ca_cert, **options)


def test_lists_live_customers_following_next_offset(chargebee: RunningChargebeeSandbox) -> None:
    with _adapter(chargebee, page_size=10) as adapter:
        records = list(adapter.iter_customers())
    assert [r.customer_id for r in records] == [f"cb-{i:03d}" for i in range(25) if i != 3]
    assert (records[0].name, records[0].legal_name, records[0].country, records[0].currency) == (
        "Company 0 Ltd", "Company 0 Ltd", "FR", "EUR")
    assert records[5].sf_account_id == "0015g00000oldoldaa"  # kept as stored: Chargebee compares exactly
    assert chargebee.store.counters.requests["GET"] == 3


def test_write_rerun_and_undo_through_the_custom_field(chargebee: RunningChargebeeSandbox) -> None:
    pairs = [("cb-000", ACCOUNT_A), ("cb-006", ACCOUNT_B)]
    with _adapter(chargebee) as adapter:
        results = adapter.write_links(pairs)
        assert [(r.status, r.previous) for r in results] == [("written", None), ("written", "0015g00000oldoldaa")]
        assert adapter.read_links(["cb-000", "cb-006", "cb-001"]) == {"cb-000": ACCOUNT_A, "cb-006": ACCOUNT_B,
                                                                      "cb-001": None}
        assert {r.status for r in adapter.write_links(pairs)} == {"unchanged"}
        undo = adapter.write_links([(r.customer_id, r.previous or "") for r in results])
    assert [r.status for r in undo] == ["written", "written"]
    assert "cf_salesforce_account_id" not in chargebee.store.get("cb-000")  # type: ignore[operator]
    assert chargebee.store.get("cb-006")["cf_salesforce_account_id"] == "0015g00000oldoldaa"  # type: ignore[index]


def test_meta_data_storage_keeps_the_other_keys(chargebee: RunningChargebeeSandbox) -> None:
    with _adapter(chargebee, link_storage=ChargebeeLinkStorage.parse("meta_data:salesforce_id")) as adapter:
        assert adapter.write_links([("cb-009", ACCOUNT_A)])[0].status == "written"
        assert chargebee.store.get("cb-009")["meta_data"] == {  # type: ignore[index]
            "plan_owner": "emea", "salesforce_id": ACCOUNT_A}
        adapter.write_links([("cb-009", "")])
    assert chargebee.store.get("cb-009")["meta_data"] == {"plan_owner": "emea"}  # type: ignore[index]


def test_a_refused_key_is_one_error_and_writes_nothing(chargebee: RunningChargebeeSandbox) -> None:
    adapter = ChargebeeBilling("test_wrong", base_url=chargebee.url, ca_cert=chargebee.ca_cert, retry=FAST_RETRY)
    with adapter, pytest.raises(BillingAuthError, match="Chargebee refused") as raised:
        adapter.write_links([("cb-000", ACCOUNT_A)])
    assert "test_wrong" not in str(raised.value)
    assert sum(chargebee.store.counters.writes.values()) == 0


def test_a_429_storm_is_waited_out_and_one_past_the_budget_is_a_quota_that_stops_the_call(
    chargebee: RunningChargebeeSandbox,
) -> None:
    chargebee.store.faults.storm_requests = 3
    with _adapter(chargebee) as adapter:
        assert [r.status for r in adapter.write_links([("cb-000", ACCOUNT_A)])] == ["written"]
    chargebee.store.faults.storm_requests = 10**6
    with _adapter(chargebee, retry=replace(FAST_RETRY, throttle_budget=0.05)) as adapter, \
            pytest.raises(BillingQuotaExceeded, match="rate limit or quota"):
        adapter.write_links([("cb-001", ACCOUNT_B), ("cb-002", ACCOUNT_B)])
    assert dict(chargebee.store.counters.writes) == {"cb-000": 1}  # nothing after the quota was sent


def test_per_customer_refusals_name_the_reason(chargebee: RunningChargebeeSandbox, tmp_path: Path) -> None:
    with _adapter(chargebee) as adapter:
        results = adapter.write_links([("cb-008", ACCOUNT_A), ("cb-003", ACCOUNT_A), ("cb-010", ACCOUNT_B)])
    assert (results[0].status, results[0].error_code) == ("failed", "validation")
    assert "personal data" in results[0].message
    assert results[1].status == "not_found"
    assert results[2].status == "written"
    other = start_chargebee_sandbox(customers_from_rows(_rows(2), messy=False), custom_fields=(),
                                    workdir=tmp_path / "bare")
    try:
        with _adapter(other) as adapter:
            [refused] = adapter.write_links([("cb-001", ACCOUNT_A)])
        assert refused.error_code == "validation"
        assert "Create the custom field in Chargebee" in refused.message
    finally:
        other.stop()
