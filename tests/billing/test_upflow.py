"""Upflow adapter against its sandbox: the shared identifier, its three failure causes found when
reading and refused before writing, refused credentials, 429 storms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY

from desktop_app.billing.base import BillingAuthError
from desktop_app.billing.upflow_adapter import UpflowBilling, identifier_problems
from desktop_app.sandbox.upflow import RunningUpflowSandbox, customers_from_rows, start_upflow_sandbox

HELD = "0015g00000HELDHELD"


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"customer_id": f"inv-{i}", "name": f"Company {i}", "city": "Lyon", "country": "FR",
             "email": f"ap{i}@company{i}.example", "currency": "eur"} for i in range(n)]


@pytest.fixture
def upflow(tmp_path: Path) -> Iterator[RunningUpflowSandbox]:
    customers = customers_from_rows(_rows(130), messy=False)
    customers[1]["customFields"] = {"salesforce_account_id": HELD}
    customers[2]["customFields"] = {"salesforce_account_id": HELD}
    customers[3]["customFields"] = {"salesforce_account_id": " 0015g00000spacedaa"}
    customers[4]["customFields"] = {"salesforce_account_id": "0015g00000SHORT"}
    sandbox = start_upflow_sandbox(customers, workdir=tmp_path, retry_after_seconds=0)
    yield sandbox
    sandbox.stop()


def _adapter(sandbox: RunningUpflowSandbox) -> UpflowBilling:
    return UpflowBilling(sandbox.api_key, sandbox.api_secret, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
                         retry=FAST_RETRY)


def test_lists_every_customer_and_names_the_three_failure_causes(upflow: RunningUpflowSandbox) -> None:
    with _adapter(upflow) as adapter:
        records = list(adapter.iter_customers())
    assert [r.customer_id for r in records] == [f"upf_{i:06d}" for i in range(1, 131)]
    problems = {(p.customer_id, p.cause) for p in identifier_problems(records)}
    assert ("upf_000001", "missing") in problems
    assert {("upf_000002", "duplicate"), ("upf_000003", "duplicate")} <= problems
    assert {("upf_000004", "formatting"), ("upf_000005", "formatting")} <= problems


def test_write_rerun_and_undo(upflow: RunningUpflowSandbox) -> None:
    pairs = [("upf_000010", ACCOUNT_A), ("upf_000011", ACCOUNT_B)]
    with _adapter(upflow) as adapter:
        results = adapter.write_links(pairs)
        assert [r.status for r in results] == ["written", "written"]
        assert adapter.read_links(["upf_000010"]) == {"upf_000010": ACCOUNT_A}
        assert {r.status for r in adapter.write_links(pairs)} == {"unchanged"}
        assert {r.status for r in adapter.write_links([(c, "") for c, _ in pairs])} == {"written"}
    assert upflow.state.customers["upf_000010"]["customFields"] == {}


def test_the_three_causes_are_refused_before_anything_is_written(upflow: RunningUpflowSandbox) -> None:
    with _adapter(upflow) as adapter:
        results = adapter.write_links([
            ("upf_000020", HELD),                  # duplicate: customers 2 and 3 keep it
            ("upf_000021", "0015g00000SHORT"),     # formatting: a 15-character id
            ("upf_999999", ACCOUNT_A),             # missing: no such customer
            ("upf_000022", ACCOUNT_A),
            ("upf_000023", ACCOUNT_A),             # duplicate within the run
        ])
    assert [r.error_code for r in results] == ["duplicate", "formatting", "missing", "duplicate", "duplicate"]
    assert "upf_000002" in results[0].message
    assert dict(upflow.state.writes) == {}


def test_refused_credentials_are_one_error(upflow: RunningUpflowSandbox) -> None:
    adapter = UpflowBilling(upflow.api_key, "nope", base_url=upflow.url, ca_cert=upflow.ca_cert, retry=FAST_RETRY)
    with adapter, pytest.raises(BillingAuthError, match="Upflow refused"):
        adapter.write_links([("upf_000010", ACCOUNT_A)])
    assert dict(upflow.state.writes) == {}


def test_a_429_storm_is_waited_out_without_double_writes(upflow: RunningUpflowSandbox) -> None:
    upflow.state.storm_requests = 4
    with _adapter(upflow) as adapter:
        assert [r.status for r in adapter.write_links([("upf_000010", ACCOUNT_A)])] == ["written"]
    assert upflow.state.statuses[429] == 4
    assert dict(upflow.state.writes) == {"upf_000010": 1}
