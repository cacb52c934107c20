"""What a billing system requires of a customer is known before the write (issue 10, point 6).

The Sequence adapter's declared rules must refuse exactly what the Sequence sandbox refuses on a
link write, and Data quality / ``check-addresses`` must list them with the system's own field.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from desktop_app.billing.requirements import customer_requirements
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.billing.sequence_records import SequenceLinkStorage, put_body
from desktop_app.cli import main
from desktop_app.core.addresses import check_addresses
from desktop_app.core.billing_rules import requirement_problems
from desktop_app.core.roles import Side
from desktop_app.sandbox.sequence import start_sequence_sandbox
from desktop_app.sandbox.sequence.store import validation_errors
from desktop_app.workflow.match import match_files


def test_sequence_rules_refuse_exactly_what_the_sandbox_refuses(tmp_path: Path) -> None:
    with start_sequence_sandbox(customers=400, seed=5, workdir=tmp_path) as sandbox:
        adapter = SequenceBilling(sandbox.client_id, sandbox.client_secret, base_url=sandbox.url,
                                  ca_cert=sandbox.ca_cert)
        try:
            records = list(adapter.iter_customers())
            frame = adapter.customers_frame()
            rules = adapter.capabilities.customer_requirements
        finally:
            adapter.close()
    storage = SequenceLinkStorage()
    refused: dict[str, set[str]] = {}
    for record in records:
        body = put_body(record.raw)
        storage.write(body, "001000000000001AAA")
        errors = validation_errors(body)
        if errors:
            refused[record.customer_id] = {e["field"] for e in errors}
    problems = requirement_problems(frame, rules, "Sequence", check_addresses(frame, Side.CUSTOMERS))
    flagged = set(problems.loc[problems["severity"] == "error", "record_id"].astype(str))
    assert refused, "the demo data has customers Sequence refuses"
    assert any("email" in fields for fields in refused.values())
    # every customer the sandbox refuses is flagged before the write …
    assert set(refused) <= flagged
    # … and every one flagged only because of Sequence's own rules is one the sandbox refuses
    own = set(problems.loc[problems["code"].astype(str).str.startswith("required_"), "record_id"].astype(str))
    raised = set(problems.loc[problems["problem"].astype(str).str.contains("Sequence refuses"), "record_id"]
                 .astype(str))
    assert own | raised == set(refused)
    email = problems[problems["code"] == "required_email"]
    assert len(email) == sum("email" in fields for fields in refused.values())
    assert email["problem"].str.contains("Sequence refuses a customer without it").all()
    assert email["problem"].str.contains("email").all()


def test_every_api_system_has_rules_and_files_none() -> None:
    # Stripe had none before metadata value limits were added (issue 14): now only the file route has none.
    assert [rule.max_length for rule in customer_requirements("stripe")] == [500]
    assert customer_requirements("file") == ()
    assert customer_requirements("") == ()
    for kind in ("sequence", "quickbooks", "chargebee", "xero", "zuora", "upflow"):
        assert customer_requirements(kind)


def _customers_csv(path: Path) -> Path:
    rows = [
        ["id", "name", "email", "street", "city", "postcode", "country"],
        ["cust-1", "Acme Ltd", "ap@acme.example", "1 High St", "London", "EC1A 1BB", "GB"],
        ["cust-2", "Bolt GmbH", "", "Hauptstr. 2", "Berlin", "10115", "DE"],
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("billing", ["sequence", None])
def test_check_addresses_lists_what_sequence_requires(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      billing: str | None) -> None:
    source, out = _customers_csv(tmp_path / "customers.csv"), tmp_path / "problems.csv"
    args = ["check-addresses", "--input", str(source), "--out", str(out), "--side", "customers", "--json"]
    assert main(args + (["--billing", billing] if billing else [])) == 0
    summary = json.loads(capsys.readouterr().out)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    email = [r for r in rows if r["field"] == "email"]
    if billing is None:
        assert not email
        assert "required_email" not in summary["by_code"]
        return
    assert [(r["row"], r["record_id"], r["severity"], r["code"]) for r in email] == [
        ("3", "cust-2", "error", "required_email")]
    assert "Sequence refuses a customer without it" in email[0]["problem"]
    assert "(the customer's email)" in email[0]["problem"]
    assert summary["by_code"]["required_email"] == 1


def test_data_quality_says_where_the_missing_value_is(tmp_path: Path) -> None:
    accounts, customers = tmp_path / "accounts.csv", tmp_path / "customers.csv"
    with accounts.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([
            ["Id", "Name", "Email", "BillingStreet", "BillingCity", "BillingPostalCode", "BillingCountry"],
            ["0015g000000l7dUAAQ", "Acme Corporation", "ap@acme.example", "1 Market St", "San Francisco",
             "94105", "US"],
        ])
    with customers.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([
            ["id", "Name", "Email", "Address Line1", "Address City", "Address Zip", "Address Country",
             "salesforce_account_id (metadata)"],
            ["cus_kzHYHWY2os07So", "Acme Corporation", "", "1 Market St", "San Francisco", "94105", "US",
             "0015g000000l7dUAAQ"],
        ])
    run = match_files(accounts, customers, customer_requirements=customer_requirements("sequence"),
                      billing_name="Sequence")
    problems = run.address_problems
    email = problems[(problems["side"] == "customer") & (problems["code"] == "required_email")]
    assert len(email) == 1
    assert "Sequence refuses a customer without it" in email["problem"].iat[0]
    assert "The matched Account Acme Corporation (accounts row 2) has 'ap@acme.example'." in email["problem"].iat[0]
    plain = match_files(accounts, customers).address_problems  # Stripe / files: no such rule
    assert not (plain["code"] == "required_email").any()


def test_check_addresses_lists_every_systems_rules_by_row_and_field(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    source, out = tmp_path / "customers.csv", tmp_path / "problems.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([
            ["id", "name", "street", "city", "postcode", "country", "salesforce_account_id"],
            ["cust-1", "Acme Ltd", "1 High St", "London", "EC1A 1BB", "GB", "001000000000001AAA"],
            ["cust-2", "Bolt GmbH", "Hauptstr. 2", "Berlin", "10115", "DE", "0010000000000 02AAA" + "x" * 40],
            ["cust-3", " acme LTD", "3 High St", "London", "EC1A 1BB", "GB", ""],
        ])
    args = ["check-addresses", "--input", str(source), "--out", str(out), "--side", "customers"]
    assert main([*args, "--billing", "quickbooks"]) == 0
    printed = capsys.readouterr().out
    assert "What QuickBooks Online requires of a customer, broken by 2:" in printed
    assert ("row 2, name (error): QuickBooks Online refuses a second customer with the display name 'Acme Ltd' "
            "(also row 4): rename one") in printed
    assert "row 4, name (error): QuickBooks Online refuses a second customer with the display name ' acme LTD' " \
           "(also row 2)" in printed
    with out.open(encoding="utf-8-sig") as handle:
        rows = [(r["row"], r["record_id"], r["field"], r["code"]) for r in csv.DictReader(handle)
                if r["code"].startswith("duplicate_")]
    assert rows == [("2", "cust-1", "name", "duplicate_name"), ("4", "cust-3", "name", "duplicate_name")]
    assert main([*args, "--billing", "xero"]) == 0
    printed = capsys.readouterr().out
    assert ("row 3, sf_account_id (error): Salesforce Account id (the link) is 59 characters; Xero takes at most 50 "
            "in ContactNumber") in printed
    assert main([*args, "--billing", "upflow"]) == 0
    printed = capsys.readouterr().out
    assert "row 3, sf_account_id (error): Shared identifier '0010000000000 02AAAxxx" in printed
    assert "row 4, sf_account_id (warning): Shared identifier is missing: Upflow's Salesforce sync" in printed
    # Sequence's address parts break its rule even where the address check found the same cell (a missing
    # street, a country name): they are listed and counted as Sequence's, not only as address problems.
    assert main([*args, "--billing", "sequence", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["billing_rules_broken"] == {"required_email": 3}
    source.write_text("id,name,street,city,postcode,country,email\n"
                      "cust-1,Acme Ltd,,London,EC1A 1BB,United Kingdom,ap@acme.example\n", encoding="utf-8")
    assert main([*args, "--billing", "sequence"]) == 0
    printed = capsys.readouterr().out
    assert "What Sequence requires of a customer, broken by 2:" in printed
    assert "row 2, street (error): Street (address line 1) is missing; Sequence refuses" in printed
    assert "row 2, country (error): Country is 'United Kingdom', not an ISO 3166-1 alpha-2 code" in printed


def test_a_country_rule_says_iso_code_not_missing() -> None:
    # Most customers that break Sequence's country rule have a country, written out ("Germany"): saying
    # they "lack a country" sent users looking for empty cells.
    [country] = [rule for rule in customer_requirements("sequence") if rule.role == "country"]
    assert country.codes()["required_country"] == "lack a 2-letter ISO country code"
    assert country.kind_names()["required_country"] == "Country missing or not a 2-letter ISO code"
