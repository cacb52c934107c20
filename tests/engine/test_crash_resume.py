"""Kill -9 an apply process at random moments of a 20,000-link run; resume until done.

The sandboxes run in this test process; ``apply`` and each ``resume`` run in a child process (the
real command line) that is SIGKILLed. At the end both systems must hold exactly what the plan says,
and no record may have been written twice (the sandboxes count every applied write).
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
from pathlib import Path

import pytest
from engine_cli_child import connection_options, start_cli_child
from engine_sandboxes import LINK_FIELD, expected_after, make_sides, start_systems, truth_matches

from desktop_app.core.journal import Journal
from desktop_app.core.plan_file import write_plan
from desktop_app.workflow.plan import plan_from_live

LINKS = 20_000
KILLS = 8


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_kill_nine_at_random_moments_then_resume(tmp_path: Path) -> None:
    systems = start_systems(LINKS)
    try:
        sides = make_sides(systems)
        start_accounts, start_customers = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        plan_path = write_plan(plan, tmp_path / "plan.json")
        connection = connection_options(systems)
        rng = random.Random(20_000)
        command = ["apply", str(plan_path), *connection]
        kills = 0
        final: subprocess.CompletedProcess[str] | None = None
        for _ in range(KILLS + 5):
            child = start_cli_child(systems, command)
            if kills < KILLS:
                try:
                    child.wait(timeout=rng.uniform(1.0, 5.0))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.communicate()
                    kills += 1
                    command = ["resume", *connection] if _run_started() else command
                    continue
            out, err = child.communicate(timeout=300)
            final = subprocess.CompletedProcess(child.args, child.returncode, out, err)
            if child.returncode == 0:
                break
            command = ["resume", *connection]
        assert final is not None
        assert final.returncode == 0, final.stderr
        assert kills >= 6, "the run finished before enough kills; the test proves less than it should"
        report = json.loads(final.stdout.strip().splitlines()[-1])
        assert report["state"] == "done"
        want_accounts, want_customers = expected_after(plan, start_accounts, start_customers)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1
        assert max(systems.seq.counters.writes.values()) == 1
        with Journal() as journal:
            runs = journal.runs()
        assert len(runs) == 1
        with Path(report["results"]).open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["account_id"] for r in rows] == [link.account_id for link in plan.links]
        assert report["verified"]["links"] == report["verified"]["expected_links"] > 0
    finally:
        systems.stop()


def _run_started() -> bool:
    """True once the killed process had created its run (a slow machine can kill it while starting up,
    and then there is nothing to resume yet: the next process applies again)."""
    with Journal() as journal:
        return bool(journal.runs())
