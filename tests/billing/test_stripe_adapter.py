"""The Stripe adapter (official SDK) against localstripe started on 127.0.0.1 by our runner."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY, FaultyProxy

from desktop_app.billing.base import (
    OUTCOME_UNKNOWN,
    BillingAuthError,
    BillingQuotaExceeded,
    BillingSystem,
    BillingUnreachable,
)
from desktop_app.billing.link_writes import idempotency_key
from desktop_app.billing.stripe_adapter import StripeBilling
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW
from desktop_app.sandbox.demo_data import generate
from desktop_app.sandbox.localstripe_runner import RunningLocalStripe, start_localstripe


def _metadata(server: RunningLocalStripe, customer_id: str) -> dict[str, str]:
    answer = requests.get(f"{server.url}/v1/customers/{customer_id}", auth=(server.api_key, ""), timeout=10)
    answer.raise_for_status()
    return dict(answer.json()["metadata"])


@pytest.fixture
def seeded(localstripe: RunningLocalStripe) -> list[str]:
    rows = generate(30, seed=3).customers.to_dict(orient="records")
    return localstripe.create_customers(rows)


@pytest.fixture
def adapter(localstripe: RunningLocalStripe) -> Iterator[StripeBilling]:
    with StripeBilling(localstripe.api_key, base_url=localstripe.url, retry=FAST_RETRY, page_size=10) as stripe:
        yield stripe


def test_lists_every_customer_page_by_page(seeded: list[str], adapter: StripeBilling) -> None:
    assert isinstance(adapter, BillingSystem)
    frame = adapter.customers_frame()
    assert list(frame.columns) == [*CUSTOMER_ROLES, SOURCE_ROW]
    assert sorted(frame["customer_id"]) == sorted(seeded)
    demo = generate(30, seed=3).customers
    by_demo_id = {r.customer_id: r for r in demo.itertuples()}
    for record in adapter.iter_customers():
        original = by_demo_id[record.raw["metadata"]["crosslink_demo_id"]]
        assert record.name == original.name
        assert record.sf_account_id == original.sf_account_id.strip()


def test_writes_metadata_once_and_keeps_other_keys(
    localstripe: RunningLocalStripe, seeded: list[str], adapter: StripeBilling
) -> None:
    pairs = [(seeded[0], ACCOUNT_A), (seeded[1], ACCOUNT_B)]
    first = adapter.write_links(pairs)
    assert [r.status for r in first] == ["written", "written"]
    assert [r.status for r in adapter.write_links(pairs)] == ["unchanged", "unchanged"]
    metadata = _metadata(localstripe, seeded[0])
    assert metadata["salesforce_account_id"] == ACCOUNT_A
    assert "crosslink_demo_id" in metadata
    assert adapter.read_links([seeded[0], seeded[1], "cus_missing"]) == {
        seeded[0]: ACCOUNT_A, seeded[1]: ACCOUNT_B, "cus_missing": None}


def test_clearing_a_link_reads_back_as_empty_despite_localstripe_storing_empty_text(
    localstripe: RunningLocalStripe, seeded: list[str], adapter: StripeBilling
) -> None:
    adapter.write_links([(seeded[2], ACCOUNT_A)])
    [cleared] = adapter.write_links([(seeded[2], "")])
    assert (cleared.status, cleared.previous) == ("written", ACCOUNT_A)
    assert _metadata(localstripe, seeded[2]).get("salesforce_account_id", "") == ""
    assert adapter.read_links([seeded[2]]) == {seeded[2]: None}


def test_missing_customer_is_not_found_and_the_rest_continue(seeded: list[str], adapter: StripeBilling) -> None:
    results = adapter.write_links([(seeded[0], ACCOUNT_A), ("cus_doesnotexist", ACCOUNT_B), (seeded[1], ACCOUNT_B)])
    assert [r.status for r in results] == ["written", "not_found", "written"]


def test_wrong_key_raises_before_anything_is_written(localstripe: RunningLocalStripe, seeded: list[str]) -> None:
    before = _metadata(localstripe, seeded[0])
    with (StripeBilling("rk_wrong_key", base_url=localstripe.url, retry=FAST_RETRY) as wrong,
          pytest.raises(BillingAuthError, match="Stripe refused the API key") as raised):
        wrong.write_links([(seeded[0], ACCOUNT_A)])
    assert "rk_wrong_key" not in str(raised.value)
    assert _metadata(localstripe, seeded[0]) == before


def test_throttling_is_waited_out_and_a_lost_answer_is_reported_not_sent_again(
    localstripe: RunningLocalStripe, seeded: list[str]
) -> None:
    proxy = FaultyProxy(localstripe.url)
    try:
        with StripeBilling(localstripe.api_key, base_url=proxy.url, retry=FAST_RETRY, run_id="run-1") as stripe:
            proxy.throttle_next = 3
            proxy.drop_after_forward.add(f"/v1/customers/{seeded[1]}")
            results = stripe.write_links([(seeded[0], ACCOUNT_A), (seeded[1], ACCOUNT_B)])
        assert [r.status for r in results] == ["written", "failed"]
        assert results[1].error_code == OUTCOME_UNKNOWN  # the engine reads it back before any retry
        keys = [key for path, key in proxy.posts if path == f"/v1/customers/{seeded[1]}"]
        assert keys == [idempotency_key("run-1", seeded[1], ACCOUNT_B)]  # sent once
        assert _metadata(localstripe, seeded[1])["salesforce_account_id"] == ACCOUNT_B
    finally:
        proxy.stop()


def test_idempotency_keys_are_stable_per_run_customer_and_account() -> None:
    assert idempotency_key("r", "cus_1", ACCOUNT_A) == idempotency_key("r", "cus_1", ACCOUNT_A)
    assert idempotency_key("r", "cus_1", ACCOUNT_A) != idempotency_key("r2", "cus_1", ACCOUNT_A)
    assert idempotency_key("r", "cus_1", ACCOUNT_A) != idempotency_key("r", "cus_1", ACCOUNT_B)


def test_runner_binds_loopback_and_keeps_state_in_its_own_file(tmp_path: Path) -> None:
    with start_localstripe(workdir=tmp_path) as server:
        assert server.url.startswith("http://127.0.0.1:")
        [created] = server.create_customers([{"name": "Solo Ltd", "sf_account_id": ACCOUNT_A}])
        assert server.state_file == tmp_path / "localstripe.pickle"
        assert server.state_file.stat().st_size > 0
        assert _metadata(server, created)["salesforce_account_id"] == ACCOUNT_A
        server.reset()
        answer = requests.get(f"{server.url}/v1/customers", auth=(server.api_key, ""), timeout=10)
        assert answer.json()["data"] == []
    assert server._process.poll() is not None  # the child process is gone


def test_throttling_past_the_budget_is_a_quota_and_writes_nothing(
    localstripe: RunningLocalStripe, seeded: list[str]
) -> None:
    proxy = FaultyProxy(localstripe.url)
    try:
        policy = replace(FAST_RETRY, throttle_budget=0.2)
        with StripeBilling(localstripe.api_key, base_url=proxy.url, retry=policy) as stripe:
            proxy.throttle_next = 10**6
            with pytest.raises(BillingQuotaExceeded, match="rate limit"):
                stripe.write_links([(seeded[0], ACCOUNT_A), (seeded[1], ACCOUNT_B)])
        assert proxy.posts == []
    finally:
        proxy.stop()


def test_once_a_probe_went_unanswered_nothing_more_is_sent_and_the_writes_stay_unsent(
    localstripe: RunningLocalStripe, seeded: list[str]
) -> None:
    proxy = FaultyProxy(localstripe.url)
    try:
        with StripeBilling(localstripe.api_key, base_url=proxy.url, retry=FAST_RETRY, timeout=0.3) as stripe:
            proxy.silent = True
            with pytest.raises(BillingUnreachable):  # its retries time out: Stripe is down
                stripe.read_links([seeded[0]])
            asked = proxy.arrivals
            with pytest.raises(BillingUnreachable) as stop:
                stripe.write_links([(seeded[1], ACCOUNT_A), (seeded[2], ACCOUNT_B)])
            # One probe (the credential check) went unanswered; then both customers gave up unsent.
            assert proxy.arrivals == asked + 1
            assert stop.value.results == [None, None]
            assert not proxy.posts

            proxy.silent = False  # back, but found down moments ago: still nothing is sent
            with pytest.raises(BillingUnreachable):
                stripe.read_links([seeded[1]])
            assert proxy.arrivals == asked + 1
            stripe.forget_outage()  # a run or resume starts: asked afresh
            assert stripe.read_links([seeded[1]]) == {seeded[1]: None}
        assert proxy.arrivals == asked + 2
        assert "salesforce_account_id" not in _metadata(localstripe, seeded[1])
    finally:
        proxy.silent = False
        proxy.stop()
