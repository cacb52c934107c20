"""Every named scenario, and the error a user of the app would see in it, over real HTTPS."""

from __future__ import annotations

import base64

import pytest
import requests
from simple_salesforce.exceptions import SalesforceRefusedRequest

from desktop_app.sandbox.salesforce import SCENARIOS, scenario_named, with_knobs


def patch_link(api, account_id: str, value) -> dict:
    body = {
        "allOrNone": False,
        "records": [{"attributes": {"type": "Account"}, "id": account_id, "Billing_Customer_ID__c": value}],
    }
    return api.request("PATCH", "composite/sobjects", json=body)


def first_account(api, where: str = "") -> dict:
    query = f"SELECT Id, BillingCountry FROM Account {where} ORDER BY Id LIMIT 1"
    return api.get("query", params={"q": query}).json()["records"][0]


def describe_field(api, name: str) -> dict | None:
    fields = api.get("sobjects/Account/describe").json()["fields"]
    return next((f for f in fields if f["name"] == name), None)


def test_every_named_scenario_is_known() -> None:
    assert set(SCENARIOS) >= {
        "healthy",
        "single-currency",
        "no-api",
        "number-link-field",
        "readonly-link-field",
        "validation-rule",
        "required-field",
        "api-limits-low",
        "faults",
    }
    with pytest.raises(ValueError, match="choose one of"):
        scenario_named("nope")


def test_single_currency_org_has_no_currency_type(start_sandbox, raw_api) -> None:
    api = raw_api(start_sandbox("single-currency"))
    assert describe_field(api, "CurrencyIsoCode") is None
    answer = api.get("query", params={"q": "SELECT IsoCode FROM CurrencyType"})
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALID_TYPE"
    assert "sObject type 'CurrencyType' is not supported" in answer.json()[0]["message"]


def test_user_without_api_enabled_is_refused(start_sandbox, raw_api, client) -> None:
    sandbox = start_sandbox("no-api")
    answer = raw_api(sandbox).get("limits")
    assert answer.status_code == 403
    assert answer.json() == [
        {"message": "The REST API is not enabled for this Organization.", "errorCode": "API_DISABLED_FOR_ORG"}
    ]
    with pytest.raises(SalesforceRefusedRequest):
        client(sandbox).query("SELECT Id FROM Account LIMIT 1")
    professional = raw_api(start_sandbox("professional-edition")).get("query", params={"q": "SELECT Id FROM User"})
    assert professional.status_code == 403
    assert professional.json()[0]["errorCode"] == "API_DISABLED_FOR_ORG"
    healthy = start_sandbox()
    refused = raw_api(healthy, healthy.token_for("noapi@crosslink.demo")).get(
        "query", params={"q": "SELECT Id FROM User"}
    )
    assert refused.json()[0]["errorCode"] == "API_DISABLED_FOR_ORG"


def test_number_link_field_rejects_text_ids(start_sandbox, raw_api) -> None:
    sandbox = start_sandbox("number-link-field")
    api = raw_api(sandbox)
    assert describe_field(api, "Billing_Customer_ID__c")["type"] == "double"
    account = first_account(api)
    words = patch_link(api, account["Id"], "cus_abc")
    assert words.status_code == 400
    assert words.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert patch_link(api, account["Id"], "123").json()[0]["success"] is True
    assert sandbox.org.account(account["Id"])["Billing_Customer_ID__c"] == 123.0


