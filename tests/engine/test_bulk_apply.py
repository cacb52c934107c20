"""Large runs write the Salesforce side through Bulk API 2.0 jobs, against the real sandboxes over HTTPS:
they link both sides and verify in a handful of calls, survive a lost upload answer without sending a
write twice, name each refused record's reason, and send records locked by someone else again."""

from __future__ import annotations

import pytest
from engine_sandboxes import LINK_FIELD, Systems, expected_after, make_sides, start_systems, truth_matches

from desktop_app.core.journal import Journal
from desktop_app.core.plan import Plan
from desktop_app.sandbox.salesforce import with_knobs
from desktop_app.workflow.apply_bulk import BULK_ABOVE, LOCKED
from desktop_app.workflow.engine import RunReport, start_apply, start_undo
from desktop_app.workflow.plan import plan_from_live

ACCOUNTS = 5_000


def _salesforce_calls(systems: Systems) -> dict[str, int]:
    return {k: v for k, v in systems.sf.org.counters.calls.items() if not k.startswith("fault.")}


def _apply(systems: Systems, run_id: str) -> tuple[Plan, RunReport, dict[str, int], tuple[dict[str, str], ...]]:
    """Plan the true pairs, apply them; the report and the Salesforce calls the apply made, by kind."""
    sides = make_sides(systems, run_id=run_id)
    systems.opened.append(sides)
    start = systems.account_values(), systems.customer_values()
    plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
    assert sum(link.account.action == "set" for link in plan.links) > BULK_ABOVE
    before = _salesforce_calls(systems)
    with Journal() as journal:
        report = start_apply(journal, plan, sides, run_id=run_id)
    after = _salesforce_calls(systems)
    used = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    return plan, report, used, start


@pytest.mark.timeout(300)
def test_a_large_run_writes_salesforce_in_one_bulk_job_links_both_sides_verifies_in_ten_calls_and_undoes() -> None:
    systems = start_systems(ACCOUNTS)
    try:
        spaced = [str(record_id) for record_id in systems.data.truth["account_id"][:5]]
        for n, record_id in enumerate(spaced):  # an undo must put these back exactly, spaces included
            systems.sf.org.set_field("Account", record_id, LINK_FIELD, f"  cus_OLD{n}  ")
        plan, report, used, start = _apply(systems, "bulk")
        assert report.state == "done", report.message
        assert report.pairs == {"linked": len(plan.links)}
        assert report.verification is not None
        assert report.verification.verified_links == len(plan.links)
        assert "collections.update" not in used
        assert "query" not in used
        assert used["bulk.ingest.create"] == 1
        # read before write (create, poll, results) + job (create, upload, close, poll) + verify (3)
        assert sum(used.values()) <= 10, used
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1

        jobs_before = len(systems.sf.bulk.jobs)
        with Journal() as journal:
            undo = start_undo(journal, "bulk", systems.opened[-1])
        assert undo.state == "done", undo.message
        untouched = sum(link.account.action == link.customer.action == "skip" for link in plan.links)
        assert untouched > 0  # already linked before the run: the undo has nothing to put back there
        assert undo.pairs == {"restored": len(plan.links) - untouched, "skipped": untouched}
        assert len(systems.sf.bulk.jobs) - jobs_before == 3  # read, one update job, verify
        assert systems.account_values() == start[0]  # byte for byte, through the job's CSV
        assert [start[0][record_id] for record_id in spaced] == [f"  cus_OLD{n}  " for n in range(5)]
        assert systems.customer_values() == start[1]
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_an_upload_whose_answer_is_lost_is_aborted_read_back_and_sent_once_in_a_new_job() -> None:
    systems = start_systems(ACCOUNTS)
    try:
        systems.sf.org.drop_answers_after_writes = 1  # the upload arrives, its answer is lost
        plan, report, used, start = _apply(systems, "lost-upload")
        assert systems.sf.org.counters.calls["fault.drop_after_write"] == 1
        assert report.state == "done", report.message
        assert used["bulk.ingest.create"] == 2  # the first job was aborted, never processed
        jobs = sorted(systems.sf.bulk.jobs.values(), key=lambda job: job.job_id)
        ingest = [job for job in jobs if job.kind == "ingest"]
        assert [job.state for job in ingest] == ["Aborted", "JobComplete"]
        assert ingest[0].processed == 0
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1
        want_accounts, _ = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_a_record_the_job_refuses_gets_its_own_reason_and_the_rest_are_written() -> None:
    systems = start_systems(ACCOUNTS, scenario="validation-rule")  # BillingCountry must be 2 letters
    try:
        org = systems.sf.org
        with org.lock:
            ids = [str(i) for i in org.tables["Account"].columns["Id"]]
        for record_id in ids:
            org.set_field("Account", record_id, "BillingCountry", "US")
        plan_ids = [link.account_id for link in plan_from_live(truth_matches(systems), make_sides(systems),
                                                              policy="overwrite").links
                    if link.account.action == "set"]
        refused = set(plan_ids[100:103])
        for record_id in refused:
            org.set_field("Account", record_id, "BillingCountry", "Germany")
        plan, report, used, _start = _apply(systems, "refused")
        assert report.state == "done_with_failures"
        with Journal() as journal:
            failed = journal.items("refused", "account", states=["failed"])
        assert {item.record_id for item in failed} == refused
        assert {item.error_code for item in failed} == {"FIELD_CUSTOM_VALIDATION_EXCEPTION"}
        assert all("country" in item.message.lower() and "--retry-refused" in item.message for item in failed)
        assert used["bulk.ingest.results"] == 1  # only the failed records' file was fetched
        assert "collections.update" not in used  # a refusal is not retried by the run's retry pass
        assert report.pairs["linked"] == len(plan.links) - len(refused)
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_records_locked_by_someone_else_are_read_again_and_sent_in_a_new_job_until_written() -> None:
    systems = start_systems(ACCOUNTS, scenario="healthy")
    try:
        systems.sf.org.scenario = with_knobs(systems.sf.org.scenario, lock_rate=0.2)  # after planning reads
        plan, report, used, start = _apply(systems, "locked")
        assert report.state == "done", report.message
        first = min((j for j in systems.sf.bulk.jobs.values() if j.kind == "ingest"), key=lambda j: j.job_id)
        assert first.failed > 0
        assert all(LOCKED in row[1] for row in first.failures)
        assert used["bulk.ingest.create"] >= 2
        assert report.pairs == {"linked": len(plan.links)}
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
    finally:
        systems.stop()
