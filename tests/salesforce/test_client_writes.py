"""Writing the link field into the sandbox org: collections and Bulk 2.0 ingest, per-record results
keyed by Id, retries on faults and locks, token renewal and running out of API requests."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sf_support import FAST_RETRY, admin_client, admin_session

from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import RequestLimitExceeded, SessionExpired, TransientFailure, WriteOutcomeUnknown
from desktop_app.sandbox.salesforce.scenario import with_knobs

LINK = "Billing_Customer_ID__c"


def link_values(ids: list[str], prefix: str = "cus_") -> pd.DataFrame:
    return pd.DataFrame({"Id": ids, "value": [f"{prefix}{i:06d}" for i in range(len(ids))]}, dtype=object)


def account_ids(client: SalesforceClient, where: str | None = None) -> list[str]:
    return list(client.read_accounts(["Name"], where=where)["Id"])


@pytest.mark.parametrize("bulk_threshold", [10_000, 50], ids=["collections", "bulk"])
def test_write_reports_one_result_per_input_id(start_sandbox: Any, bulk_threshold: int) -> None:
    sandbox = start_sandbox(scenario="healthy")
    client = admin_client(sandbox, bulk_threshold=bulk_threshold)
    ids = account_ids(client)[:250]
    deleted = ids[-1]
    sandbox.org.delete_record("Account", deleted)
    values = link_values(ids)
    values.loc[len(values)] = ["001' OR Id != '", "cus_bad"]  # not an id: never sent
    values.loc[len(values)] = [ids[0][:15], "cus_again"]  # 15-char form of the first id, later wins
    results = client.write_field(values, LINK)
    assert len(results) == len(values)
    assert list(results.columns) == ["Id", "success", "error_code", "message"]
    by_id = results.iloc[:249].set_index("Id")
    assert by_id["success"].all()
    assert sandbox.org.account(ids[10])[LINK] == "cus_000010"
    assert sandbox.org.account(ids[0])[LINK] == "cus_again"
    assert not results.iloc[249]["success"]
    assert results.iloc[249]["error_code"] in (
        "ENTITY_IS_DELETED",
        "NOT_FOUND",
    )
    assert results.iloc[250]["error_code"] == "MALFORMED_ID"
    assert not results.iloc[250]["success"]
    assert results.iloc[251]["Id"] == ids[0]
    assert results.iloc[251]["success"]


@pytest.mark.parametrize("bulk_threshold", [10_000, 50], ids=["collections", "bulk"])
def test_validation_rule_failures_come_back_per_record(start_sandbox: Any, bulk_threshold: int) -> None:
    sandbox = start_sandbox(scenario="validation-rule")
    client = admin_client(sandbox, bulk_threshold=bulk_threshold)
    accounts = client.read_accounts(["BillingCountry"])
    bad = accounts["BillingCountry"].str.len() != 2
    assert bad.any()
    assert (~bad).any()
    results = client.write_field(link_values(list(accounts["Id"])), LINK)
    failed = results.set_index("Id").loc[accounts.loc[bad, "Id"]]
    assert (failed["error_code"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION").all()
    assert (failed["message"] != "").all()
    assert results.set_index("Id").loc[accounts.loc[~bad, "Id"], "success"].all()


@pytest.mark.parametrize("bulk_threshold", [10_000, 50], ids=["collections", "bulk"])
def test_clearing_a_value_sets_null(start_sandbox: Any, bulk_threshold: int) -> None:
    sandbox = start_sandbox(scenario="healthy")
    client = admin_client(sandbox, bulk_threshold=bulk_threshold)
    ids = account_ids(client)[:80]
    client.write_field(link_values(ids), LINK)
    cleared = client.write_field(pd.DataFrame({"Id": ids, "value": [""] * len(ids)}, dtype=object), LINK)
    assert cleared["success"].all()
    assert sandbox.org.account(ids[3])[LINK] in (None, "")


def test_refusals_and_locks_are_retried_until_every_record_is_written(start_sandbox: Any) -> None:
    """HTTP 503 (Salesforce did not take the request) and locked rows are safe to send again."""
    sandbox = start_sandbox(
        scenario=with_knobs("faults", lock_rate=0.2, fault_503_rate=0.15, fault_drop_rate=0.0, fault_slow_rate=0.0)
    )
    client = admin_client(sandbox)
    ids = account_ids(client)
    results = client.write_field(link_values(ids), LINK)
    assert results["success"].all(), results[~results["success"]].head()
    assert all(sandbox.org.account(i)[LINK] == v for i, v in zip(ids, link_values(ids)["value"], strict=True))
    assert sum(sandbox.org.lock_attempts.values()) > 0  # locks really happened and were retried
    assert sandbox.org.counters.calls["fault.503"] > 0


def test_a_write_whose_answer_was_lost_is_reported_not_sent_again(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scenario="healthy")
    client = admin_client(sandbox)
    ids = account_ids(client)[:50]
    sandbox.org.drop_answers_after_writes = 1
    with pytest.raises(WriteOutcomeUnknown, match="re-read the records"):
        client.write_field(link_values(ids), LINK)
    assert sandbox.org.counters.max_writes(LINK) == 1  # carried out once, never re-sent


def test_faults_during_a_bulk_write_and_read(start_sandbox: Any) -> None:
    faults = with_knobs("faults", fault_503_rate=0.15, fault_drop_rate=0.0, fault_slow_rate=0.0)
    sandbox = start_sandbox(scenario=faults)
    client = admin_client(sandbox, bulk_threshold=50)
    ids = account_ids(client)
    results = client.write_field(link_values(ids), LINK)
    assert results["success"].all()
    sandbox.org.scenario = with_knobs(sandbox.org.scenario, fault_503_rate=0.15, fault_drop_rate=0.1)
    assert set(client.read_accounts([LINK])[LINK]) == set(link_values(ids)["value"])
    assert sandbox.org.counters.calls["fault.drop"] > 0  # dropped reads were sent again


def test_a_write_whose_answer_is_lost_is_not_sent_again(start_sandbox: Any) -> None:
    """The update reached Salesforce and was applied, then the connection dropped: the client says the
    outcome is unknown instead of sending the same PATCH a second time."""
    sandbox = start_sandbox(scenario="healthy")
    client = admin_client(sandbox)
    ids = account_ids(client)[:30]
    sandbox.org.scenario = with_knobs("healthy", fault_drop_after_rate=1.0, fault_kinds=("collections.update",))
    with pytest.raises(WriteOutcomeUnknown, match="not sent again"):
        client.write_field(link_values(ids), LINK)
    assert sandbox.org.counters.calls["collections.update"] == 1
    assert sandbox.org.counters.max_writes(LINK) == 1
    assert sandbox.org.account(ids[0])[LINK] == link_values(ids)["value"][0]


def test_a_bulk_upload_whose_answer_is_lost_is_aborted_never_processed(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scenario="healthy")
    client = admin_client(sandbox, bulk_threshold=50)
    ids = account_ids(client)[:120]
    sandbox.org.scenario = with_knobs("healthy", fault_drop_after_rate=1.0, fault_kinds=("bulk.ingest.upload",))
    with pytest.raises(WriteOutcomeUnknown):
        client.write_field(link_values(ids), LINK)
    uploads = sandbox.org.counters.calls["bulk.ingest.upload"]
    assert uploads == FAST_RETRY.attempts  # each on a fresh job, after the previous job was aborted
    assert sandbox.org.counters.calls["bulk.ingest.state"] == uploads  # one abort per upload, no close
    assert sandbox.org.counters.max_writes(LINK) == 0


def test_a_bulk_close_whose_answer_is_lost_is_resolved_by_reading_the_job(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scenario="healthy")
    client = admin_client(sandbox, bulk_threshold=50)
    ids = account_ids(client)[:120]
    sandbox.org.scenario = with_knobs("healthy", fault_drop_after_rate=1.0, fault_kinds=("bulk.ingest.state",))
    results = client.write_field(link_values(ids), LINK)
    assert results["success"].all()
    assert sandbox.org.counters.calls["bulk.ingest.state"] == 1  # the close arrived; it was not sent again
    assert sandbox.org.counters.max_writes(LINK) == 1


def test_expired_token_is_renewed_once_and_the_call_retried(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scenario="healthy")
    session = admin_session(sandbox)
    client = SalesforceClient(session)
    first_token = session.access_token
    sandbox.oauth.expire_access_tokens()  # as after its two hours
    assert client.count_accounts() == 300
    assert session.access_token != first_token


def test_expired_token_without_a_way_to_renew_says_log_in_again(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scenario="healthy")
    client = SalesforceClient(admin_session(sandbox, renewable=False))
    sandbox.oauth.expire_access_tokens()
    with pytest.raises(SessionExpired, match="log in again"):
        client.count_accounts()


def test_running_out_of_api_requests_stops_cleanly(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scenario="api-limits-low")  # 20 requests left today
    client = admin_client(sandbox)
    values = link_values(account_ids(client))  # 300 accounts: 2 collection calls per write
    finished = 0
    calls_at_last_start = 0

    def write_until_refused() -> None:
        nonlocal finished, calls_at_last_start
        while finished < 50:
            calls_at_last_start = client.calls
            client.write_field(values, LINK)
            finished += 1

    with pytest.raises(RequestLimitExceeded, match="daily API requests") as raised:
        write_until_refused()
    assert 0 < finished < 10
    assert client.calls - calls_at_last_start <= 2  # the refused call was not retried
    assert sandbox.org.api_remaining == 0
    assert sandbox.access_token not in str(raised.value)


def test_the_org_ca_wins_over_a_machine_wide_requests_ca_bundle(
    start_sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests lets $REQUESTS_CA_BUNDLE replace a session's CA on calls that pass no ``verify`` (as
    simple-salesforce's do). With a bundle that does not hold the sandbox's CA, every kind of call
    still works: REST reads, Collections, and the Bulk 2.0 job calls."""
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    sandbox = start_sandbox(scenario="healthy")
    for threshold in (10_000, 50):
        client = admin_client(sandbox, bulk_threshold=threshold)
        ids = account_ids(client)
        assert client.write_field(link_values(ids, prefix=f"cus_{threshold}_"), LINK)["success"].all()
        assert client.read_accounts([LINK])[LINK].str.startswith(f"cus_{threshold}_").all()
        assert client.describe("Account")["name"] == "Account"


