"""Reading from the sandbox org over real HTTPS: REST paging, Bulk 2.0 above the threshold,
cancellation, SOQL escaping and billing contacts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sf_support import admin_client

from desktop_app.core.progress import Cancelled, CancelToken, Progress
from desktop_app.salesforce.soql import soql_quote

LINK = "Billing_Customer_ID__c"


def test_rest_query_follows_every_page_and_keeps_text(healthy_org: Any) -> None:
    client = admin_client(healthy_org, bulk_threshold=1_000_000)
    reports: list[Progress] = []
    frame = client.read_accounts(["Name", "BillingCountry", LINK], progress=reports.append)
    assert len(frame) == client.count_accounts() == 2500
    assert frame["Id"].is_unique
    assert list(frame.columns) == ["Id", "Name", "BillingCountry", LINK]
    assert all(isinstance(v, str) for v in frame[LINK])  # null link fields come back as ""
    assert len({r.done for r in reports if r.done}) >= 2  # more than one page was read
    used, allowed = client.api_usage() or (0, 0)
    assert allowed == 15000
    assert used == healthy_org.org.api_used


def test_parent_fields_are_flattened(healthy_org: Any) -> None:
    client = admin_client(healthy_org)
    frame = client.query("SELECT Id, LastName, Account.Name FROM Contact LIMIT 5")
    assert "Account.Name" in frame.columns
    assert (frame["Account.Name"] != "").any()


def test_bulk_query_above_threshold_reads_the_same_rows(healthy_org: Any) -> None:
    rest = admin_client(healthy_org, bulk_threshold=1_000_000).read_accounts(["Name", LINK])
    bulk_client = admin_client(healthy_org, bulk_threshold=100)
    before = dict(healthy_org.org.counters.calls)
    bulk = bulk_client.read_accounts(["Name", LINK])
    after = dict(healthy_org.org.counters.calls)
    assert sorted(bulk["Id"]) == sorted(rest["Id"])
    merged = rest.merge(bulk, on="Id", suffixes=("_rest", "_bulk"))
    assert (merged["Name_rest"] == merged["Name_bulk"]).all()
    assert (merged[f"{LINK}_rest"] == merged[f"{LINK}_bulk"]).all()
    assert bulk[LINK].map(type).eq(str).all()
    assert sum(after.values()) - sum(before.values()) < 15  # a handful of bulk calls, not 2 pages + per row


def test_cancel_during_a_bulk_read_stops_it(healthy_org: Any) -> None:
    client = admin_client(healthy_org, bulk_threshold=100)
    cancel = CancelToken()

    def cancel_when_started(progress: Progress) -> None:
        if "working" in progress.message:
            cancel.cancel()

    with pytest.raises(Cancelled):
        client.read_accounts(["Name"], progress=cancel_when_started, cancel=cancel)
    assert len(client.read_accounts(["Name"])) == 2500  # the client is still usable


def test_cancel_between_rest_pages(healthy_org: Any) -> None:
    client = admin_client(healthy_org, bulk_threshold=1_000_000)
    cancel = CancelToken()

    def cancel_after_first_page(progress: Progress) -> None:
        if progress.done > 0:
            cancel.cancel()

    with pytest.raises(Cancelled):
        client.read_accounts(["Name"], progress=cancel_after_first_page, cancel=cancel)


def test_quoted_values_cannot_change_the_query(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scenario="healthy")
    client = admin_client(sandbox)
    first = client.read_accounts(["Name"])["Id"].iloc[0]
    tricky = 'O\'Brien \\ Sons "Ltd"'
    sandbox.org.set_field("Account", first, "Name", tricky)
    found = client.read_accounts(["Name"], where=f"Name = {soql_quote(tricky)}")
    assert list(found["Id"]) == [first]
    assert found["Name"].iloc[0] == tricky
    injected = client.read_accounts(["Name"], where=f"Name = {soql_quote(chr(39) + ' OR Name != ' + chr(39))}")
    assert injected.empty


def test_billing_contacts_by_customer_email(healthy_org: Any) -> None:
    client = admin_client(healthy_org)
    contacts = client.query("SELECT Id, AccountId, Email FROM Contact WHERE Email != null LIMIT 40")
    wanted = dict(zip(contacts["AccountId"], contacts["Email"].str.upper(), strict=False))  # case must not matter
    wanted["001000000000000AAA"] = "nobody@example.com"
    found = client.read_billing_contacts(emails_by_account=wanted)
    assert list(found.columns[:9]) == [
        "contact_id",
        "account_id",
        "name",
        "email",
        "street",
        "city",
        "state",
        "postcode",
        "country",
    ]
    assert set(found["account_id"]) == set(contacts["AccountId"])
    assert found["account_id"].is_unique
    for _, row in found.iterrows():
        assert row["email"].lower() == wanted[row["account_id"]].lower()
    assert isinstance(found, pd.DataFrame)


def test_billing_contacts_in_a_picklist_org_carry_the_country_code(start_sandbox: Any) -> None:
    """With State and Country/Territory picklists the code is the contact's country; a contact not yet
    converted keeps its text."""
    sandbox = start_sandbox(scenario="picklist-addresses", accounts=80)
    client = admin_client(sandbox)
    contacts = client.query("SELECT Id, AccountId, Email, MailingCountry, MailingCountryCode FROM Contact")
    contacts = contacts[contacts["Email"] != ""].drop_duplicates("AccountId", keep=False)
    found = client.read_billing_contacts(emails_by_account=dict(zip(contacts["AccountId"], contacts["Email"],
                                                                    strict=True))).set_index("contact_id")
    coded = contacts[contacts["MailingCountryCode"] != ""]
    plain = contacts[(contacts["MailingCountryCode"] == "") & (contacts["MailingCountry"] != "")]
    assert len(coded) > 0
    assert (found.loc[coded["Id"], "country"].to_numpy() == coded["MailingCountryCode"].to_numpy()).all()
    assert (found.loc[coded["Id"], "country"].str.len() == 2).all()  # "Germany" reads as DE
    assert (found.loc[plain["Id"], "country"].to_numpy() == plain["MailingCountry"].to_numpy()).all()
