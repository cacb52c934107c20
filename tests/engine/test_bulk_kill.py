"""Kill -9 an apply process at the two moments of a Bulk 2.0 job where a write could be sent twice, then
resume: the job's data is uploaded but the job not started (resume aborts it, re-reads and sends once in
a new job), and the job is running at Salesforce (resume waits for it and takes its results). Both
systems end exactly as the plan says and no record is written twice (counted at the sandbox).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_cli_child import connection_options, start_cli_child
from engine_sandboxes import LINK_FIELD, Systems, expected_after, make_sides, start_systems, truth_matches

from desktop_app.core.journal import Journal
from desktop_app.core.plan_file import write_plan
from desktop_app.sandbox.salesforce import with_knobs
from desktop_app.workflow.apply_bulk import BULK_ABOVE
from desktop_app.workflow.plan import plan_from_live

ACCOUNTS = 5_000


def _upload_answer_held_back(systems: Systems) -> bool:
    """The upload arrived (its answer is held back 5 s, long enough to kill the process first) and
    nobody closed the job."""
    return any(job.kind == "ingest" and job.data is not None for job in systems.sf.bulk.jobs.values())


def _job_running(systems: Systems) -> bool:
    """The job was closed and Salesforce is processing it (10 s here: far longer than a query, so a
    resume that did not wait for the job would read the old values and send them again)."""
    return any(job.kind == "ingest" and job.state in ("UploadComplete", "InProgress")
               for job in systems.sf.bulk.jobs.values())


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("moment", "knobs", "first_job_ends"),
    [
        (_upload_answer_held_back,
         {"fault_kinds": ("bulk.ingest.upload",), "fault_slow_rate": 1.0, "slow_seconds": 5.0}, "Aborted"),
        (_job_running, {"bulk_ingest_seconds": 10.0}, "JobComplete"),
    ],
    ids=["uploaded-not-started", "job-running"],
)
def test_a_process_killed_during_a_bulk_job_is_resumed_without_writing_anything_twice(
    tmp_path: Path, moment: Callable[[Systems], bool], knobs: dict[str, object], first_job_ends: str
) -> None:
    systems = start_systems(ACCOUNTS)
    try:
        sides = make_sides(systems)
        systems.opened.append(sides)
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        assert sum(link.account.action == "set" for link in plan.links) > BULK_ABOVE
        plan_path = write_plan(plan, tmp_path / "plan.json")
        org = systems.sf.org
        healthy = org.scenario
        org.scenario = with_knobs(healthy, **knobs)

        killed = _run_cli(systems, ["apply", str(plan_path)], kill_when=lambda: moment(systems))
        assert killed, "the process ended before the moment to kill it"
        ingest = [job for job in systems.sf.bulk.jobs.values() if job.kind == "ingest"]
        assert len(ingest) == 1
        if "fault_kinds" in knobs:
            org.scenario = healthy  # answers come at once again; a slow job stays slow for the resume
        with Journal() as journal:
            (run,) = journal.runs()
            assert journal.open_jobs(run.run_id, "account") == [(1, ingest[0].job_id)]  # journaled before upload

        report = _run_cli(systems, ["resume"], kill_when=None)
        assert report["state"] == "done", report["message"]
        assert ingest[0].state == first_job_ends
        created = sorted((job for job in systems.sf.bulk.jobs.values() if job.kind == "ingest"),
                         key=lambda job: job.job_id)
        assert len(created) == (2 if first_job_ends == "Aborted" else 1)
        assert org.counters.max_writes(LINK_FIELD) == 1
        assert max(systems.seq.counters.writes.values()) == 1
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
        assert report["verified"]["links"] == report["verified"]["expected_links"] == len(plan.links)
    finally:
        systems.stop()


def _run_cli(systems: Systems, command: list[str], *, kill_when: Callable[[], bool] | None) -> dict[str, object]:
    """Run the command line in a child; SIGKILL it once ``kill_when`` holds ({} then), else its JSON report."""
    child = start_cli_child(systems, [*command, *connection_options(systems)])
    if kill_when is not None:
        while child.poll() is None:
            if kill_when():
                child.kill()
                child.communicate()
                return {"killed": True}
            time.sleep(0.02)
        return {}
    out, err = child.communicate(timeout=240)
    assert child.returncode == 0, err
    report: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return report
