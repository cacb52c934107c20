"""Column roles: found by header name, confirmed by content, overridable, and the canonical frame."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from desktop_app.core.ids import checksum_suffix
from desktop_app.core.roles import ACCOUNT_ROLES, CUSTOMER_ROLES, SOURCE_ROW, Side
from desktop_app.core.tables import LoadedTable, TableError, detect_roles, normalize_header


def account_ids(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    result = []
    for _ in range(n):
        id15 = "0015g00000" + "".join(rng.choice(alphabet) for _ in range(5))
        result.append(id15 + checksum_suffix(id15))
    return result


def frame(columns: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=object)


def test_normalize_header() -> None:
    assert normalize_header(" Billing Street ") == "billingstreet"
    assert normalize_header("billing_address.line1") == "billingaddressline1"
    assert normalize_header("salesforce_account_id (metadata)") == "salesforceaccountidmetadata"
    assert normalize_header("Téléphone") == "telephone"
    assert normalize_header("Rechnungsstraße") == "rechnungsstrasse"


def test_salesforce_export_headers() -> None:
    ids = account_ids(3)
    f = frame(
        {
            "Id": ids,
            "Account Name": ["A", "B", "C"],
            "Website": ["a.com", "", ""],
            "Billing Street": ["1 St", "", ""],
            "BillingCity": ["X", "", ""],
            "BillingStateCode": ["CA", "", ""],
            "BillingPostalCode": ["94105", "", ""],
            "BillingCountry": ["United States", "France", ""],
            "CurrencyIsoCode": ["USD", "", ""],
            "Phone": ["+1", "", ""],
            "Sequence_Customer_ID__c": ["cus_1", "", ""],
        }
    )
    mapping = detect_roles(f, Side.ACCOUNTS)
    assert mapping.columns == {
        "account_id": "Id",
        "name": "Account Name",
        "website": "Website",
        "street": "Billing Street",
        "city": "BillingCity",
        "state": "BillingStateCode",
        "postcode": "BillingPostalCode",
        "country": "BillingCountry",
        "currency": "CurrencyIsoCode",
        "phone": "Phone",
        "link_customer_id": "Sequence_Customer_ID__c",
    }
    assert mapping.reasons["account_id"] == "header 'Id'; content: 100% look like Account ids"
    assert mapping.reasons["country"] == "header 'BillingCountry'"


@pytest.mark.parametrize(
    ("name_values", "code_values", "expected"),
    [
        (["France", "Germany"], ["FR", "DE"], "BillingCountryCode"),  # both full: the code column
        (["France", "Germany"], ["FR", ""], "BillingCountry"),  # the name column has more
        (["", ""], ["FR", ""], "BillingCountryCode"),
        (["France", ""], ["", ""], "BillingCountry"),
    ],
)
def test_country_prefers_the_column_with_most_content_then_the_code(
    name_values: list[str], code_values: list[str], expected: str
) -> None:
    f = frame({"BillingCountry": name_values, "BillingCountryCode": code_values})
    assert detect_roles(f, Side.ACCOUNTS).columns["country"] == expected


def test_any_customer_id_custom_field_is_the_link_but_not_when_it_holds_account_ids() -> None:
    ids = account_ids(4)
    f = frame({"Id": ids, "My_Customer_Ref_Id__c": ["cus_1", "cus_2", "", ""]})
    mapping = detect_roles(f, Side.ACCOUNTS)
    assert mapping.columns["link_customer_id"] == "My_Customer_Ref_Id__c"
    assert "0% look like Account ids" in mapping.reasons["link_customer_id"]
    wrong = frame({"Name": ["a", "b", "c", "d"], "Billing_Customer_ID__c": account_ids(4, seed=2)})
    mapping = detect_roles(wrong, Side.ACCOUNTS)
    assert "link_customer_id" not in mapping.columns
    assert "100% look like Account ids, so it was not used" in mapping.reasons["link_customer_id"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["id", "Email", "Name", "salesforce_account_id (metadata)"], "salesforce_account_id (metadata)"),
        (["customers.id", "customers.company", "sfdc_id"], "sfdc_id"),
        (["Id", "crmId", "Display Name"], "crmId"),
        (["id", "metadata.salesforce_account_id", "legalName"], "metadata.salesforce_account_id"),
        (["id", "CRM Id", "company"], "CRM Id"),
        (["id", "Salesforce ID", "Company Name"], "Salesforce ID"),
    ],
)
def test_billing_salesforce_id_headers(headers: list[str], expected: str) -> None:
    ids = account_ids(3)
    columns = {h: ["x1", "x2", "x3"] for h in headers}
    columns[expected] = ids
    mapping = detect_roles(frame(columns), Side.CUSTOMERS)
    assert mapping.columns["sf_account_id"] == expected
    assert mapping.columns["customer_id"] == headers[0]


def test_named_salesforce_id_column_holding_other_values_is_rejected() -> None:
    f = frame({"id": ["c1", "c2"], "crmId": ["HUB-1", "HUB-2"]})
    mapping = detect_roles(f, Side.CUSTOMERS)
    assert "sf_account_id" not in mapping.columns
    assert "0% look like Account ids, so it was not used" in mapping.reasons["sf_account_id"]


def test_empty_salesforce_id_column_is_accepted_by_name() -> None:
    f = frame({"id": ["c1", "c2"], "sfdc_id": ["", ""]})
    mapping = detect_roles(f, Side.CUSTOMERS)
    assert mapping.columns["sf_account_id"] == "sfdc_id"
    assert "empty" in mapping.reasons["sf_account_id"]


def test_unnamed_column_of_account_ids_is_offered_by_content() -> None:
    ids = account_ids(10)
    f = frame({"ContactID": [f"c{i}" for i in range(10)], "Reference": [*ids[:9], "other"]})
    mapping = detect_roles(f, Side.CUSTOMERS)
    assert mapping.columns["sf_account_id"] == "Reference"
    assert mapping.reasons["sf_account_id"].startswith("content: 90% of column 'Reference' look like Account ids")
    prose = frame({"ContactID": ["c1", "c2"], "Notes": ["hello", "world"]})
    assert "sf_account_id" not in detect_roles(prose, Side.CUSTOMERS).columns


@pytest.mark.parametrize(
    ("headers", "role", "expected"),
    [
        (["Display Name", "Email Address"], "name", "Display Name"),
        (["ContactName", "EmailAddress"], "name", "ContactName"),
        (["Company Name", "Display Name"], "name", "Company Name"),
        (["legalName", "email"], "legal_name", "legalName"),
        (["address.line1", "address.city", "address.postal_code", "address.country"], "street", "address.line1"),
        (
            ["address.line1", "address.city", "address.postal_code", "address.country"],
            "postcode",
            "address.postal_code",
        ),
        (["Address Line 1", "town", "zip", "province"], "city", "town"),
        (["Address Line 1", "town", "zip", "province"], "state", "province"),
        (["billing_address.line1", "billing_address.zip"], "postcode", "billing_address.zip"),
        (["Customer ID", "currency"], "customer_id", "Customer ID"),
        (["Customer ID", "currency"], "currency", "currency"),
        (["id", "Email", "Phone"], "phone", "Phone"),  # Stripe, Chargebee, QuickBooks exports
        (["Account Number", "Bill To Work Phone"], "phone", "Bill To Work Phone"),  # Zuora
        (["id", "legalName", "telephone"], "phone", "telephone"),  # Sequence
        (["account_code", "company_name", "email"], "customer_id", "account_code"),  # Recurly
        (["Customer", "Phone Numbers", "Email"], "phone", "Phone Numbers"),  # QuickBooks' contact list report
        (["LEI", "Entity.LegalName", "Entity.LegalAddress.FirstAddressLine"], "customer_id", "LEI"),  # GLEIF
        (["LEI", "Entity.LegalName", "Entity.LegalAddress.FirstAddressLine"], "street",
         "Entity.LegalAddress.FirstAddressLine"),
        (["uuid", "name", "homepage_url"], "customer_id", "uuid"),  # Crunchbase
        (["uuid", "name", "homepage_url"], "website", "homepage_url"),
        (["rec_id", "given_name", "address_1"], "customer_id", "rec_id"),  # FEBRL
        (["Internal ID", "Company Name", "custentity_sf_account_id"], "customer_id", "Internal ID"),  # NetSuite
    ],
)
def test_billing_export_headers(headers: list[str], role: str, expected: str) -> None:
    mapping = detect_roles(frame({h: ["v"] for h in headers}), Side.CUSTOMERS)
    assert mapping.columns[role] == expected


@pytest.mark.parametrize("side", [Side.ACCOUNTS, Side.CUSTOMERS])
@pytest.mark.parametrize(
    ("headers", "role", "expected"),
    [
        (["id", "name", "addr", "city", "phone", "type"], "street", "addr"),  # restaurant guides (Fodor's, Zagat)
        (["Name", "Address 1", "Address 2", "Tel"], "street", "Address 1"),
        (["Name", "Address 1", "Address 2", "Tel"], "phone", "Tel"),
        (["Name", "Street1", "Phone No"], "phone", "Phone No"),
        # Hospital and business registries
        (["Facility ID", "Facility Name", "Address", "City", "ZIP Code", "Phone Number"], "name", "Facility Name"),
        (["Organization Name", "Physical Address", "Locality", "Postal"], "name", "Organization Name"),
        (["Organization Name", "Physical Address", "Locality", "Postal"], "street", "Physical Address"),
        (["Organization Name", "Physical Address", "Locality", "Postal"], "city", "Locality"),
        (["Organization Name", "Physical Address", "Locality", "Postal"], "postcode", "Postal"),
        (["Business Name", "Trading Name", "Suburb", "Country Name"], "name", "Business Name"),
        (["Business Name", "Trading Name", "Suburb", "Country Name"], "country", "Country Name"),
    ],
)
def test_directory_registry_and_guide_headers(
    side: Side, headers: list[str], role: str, expected: str
) -> None:
    mapping = detect_roles(frame({h: ["v"] for h in headers}), side)
    assert mapping.columns[role] == expected


SALESFORCE_REPORT = ["Account ID", "Account Name", "Billing Street", "Billing City", "Billing State/Province",
                     "Billing Zip/Postal Code", "Billing Country", "Phone", "Website", "Customer_ID__c"]
HUBSPOT = ["Record ID", "Company name", "Company Domain Name", "Street Address", "City", "State/Region",
           "Postal Code", "Country/Region", "Phone Number"]
COMPANIES_HOUSE = ["CompanyName", " CompanyNumber", "RegAddress.CareOf", "RegAddress.POBox",
                   "RegAddress.AddressLine1", " RegAddress.AddressLine2", "RegAddress.PostTown", "RegAddress.County",
                   "RegAddress.Country", "RegAddress.PostCode", "CompanyCategory"]
SALESFORCE_REPORT_DE = ["Account-ID", "Accountname", "Rechnungsstraße", "Rechnungsort", "Rechnungsbundesland/-kanton",
                        "Rechnungs-PLZ", "Rechnungsland", "Telefon", "Website"]
SALESFORCE_REPORT_FR = ["ID du compte", "Nom du compte", "Rue de facturation", "Ville de facturation",
                        "Code postal de facturation", "Pays de facturation", "Téléphone", "Site Web"]
ZUORA_DATA_SOURCE = ["Account.AccountNumber", "Account.Name", "Account.CrmId", "Account.Currency", "Owner.Name",
                     "BillToContact.Address1", "BillToContact.City", "BillToContact.PostalCode",
                     "BillToContact.Country", "BillToContact.WorkEmail", "SoldToContact.State"]
ZUORA_UI = ["Account: Account Number", "Account: Account Name", "Account: CRM Account ID", "Bill To: Address 1",
            "Bill To: City", "Bill To: Zip/Postal Code", "Bill To: Country", "Parent Account: Account Number"]


@pytest.mark.parametrize(
    ("side", "headers", "expected"),
    [
        (Side.ACCOUNTS, SALESFORCE_REPORT, {
            "account_id": "Account ID", "name": "Account Name", "street": "Billing Street", "city": "Billing City",
            "state": "Billing State/Province", "postcode": "Billing Zip/Postal Code", "country": "Billing Country",
            "phone": "Phone", "website": "Website", "link_customer_id": "Customer_ID__c"}),
        (Side.CUSTOMERS, HUBSPOT, {
            "customer_id": "Record ID", "name": "Company name", "website": "Company Domain Name",
            "street": "Street Address", "city": "City", "state": "State/Region", "postcode": "Postal Code",
            "country": "Country/Region", "phone": "Phone Number"}),
        (Side.CUSTOMERS, COMPANIES_HOUSE, {
            "customer_id": " CompanyNumber", "name": "CompanyName", "street": "RegAddress.AddressLine1",
            "city": "RegAddress.PostTown", "state": "RegAddress.County", "postcode": "RegAddress.PostCode",
            "country": "RegAddress.Country"}),
        (Side.CUSTOMERS, ZUORA_DATA_SOURCE, {
            "customer_id": "Account.AccountNumber", "sf_account_id": "Account.CrmId", "name": "Account.Name",
            "currency": "Account.Currency", "street": "BillToContact.Address1", "city": "BillToContact.City",
            "postcode": "BillToContact.PostalCode", "country": "BillToContact.Country",
            "email": "BillToContact.WorkEmail"}),
        (Side.CUSTOMERS, ZUORA_UI, {
            "customer_id": "Account: Account Number", "sf_account_id": "Account: CRM Account ID",
            "name": "Account: Account Name", "street": "Bill To: Address 1", "city": "Bill To: City",
            "postcode": "Bill To: Zip/Postal Code", "country": "Bill To: Country"}),
        (Side.ACCOUNTS, SALESFORCE_REPORT_DE, {
            "account_id": "Account-ID", "name": "Accountname", "street": "Rechnungsstraße", "city": "Rechnungsort",
            "state": "Rechnungsbundesland/-kanton", "postcode": "Rechnungs-PLZ", "country": "Rechnungsland",
            "phone": "Telefon", "website": "Website"}),
        (Side.ACCOUNTS, SALESFORCE_REPORT_FR, {
            "account_id": "ID du compte", "name": "Nom du compte", "street": "Rue de facturation",
            "city": "Ville de facturation", "postcode": "Code postal de facturation", "country": "Pays de facturation",
            "phone": "Téléphone", "website": "Site Web"}),
        (Side.CUSTOMERS, ["Kundennummer", "Firmenname", "Straße", "PLZ", "Ort", "Land", "E-Mail", "Telefon"], {
            "customer_id": "Kundennummer", "name": "Firmenname", "street": "Straße", "postcode": "PLZ", "city": "Ort",
            "country": "Land", "email": "E-Mail", "phone": "Telefon"}),
        (Side.CUSTOMERS, ["Numéro client", "Raison sociale", "Adresse", "Code postal", "Ville", "Pays", "Courriel"], {
            "customer_id": "Numéro client", "name": "Raison sociale", "street": "Adresse", "postcode": "Code postal",
            "city": "Ville", "country": "Pays", "email": "Courriel"}),
    ],
    ids=["salesforce-report", "hubspot", "companies-house", "zuora-data-source", "zuora-ui", "salesforce-report-de",
         "salesforce-report-fr", "lexoffice", "french-invoicing"],
)
def test_every_column_of_a_real_export_layout_finds_its_role(
    side: Side, headers: list[str], expected: dict[str, str]
) -> None:
    # Salesforce report labels ("Billing Zip/Postal Code"), HubSpot's and the UK registry's headers: a role
    # left out here is a column the match silently never sees.
    ids = account_ids(2)
    salesforce_ids = ("Account ID", "Account.CrmId", "Account: CRM Account ID", "Account-ID", "ID du compte")
    columns = {h: ids if h in salesforce_ids else ["cus_1", "cus_2"] if "ID" in h else ["x", "y"] for h in headers}
    assert detect_roles(frame(columns), side).columns == expected


def test_netsuites_salesforce_id_field_is_the_link() -> None:
    f = frame({"Internal ID": ["1", "2"], "Company Name": ["A", "B"], "custentity_sf_account_id": account_ids(2)})
    mapping = detect_roles(f, Side.CUSTOMERS)
    assert mapping.columns["sf_account_id"] == "custentity_sf_account_id"
    assert mapping.reasons["sf_account_id"].startswith("header 'custentity_sf_account_id'")  # by name, not content


def test_fields_of_another_record_take_no_role() -> None:
    headers = ["Account.Id", "Owner.Name", "Parent.Id", "ShipToContact.Country", "SoldToContact.City"]
    mapping = detect_roles(frame({h: account_ids(1) if h.endswith("Id") else ["x"] for h in headers}), Side.ACCOUNTS)
    assert mapping.columns == {"account_id": "Account.Id"}


def test_a_shipping_address_is_not_taken_for_the_billing_address() -> None:
    headers = ["Id", "Name", "Shipping City", "Shipping Zip/Postal Code", "Billing Zip/Postal Code"]
    columns = {h: account_ids(1) if h == "Id" else ["x"] for h in headers}
    mapping = detect_roles(frame(columns), Side.ACCOUNTS)
    assert mapping.columns["postcode"] == "Billing Zip/Postal Code"
    assert "city" not in mapping.columns


def test_legal_name_only_also_serves_as_name() -> None:
    mapping = detect_roles(frame({"id": ["1"], "legalName": ["Acme SAS"]}), Side.CUSTOMERS)
    assert mapping.columns["name"] == "legalName"
    assert mapping.columns["legal_name"] == "legalName"


def test_mapping_and_contacts_sides() -> None:
    ids = account_ids(2)
    mapping = detect_roles(frame({"Salesforce Account ID": ids, "Billing Customer ID": ["c1", "c2"]}), Side.MAPPING)
    assert mapping.columns == {"account_id": "Salesforce Account ID", "customer_id": "Billing Customer ID"}
    unnamed = detect_roles(frame({"a": ids, "customer": ["c1", "c2"]}), Side.MAPPING)
    assert unnamed.columns == {"customer_id": "customer", "account_id": "a"}
    contacts = detect_roles(frame({"id": ["p1"], "customer id": ["c1"], "Full Name": ["Ann"]}), Side.CONTACTS)
    assert contacts.columns == {"contact_id": "id", "account_id": "customer id", "name": "Full Name"}


@pytest.mark.parametrize("side", [Side.ACCOUNTS, Side.CUSTOMERS])
def test_canonical_headers_read_back_as_their_roles(side: Side) -> None:
    roles = ACCOUNT_ROLES if side is Side.ACCOUNTS else CUSTOMER_ROLES
    ids, other = account_ids(2), ["cus_1wHy2eSM0oN3If", "cus_y7WQM4dupDu9r4"]
    salesforce_roles = {"account_id", "sf_account_id"}
    columns = {role: ids if role in salesforce_roles else other if role.endswith("_id") else ["x", "y"]
               for role in roles}
    assert detect_roles(frame(columns), side).columns == {role: role for role in roles}


def test_overrides_win_and_unknown_override_header_is_refused() -> None:
    f = frame({"Id": account_ids(1), "Land": ["DE"], "Country": ["Germany"]})
    mapping = detect_roles(f, Side.ACCOUNTS, {"country": "Land"})
    assert mapping.columns["country"] == "Land"
    assert mapping.reasons["country"] == "chosen by you (column 'Land')"
    assert detect_roles(f, Side.ACCOUNTS, {"country": " land "}).columns["country"] == "Land"
    unmapped = detect_roles(f, Side.ACCOUNTS, {"country": ""})
    assert "country" not in unmapped.columns
    with pytest.raises(TableError) as caught:
        detect_roles(f, Side.ACCOUNTS, {"country": "Pays"})
    assert "'Pays'" in str(caught.value)
    assert "'Id', 'Land', 'Country'" in str(caught.value)
    with pytest.raises(TableError, match="no role 'colour'"):
        detect_roles(f, Side.ACCOUNTS, {"colour": "Land"})


def test_canonical_frame_has_every_role_in_order_plus_source_row() -> None:
    f = frame({"Id": account_ids(2), "Name": ["A", "B"], "Zip": ["01234", ""]})
    table = LoadedTable(Path("x.csv"), f, [2, 5], "utf-8", ",", None, [])
    canonical = table.canonical(Side.ACCOUNTS)
    assert list(canonical.columns) == [*ACCOUNT_ROLES, SOURCE_ROW]
    assert canonical["postcode"].tolist() == ["01234", ""]
    assert canonical["city"].tolist() == ["", ""]
    assert canonical[SOURCE_ROW].tolist() == [2, 5]
    assert all(canonical[r].dtype == object for r in ACCOUNT_ROLES)
    customers = table.canonical(Side.CUSTOMERS, {"customer_id": "Name"})
    assert list(customers.columns) == [*CUSTOMER_ROLES, SOURCE_ROW]
    assert customers["customer_id"].tolist() == ["A", "B"]
    assert table.roles(Side.ACCOUNTS).columns["postcode"] == "Zip"


def test_a_name_column_filled_on_few_rows_gives_way_to_a_fuller_one_but_not_to_a_description() -> None:
    # QuickBooks: "Company name" is empty for most customers, "Customer" (the display name) never is.
    quickbooks = frame({"Id": ["1", "2", "3"], "Customer": ["Acme", "Beta", "Gamma"],
                        "Company name": ["", "", "Gamma Ltd"]})
    mapping = detect_roles(quickbooks, Side.CUSTOMERS)
    assert mapping.columns["name"] == "Customer"
    assert "filled on 3 rows, 'Company name' only on 1" in mapping.reasons["name"]
    # Half the rows or more: the better-named column stays.
    half = frame({"Id": ["1", "2"], "Customer": ["Acme", "Beta"], "Company name": ["", "Beta Ltd"]})
    assert detect_roles(half, Side.CUSTOMERS).columns["name"] == "Company name"
    # Stripe: a free-text description never takes the name from a sparse "Name".
    stripe = frame({"id": ["cus_1", "cus_2", "cus_3"], "Name": ["", "", "Gamma"],
                    "Description": ["Customer for a@x.com", "VIP", "Gamma"]})
    assert detect_roles(stripe, Side.CUSTOMERS).columns["name"] == "Name"
