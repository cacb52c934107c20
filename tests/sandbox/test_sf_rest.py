"""The sandbox REST API through simple-salesforce (unchanged) and raw requests, over real HTTPS."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound


def test_query_pages_with_next_records_url_and_total_size(shared_sandbox, client) -> None:
    sf = client(shared_sandbox)
    first = sf.query("SELECT Id, Name FROM Account")
    assert first["totalSize"] == 2500
    assert first["done"] is False
    assert len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert second["totalSize"] == 2500
    assert second["done"] is True
    assert len(second["records"]) == 500
    record = first["records"][0]
    assert record["attributes"] == {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{record['Id']}"}
    assert len(record["Id"]) == 18
    everything = sf.query_all("SELECT Id FROM Account")
    ids = [r["Id"] for r in everything["records"]]
    assert len(ids) == len(set(ids)) == 2500


def test_batch_size_header_and_trailing_slash_variants(shared_sandbox, raw_api) -> None:
    api = raw_api(shared_sandbox)
    small = api.get("query", params={"q": "SELECT Id FROM Account"}, headers={"Sforce-Query-Options": "batchSize=300"})
    body = small.json()
    assert len(body["records"]) == 300
    assert body["totalSize"] == 2500
    follow = api.get(shared_sandbox.instance_url + body["nextRecordsUrl"] + "/")
    assert len(follow.json()["records"]) == 300
    slash = api.get("query/", params={"q": "SELECT COUNT() FROM Account"}).json()
    assert slash == {"totalSize": 2500, "done": True, "records": []}
    versions = api.session.get(f"{shared_sandbox.instance_url}/services/data/", timeout=10).json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    resources = api.get("").json()
    assert resources["query"] == "/services/data/v59.0/query"
    assert "/id/" in resources["identity"]
    assert api.get("query", params={"q": "SELECT Id FROM Account LIMIT 1"}).headers["Sforce-Limit-Info"]


def test_parent_fields_count_and_query_errors(shared_sandbox, client, raw_api) -> None:
    sf = client(shared_sandbox)
    contact = sf.query("SELECT Id, Email, Account.Name, Account.Owner.Name FROM Contact LIMIT 1")["records"][0]
    assert contact["Account"]["attributes"]["type"] == "Account"
    assert contact["Account"]["Owner"]["Name"] == "Ada Admin"
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Id FROM Account WHERE")
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_QUERY"
    api = raw_api(shared_sandbox)
    answer = api.get("query", params={"q": "SELECT Id, Foo FROM Account"})
    assert answer.status_code == 400
    [problem] = answer.json()
    assert problem["errorCode"] == "INVALID_FIELD"
    assert problem["message"].startswith(
        "\nSELECT Id, Foo FROM Account\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo' on entity 'Account'."
    )


def test_columns_true_answers_column_metadata(shared_sandbox, raw_api) -> None:
    body = raw_api(shared_sandbox).get("query", params={"q": "SELECT Id, Name FROM Account", "columns": "true"})
    document = body.json()
    assert document["entityName"] == "Account"
    assert document["keyPrefix"] == "001"
    assert [c["columnName"] for c in document["columnMetadata"]] == ["Id", "Name"]


def test_describe_reports_fields_and_the_link_field(shared_sandbox, client) -> None:
    sf = client(shared_sandbox)
    describe = sf.Account.describe()
    assert describe["name"] == "Account"
    assert describe["keyPrefix"] == "001"
    assert describe["updateable"] is True
    fields = {f["name"]: f for f in describe["fields"]}
    link = fields["Billing_Customer_ID__c"]
    assert (link["type"], link["length"], link["custom"], link["externalId"], link["updateable"]) == (
        "string",
        255,
        True,
        True,
        True,
    )
    assert fields["CurrencyIsoCode"]["type"] == "picklist"
    assert {p["value"]: p["active"] for p in fields["CurrencyIsoCode"]["picklistValues"]}["JPY"] is False
    assert fields["Id"]["type"] == "id"
    assert fields["Id"]["updateable"] is False
    contact = sf.Contact.describe()
    account_ref = next(f for f in contact["fields"] if f["name"] == "AccountId")
    assert account_ref["referenceTo"] == ["Account"]
    assert account_ref["relationshipName"] == "Account"
    with pytest.raises(SalesforceResourceNotFound):
        sf.restful("sobjects/Widget__c/describe")


def test_get_and_update_one_record(sandbox, client) -> None:
    sf = client(sandbox)
    account_id = sf.query("SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]
    assert sf.Account.update(account_id, {"Billing_Customer_ID__c": "cus_one"}) == 204
    record = sf.Account.get(account_id)
    assert record["Billing_Customer_ID__c"] == "cus_one"
    assert record["attributes"]["type"] == "Account"
    assert sandbox.org.account(account_id)["Billing_Customer_ID__c"] == "cus_one"
    assert sandbox.org.counters.writes_of(account_id, "Billing_Customer_ID__c") == 1
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get("001000000000000AAA")
    with pytest.raises(SalesforceMalformedRequest) as too_long:
        sf.Account.update(account_id, {"Billing_Customer_ID__c": "x" * 256})
    assert too_long.value.content[0]["errorCode"] == "STRING_TOO_LONG"
    assert sandbox.org.counters.writes_of(account_id, "Billing_Customer_ID__c") == 1


def test_collections_update_reports_per_record_in_order(sandbox, client) -> None:
    sf = client(sandbox)
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Account ORDER BY Id LIMIT 3")["records"]]
    sandbox.org.delete_record("Account", ids[2])
    records = [
        {"attributes": {"type": "Account"}, "id": ids[0], "Billing_Customer_ID__c": "cus_a"},
        {"attributes": {"type": "Account"}, "id": "001xx", "Billing_Customer_ID__c": "cus_b"},
        {"attributes": {"type": "Account"}, "id": ids[2], "Billing_Customer_ID__c": "cus_c"},
        {"attributes": {"type": "Account"}, "id": ids[1][:15], "Billing_Customer_ID__c": "cus_d"},
    ]
    results = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": False, "records": records})
    assert [r["success"] for r in results] == [True, False, False, True]
    assert "id" not in results[1]  # as in Salesforce: failed entries have no id, match them by position
    assert results[1]["errors"] == [
        {"statusCode": "MALFORMED_ID", "fields": ["Id"], "message": "Account ID: id value of incorrect type: 001xx"}
    ]
    assert results[2]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert results[3]["id"] == ids[1]
    assert sandbox.org.account(ids[1])["Billing_Customer_ID__c"] == "cus_d"


def test_collections_all_or_none_rolls_back_and_caps_at_200(sandbox, client, raw_api) -> None:
    sf = client(sandbox)
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Account LIMIT 2")["records"]]
    before = sandbox.org.account(ids[0])["Billing_Customer_ID__c"]
    records = [
        {"attributes": {"type": "Account"}, "id": ids[0], "Billing_Customer_ID__c": "cus_ok"},
        {"attributes": {"type": "Account"}, "id": ids[1], "Billing_Customer_ID__c": "y" * 300},
    ]
    results = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": True, "records": records})
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert sandbox.org.account(ids[0])["Billing_Customer_ID__c"] == before
    assert sandbox.org.counters.writes_of(ids[0], "Billing_Customer_ID__c") == 0
    too_many = raw_api(sandbox).request("PATCH", "composite/sobjects", json={"records": records * 101})
    assert too_many.status_code == 400
    assert too_many.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    unknown = raw_api(sandbox).request(
        "PATCH",
        "composite/sobjects",
        json={"records": [{"attributes": {"type": "Account"}, "id": ids[0], "Nope__c": "x"}]},
    )
    assert unknown.status_code == 400
    assert unknown.json()[0]["errorCode"] == "INVALID_FIELD"


def test_collections_get_returns_records_in_id_order(sandbox, client) -> None:
    sf = client(sandbox)
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Account ORDER BY Name LIMIT 2")["records"]]
    found = sf.restful(
        "composite/sobjects/Account",
        params={"ids": ",".join([ids[1], "001000000000000AAA", ids[0]]), "fields": "Id,Name"},
    )
    assert [r and r["Id"] for r in found] == [ids[1], None, ids[0]]


def test_limits_count_real_usage(sandbox, client) -> None:
    sf = client(sandbox)
    first = sf.limits()["DailyApiRequests"]
    sf.query("SELECT Id FROM Account LIMIT 1")
    sf.Account.describe()
    second = sf.limits()["DailyApiRequests"]
    assert first["Max"] == 15000
    assert first["Remaining"] - second["Remaining"] == 3
    assert sf.api_usage["api-usage"].used == 15000 - second["Remaining"]
    assert sandbox.org.counters.calls["limits"] == 2
    assert sandbox.org.counters.calls["describe"] == 1


def test_org_checks_tooling_and_setup_queries(shared_sandbox, client) -> None:
    sf = client(shared_sandbox)
    currencies = sf.query("SELECT IsoCode, IsActive, IsCorporate, ConversionRate FROM CurrencyType")["records"]
    by_code = {c["IsoCode"]: c for c in currencies}
    assert by_code["USD"]["IsCorporate"] is True
    assert by_code["JPY"]["IsActive"] is False
    assert len(by_code) == 6
    org = sf.query("SELECT Name, OrganizationType, IsSandbox FROM Organization")["records"][0]
    assert org["OrganizationType"] == "Enterprise Edition"
    access = sf.query("SELECT PermissionsApiEnabled, PermissionsModifyAllData FROM UserPermissionAccess")
    assert access["records"][0]["PermissionsApiEnabled"] is True
    rules = sf.toolingexecute(
        "query/?q=SELECT+Id,ValidationName,Active,ErrorDisplayField,ErrorMessage+FROM+"
        "ValidationRule+WHERE+EntityDefinition.QualifiedApiName='Account'"
    )
    assert rules["records"][0]["ErrorDisplayField"] == "BillingCountry"
    assert rules["records"][0]["attributes"]["url"].startswith("/services/data/v59.0/tooling/sobjects/")
    packages = sf.toolingexecute(
        "query/?q=SELECT+SubscriberPackage.NamespacePrefix,SubscriberPackage.Name,"
        "SubscriberPackageVersion.Name+FROM+InstalledSubscriberPackage"
    )
    assert packages["records"][0]["SubscriberPackage"]["NamespacePrefix"] == "sf_com_apps"
    user_id = shared_sandbox.org.default_user.user_id
    assignments = sf.query(
        "SELECT PermissionSet.Name, PermissionSet.PermissionsApiEnabled FROM "
        f"PermissionSetAssignment WHERE AssigneeId = '{user_id}'"
    )
    assert assignments["records"][0]["PermissionSet"]["PermissionsApiEnabled"] is True
    some = [r["Id"] for r in sf.query("SELECT Id FROM Account LIMIT 2")["records"]]
    access = sf.query(
        f"SELECT RecordId, HasEditAccess FROM UserRecordAccess WHERE UserId = '{user_id}' "
        f"AND RecordId IN ('{some[0][:15]}', '{some[1]}')"
    )["records"]
    assert sorted(r["RecordId"] for r in access) == sorted(some)
    assert all(r["HasEditAccess"] is True for r in access)


def test_external_id_get_and_upsert(sandbox, client) -> None:
    sf = client(sandbox)
    linked = sf.query("SELECT Id, Billing_Customer_ID__c FROM Account WHERE Billing_Customer_ID__c LIKE 'cus%' LIMIT 1")
    record = linked["records"][0]
    found = sf.Account.get_by_custom_id("Billing_Customer_ID__c", record["Billing_Customer_ID__c"])
    assert found["Id"] == record["Id"]
    assert sf.Account.upsert(f"Billing_Customer_ID__c/{record['Billing_Customer_ID__c']}", {"Phone": "+1 555"}) == 200
    assert sandbox.org.account(record["Id"])["Phone"] == "+1 555"
    assert sf.Account.upsert("Billing_Customer_ID__c/cus_created", {"Name": "Made By Upsert"}) == 201
    made = sf.Account.get_by_custom_id("Billing_Customer_ID__c", "cus_created")
    assert made["Name"] == "Made By Upsert"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get_by_custom_id("Billing_Customer_ID__c", "cus_missing")
