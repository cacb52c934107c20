"""Bulk jobs keep a parent's children in one of Salesforce's internal batches of 10,000 records, so
the internal batches (run in parallel) never fight over a parent's lock (UNABLE_TO_LOCK_ROW)."""

from __future__ import annotations

import random

import pytest
from engine_sandboxes import LINK_FIELD, make_sides, start_systems, truth_matches

from desktop_app.core.journal import Journal, WriteItem
from desktop_app.sandbox.salesforce import with_knobs
from desktop_app.workflow.apply_bulk import INTERNAL_BATCH, jobs_for
from desktop_app.workflow.engine import start_apply
from desktop_app.workflow.plan import plan_from_live


def _pair(n: int) -> tuple[WriteItem, str]:
    return WriteItem(n, "account", f"001{n:015d}", f"cus_{n}", f"cus_{n}", "", "set", "todo"), ""


Jobs = list[list[tuple[WriteItem, str]]]


def _parent_batches(jobs: Jobs, parent_of: dict[str, str]) -> dict[str, set[tuple[int, int]]]:
    """Per parent, the (job, internal batch) places its children landed in."""
    seen: dict[str, set[tuple[int, int]]] = {}
    for number, job in enumerate(jobs):
        for position, (item, _) in enumerate(job):
            parent = parent_of.get(item.record_id, "")
            if parent:
                seen.setdefault(parent, set()).add((number, position // INTERNAL_BATCH))
    return seen


def test_children_of_one_parent_share_an_internal_batch_and_every_write_is_in_exactly_one_job() -> None:
    rng = random.Random(5)
    pairs = [_pair(n) for n in range(27_000)]
    parent_of: dict[str, str] = {}
    for item, _ in pairs:
        if rng.random() < 0.7:
            parent_of[item.record_id] = f"001P{rng.randrange(400):014d}"
    jobs = jobs_for(pairs, lambda record_id: parent_of.get(record_id, ""), field=LINK_FIELD)
    assert sorted(item.row for job in jobs for item, _ in job) == list(range(27_000))
    assert all(len(places) == 1 for places in _parent_batches(jobs, parent_of).values())
    assert len(jobs) == 1  # the loose records fill every gap, so one job carries it all


def test_without_parents_the_writes_stay_in_plan_order_in_one_job() -> None:
    pairs = [_pair(n) for n in range(12_345)]
    assert jobs_for(pairs, lambda record_id: "", field=LINK_FIELD) == [pairs]


def test_groups_that_cannot_fill_internal_batches_end_their_job_instead_of_shifting_the_next_split() -> None:
    pairs = [_pair(n) for n in range(18_000)]
    parent_of = {item.record_id: f"001P{item.row // 6_000:014d}" for item, _ in pairs}  # 3 parents × 6,000
    jobs = jobs_for(pairs, lambda record_id: parent_of.get(record_id, ""), field=LINK_FIELD)
    assert [len(job) for job in jobs] == [6_000, 6_000, 6_000]
    assert all(len(places) == 1 for places in _parent_batches(jobs, parent_of).values())


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_run_over_two_internal_batches_with_shared_parents_meets_no_lock() -> None:
    systems = start_systems(21_000)
    try:
        sides = make_sides(systems, run_id="parents")
        systems.opened.append(sides)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        children = [link.account_id for link in plan.links if link.account.action == "set"]
        assert len(children) > INTERNAL_BATCH
        in_plan = {link.account_id for link in plan.links}
        org = systems.sf.org
        with org.lock:
            parents = [str(i) for i in org.tables["Account"].columns["Id"] if str(i) not in in_plan][:50]
        for n, child in enumerate(children):  # in plan order, every parent's children span both internal batches
            if n % 10 < 7:  # and some Accounts have no parent
                org.set_field("Account", child, "ParentId", parents[n % len(parents)])
        org.scenario = with_knobs(org.scenario, bulk_parent_locks=True)
        with Journal() as journal:
            report = start_apply(journal, plan, sides, run_id="parents")
        assert report.state == "done", report.message
        ingest = [job for job in systems.sf.bulk.jobs.values() if job.kind == "ingest"]
        assert [(job.state, job.failed) for job in ingest] == [("JobComplete", 0)]
        assert report.pairs == {"linked": len(plan.links)}
        assert org.counters.max_writes(LINK_FIELD) == 1
    finally:
        systems.stop()
