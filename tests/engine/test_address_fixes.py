"""Accepted address fixes written into the real sandboxes before the links: the Sequence sandbox
refuses a customer with a non-ISO country until its fix lands; a value changed since the check is
left alone; a lost answer is not written twice; undo puts every fixed part back. Salesforce gets the
Account's Billing* fields through the sandbox org; Stripe is localstripe (a third party's fake)."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_sandboxes import salesforce_side

from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.billing.stripe_adapter import StripeBilling
from desktop_app.core.address_changes import FieldChange, RecordChange
from desktop_app.core.journal_addresses import AddressJournal
from desktop_app.sandbox.localstripe_runner import start_localstripe
from desktop_app.sandbox.salesforce import start_salesforce_sandbox
from desktop_app.sandbox.sequence import start_sequence_sandbox
from desktop_app.workflow.apply_addresses import (
    SalesforceAddresses,
    address_writers,
    undo_address_fixes,
    write_address_fixes,
)
from desktop_app.workflow.link_fields import account_fields_to_read

FAST = RetryPolicy(max_attempts=5, base_delay=0.005, max_delay=0.02)
ACCOUNT = "001000000000001AAA"


def _customer(index: int, country: str, state: str = "") -> dict:
    return {"id": f"cust-{index:04d}", "createdAt": "2024-01-01T00:00:00Z", "legalName": f"Company {index} Ltd",
            "label": f"Company {index}", "email": f"billing{index}@example.com",
            "address": {"line1": f"{index} High Street", "town": "Berlin", "postcode": "10115", "country": country,
                        "state": state},
            "integrationIds": [], "customProperties": {}}


def _country(sandbox, customer_id: str) -> str:
    return str(sandbox.store.get(customer_id)["address"]["country"])


def _set_country(sandbox, customer_id: str, country: str) -> None:
    """Someone edits the customer in Sequence (straight in the store: no counters, no rules)."""
    with sandbox.store.lock:
        sandbox.store._customers[customer_id]["address"]["country"] = country


def _fix(customer_id: str, before: str, after: str) -> RecordChange:
    return RecordChange("customer", customer_id, (FieldChange("country", before, after),))


def test_sequence_takes_the_link_once_the_country_fix_is_written(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    customers = [_customer(0, "Deutschland"), _customer(1, "France"), _customer(2, "Deutschland"),
                 _customer(3, "DE", "Bavaria")]
    with start_sequence_sandbox(customers=customers, workdir=tmp_path) as sandbox, SequenceBilling(
            sandbox.client_id, sandbox.client_secret, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
            retry=FAST) as adapter:
        [refused] = adapter.write_links([("cust-0000", ACCOUNT)])
        assert (refused.status, refused.error_code) == ("failed", "validation")  # what Sequence does silently

        _set_country(sandbox, "cust-0001", "Spain")  # after the check
        fixes = [_fix("cust-0000", "Deutschland", "DE"), _fix("cust-0001", "France", "FR"),
                 _fix("cust-0002", "Deutschland", "DE"),
                 RecordChange("customer", "cust-0003", (FieldChange("state", "Bavaria", "BY"),))]
        with AddressJournal(journal) as opened:  # cust-0002's fix was sent, then the process died
            opened.add("run-a", fixes)
            opened.mark_sending("run-a", "customer", fixes[2:3])
        adapter.update_addresses(fixes[2:3])
        writes_before = sum(sandbox.counters.writes.values())

        figures = write_address_fixes("run-a", fixes, {"customer": adapter}, journal_path=journal)
        assert figures.counts == {"customer": {"written": 3, "conflict": 1}}
        assert sum(sandbox.counters.writes.values()) == writes_before + 2  # cust-0002 was not written again
        assert [_country(sandbox, c) for c in ("cust-0000", "cust-0001", "cust-0002")] == ["DE", "Spain", "DE"]
        assert figures.problems[0][:4] == ("customer", "cust-0001", "country", "conflict")
        assert "country is now 'Spain'" in figures.problems[0][5]
        [linked] = adapter.write_links([("cust-0000", ACCOUNT)])
        assert linked.status == "written"

        _set_country(sandbox, "cust-0002", "AT")  # changed again since the run
        undone = undo_address_fixes("run-a", {"customer": adapter}, journal_path=journal)
        assert undone.counts == {"customer": {"undone": 1, "written": 1, "refused": 1, "conflict": 1}}
        assert sandbox.store.get("cust-0003")["address"]["state"] == "Bavaria"  # put back
        assert _country(sandbox, "cust-0002") == "AT"  # changed again: left alone
        # Sequence will not take "Deutschland" back (not an ISO code): the fix stays, and says why.
        assert _country(sandbox, "cust-0000") == "DE"
        kept = [p for p in undone.problems if p[1] == "cust-0000"]
        assert kept[0][3] == "written"
        assert "not an ISO 3166-1 alpha-2 country code" in kept[0][5]


def test_salesforce_billing_fields_are_set_and_put_back(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with start_salesforce_sandbox(accounts=20) as org:
        client = salesforce_side(org).client
        try:
            rows = client.query("SELECT Id, BillingCountry, BillingState FROM Account ORDER BY Id LIMIT 3")
            ids = rows["Id"].astype(str).tolist()
            before = rows.set_index("Id")["BillingCountry"].fillna("").astype(str).to_dict()
            changes = [RecordChange("account", ids[0], (FieldChange("country", before[ids[0]], "DE"),
                                                         FieldChange("state", str(rows.iloc[0]["BillingState"] or ""),
                                                                     "BE"))),
                       RecordChange("account", ids[1], (FieldChange("country", "Not what it holds", "FR"),)),
                       RecordChange("account", "001000000009999AAA", (FieldChange("country", "x", "GB"),))]
            figures = write_address_fixes("run-b", changes, address_writers(client, None), journal_path=journal)
            assert figures.counts == {"account": {"written": 2, "conflict": 1, "not_found": 1}}
            after = client.query(f"SELECT Id, BillingCountry, BillingState FROM Account WHERE Id = '{ids[0]}'")
            assert (after.iloc[0]["BillingCountry"], after.iloc[0]["BillingState"]) == ("DE", "BE")
            untouched = client.query(f"SELECT BillingCountry FROM Account WHERE Id = '{ids[1]}'")
            assert str(untouched.iloc[0]["BillingCountry"] or "") == before[ids[1]]

            undo_address_fixes("run-b", {"account": SalesforceAddresses(client)}, journal_path=journal)
            restored = client.query(f"SELECT BillingCountry FROM Account WHERE Id = '{ids[0]}'")
            assert str(restored.iloc[0]["BillingCountry"] or "") == before[ids[0]]
        finally:
            client.session.close()


@pytest.mark.slow
def test_stripe_customer_address_is_fixed_and_put_back(tmp_path: Path) -> None:
    with start_localstripe(persist=False) as server:
        [customer] = server.create_customers([{"name": "Müller GmbH", "street": "Hauptstr. 1", "city": "Köln",
                                               "postcode": "50667", "country": "Deutschland"}])
        with StripeBilling(server.api_key, base_url=server.url) as adapter:
            journal = tmp_path / "journal.sqlite3"
            fixes = [_fix(customer, "Deutschland", "DE")]
            figures = write_address_fixes("run-c", fixes, address_writers(None, adapter), journal_path=journal)
            assert figures.counts == {"customer": {"written": 1}}
            [record] = [r for r in adapter.iter_customers() if r.customer_id == customer]
            assert (record.country, record.city, record.street) == ("DE", "Köln", "Hauptstr. 1")
            undo_address_fixes("run-c", {"customer": adapter}, journal_path=journal)
            [record] = [r for r in adapter.iter_customers() if r.customer_id == customer]
            assert record.country == "DEUTSCHLAND"  # the adapter reads countries upper-cased


def test_picklist_org_takes_the_iso_code_fix_in_billing_country_code(tmp_path: Path) -> None:
    """An org with State and Country/Territory picklists: the check reads the code fields (the text of
    records not converted yet), a country fix lands in BillingCountryCode (Salesforce fills the name),
    a state fix in BillingStateCode, and a code not in the org's list is refused per record."""
    with start_salesforce_sandbox(scenario="picklist-addresses", accounts=60) as org:
        client = salesforce_side(org).client
        try:
            describe = client.describe("Account")
            fields = account_fields_to_read(describe, "Billing_Customer_ID__c")
            assert (fields["country"], fields["state"]) == ("BillingCountryCode", "BillingStateCode")
            rows = client.query("SELECT Id, BillingCountry, BillingCountryCode, BillingState FROM Account ORDER BY Id")
            unconverted = rows[(rows["BillingCountryCode"] == "") & (rows["BillingCountry"] != "")]
            texas = rows[rows["BillingCountry"].isin(["United States of America", "U.S."])].iloc[0]
            named = rows[rows["BillingCountryCode"] == "DE"].iloc[0]
            first, second = unconverted.iloc[0], unconverted.iloc[1]
            changes = [
                RecordChange("account", first["Id"], (FieldChange("country", first["BillingCountry"], "DE"),)),
                RecordChange("account", texas["Id"], (FieldChange("country", texas["BillingCountry"], "US"),
                                                      FieldChange("state", texas["BillingState"], "TX"))),
                RecordChange("account", named["Id"], (FieldChange("country", "DE", "FR"),)),  # a code that counts
                RecordChange("account", second["Id"], (FieldChange("country", second["BillingCountry"], "XK"),)),
            ]
            writers = address_writers(client, None)
            figures = write_address_fixes("run-p", changes, writers, journal_path=tmp_path / "j")
            assert figures.counts == {"account": {"written": 4, "failed": 1}}  # address parts
            assert org.org.account(first["Id"])["BillingCountryCode"] == "DE"
            assert org.org.account(first["Id"])["BillingCountry"] == "Germany"  # the picklist's label
            assert org.org.counters.writes_of(first["Id"], "BillingCountryCode") == 1
            assert org.org.counters.writes_of(first["Id"], "BillingCountry") == 0
            fixed = org.org.account(texas["Id"])
            assert (fixed["BillingCountryCode"], fixed["BillingStateCode"]) == ("US", "TX")
            assert fixed["BillingState"] == "Texas"
            assert org.org.account(named["Id"])["BillingCountryCode"] == "FR"
            [refused] = [p for p in figures.problems if p[1] == second["Id"]]
            assert refused[4] == "FIELD_INTEGRITY_EXCEPTION"
            assert "list of valid countries" in refused[5]
            assert org.org.account(second["Id"])["BillingCountryCode"] is None
        finally:
            client.session.close()
