"""Kill -9 an apply process at random moments of a 20,000-link run; resume until done.

The moments follow the run's progress in the journal (a random share of its writes, then a random
fraction of a second), so that every kill lands mid-run however fast or loaded the machine is.

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
LOOK_EVERY_SECONDS = 0.02  # how often the journal is read while the child runs
NOT_TO_SEND = ("planned_skip", "planned_conflict")
UNSETTLED = ("todo", "sending")


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
        # Kills follow the run's progress, not the clock (a fast machine finished a clock-timed run
        # before enough kills, a loaded one was killed only while starting up): kill k waits until the
        # child itself has settled more writes and the run has passed a random share of them, then a
        # random moment more (mid-request, mid-batch, mid-transaction).
        targets = sorted(rng.uniform(0.03, 0.95) for _ in range(KILLS))
        command = ["apply", str(plan_path), *connection]
        killed_at: list[float] = []
        final: subprocess.CompletedProcess[str] | None = None
        for _ in range(KILLS + 5):
            child = start_cli_child(systems, command)
            if (len(killed_at) < KILLS and _progress_passes(child, targets[len(killed_at)])
                    and not _ends_within(child, rng.uniform(0.0, 0.3))):
                child.kill()
                child.communicate()
                killed_at.append(_share())
                command = ["resume", _run_id(), *connection]
                continue
            out, err = child.communicate(timeout=300)
            final = subprocess.CompletedProcess(child.args, child.returncode, out, err)
            if child.returncode == 0:
                break
            command = ["resume", _run_id(), *connection]
        assert final is not None
        assert final.returncode == 0, final.stderr
        assert sum(0 < share < 1 for share in killed_at) >= 6, (
            f"kills at shares done {killed_at}: too few mid-run; the test proves less than it should")
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


def _run_id() -> str:
    """The run's id, as a script reads it from 'desktop-app runs' to resume (every kill lands after the
    run was journaled: ``_progress_passes``)."""
    with Journal() as journal:
        (run,) = journal.runs()
    return run.run_id


def _progress() -> tuple[float, int]:
    """(writes with an outcome, plus half of those sent and waiting for one; all writes to send) of
    the run in the journal ((0, 0) before it exists): a Bulk job in flight counts as half done."""
    with Journal() as journal:
        runs = journal.runs()
        if not runs:
            return 0.0, 0
        counts = journal.state_counts(runs[0].run_id)
    states = [(state, n) for per_side in counts.values() for state, n in per_side.items() if state not in NOT_TO_SEND]
    done = sum(n for state, n in states if state not in UNSETTLED)
    return done + sum(n for state, n in states if state == "sending") / 2, sum(n for _, n in states)


def _share() -> float:
    done, total = _progress()
    return done / total if total else 0.0


def _ends_within(child: subprocess.Popen[str], seconds: float) -> bool:
    """Wait on ``child`` for at most ``seconds``: True when it ended meanwhile (woken by its end)."""
    try:
        child.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def _progress_passes(child: subprocess.Popen[str], target: float) -> bool:
    """Wait until ``child`` has moved the run on and its share done reaches ``target``: True, or
    False when the child ended first. Between looks at the journal it waits on the child itself, so
    its end is seen at once."""
    before, _ = _progress()
    while True:
        done, total = _progress()
        if total and done > before and done / total >= target:
            return True
        if _ends_within(child, LOOK_EVERY_SECONDS):
            return False
