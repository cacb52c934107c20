"""QuickBooks Online adapter against its sandbox: paging, batches, link places, faults, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY, unreachable_after_first_batch

from desktop_app.billing.base import BillingAuthError, BillingQuotaExceeded, BillingUnreachable
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.quickbooks_adapter import QuickBooksBilling, QuickBooksLinkStorage
from desktop_app.sandbox.quickbooks import (
    QuickBooksFaults,
    RunningQuickBooksSandbox,
    customers_from_rows,
    start_quickbooks_sandbox,
)


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"customer_id": f"c{i}", "name": f"Company {i}", "street": f"{i} Main St", "city": "Austin",
             "state": "TX", "postcode": "73301", "country": "US", "email": f"ap{i}@company{i}.example"}
            for i in range(n)]


@pytest.fixture
def qbo(tmp_path: Path) -> Iterator[RunningQuickBooksSandbox]:
    customers = customers_from_rows(_rows(70), messy=False)
    customers[4]["Active"] = False
    customers[5]["Notes"] = "Key account.\nSalesforce Account: 0015g00000OLDOLDAA"
    sandbox = start_quickbooks_sandbox(customers, custom_field=None, workdir=tmp_path,
                                       faults=QuickBooksFaults(retry_after_seconds=0))
    yield sandbox
    sandbox.stop()


def _adapter(sandbox: RunningQuickBooksSandbox, **options: Any) -> QuickBooksBilling:
    options.setdefault("retry", FAST_RETRY)
    return QuickBooksBilling(sandbox.access_token, sandbox.realm_id, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
                             **options)


def test_lists_every_customer_inactive_included_across_pages(qbo: RunningQuickBooksSandbox) -> None:
    with _adapter(qbo, page_size=20) as adapter:
        records = list(adapter.iter_customers())
    assert [r.customer_id for r in records] == [str(i) for i in range(1, 71)]
    assert records[0].name == "Company 0"
    assert (records[0].city, records[0].country, records[0].email) == ("Austin", "US", "ap0@company0.example")
    assert records[5].sf_account_id == "0015g00000OLDOLDAA"
    assert qbo.store.counters.requests["GET"] == 4  # 20 + 20 + 20 + 10


def test_links_are_written_30_per_batch_kept_beside_other_notes_and_undone(qbo: RunningQuickBooksSandbox) -> None:
    pairs = [(str(i), f"0015g0000{i:05d}AAAA") for i in range(1, 66)]
    with _adapter(qbo) as adapter:
        results = adapter.write_links(pairs)
        assert [r.status for r in results] == ["written"] * 65
        assert qbo.store.counters.requests["batch"] == 3
        assert results[5].previous == "0015g00000OLDOLDAA"
        note = qbo.store.get("6")["Notes"]  # type: ignore[index]
        assert note == "Key account.\nSalesforce Account: 0015g000000006AAAA"
        assert adapter.read_links(["1", "6", "70"]) == {"1": "0015g000000001AAAA", "6": "0015g000000006AAAA",
                                                        "70": None}
        again = adapter.write_links(pairs)
        assert {r.status for r in again} == {"unchanged"}
        undo = adapter.write_links([(r.customer_id, r.previous or "") for r in results])
        assert {r.status for r in undo} == {"written"}
    assert qbo.store.get("6")["Notes"] == "Key account.\nSalesforce Account: 0015g00000OLDOLDAA"  # type: ignore[index]
    assert "Notes" not in qbo.store.get("1") or qbo.store.get("1")["Notes"] == ""  # type: ignore[index]
    assert max(qbo.store.counters.writes.values()) == 2


def test_custom_field_on_advanced_and_a_clear_refusal_without_one(tmp_path: Path) -> None:
    advanced = start_quickbooks_sandbox(customers_from_rows(_rows(3), messy=False), workdir=tmp_path / "a")
    plus = start_quickbooks_sandbox(customers_from_rows(_rows(3), messy=False), custom_field=None,
                                    workdir=tmp_path / "p")
    storage = QuickBooksLinkStorage.parse("custom_field:1")
    try:
        with _adapter(advanced, link_storage=storage) as adapter:
            assert adapter.write_links([("2", ACCOUNT_A)])[0].status == "written"
            assert adapter.read_links(["2"]) == {"2": ACCOUNT_A}
            assert next(r for r in adapter.iter_customers() if r.customer_id == "2").sf_account_id == ACCOUNT_A
        with _adapter(plus, link_storage=storage) as adapter:
            [refused] = adapter.write_links([("2", ACCOUNT_A)])
        assert (refused.status, refused.error_code) == ("failed", "validation")
        assert "custom field" in refused.message
        assert "Advanced" in refused.message
    finally:
        advanced.stop()
        plus.stop()


def test_a_refused_token_is_one_error_and_writes_nothing(qbo: RunningQuickBooksSandbox) -> None:
    adapter = QuickBooksBilling("expired-token", qbo.realm_id, base_url=qbo.url, ca_cert=qbo.ca_cert, retry=FAST_RETRY)
    with adapter, pytest.raises(BillingAuthError, match="QuickBooks Online refused") as raised:
        adapter.write_links([("1", ACCOUNT_A)])
    assert "expired-token" not in str(raised.value)
    assert sum(qbo.store.counters.writes.values()) == 0


def test_a_429_storm_is_waited_out_and_nothing_is_written_twice(qbo: RunningQuickBooksSandbox) -> None:
    qbo.store.faults.storm_requests = 3
    with _adapter(qbo) as adapter:
        results = adapter.write_links([("1", ACCOUNT_A), ("2", ACCOUNT_B)])
    assert [r.status for r in results] == ["written", "written"]
    assert qbo.store.counters.statuses[429] == 3
    assert dict(qbo.store.counters.writes) == {"1": 1, "2": 1}


def test_a_storm_past_the_throttle_budget_is_a_quota_that_stops_the_call(qbo: RunningQuickBooksSandbox) -> None:
    pairs = [(str(i), f"0015g0000{i:05d}AAAA") for i in range(1, 41)]
    qbo.store.faults.storm_requests = 10**6
    with _adapter(qbo, retry=replace(FAST_RETRY, throttle_budget=0.05)) as adapter, \
            pytest.raises(BillingQuotaExceeded, match="rate limit or quota"):
        adapter.write_links(pairs)
    assert sum(qbo.store.counters.writes.values()) == 0


def test_per_customer_refusals_and_a_concurrent_edit(qbo: RunningQuickBooksSandbox) -> None:
    with qbo.store.lock:
        qbo.store._customers["3"]["Notes"] = "x" * 1990
    qbo.store.faults.stale_once.add("7")
    qbo.store.faults.vanished.add("9")
    with _adapter(qbo) as adapter:
        results = adapter.write_links([("3", ACCOUNT_A), ("7", ACCOUNT_B), ("8", ACCOUNT_A), ("9", ACCOUNT_B),
                                       ("3", ACCOUNT_B)])
    by = [(r.status, r.error_code) for r in results]
    assert by[0] == ("failed", "validation")
    assert "2,000" in results[0].message
    assert by[1] == ("written", None)  # read again after "Stale Object Error" and written
    assert by[2] == ("written", None)
    assert by[3][0] == "not_found"
    assert by[4] == ("failed", "duplicate_customer")
    assert qbo.store.counters.writes["7"] == 1


def test_batches_given_up_unsent_are_reported_not_sent_and_the_answered_one_written(
        qbo: RunningQuickBooksSandbox) -> None:
    ids = ["1", "2", "3", "4", "7"]
    with _adapter(qbo, batch_size=2, rate_limit=RateLimit(None, 1)) as adapter:
        results = unreachable_after_first_batch(
            lambda progress: adapter.write_links([(i, ACCOUNT_A) for i in ids], progress=progress), qbo.stop)
    assert [r and r.status for r in results] == ["written", "written", None, None, None]
    assert qbo.store.counters.requests["batch"] == 1


def test_a_stale_retry_given_up_unsent_keeps_what_the_first_request_wrote(qbo: RunningQuickBooksSandbox) -> None:
    qbo.store.faults.stale_once.add("2")
    with _adapter(qbo, rate_limit=RateLimit(None, 1)) as adapter:
        def write_then_stop() -> None:
            original = adapter._by_ids
            calls: list[int] = []

            def by_ids(ids: list[str], cancel: object) -> object:
                calls.append(1)
                if len(calls) == 2:  # the stale customer is read again: the system is gone
                    qbo.stop()
                return original(ids, cancel)  # type: ignore[arg-type]

            adapter._by_ids = by_ids  # type: ignore[method-assign]
            adapter.write_links([("1", ACCOUNT_A), ("2", ACCOUNT_A), ("3", ACCOUNT_A)])

        with pytest.raises(BillingUnreachable) as stop:
            write_then_stop()
    assert [r and r.status for r in stop.value.results or []] == ["written", None, "written"]
    assert qbo.store.counters.requests["batch"] == 1
