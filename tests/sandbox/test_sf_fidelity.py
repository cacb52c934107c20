"""Where the sandbox org follows real orgs closely (Salesforce developer docs): the API versions up to
the current release, compound address fields and the common standard fields in describe, SOQL date
literals over a realistic CreatedDate spread, POST create, and Bulk 2.0 query restrictions."""

from __future__ import annotations

import datetime as dt

from desktop_app.sandbox.salesforce.gate import current_version
from desktop_app.sandbox.salesforce.soql_dates import day_range


def created_days(sandbox) -> list[dt.date]:
    table = sandbox.org.tables["Account"]
    return [dt.date.fromisoformat(v[:10]) for v in table.columns["CreatedDate"]]


def count(api, where: str) -> int:
    answer = api.get("query", params={"q": f"SELECT COUNT() FROM Account WHERE {where}"})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["totalSize"])


def test_versions_run_up_to_the_current_release(sandbox, trusted, raw_api) -> None:
    assert current_version(dt.date(2023, 10, 20)) == 59  # Winter '24
    assert current_version(dt.date(2026, 2, 20)) == 66  # Spring '26
    listed = trusted(sandbox).get(f"{sandbox.instance_url}/services/data/", timeout=10).json()
    newest = listed[-1]
    assert newest["version"] == f"{current_version()}.0"
    assert newest["url"] == f"/services/data/v{current_version()}.0"
    assert listed[0]["version"] == "31.0"
    assert raw_api(sandbox, version=f"{current_version()}.0").get("limits").status_code == 200
    assert raw_api(sandbox, version=f"{current_version() + 1}.0").get("limits").status_code == 404


def test_describe_has_compound_addresses_and_the_common_standard_fields(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    fields = {f["name"]: f for f in api.get("sobjects/Account/describe").json()["fields"]}
    assert fields["BillingAddress"]["type"] == "address"
    assert not fields["BillingAddress"]["updateable"]
    assert {fields[f"Billing{p}"]["compoundFieldName"] for p in ("Street", "City", "PostalCode", "Country")} == {
        "BillingAddress"
    }
    assert fields["ShippingAddress"]["type"] == "address"
    assert (fields["AnnualRevenue"]["type"], fields["NumberOfEmployees"]["type"]) == ("currency", "int")
    assert {"AccountNumber", "Site", "Fax", "Rating", "Ownership", "AccountSource", "BillingLatitude"} <= set(fields)
    record = api.get("query", params={"q": "SELECT BillingAddress, BillingCity FROM Account LIMIT 1"}).json()
    address = record["records"][0]["BillingAddress"]
    assert address["city"] == record["records"][0]["BillingCity"]
    assert {"street", "city", "state", "postalCode", "country", "latitude", "longitude"} <= set(address)


def test_created_dates_spread_over_years_and_date_literals_select_them(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    days = created_days(sandbox)
    today = dt.datetime.now(dt.UTC).date()
    assert len(set(days)) > len(days) // 3  # not one date for everyone
    assert min(days) < today - dt.timedelta(days=365) < max(days) < today
    for literal, n in (("LAST_N_DAYS", 30), ("LAST_N_DAYS", 365), ("THIS_YEAR", None), ("LAST_YEAR", None),
                       ("LAST_N_MONTHS", 6), ("THIS_QUARTER", None)):  # fmt: skip
        text = f"{literal}:{n}" if n is not None else literal
        span = day_range(literal, n, today)
        inside = sum(1 for d in days if span.start <= d < span.end)
        before = sum(1 for d in days if d < span.start)
        assert count(api, f"CreatedDate = {text}") == inside, text
        assert count(api, f"CreatedDate < {text}") == before, text
        assert count(api, f"CreatedDate >= {text}") == len(days) - before, text
    assert count(api, "CreatedDate = LAST_N_DAYS:365") > count(api, "CreatedDate = LAST_N_DAYS:30")
    refused = api.get("query", params={"q": "SELECT Id FROM Account WHERE Name = TODAY"})
    assert refused.json()[0]["errorCode"] == "INVALID_FIELD"


def test_post_creates_a_record_created_today(sandbox, raw_api, client) -> None:
    api = raw_api(sandbox)
    before = count(api, "CreatedDate = TODAY")
    made = api.request("POST", "sobjects/Account", json={"Name": "Neue Firma GmbH", "BillingCity": "Köln"})
    assert made.status_code == 201
    assert made.json()["success"] is True
    assert sandbox.org.account(made.json()["id"])["BillingCity"] == "Köln"
    assert count(api, "CreatedDate = TODAY") == before + 1
    missing = api.request("POST", "sobjects/Account", json={"BillingCity": "Köln"})
    assert (missing.status_code, missing.json()[0]["errorCode"]) == (400, "REQUIRED_FIELD_MISSING")
    by_library = client(sandbox).Account.create({"Name": "Through simple-salesforce"})  # an independent client
    assert sandbox.org.account(by_library["id"])["Name"] == "Through simple-salesforce"


def test_bulk_query_refuses_offset_and_compound_fields(sandbox, raw_api) -> None:
    api = raw_api(sandbox)

    def start(query: str):
        return api.request("POST", "jobs/query", json={"operation": "query", "query": query})

    offset = start("SELECT Id FROM Account LIMIT 10 OFFSET 5")
    assert (offset.status_code, offset.json()[0]["errorCode"]) == (400, "INVALIDJOB")
    assert "OFFSET" in offset.json()[0]["message"]
    compound = start("SELECT Id, BillingAddress FROM Account")
    assert (compound.status_code, compound.json()[0]["errorCode"]) == (400, "INVALIDJOB")
    assert start("SELECT Id, BillingCity FROM Account LIMIT 10").status_code == 200
