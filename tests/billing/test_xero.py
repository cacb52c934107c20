"""Xero adapter against its sandbox: paging with archived contacts, batched ContactNumber writes,
per-contact validation errors, the minute and day limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY, unreachable_after_first_batch

from desktop_app.billing.base import BillingAuthError, BillingQuotaExceeded
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.xero_adapter import XeroBilling
from desktop_app.sandbox.xero import RunningXeroSandbox, XeroFaults, contacts_from_rows, start_xero_sandbox


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"customer_id": f"x{i}", "name": f"Company {i}", "street": f"{i} Queen St", "city": "Auckland",
             "postcode": "1010", "country": "NZ", "email": f"ap{i}@company{i}.example", "currency": "nzd"}
            for i in range(n)]


@pytest.fixture
def xero(tmp_path: Path) -> Iterator[RunningXeroSandbox]:
    contacts = contacts_from_rows(_rows(120), messy=False)
    contacts[2]["ContactStatus"] = "ARCHIVED"
    contacts[3]["ContactStatus"] = "GDPRREQUEST"
    contacts[4]["ContactNumber"] = "CUST-00004"
    sandbox = start_xero_sandbox(contacts, workdir=tmp_path, faults=XeroFaults(retry_after_seconds=0))
    yield sandbox
    sandbox.stop()


def _adapter(sandbox: RunningXeroSandbox, **options: Any) -> XeroBilling:
    options.setdefault("retry", FAST_RETRY)
    return XeroBilling(sandbox.access_token, sandbox.tenant_id, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
                       **options)


def _ids(sandbox: RunningXeroSandbox) -> list[str]:
    return [c["ContactID"] for c in sandbox.store.page(1, 10**6, include_archived=True)[0]]


def test_lists_every_contact_archived_included_page_by_page(xero: RunningXeroSandbox) -> None:
    with _adapter(xero, page_size=50) as adapter:
        records = list(adapter.iter_customers())
    assert [r.customer_id for r in records] == _ids(xero)
    assert (records[0].name, records[0].city, records[0].country, records[0].currency) == (
        "Company 0", "Auckland", "NZ", "NZD")
    assert records[4].sf_account_id == "CUST-00004"
    assert xero.store.counters.requests["GET"] == 3


def test_contact_numbers_are_written_50_per_request_and_undone(xero: RunningXeroSandbox) -> None:
    ids = _ids(xero)
    targets = [i for n, i in enumerate(ids) if n not in (2, 3)][:110]
    pairs = [(contact_id, f"0015g0000{n:05d}AAAA") for n, contact_id in enumerate(targets)]
    with _adapter(xero) as adapter:
        results = adapter.write_links(pairs)
        assert {r.status for r in results} == {"written"}
        assert xero.store.counters.requests["POST"] == 3  # 50 + 50 + 10
        assert results[2].previous == "CUST-00004"  # contact 4 (2 and 3 are left out)
        assert adapter.read_links([targets[0]]) == {targets[0]: "0015g000000000AAAA"}
        assert {r.status for r in adapter.write_links(pairs)} == {"unchanged"}
        undo = adapter.write_links([(r.customer_id, r.previous or "") for r in results])
    assert {r.status for r in undo} == {"written"}
    assert xero.store.get(targets[2])["ContactNumber"] == "CUST-00004"  # type: ignore[index]
    assert "ContactNumber" not in xero.store.get(targets[0])  # type: ignore[operator]


def test_refused_contacts_fail_alone_with_xeros_reason(xero: RunningXeroSandbox) -> None:
    ids = _ids(xero)
    with _adapter(xero) as adapter:
        results = adapter.write_links([(ids[2], ACCOUNT_A), (ids[3], ACCOUNT_B), (ids[5], ACCOUNT_A),
                                       (ids[6], "x" * 51), ("00000000-0000-0000-0000-000000000000", ACCOUNT_B)])
    assert [(r.status, r.error_code) for r in results] == [
        ("failed", "validation"), ("failed", "validation"), ("written", None), ("failed", "validation"),
        ("not_found", None)]
    assert "archived" in results[0].message
    assert "GDPR" in results[1].message
    assert "50-character" in results[3].message


def test_a_refused_token_or_tenant_is_one_error(xero: RunningXeroSandbox) -> None:
    for token, tenant in (("expired", xero.tenant_id), (xero.access_token, "another-tenant")):
        adapter = XeroBilling(token, tenant, base_url=xero.url, ca_cert=xero.ca_cert, retry=FAST_RETRY)
        with adapter, pytest.raises(BillingAuthError, match="Xero refused"):
            adapter.write_links([(_ids(xero)[0], ACCOUNT_A)])
    assert sum(xero.store.counters.writes.values()) == 0


def test_a_minute_limit_storm_is_waited_out_without_double_writes(xero: RunningXeroSandbox) -> None:
    ids = _ids(xero)
    xero.store.faults.storm_requests = 3
    with _adapter(xero) as adapter:
        results = adapter.write_links([(ids[0], ACCOUNT_A), (ids[1], ACCOUNT_B)])
    assert [r.status for r in results] == ["written", "written"]
    assert xero.store.counters.statuses[429] == 3
    assert dict(xero.store.counters.writes) == {ids[0]: 1, ids[1]: 1}


def test_the_day_limit_is_a_quota_that_stops_the_call_with_a_clear_reason(tmp_path: Path) -> None:
    sandbox = start_xero_sandbox(contacts_from_rows(_rows(3), messy=False), workdir=tmp_path, day_limit=1,
                                 faults=XeroFaults(retry_after_seconds=0))
    try:
        ids = _ids(sandbox)
        with _adapter(sandbox) as adapter:
            adapter.read_links([ids[0]])  # the day's one call
            with pytest.raises(BillingQuotaExceeded, match="daily limit"):
                adapter.write_links([(ids[0], ACCOUNT_A)])
    finally:
        sandbox.stop()


def test_batches_given_up_unsent_are_reported_not_sent_and_the_answered_one_written(xero: RunningXeroSandbox) -> None:
    ids = [i for n, i in enumerate(_ids(xero)) if n not in (2, 3, 4)][:5]
    with _adapter(xero, batch_size=2, rate_limit=RateLimit(None, 1)) as adapter:
        results = unreachable_after_first_batch(
            lambda progress: adapter.write_links([(i, ACCOUNT_A) for i in ids], progress=progress), xero.stop)
    assert [r and r.status for r in results] == ["written", "written", None, None, None]
    assert xero.store.counters.requests["POST"] == 1