def test_readonly_link_field_fails_per_record(start_sandbox, raw_api) -> None:
    sandbox = start_sandbox("readonly-link-field")
    api = raw_api(sandbox)
    assert describe_field(api, "Billing_Customer_ID__c")["updateable"] is False
    account = first_account(api)
    [result] = patch_link(api, account["Id"], "cus_1").json()
    assert result["success"] is False
    assert result["errors"][0]["statusCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert result["errors"][0]["fields"] == ["Billing_Customer_ID__c"]
    assert result["errors"][0]["message"].startswith("Unable to create/update fields: Billing_Customer_ID__c.")
    user_id = sandbox.org.default_user.user_id
    permissions = api.get(
        "query",
        params={
            "q": (
                "SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE SobjectType = 'Account' "
                f"AND ParentId IN (SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '{user_id}')"
            )
        },
    )
    assert permissions.json()["records"][0]["PermissionsEdit"] is False
    assert sandbox.org.counters.writes_of(account["Id"], "Billing_Customer_ID__c") == 0


def test_validation_rule_rejects_non_iso_countries(start_sandbox, raw_api) -> None:
    sandbox = start_sandbox("validation-rule")
    api = raw_api(sandbox)
    rules = api.get(
        "tooling/query",
        params={
            "q": "SELECT ValidationName, Active, ErrorMessage FROM ValidationRule "
            "WHERE EntityDefinition.QualifiedApiName = 'Account'"
        },
    )
    [rule] = rules.json()["records"]
    assert rule["Active"] is True
    long_name = first_account(api, "WHERE BillingCountry = 'Germany'")
    [failed] = patch_link(api, long_name["Id"], "cus_1").json()
    assert failed["errors"] == [
        {
            "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "message": rule["ErrorMessage"],
            "fields": ["BillingCountry"],
        }
    ]
    iso = first_account(api, "WHERE BillingCountry = 'DE'")
    assert patch_link(api, iso["Id"], "cus_2").json()[0]["success"] is True


def test_required_field_blocks_updates_of_records_missing_it(start_sandbox, raw_api) -> None:
    sandbox = start_sandbox("required-field")
    api = raw_api(sandbox)
    assert describe_field(api, "Account_Tier__c")["nillable"] is False
    blank = api.get("query", params={"q": "SELECT Id FROM Account WHERE Account_Tier__c = null LIMIT 1"})
    [result] = patch_link(api, blank.json()["records"][0]["Id"], "cus_1").json()
    assert result["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert result["errors"][0]["fields"] == ["Account_Tier__c"]


def test_daily_api_limit_runs_out(start_sandbox, raw_api) -> None:
    sandbox = start_sandbox("api-limits-low")
    api = raw_api(sandbox)
    limits = api.get("limits").json()["DailyApiRequests"]
    assert limits == {"Max": 15000, "Remaining": 19}
    statuses = [api.get("query", params={"q": "SELECT Id FROM Account LIMIT 1"}).status_code for _ in range(21)]
    assert statuses == [200] * 19 + [403, 403]
    refused = api.get("limits")
    assert refused.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    assert refused.headers["Sforce-Limit-Info"] == "api-usage=15000/15000"


def test_record_locks_at_a_rate_are_deterministic_and_retryable(start_sandbox, raw_api) -> None:
    knobs = with_knobs("healthy", lock_rate=0.3)
    outcomes = []
    for _ in range(2):
        sandbox = start_sandbox(knobs)
        api = raw_api(sandbox)
        ids = [r["Id"] for r in api.get("query", params={"q": "SELECT Id FROM Account LIMIT 200"}).json()["records"]]
        body = {"records": [{"attributes": {"type": "Account"}, "id": i, "Billing_Customer_ID__c": "c"} for i in ids]}
        results = api.request("PATCH", "composite/sobjects", json=body).json()
        locked = [i for i, r in zip(ids, results, strict=True) if not r["success"]]  # failures carry no id
        assert all(r["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW" for r in results if not r["success"])
        outcomes.append(locked)
        retry = {
            "records": [{"attributes": {"type": "Account"}, "id": i, "Billing_Customer_ID__c": "c"} for i in locked]
        }
        retried = api.request("PATCH", "composite/sobjects", json=retry).json()
        assert sum(r["success"] for r in retried) > len(locked) // 2
    assert outcomes[0] == outcomes[1]
    assert 20 < len(outcomes[0]) < 100


def test_injected_faults(start_sandbox, trusted, raw_api) -> None:
    unavailable = raw_api(start_sandbox(with_knobs("healthy", fault_503_rate=1.0))).get("limits")
    assert unavailable.status_code == 503
    assert unavailable.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    dropping = start_sandbox(with_knobs("healthy", fault_drop_rate=1.0))
    with pytest.raises(requests.exceptions.ConnectionError):
        raw_api(dropping).get("limits")
    slow = start_sandbox(with_knobs("healthy", fault_slow_rate=1.0, slow_seconds=0.2))
    assert raw_api(slow).get("limits").status_code == 200
    assert slow.org.counters.calls["fault.slow"] == 1
    lost = start_sandbox(with_knobs("healthy", fault_drop_after_rate=1.0))
    account_id = lost.org.tables["Account"].columns["Id"][0]
    with pytest.raises(requests.exceptions.ConnectionError):
        raw_api(lost).request("PATCH", f"sobjects/Account/{account_id}", json={"Phone": "+1 5"})
    assert lost.org.account(account_id)["Phone"] == "+1 5"  # written, though the answer was lost
    assert lost.org.counters.writes_of(account_id, "Phone") == 1
    mixed = start_sandbox(with_knobs("faults", slow_seconds=0.05))
    api = raw_api(mixed)
    statuses = []
    for _ in range(40):
        try:
            statuses.append(api.get("limits").status_code)
        except requests.exceptions.ConnectionError:
            statuses.append(0)
    assert statuses.count(200) > 30
    assert mixed.org.counters.calls["fault.503"] + mixed.org.counters.calls["fault.drop"] == 40 - statuses.count(200)


def test_deleted_records_scenario(start_sandbox, raw_api, client) -> None:
    sandbox = start_sandbox("deleted-records")
    sf = client(sandbox)
    everything = sf.query_all("SELECT Id, IsDeleted FROM Account WHERE IsDeleted = true", include_deleted=True)
    deleted = [r["Id"] for r in everything["records"]]
    assert len(deleted) == 5
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 295
    answer = raw_api(sandbox).request("PATCH", f"sobjects/Account/{deleted[0]}", json={"Phone": "1"})
    assert answer.status_code == 404
    assert answer.json()[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_picklist_org_describes_the_state_and_country_code_fields(start_sandbox, raw_api) -> None:
    api = raw_api(start_sandbox("picklist-addresses", accounts=20))
    country = describe_field(api, "BillingCountryCode")
    state = describe_field(api, "BillingStateCode")
    assert country["type"] == state["type"] == "picklist"
    assert {"value": "DE", "label": "Germany"}.items() <= next(
        v for v in country["picklistValues"] if v["value"] == "DE"
    ).items()
    assert (state["controllerName"], state["dependentPicklist"]) == ("BillingCountryCode", True)
    # validFor: the bit of the controlling value's position (US) is set for Texas, and only that one.
    texas = next(v for v in state["picklistValues"] if v["value"] == "TX")
    us_index = [v["value"] for v in country["picklistValues"]].index("US")
    bits = base64.b64decode(texas["validFor"])
    assert bits[us_index // 8] & (0x80 >> us_index % 8)
    assert sum(bin(b).count("1") for b in bits) == 1
    assert describe_field(api, "ShippingCountryCode") is not None
    contact = {f["name"] for f in api.get("sobjects/Contact/describe").json()["fields"]}
    assert {"MailingCountryCode", "MailingStateCode"} <= contact
    assert describe_field(raw_api(start_sandbox("healthy", accounts=5)), "BillingCountryCode") is None


def test_picklist_org_refuses_codes_and_names_not_in_its_lists(start_sandbox, raw_api) -> None:
    sandbox = start_sandbox("picklist-addresses", accounts=20)
    api = raw_api(sandbox)
    account = first_account(api)["Id"]

    def patch(**values: str) -> requests.Response:
        return api.request("PATCH", f"sobjects/Account/{account}", json=values)

    refused = patch(BillingCountryCode="ZZ")
    assert refused.status_code == 400
    assert refused.json()[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert "list of valid countries" in refused.json()[0]["message"]
    assert patch(BillingCountry="Deutschland").json()[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert patch(BillingCountry="Germany").status_code == 204
    assert sandbox.org.account(account)["BillingCountryCode"] == "DE"
    wrong_state = patch(BillingStateCode="TX")  # Texas is not a state of Germany
    assert wrong_state.json()[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert "list of valid states" in wrong_state.json()[0]["message"]
    assert patch(BillingCountryCode="US", BillingStateCode="TX").status_code == 204
    record = sandbox.org.account(account)
    assert (record["BillingCountry"], record["BillingState"]) == ("United States", "Texas")
    in_bulk = api.request(
        "PATCH",
        "composite/sobjects",
        json={"allOrNone": False, "records": [{"attributes": {"type": "Account"}, "id": account,
                                               "BillingCountryCode": "XK"}]},
    ).json()
    assert in_bulk[0]["errors"][0]["statusCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert in_bulk[0]["errors"][0]["fields"] == ["BillingCountryCode"]