def test_a_write_whose_answer_times_out_is_not_sent_again(start_sandbox: Any) -> None:
    """The update is applied, its answer comes later than the client waits (a read timeout)."""
    sandbox = start_sandbox(scenario="healthy")
    ids = account_ids(admin_client(sandbox))[:10]
    client = admin_client(sandbox, timeout=0.5)
    sandbox.org.scenario = with_knobs(
        "healthy", fault_slow_rate=1.0, slow_seconds=3.0, fault_kinds=("collections.update",)
    )
    with pytest.raises(WriteOutcomeUnknown, match="ReadTimeout"):
        client.write_field(link_values(ids), LINK)
    assert sandbox.org.counters.calls["collections.update"] == 1
    assert sandbox.org.counters.max_writes(LINK) == 1


def test_a_write_that_never_reached_salesforce_is_retried(start_sandbox: Any, tmp_path: Any) -> None:
    """No connection could be made (the org is down): nothing was sent, so retrying is safe."""
    sandbox = start_sandbox(scenario="healthy", workdir=tmp_path)  # its CA file outlives the stop
    client = admin_client(sandbox)
    ids = account_ids(client)[:10]
    sandbox.stop()
    with pytest.raises(TransientFailure, match=f"after {FAST_RETRY.attempts} attempts"):
        client.write_field(link_values(ids), LINK)
