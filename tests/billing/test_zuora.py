"""Zuora adapter against its sandbox: client-credentials tokens, cursor paging, CrmId in batches of 50,
failures carried in HTTP 200 answers, 429 storms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY, unreachable_after_first_batch

from desktop_app.billing.base import BillingAuthError, BillingUnreachable
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.zuora_adapter import ZuoraBilling
from desktop_app.sandbox.zuora import RunningZuoraSandbox, ZuoraFaults, accounts_from_rows, start_zuora_sandbox


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"customer_id": f"z{i}", "name": f"Company {i}", "street": f"{i} Market St", "city": "San Francisco",
             "state": "CA", "postcode": "94105", "country": "US", "email": f"ap{i}@company{i}.example",
             "currency": "usd"} for i in range(n)]


@pytest.fixture
def zuora(tmp_path: Path) -> Iterator[RunningZuoraSandbox]:
    accounts = accounts_from_rows(_rows(120), messy=False)
    accounts[1]["billTo"]["state"] = ""
    accounts[2]["crmId"] = "0015g00000OLDOL"
    sandbox = start_zuora_sandbox(accounts, workdir=tmp_path, faults=ZuoraFaults(retry_after_seconds=0))
    yield sandbox
    sandbox.stop()


def _adapter(sandbox: RunningZuoraSandbox, **options: Any) -> ZuoraBilling:
    options.setdefault("retry", FAST_RETRY)
    return ZuoraBilling(sandbox.client_id, sandbox.client_secret, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
                        **options)


def _ids(sandbox: RunningZuoraSandbox) -> list[str]:
    return [a["id"] for a in sandbox.store.page(0, 10**6)[0]]


def test_lists_every_account_with_its_bill_to_address(zuora: RunningZuoraSandbox) -> None:
    with _adapter(zuora) as adapter:
        records = list(adapter.iter_customers())
    assert [r.customer_id for r in records] == _ids(zuora)
    assert (records[0].city, records[0].state, records[0].country, records[0].currency) == (
        "San Francisco", "CA", "United States", "USD")
    assert records[2].sf_account_id == "0015g00000OLDOL"
    assert zuora.store.counters.requests["GET"] == 3  # 50 + 50 + 20
    assert zuora.store.counters.tokens == 1


def test_crm_ids_are_written_50_per_action_and_undone(zuora: RunningZuoraSandbox) -> None:
    ids = [i for n, i in enumerate(_ids(zuora)) if n != 1]
    pairs = [(account_id, f"0015g0000{n:05d}AAAA") for n, account_id in enumerate(ids[:105])]
    with _adapter(zuora) as adapter:
        results = adapter.write_links(pairs)
        assert {r.status for r in results} == {"written"}
        assert zuora.store.counters.requests["update"] == 3
        assert results[1].previous == "0015g00000OLDOL"
        assert "Sync Cleanup" in results[1].message
        assert {r.status for r in adapter.write_links(pairs)} == {"unchanged"}
        undo = adapter.write_links([(r.customer_id, r.previous or "") for r in results])
    assert {r.status for r in undo} == {"written"}
    assert zuora.store.find(ids[1])["crmId"] == "0015g00000OLDOL"  # type: ignore[index]
    assert "crmId" not in zuora.store.find(ids[0])  # type: ignore[operator]


def test_a_refusal_inside_a_200_answer_fails_only_that_account(zuora: RunningZuoraSandbox) -> None:
    ids = _ids(zuora)
    with _adapter(zuora) as adapter:
        results = adapter.write_links([(ids[1], ACCOUNT_A), (ids[3], ACCOUNT_B), ("no-such-account", ACCOUNT_A)])
    assert [(r.status, r.error_code) for r in results] == [("failed", "validation"), ("written", None),
                                                           ("not_found", None)]
    assert "State/Province is required" in results[0].message


def test_a_too_long_crm_id_and_a_customer_named_twice_are_refused_before_anything_is_sent(
        zuora: RunningZuoraSandbox) -> None:
    ids = _ids(zuora)
    with _adapter(zuora) as adapter:
        results = adapter.write_links([(ids[3], "x" * 101), (ids[4], ACCOUNT_A), (ids[4], ACCOUNT_B)])
    assert [(r.status, r.error_code) for r in results] == [("failed", "validation"), ("written", None),
                                                           ("failed", "duplicate_customer")]
    assert "100-character CrmId" in results[0].message
    assert "nothing was sent" in results[0].message
    assert ACCOUNT_A in results[2].message
    assert ACCOUNT_B in results[2].message
    assert set(zuora.store.counters.writes) == {ids[4]}


def test_refused_client_credentials_are_one_error(zuora: RunningZuoraSandbox) -> None:
    adapter = ZuoraBilling(zuora.client_id, "wrong", base_url=zuora.url, ca_cert=zuora.ca_cert, retry=FAST_RETRY)
    with adapter, pytest.raises(BillingAuthError, match="Zuora refused") as raised:
        adapter.write_links([(_ids(zuora)[0], ACCOUNT_A)])
    assert "wrong" not in str(raised.value)
    assert sum(zuora.store.counters.writes.values()) == 0


def test_an_expired_token_is_renewed_once(zuora: RunningZuoraSandbox) -> None:
    ids = _ids(zuora)
    with _adapter(zuora) as adapter:
        adapter.read_links([ids[0]])
        zuora.store.expire_tokens()
        assert adapter.write_links([(ids[0], ACCOUNT_A)])[0].status == "written"
    assert zuora.store.counters.tokens == 2


def test_a_429_storm_is_waited_out_without_double_writes(zuora: RunningZuoraSandbox) -> None:
    ids = _ids(zuora)
    zuora.store.faults.storm_requests = 4
    with _adapter(zuora) as adapter:
        results = adapter.write_links([(ids[0], ACCOUNT_A), (ids[3], ACCOUNT_B)])
    assert [r.status for r in results] == ["written", "written"]
    assert zuora.store.counters.statuses[429] == 4
    assert dict(zuora.store.counters.writes) == {ids[0]: 1, ids[3]: 1}


def test_batches_given_up_unsent_are_reported_not_sent_and_the_answered_one_written(
        zuora: RunningZuoraSandbox) -> None:
    ids = _ids(zuora)[3:8]
    with _adapter(zuora, batch_size=2, rate_limit=RateLimit(None, 1)) as adapter:
        results = unreachable_after_first_batch(
            lambda progress: adapter.write_links([(i, ACCOUNT_A) for i in ids], progress=progress), zuora.stop)
    assert [r and r.status for r in results] == ["written", "written", None, None, None]
    assert zuora.store.counters.requests["update"] == 1


def test_a_credential_check_refused_by_a_stopped_system_leaves_every_write_unsent(
        zuora: RunningZuoraSandbox) -> None:
    ids = _ids(zuora)
    with _adapter(zuora) as adapter:
        zuora.stop()
        with pytest.raises(BillingUnreachable) as stop:
            adapter.write_links([(ids[3], ACCOUNT_A), (ids[4], "0" * 256), (ids[5], ACCOUNT_B)])
    # The pair refused before anything is sent keeps its answer; the others were not sent.
    assert [r and r.error_code for r in stop.value.results or []] == [None, "validation", None]
    assert not zuora.store.counters.requests["update"]
