"""Each billing system's declared customer rules flag exactly what its sandbox refuses (issue 14).

The rules (billing/customer_rules.py) are judged on the customers frame as it will be written (the
planned link value in place); the write then goes to the system's sandbox through its adapter (or,
for QuickBooks' DisplayName, which the adapter never sends, as a sparse update of the name). A rule
and a sandbox that drift apart fail here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from desktop_app.billing.base import BillingSystem
from desktop_app.billing.registry import ConnectOptions, system
from desktop_app.billing.requirements import customer_requirements
from desktop_app.billing.upflow_adapter import formatting_problem
from desktop_app.core.addresses import ADDRESS_OUTPUT_COLUMNS
from desktop_app.core.billing_rules import requirement_problems
from desktop_app.core.ids import to_18
from desktop_app.sandbox.billing_sandbox import BillingSandbox

VALID_ID = "001000000000001AAA"


def _rows(n: int) -> list[dict[str, Any]]:
    countries = ["GB", "US", "CA", "DE", "FR", "United States", "Canada", ""]
    return [{"customer_id": f"c{i}", "name": f"Company {i}", "legal_name": f"Company {i} Ltd",
             "email": f"ap{i}@company{i}.example", "street": f"{i} Main St", "city": "Springfield",
             "state": "" if i % 5 == 0 else "ON", "postcode": "12345", "country": countries[i % len(countries)],
             "currency": "USD", "sf_account_id": to_18(f"0015g00000{i:05d}") if i % 2 else ""} for i in range(n)]


@pytest.fixture
def opened(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[BillingSandbox, BillingSystem]]:
    entry = system(request.param)
    starter = entry.sandbox_starter()
    assert starter is not None
    sandbox = starter(_rows(60), workdir=tmp_path)
    assert isinstance(sandbox, BillingSandbox)
    adapter = entry.open(ConnectOptions(credentials=sandbox.credentials, base_url=sandbox.url,
                                        ca_cert=str(sandbox.ca_cert or "")))
    yield sandbox, adapter
    adapter.close()
    sandbox.stop()


def _flagged(frame: pd.DataFrame, kind: str, severity: str = "error") -> dict[str, set[str]]:
    """Customer id → the codes of the rules of ``kind`` it breaks at ``severity``."""
    none = pd.DataFrame({c: pd.Series(dtype=object) for c in ADDRESS_OUTPUT_COLUMNS})
    problems = requirement_problems(frame, customer_requirements(kind), system(kind).name, none)
    problems = problems[problems["severity"] == severity]
    found: dict[str, set[str]] = {}
    for record_id, code in zip(problems["record_id"].astype(str), problems["code"].astype(str), strict=True):
        found.setdefault(record_id, set()).add(code)
    return found


def _with_links(frame: pd.DataFrame, links: dict[str, str]) -> pd.DataFrame:
    written = frame.copy()
    ids = written["customer_id"].astype(str)
    chosen = ids.isin(links).to_numpy()
    written.loc[chosen, "sf_account_id"] = ids[chosen].map(links).to_numpy(dtype=object)
    return written


@pytest.mark.parametrize(("opened", "limit"), [("xero", 50), ("zuora", 100), ("chargebee", 250), ("stripe", 500)],
                         indirect=["opened"])
def test_link_length_rule_flags_exactly_the_values_the_sandbox_refuses(
        opened: tuple[BillingSandbox, BillingSystem], limit: int) -> None:
    sandbox, adapter = opened
    kind = sandbox.system
    frame = adapter.customers_frame()
    # customers the sandbox takes a link on at all (some demo customers are archived, erased …)
    first = adapter.write_links([(c, VALID_ID) for c in frame["customer_id"].astype(str)])
    takers = [r.customer_id for r in first if r.status == "written"]
    assert len(takers) >= 10
    links = {c: ("A" * (limit + 1) if n % 2 else "B" * limit) for n, c in enumerate(takers[:10])}
    flagged = _flagged(_with_links(frame, links), kind)
    refused = {r.customer_id for r in adapter.write_links(list(links.items())) if r.status == "failed"}
    too_long = {c for c, codes in flagged.items() if "too_long_sf_account_id" in codes}
    assert too_long == refused == {c for c, value in links.items() if len(value) > limit}


@pytest.mark.parametrize("opened", ["zuora"], indirect=True)
def test_zuora_bill_to_rules_flag_exactly_the_accounts_zuora_refuses(
        opened: tuple[BillingSandbox, BillingSystem]) -> None:
    _, adapter = opened
    frame = adapter.customers_frame()
    results = adapter.write_links([(c, VALID_ID) for c in frame["customer_id"].astype(str)])
    refused = {r.customer_id for r in results if r.status == "failed"}
    flagged = _flagged(frame, "zuora")
    assert refused, "the demo data has accounts Zuora refuses"
    assert any("required_state" in codes for codes in flagged.values())
    assert any("required_country" in codes for codes in flagged.values())
    assert set(flagged) == refused


@pytest.mark.parametrize("opened", ["quickbooks"], indirect=True)
def test_quickbooks_display_name_rules_flag_exactly_the_names_quickbooks_refuses(
        opened: tuple[BillingSandbox, BillingSystem]) -> None:
    sandbox, adapter = opened
    frame = adapter.customers_frame()
    names = frame.set_index(frame["customer_id"].astype(str))["name"].astype(str)
    other = names.iloc[1]
    candidates = [other, other.upper(), f"  {other.lower()} ", f"{other} (2)", f"{other}s", "Z" * 500, "Z" * 501,
                  names.iloc[0]]
    url = f"{sandbox.url}/v3/company/{sandbox.credentials['realm_id']}/customer"
    headers = {"Authorization": f"Bearer {sandbox.credentials['access_token']}", "Accept": "application/json"}
    target = str(frame["customer_id"].iat[0])
    for candidate in candidates:
        flagged = _flagged(_with_names(frame, target, candidate), "quickbooks").get(target, set())
        sync = sandbox.store.get(target)["SyncToken"]
        answer = requests.post(url, headers=headers, params={"minorversion": "75"}, verify=str(sandbox.ca_cert),
                               json={"Id": target, "SyncToken": sync, "sparse": True, "DisplayName": candidate},
                               timeout=10)
        assert (answer.status_code != 200) == bool(flagged), (candidate, flagged, answer.text)
        if flagged:
            code = answer.json()["Fault"]["Error"][0]["code"]
            assert {"duplicate_name": "6240", "too_long_name": "6000"}[next(iter(flagged))] == code
        else:  # taken: give the customer its own name back for the next candidate
            requests.post(url, headers=headers, params={"minorversion": "75"}, verify=str(sandbox.ca_cert), timeout=10,
                          json={"Id": target, "SyncToken": answer.json()["Customer"]["SyncToken"], "sparse": True,
                                "DisplayName": names.iloc[0]}).raise_for_status()


def _with_names(frame: pd.DataFrame, customer_id: str, name: str) -> pd.DataFrame:
    renamed = frame.copy()
    renamed.loc[renamed["customer_id"].astype(str) == customer_id, "name"] = name
    return renamed


@pytest.mark.parametrize("opened", ["upflow"], indirect=True)
def test_upflow_rules_flag_exactly_the_identifiers_crosslink_refuses_to_write(
        opened: tuple[BillingSandbox, BillingSystem]) -> None:
    _, adapter = opened
    frame = adapter.customers_frame()
    records = {r.customer_id: r for r in adapter.iter_customers()}
    free = [c for c, r in records.items() if not r.sf_account_id][:6]
    assert len(free) == 6
    links = {free[0]: "001000000000077AAA", free[1]: "001000000000077aaa",  # the same id, once lower-cased
             free[2]: "001000000000078", free[3]: "001000000000079AAA", free[4]: "001 00000000080AAA",
             free[5]: "001000000000081AAA"}
    flagged = _flagged(_with_links(frame, links), "upflow")
    refused = {r.customer_id: r.error_code for r in adapter.write_links(list(links.items())) if r.status == "failed"}
    assert {c for c in links if c in flagged} == set(refused) == {free[0], free[1], free[2], free[4]}
    for customer_id, cause in refused.items():
        assert {"duplicate": "duplicate_sf_account_id", "formatting": "format_sf_account_id"}[str(cause)] \
            in flagged[customer_id]
    # what the sandbox already holds: the rules see what identifier_problems sees (the frame holds the
    # identifier trimmed, so one with spaces around it reads as its trimmed value)
    held = _flagged(frame, "upflow")
    clean = {c for c, r in records.items() if r.raw.get("customFields", {}).get("salesforce_account_id", "").strip()
             == r.raw.get("customFields", {}).get("salesforce_account_id", "")}
    wrong = {c for c in clean if records[c].sf_account_id and formatting_problem(records[c].sf_account_id)}
    assert wrong
    assert wrong <= set(held)
    missing = _flagged(frame, "upflow", "warning")
    assert {c for c, r in records.items() if not r.sf_account_id} == set(missing)


def test_registry_text_is_derived_from_the_rules() -> None:
    entry = system("xero")
    assert entry.requirements[0] == "ContactNumber at most 50 characters"
    changed = dataclasses.replace(entry, customer_rules=(dataclasses.replace(entry.customer_rules[0], max_length=40),))
    assert changed.requirements[0] == "ContactNumber at most 40 characters"
