"""The Sequence adapter against the Sequence sandbox over real HTTPS."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY, sequence_customer

from desktop_app.billing.base import (
    OUTCOME_UNKNOWN,
    BillingAuthError,
    BillingQuotaExceeded,
    BillingSystem,
    BillingUnreachable,
)
from desktop_app.billing.credentials import sequence_credentials, stripe_api_key
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.billing.sequence_records import SequenceLinkStorage
from desktop_app.core.progress import Cancelled, CancelToken, Progress
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW
from desktop_app.sandbox.sequence import RunningSequenceSandbox, start_sequence_sandbox

PATIENT_RETRY = RetryPolicy(max_attempts=50, base_delay=0.05, max_delay=0.3)


def test_lists_every_customer_across_pages_in_canonical_shape(sequence_adapter: SequenceBilling) -> None:
    assert isinstance(sequence_adapter, BillingSystem)
    seen: list[Progress] = []
    frame = sequence_adapter.customers_frame(progress=seen.append)
    assert list(frame.columns) == [*CUSTOMER_ROLES, SOURCE_ROW]
    assert frame["customer_id"].tolist() == [f"cust-{i:04d}" for i in range(30)]
    first = frame.iloc[3]
    assert (first["name"], first["legal_name"], first["country"], first["currency"]) == (
        "Company 3", "Company 3 Ltd", "GB", "GBP")
    assert first["street"] == "3 High Street"
    assert first["postcode"] == "EC1A 1BB"
    assert (frame["sf_account_id"] == "").all()
    assert seen[-1].done == 30
    assert seen[-1].total == 30
    assert len(seen) == 5  # 30 customers in pages of 7


def test_writes_each_link_once_and_a_rerun_changes_nothing(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    pairs = [(f"cust-{i:04d}", ACCOUNT_A if i % 2 else ACCOUNT_B) for i in range(10)]
    results = sequence_adapter.write_links(pairs)
    assert [r.status for r in results] == ["written"] * 10
    assert all(r.previous is None for r in results)
    again = sequence_adapter.write_links(pairs)
    assert [r.status for r in again] == ["unchanged"] * 10
    assert again[1].previous == ACCOUNT_A
    assert sequence_sandbox.counters.writes == {customer: 1 for customer, _ in pairs}
    stored = sequence_sandbox.store.get("cust-0001")
    assert stored is not None
    # The whole record went back unchanged apart from the link; other integrations are kept.
    links = {e["service"]: e["id"] for e in stored["integrationIds"]}
    assert links == {"Xero": "xero-1", "Salesforce": ACCOUNT_A}
    assert stored["address"]["line1"] == "1 High Street"
    assert stored["legalName"] == "Company 1 Ltd"
    assert sequence_adapter.read_links(["cust-0001", "cust-0002", "cust-0020", "nope"]) == {
        "cust-0001": ACCOUNT_A, "cust-0002": ACCOUNT_B, "cust-0020": None, "nope": None}


def test_replacing_a_link_reports_the_previous_value(sequence_adapter: SequenceBilling) -> None:
    sequence_adapter.write_links([("cust-0005", ACCOUNT_A)])
    [result] = sequence_adapter.write_links([("cust-0005", ACCOUNT_B)])
    assert (result.status, result.previous) == ("written", ACCOUNT_A)


def test_custom_property_storage(sequence_sandbox: RunningSequenceSandbox) -> None:
    storage = SequenceLinkStorage("custom_property", "sfAccountId")
    with SequenceBilling(sequence_sandbox.client_id, sequence_sandbox.client_secret,
                         base_url=sequence_sandbox.url, ca_cert=sequence_sandbox.ca_cert,
                         link_storage=storage, retry=FAST_RETRY) as adapter:
        assert adapter.write_links([("cust-0002", ACCOUNT_A)])[0].status == "written"
        stored = sequence_sandbox.store.get("cust-0002")
        assert stored is not None
        assert stored["customProperties"] == {"currency": "gbp", "sfAccountId": ACCOUNT_A}
        frame = adapter.customers_frame().set_index("customer_id")
        assert frame.loc["cust-0002", "sf_account_id"] == ACCOUNT_A
        assert "custom property" in adapter.capabilities.link_location


def test_wrong_credentials_raise_one_clear_error_and_write_nothing(
    sequence_sandbox: RunningSequenceSandbox,
) -> None:
    with SequenceBilling(sequence_sandbox.client_id, "wrong-secret", base_url=sequence_sandbox.url,
                         ca_cert=sequence_sandbox.ca_cert, retry=FAST_RETRY) as adapter:
        with pytest.raises(BillingAuthError, match="refused the API credentials") as raised:
            adapter.write_links([("cust-0001", ACCOUNT_A)])
        assert "wrong-secret" not in str(raised.value)
        with pytest.raises(BillingAuthError):
            adapter.customers_frame()
    assert sum(sequence_sandbox.counters.put_attempts.values()) == 0
    assert sequence_sandbox.counters.statuses[401] == 2


def test_vanished_customer_is_not_found_and_the_rest_continue(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    sequence_sandbox.faults.vanished.add("cust-0002")
    results = sequence_adapter.write_links([(f"cust-{i:04d}", ACCOUNT_A) for i in range(1, 4)])
    assert [r.status for r in results] == ["written", "not_found", "written"]
    assert "cust-0002" in results[1].message
    assert "cust-0002" not in sequence_sandbox.counters.writes


def test_429_storm_is_waited_out_and_nothing_is_written_twice(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    sequence_sandbox.faults.storm_requests = 3
    pairs = [(f"cust-{i:04d}", ACCOUNT_A) for i in range(6)]
    results = sequence_adapter.write_links(pairs)
    assert {r.status for r in results} == {"written"}
    assert sequence_sandbox.counters.statuses[429] == 3
    assert sequence_sandbox.counters.writes == {customer: 1 for customer, _ in pairs}


def test_a_timed_429_storm_is_ridden_out_by_waiting_as_long_as_retry_after_asks(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    sequence_sandbox.faults.retry_after_seconds = 1
    sequence_sandbox.faults.storm_until = time.monotonic() + 1.5  # FAST_RETRY alone waits ~0.02 s
    pairs = [(f"cust-{i:04d}", ACCOUNT_A) for i in range(3)]
    results = sequence_adapter.write_links(pairs)
    assert [r.status for r in results] == ["written"] * 3
    # Each wait lasted the second Retry-After asked, so the storm saw a handful of requests, not a flood.
    assert 1 <= sequence_sandbox.counters.statuses[429] <= 3
    assert sequence_sandbox.counters.writes == {customer: 1 for customer, _ in pairs}


def test_throttling_past_the_budget_is_a_quota_and_stops_the_call(
    sequence_sandbox: RunningSequenceSandbox
) -> None:
    sequence_sandbox.faults.storm_requests = 10**6
    adapter = SequenceBilling(
        sequence_sandbox.client_id, sequence_sandbox.client_secret, base_url=sequence_sandbox.url,
        ca_cert=sequence_sandbox.ca_cert, retry=replace(FAST_RETRY, throttle_budget=0.2),
    )
    with adapter, pytest.raises(BillingQuotaExceeded, match="rate limit or quota"):
        adapter.write_links([(f"cust-{i:04d}", ACCOUNT_A) for i in range(4)])
    assert not sequence_sandbox.counters.writes


def test_a_system_that_hangs_is_given_up_on_within_the_time_budget_then_tried_once(
    sequence_sandbox: RunningSequenceSandbox
) -> None:
    sequence_sandbox.faults.slow_seconds = 1.0
    adapter = SequenceBilling(
        sequence_sandbox.client_id, sequence_sandbox.client_secret, base_url=sequence_sandbox.url,
        ca_cert=sequence_sandbox.ca_cert, timeout=(5.0, 0.3),
        retry=RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.02, give_up_after=0.5),
    )
    with adapter:
        with pytest.raises(BillingUnreachable, match="did not answer"):
            adapter.read_links(["cust-0001"])
        first = sequence_sandbox.counters.requests["GET"]
        assert first <= 2  # the read timeouts used the budget: not six attempts of 0.3 s each
        with pytest.raises(BillingUnreachable):
            adapter.read_links(["cust-0002"])
        assert sequence_sandbox.counters.requests["GET"] == first  # a probe failed: not sent at all
        sequence_sandbox.faults.slow_seconds = 0.0
        adapter.forget_outage()  # as a run or a resume starts
        assert adapter.read_links(["cust-0003"]) == {"cust-0003": None}


def test_a_lost_answer_is_not_sent_again_and_server_errors_are_retried(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    faults = sequence_sandbox.faults
    faults.drop_before_write.add("cust-0001")  # not applied, answer lost
    faults.drop_after_write.add("cust-0002")  # applied, answer lost
    faults.error_500_once.add("cust-0003")  # answered: retried with the same key
    pairs = [(f"cust-{i:04d}", ACCOUNT_A) for i in range(5)]
    results = sequence_adapter.write_links(pairs)
    assert [r.status for r in results] == ["written", "failed", "failed", "written", "written"]
    assert [r.error_code for r in results[1:3]] == [OUTCOME_UNKNOWN] * 2
    assert "read back before any new attempt" in results[1].message
    assert sequence_sandbox.counters.put_attempts == {"cust-0000": 1, "cust-0001": 1, "cust-0002": 1,
                                                      "cust-0003": 2, "cust-0004": 1}
    assert sequence_sandbox.counters.idempotent_replays == 0
    assert sequence_sandbox.store.link_of("cust-0001", "Salesforce") is None
    assert sequence_sandbox.store.link_of("cust-0002", "Salesforce") == ACCOUNT_A


def test_a_link_write_changes_nothing_but_the_link_and_removing_it_restores_the_record(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    with sequence_sandbox.store.lock:
        record = sequence_sandbox.store._customers["cust-0004"]
        record.update(domain="company4.example", sequenceAccountId="acct-1",
                      organizations=[{"id": "org-1"}], contactName="Ann Example", telephone="+44 20 1234")
        record["integrationIds"][0]["lastSynced"] = "2024-02-01T00:00:00Z"
    before = sequence_sandbox.store.get("cust-0004")
    [linked] = sequence_adapter.write_links([("cust-0004", ACCOUNT_A)])
    after = sequence_sandbox.store.get("cust-0004")
    assert linked.status == "written"
    assert before is not None
    assert after is not None
    assert {k: v for k, v in after.items() if k != "integrationIds"} == \
        {k: v for k, v in before.items() if k != "integrationIds"}
    assert after["integrationIds"][0] == before["integrationIds"][0]  # the Xero entry, lastSynced kept
    [unlinked] = sequence_adapter.write_links([("cust-0004", "")])
    assert unlinked.status == "written"
    assert sequence_sandbox.store.get("cust-0004") == before


def test_validation_errors_fail_that_customer_with_the_fields_named(tmp_path: Path) -> None:
    customers = [
        sequence_customer(0),
        sequence_customer(1, address={"line1": "1 Rue", "town": "Paris", "postcode": "75001",
                                      "country": "FRA"}),
        sequence_customer(2, address=None),
        sequence_customer(3, email=""),
        sequence_customer(4),
    ]
    with start_sequence_sandbox(customers=customers, workdir=tmp_path) as sandbox, SequenceBilling(
        sandbox.client_id, sandbox.client_secret, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
        retry=FAST_RETRY,
    ) as adapter:
        results = adapter.write_links([(c["id"], ACCOUNT_A) for c in customers])
        assert [r.status for r in results] == ["written", "failed", "failed", "failed", "written"]
        assert {r.error_code for r in results[1:4]} == {"validation"}
        assert "address.country" in results[1].message
        assert "'FRA'" in results[1].message
        assert "address" in results[2].message
        assert "email" in results[3].message
        assert sandbox.counters.writes == {"cust-0000": 1, "cust-0004": 1}


def test_a_customer_paired_twice_with_different_accounts_is_written_once(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    results = sequence_adapter.write_links([("cust-0001", ACCOUNT_A), ("cust-0001", ACCOUNT_B)])
    assert [r.status for r in results] == ["written", "failed"]
    assert results[1].error_code == "duplicate_customer"
    assert sequence_sandbox.store.link_of("cust-0001", "Salesforce") == ACCOUNT_A


def test_cancel_stops_writing_and_reports_the_rest_as_not_attempted(
    sequence_sandbox: RunningSequenceSandbox
) -> None:
    # One request at a time, so "after the first" is exact (the concurrent pool: test_request_pool).
    sequence_adapter = SequenceBilling(
        sequence_sandbox.client_id, sequence_sandbox.client_secret, base_url=sequence_sandbox.url,
        ca_cert=sequence_sandbox.ca_cert, retry=FAST_RETRY, rate_limit=RateLimit(None, 1),
    )
    cancel = CancelToken()
    pairs = [(f"cust-{i:04d}", ACCOUNT_A) for i in range(10)]

    def stop_after_first(progress: Progress) -> None:
        cancel.cancel()

    results = sequence_adapter.write_links(pairs, progress=stop_after_first, cancel=cancel)
    assert len(results) == 10
    assert results[0].status == "written"
    assert {r.error_code for r in results[1:]} == {"cancelled"}
    assert sequence_sandbox.counters.writes == {"cust-0000": 1}


def test_rate_limited_listing_still_reads_everything(tmp_path: Path) -> None:
    customers = [sequence_customer(i) for i in range(12)]
    with start_sequence_sandbox(customers=customers, workdir=tmp_path, rate_limit_per_second=4) as sandbox:
        sandbox.faults.retry_after_seconds = 0
        with SequenceBilling(sandbox.client_id, sandbox.client_secret, base_url=sandbox.url,
                             ca_cert=sandbox.ca_cert, retry=PATIENT_RETRY, page_size=2) as adapter:
            frame = adapter.customers_frame()
        assert len(frame) == 12
        assert sandbox.counters.statuses[429] >= 1


def test_listing_stops_between_pages_when_cancelled(sequence_adapter: SequenceBilling) -> None:
    cancel = CancelToken()
    pages: list[Progress] = []

    def cancel_after_first_page(progress: Progress) -> None:
        pages.append(progress)
        cancel.cancel()

    with pytest.raises(Cancelled):
        sequence_adapter.customers_frame(progress=cancel_after_first_page, cancel=cancel)
    assert [p.done for p in pages] == [7]


def test_credentials_come_from_the_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_ID", "id-from-env")
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", "secret-from-env")
    monkeypatch.setenv("CROSSLINK_STRIPE_API_KEY", " sk_test_from_env ")
    assert sequence_credentials() == ("id-from-env", "secret-from-env")
    assert stripe_api_key() == "sk_test_from_env"
    adapter = SequenceBilling.from_saved_credentials(base_url="https://127.0.0.1:9/api")
    assert "secret-from-env" not in repr(adapter)
    adapter.close()


@pytest.mark.parametrize("storage", [SequenceLinkStorage(), SequenceLinkStorage("custom_property", "sfId")])
def test_an_empty_account_id_removes_the_link_for_undo(
    sequence_sandbox: RunningSequenceSandbox, storage: SequenceLinkStorage
) -> None:
    with SequenceBilling(sequence_sandbox.client_id, sequence_sandbox.client_secret, base_url=sequence_sandbox.url,
                         ca_cert=sequence_sandbox.ca_cert, link_storage=storage, retry=FAST_RETRY) as adapter:
        adapter.write_links([("cust-0004", ACCOUNT_A)])
        [undone] = adapter.write_links([("cust-0004", "")])
        assert (undone.status, undone.previous) == ("written", ACCOUNT_A)
        assert adapter.read_links(["cust-0004"]) == {"cust-0004": None}
        assert adapter.write_links([("cust-0004", "")])[0].status == "unchanged"
    stored = sequence_sandbox.store.get("cust-0004")
    assert stored is not None
    assert [(e["service"], e["id"]) for e in stored["integrationIds"]] == [("Xero", "xero-4")]
    assert stored["customProperties"] == {"currency": "gbp"}


def test_reading_many_links_lists_the_customers_and_matches_reading_each(tmp_path: Path) -> None:
    linked = {"service": "Salesforce", "id": f" {ACCOUNT_A} "}  # kept exactly as stored
    customers = [sequence_customer(i, integrationIds=[linked]) if i % 3 == 0 else sequence_customer(i)
                 for i in range(230)]
    with start_sequence_sandbox(customers=customers, workdir=tmp_path) as sandbox, SequenceBilling(
            sandbox.client_id, sandbox.client_secret, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
            retry=FAST_RETRY) as adapter:
        wanted = [f"cust-{i:04d}" for i in range(229, -1, -1)] + ["cust-9999"]
        many = adapter.read_links(wanted)  # above LIST_INSTEAD_OF_GET: 3 list pages
        assert sandbox.counters.requests["GET"] == 3
        one_by_one = {**adapter.read_links(wanted[:150]), **adapter.read_links(wanted[150:])}
    assert many == one_by_one
    assert many["cust-0000"] == f" {ACCOUNT_A} "
    assert many["cust-0001"] is None
    assert many["cust-9999"] is None
