"""Bulk API 2.0 of the sandbox org: simple-salesforce's bulk2 unchanged, the job state machine, result CSVs,
upserts, line endings, blanks and ``#N/A``, query paging with locators."""

from __future__ import annotations

import csv
import io
import time

STATE_ORDER = ["Open", "UploadComplete", "InProgress", "JobComplete"]


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def wait_for(api, kind: str, job_id: str, final=("JobComplete", "Failed", "Aborted")) -> tuple[dict, list[str]]:
    seen: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        info = api.get(f"jobs/{kind}/{job_id}").json()
        if not seen or seen[-1] != info["state"]:
            seen.append(info["state"])
        if info["state"] in final:
            return info, seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stuck in {seen}")


def ingest(api, csv_text: str, *, operation: str = "update", line_ending: str = "LF", **extra) -> dict:
    job = api.request(
        "POST",
        "jobs/ingest",
        json={"object": "Account", "operation": operation, "contentType": "CSV", "lineEnding": line_ending, **extra},
    ).json()
    assert job["state"] == "Open"
    assert job["id"].startswith("750")
    upload = api.request(
        "PUT", f"jobs/ingest/{job['id']}/batches", data=csv_text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert upload.status_code == 201
    assert upload.content == b""
    closed = api.request("PATCH", f"jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    assert closed.json()["state"] == "UploadComplete"
    return job


def test_simple_salesforce_bulk2_query_streams_every_row(shared_sandbox, client) -> None:
    sf = client(shared_sandbox)
    pages = list(sf.bulk2.Account.query("SELECT Id, Name, Owner.Name FROM Account", max_records=1000, wait=0.1))
    assert len(pages) == 3
    records = [row for page in pages for row in rows_of(page)]
    assert len(records) == 2500
    assert len({r["Id"] for r in records}) == 2500
    assert set(records[0]) == {"Id", "Name", "Owner.Name"}
    assert records[0]["Owner.Name"] == "Ada Admin"


def test_simple_salesforce_bulk2_update_and_results(sandbox, client) -> None:
    sf = client(sandbox)
    ids = [r["Id"] for r in sf.query("SELECT Id FROM Account LIMIT 2")["records"]]
    results = sf.bulk2.Account.update(
        records=[
            {"Id": ids[0], "Billing_Customer_ID__c": "cus_bulk"},
            {"Id": "bad", "Billing_Customer_ID__c": "cus_nope"},
            {"Id": ids[1], "Billing_Customer_ID__c": "z" * 300},
        ],
        wait=0.1,
    )
    [summary] = results
    assert (summary["numberRecordsProcessed"], summary["numberRecordsFailed"]) == (3, 2)
    assert sandbox.org.account(ids[0])["Billing_Customer_ID__c"] == "cus_bulk"
    succeeded = rows_of(sf.bulk2.Account.get_successful_records(summary["job_id"]))
    assert succeeded == [{"sf__Id": ids[0], "sf__Created": "false", "Id": ids[0], "Billing_Customer_ID__c": "cus_bulk"}]
    failed = {r["Id"]: r["sf__Error"] for r in rows_of(sf.bulk2.Account.get_failed_records(summary["job_id"]))}
    assert failed["bad"] == "MALFORMED_ID:Account ID: id value of incorrect type: bad:Id --"
    assert failed[ids[1]].startswith("STRING_TOO_LONG:")
    assert failed[ids[1]].endswith(":Billing_Customer_ID__c --")
    assert rows_of(sf.bulk2.Account.get_unprocessed_records(summary["job_id"])) == []


def test_ingest_state_machine_blanks_and_null_marker(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    account = api.get(
        "query",
        params={
            "q": "SELECT Id, Website FROM Account WHERE Website != null AND Billing_Customer_ID__c != null LIMIT 1"
        },
    ).json()["records"][0]
    job = ingest(api, f"Id,Website,Billing_Customer_ID__c\n{account['Id']},,#N/A\n")
    info, seen = wait_for(api, "ingest", job["id"])
    assert info["state"] == "JobComplete"
    assert info["numberRecordsProcessed"] == 1
    assert seen == sorted(seen, key=STATE_ORDER.index)
    stored = sandbox.org.account(account["Id"])
    assert stored["Website"] == account["Website"]
    assert stored["Billing_Customer_ID__c"] is None
    assert sandbox.org.counters.field_writes[account["Id"]] == {"Billing_Customer_ID__c": 1}
    second = api.request("PUT", f"jobs/ingest/{job['id']}/batches", data=b"Id\n", headers={"Content-Type": "text/csv"})
    assert second.status_code == 409
    assert api.request("PATCH", f"jobs/ingest/{job['id']}", json={"state": "Aborted"}).status_code == 409


def test_aborted_job_leaves_everything_unprocessed(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    ids = [r["Id"] for r in api.get("query", params={"q": "SELECT Id FROM Account LIMIT 3"}).json()["records"]]
    job = api.request("POST", "jobs/ingest", json={"object": "Account", "operation": "update"}).json()
    body = "Id,Billing_Customer_ID__c\n" + "".join(f"{i},cus_{n}\n" for n, i in enumerate(ids))
    api.request("PUT", f"jobs/ingest/{job['id']}/batches", data=body.encode(), headers={"Content-Type": "text/csv"})
    aborted = api.request("PATCH", f"jobs/ingest/{job['id']}", json={"state": "Aborted"}).json()
    assert aborted["state"] == "Aborted"
    unprocessed = api.get(f"jobs/ingest/{job['id']}/unprocessedrecords")
    assert unprocessed.headers["Content-Type"].startswith("text/csv")
    assert [r["Id"] for r in rows_of(unprocessed.text)] == ids
    assert all(sandbox.org.counters.writes_of(i, "Billing_Customer_ID__c") == 0 for i in ids)
    assert api.request("PATCH", f"jobs/ingest/{job['id']}", json={"state": "UploadComplete"}).status_code == 409


def test_line_ending_mismatch_and_unknown_columns_fail_the_job(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    account_id = api.get("query", params={"q": "SELECT Id FROM Account LIMIT 1"}).json()["records"][0]["Id"]
    crlf = ingest(api, f"Id,Billing_Customer_ID__c\r\n{account_id},cus_x\r\n", line_ending="LF")
    info, _ = wait_for(api, "ingest", crlf["id"])
    assert info["state"] == "Failed"
    assert "LineEnding is invalid" in info["errorMessage"]
    matching = ingest(api, f"Id,Billing_Customer_ID__c\r\n{account_id},cus_x\r\n", line_ending="CRLF")
    assert wait_for(api, "ingest", matching["id"])[0]["state"] == "JobComplete"
    unknown = ingest(api, f"Id,Nope__c\n{account_id},x\n")
    info, _ = wait_for(api, "ingest", unknown["id"])
    assert info["state"] == "Failed"
    assert info["errorMessage"] == "InvalidBatch : Field name not found : Nope__c"


def test_upsert_on_the_external_id_link_field(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    linked = api.get(
        "query",
        params={"q": "SELECT Id, Billing_Customer_ID__c FROM Account WHERE Billing_Customer_ID__c LIKE 'cus%' LIMIT 1"},
    ).json()["records"][0]
    value = linked["Billing_Customer_ID__c"]
    text = f"Billing_Customer_ID__c,Name,BillingCountry\n{value},,DE\ncus_brand_new,New Co,US\ncus_nameless,,US\n"
    job = ingest(api, text, operation="upsert", externalIdFieldName="Billing_Customer_ID__c")
    assert job["externalIdFieldName"] == "Billing_Customer_ID__c"
    info, _ = wait_for(api, "ingest", job["id"])
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (3, 1)
    succeeded = {
        r["Billing_Customer_ID__c"]: r for r in rows_of(api.get(f"jobs/ingest/{job['id']}/successfulResults").text)
    }
    assert succeeded[value]["sf__Id"] == linked["Id"]
    assert succeeded[value]["sf__Created"] == "false"
    assert succeeded["cus_brand_new"]["sf__Created"] == "true"
    created = sandbox.org.account(succeeded["cus_brand_new"]["sf__Id"])
    assert created["Name"] == "New Co"
    assert created["IsDeleted"] is False
    assert sandbox.org.account(linked["Id"])["BillingCountry"] == "DE"
    [failure] = rows_of(api.get(f"jobs/ingest/{job['id']}/failedResults").text)
    assert failure["sf__Error"].startswith("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]")
    no_key = api.request("POST", "jobs/ingest", json={"object": "Account", "operation": "upsert"})
    assert no_key.status_code == 400
    assert no_key.json()[0]["errorCode"] == "INVALIDJOB"


def test_query_job_pages_with_locators(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    job = api.request(
        "POST",
        "jobs/query",
        json={"operation": "query", "query": "SELECT Id, Name FROM Account"},
        headers={"Accept": "text/csv"},
    ).json()
    assert job["state"] == "UploadComplete"
    assert job["operation"] == "query"
    early = api.get(f"jobs/query/{job['id']}/results")
    assert early.status_code in (200, 409)
    info, seen = wait_for(api, "query", job["id"])
    assert info["state"] == "JobComplete"
    assert info["numberRecordsProcessed"] == 300
    assert seen == sorted(seen, key=STATE_ORDER.index)
    ids, locator, pages = [], None, 0
    while locator != "null":
        params = {"maxRecords": 120, **({"locator": locator} if locator else {})}
        page = api.get(f"jobs/query/{job['id']}/results", params=params)
        locator = page.headers["Sforce-Locator"]
        rows = rows_of(page.text)
        assert int(page.headers["Sforce-NumberOfRecords"]) == len(rows)
        ids += [r["Id"] for r in rows]
        pages += 1
    assert pages == 3
    assert len(set(ids)) == 300
    bad = api.request("POST", "jobs/query", json={"operation": "query", "query": "SELECT Foo FROM Account"})
    assert bad.status_code == 400
    assert bad.json()[0]["errorCode"] == "INVALID_FIELD"
    limits = api.get("limits").json()
    assert limits["DailyBulkV2QueryJobs"]["Remaining"] == 9999


def test_chunked_upload_as_jsforce_streams_it(sandbox, raw_api) -> None:
    api = raw_api(sandbox)
    account_id = api.get("query", params={"q": "SELECT Id FROM Account LIMIT 1"}).json()["records"][0]["Id"]
    job = api.request("POST", "jobs/ingest", json={"object": "Account", "operation": "update"}).json()
    parts = iter([b"Id,Billing_Customer_ID__c\n", f"{account_id},cus_chunked\n".encode()])  # a generator → chunked
    upload = api.request("PUT", f"jobs/ingest/{job['id']}/batches", data=parts, headers={"Content-Type": "text/csv"})
    assert upload.status_code == 201
    # The same connection goes on to the next request: the chunks were not mistaken for one.
    assert api.request("PATCH", f"jobs/ingest/{job['id']}", json={"state": "UploadComplete"}).status_code == 200
    info, _ = wait_for(api, "ingest", job["id"])
    assert info["numberRecordsProcessed"] == 1
    assert sandbox.org.account(account_id)["Billing_Customer_ID__c"] == "cus_chunked"
