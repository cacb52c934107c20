"""The billing side of a large run reads customers by list pages with several batches in flight
(``workflow/apply_billing_pages.py``), against the real sandboxes: far fewer requests, a kill -9
while batches are on the wire resumes with nothing sent twice, a 429 storm while they overlap ends
with every link written once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from engine_cli_child import connection_options, start_cli_child
from engine_sandboxes import LINK_FIELD, expected_after, make_sides, start_systems, truth_matches

from desktop_app.billing.link_writes import idempotency_key
from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.core.journal import Journal, default_journal_path
from desktop_app.core.plan_file import write_plan
from desktop_app.sandbox.sequence.store import SequenceCounters
from desktop_app.workflow.apply_billing_pages import IN_FLIGHT, PAGES_ABOVE
from desktop_app.workflow.engine import resume, start_apply
from desktop_app.workflow.link_sides import BillingSide
from desktop_app.workflow.plan import plan_from_live


@pytest.mark.timeout(300)
def test_a_large_billing_side_is_read_by_list_pages_not_one_get_per_customer() -> None:
    systems = start_systems(1000)
    try:
        sides = make_sides(systems)
        systems.opened.append(sides)
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        writes = sum(1 for link in plan.links if link.customer.action == "set")
        assert writes > PAGES_ABOVE
        gets_before = systems.seq.counters.requests["GET"]
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
        assert report.state == "done", report.message
        gets = systems.seq.counters.requests["GET"] - gets_before
        pages = -(-len(systems.seq.store) // 100)
        # The list read twice (the page pass and the read-back) and a credentials check: no GET per customer.
        assert gets <= 2 * pages + 2, gets
        assert systems.seq.counters.requests["PUT"] == writes
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
    finally:
        systems.stop()


def _customer_batches_sending() -> int:
    """Customer batches journaled as sent whose outcome is not journaled yet (read by another process)."""
    path = default_journal_path()
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
        try:
            found = db.execute("SELECT COUNT(*) FROM batches WHERE side='customer' AND state='sent'").fetchone()
        except sqlite3.OperationalError:  # the child has not created the tables yet
            return 0
    return int(found[0])


def _after_next_put(counters: SequenceCounters, heard: int) -> int:
    """Wait until the sandbox has seen more than ``heard`` PUTs (at most 5 s); their count then."""
    with counters.heard:
        counters.heard.wait_for(lambda: counters.put_attempts.total() > heard, timeout=5)
        return counters.put_attempts.total()


@pytest.mark.timeout(300)
def test_kill_nine_while_several_billing_batches_are_in_flight_then_resume_sends_nothing_twice(
        tmp_path: Path) -> None:
    systems = start_systems(1000, latency_ms=150)  # a batch stays on the wire for about a second
    try:
        sides = make_sides(systems)
        systems.opened.append(sides)
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        command = ["apply", str(write_plan(plan, tmp_path / "plan.json")), *connection_options(systems)]
        counters = systems.seq.counters
        child = start_cli_child(systems, command)
        seen = heard = 0
        try:
            deadline = time.monotonic() + 200
            # Each PUT reaching the sandbox wakes the test to read the child's journal: a batch is
            # journaled as sent before its first PUT goes out. (The 5 s wait only notices a child that
            # ended without sending.)
            while seen < 2 and child.poll() is None and time.monotonic() < deadline:
                heard = _after_next_put(counters, heard)
                seen = _customer_batches_sending()
        finally:
            child.kill()
            child.communicate()
        assert seen >= 2, "the run was not killed with several billing batches in flight"
        assert seen <= IN_FLIGHT
        with Journal() as journal:
            (run,) = journal.runs()
            # ``sides`` were made without the run id: the engine keys their writes to the run, so a PUT
            # the killed process left on the wire, taken by the sandbox only after the resume read the
            # customer, carries the same idempotency key as its resend and is applied once.
            report = resume(journal, run.run_id, sides)
        assert report.state == "done", report.message
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1
        assert max(counters.writes.values()) == 1
        # Every PUT the sandbox's handler saw, and each applied once (a PUT the kill cut off after its
        # headers never reaches a handler, as with a real server).
        assert max(counters.put_attempts.values()) == 1
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_a_429_storm_while_batches_overlap_ends_with_every_link_written_once() -> None:
    systems = start_systems(1000)
    faults = systems.seq.faults
    faults.retry_after_seconds = 1
    faults.storm_at_put, faults.storm_seconds = 100, 2.0  # every request refused for 2 s from the 100th PUT
    try:
        sides = make_sides(systems)
        # Short retry delays, and a throttle budget the storm's pauses fit in.
        sides["customer"] = BillingSide(SequenceBilling(
            systems.seq.client_id, systems.seq.client_secret, base_url=systems.seq.url, ca_cert=systems.seq.ca_cert,
            retry=RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, give_up_after=1.0,
                              throttle_budget=30.0)))
        systems.opened.append(sides)
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
        assert faults.storm_started.is_set()
        assert report.state == "done", report.message
        counters = systems.seq.counters
        assert counters.statuses[429] > 0
        assert max(counters.writes.values()) == 1
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
    finally:
        systems.stop()


def test_billing_writes_are_keyed_to_the_journal_run_whatever_the_adapter_was_made_with() -> None:
    systems = start_systems(60)
    try:
        sides = make_sides(systems)  # the adapter draws a run id of its own
        systems.opened.append(sides)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
            written = journal.items(report.run_id, "customer", states=["written"])
        assert written
        for item in written:  # a resume in another process sends these same keys again
            assert systems.seq.store.remembered(idempotency_key(report.run_id, item.record_id, item.target))
    finally:
        systems.stop()
