"""One decision of which Account fields to read, for the wizard's Load page and `desktop-app accounts`."""

from __future__ import annotations

import pytest

from desktop_app.workflow.link_fields import AccountFieldError, account_fields_to_read

DESCRIBE = {"fields": [{"name": n} for n in (
    "Id", "Name", "Website", "Phone", "BillingStreet", "BillingCity", "BillingPostalCode", "BillingCountry",
    "CurrencyIsoCode", "Billing_Customer_ID__c", "Industry")]}


def test_fields_are_found_whatever_the_letter_case_and_named_as_the_org_spells_them() -> None:
    chosen = account_fields_to_read(DESCRIBE, "billing_customer_id__C", ["industry"])
    assert chosen["link_customer_id"] == "Billing_Customer_ID__c"
    assert chosen["Industry"] == "Industry"
    assert chosen["country"] == "BillingCountry"
    assert "state" not in chosen  # this org has no BillingState: it is not asked for
    assert "email" not in chosen


def test_a_missing_link_field_or_extra_field_is_explained() -> None:
    with pytest.raises(AccountFieldError, match="does not exist on Account"):
        account_fields_to_read(DESCRIBE, "Nope__c")
    with pytest.raises(AccountFieldError, match="No Account field named 'Revenue__c'"):
        account_fields_to_read(DESCRIBE, "Billing_Customer_ID__c", ["Revenue__c"])


def test_a_field_that_cannot_hold_the_link_is_named_with_the_right_article() -> None:
    from desktop_app.workflow.link_fields import link_field_choices

    reasons = {c.name: c.reason for c in link_field_choices({"fields": [
        {"name": "Id", "type": "id"}, {"name": "NumberOfEmployees", "type": "int"},
        {"name": "BillingAddress", "type": "address"}, {"name": "Rating", "type": "picklist"},
        {"name": "Odd__c", "type": ""}]})}
    assert reasons["Id"] == "an id field cannot hold ids like cus_123 or UUIDs; use a Text field"
    assert reasons["NumberOfEmployees"].startswith("an int field cannot")
    assert reasons["BillingAddress"].startswith("an address field cannot")
    assert reasons["Rating"].startswith("a picklist field cannot")
    assert reasons["Odd__c"].startswith("a field cannot")
