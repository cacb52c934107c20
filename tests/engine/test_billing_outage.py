"""A billing system that stops answering mid-run (requests held unanswered, as behind a load balancer
whose servers are gone) stops the run within a minute, with the rest pending for resume, and the
resumed run writes nothing twice. The billing side runs with the shipped retry policy and timeouts
and its concurrent request pool: what a user's run would wait."""

from __future__ import annotations

import time

import pytest
from engine_sandboxes import expected_after, make_sides, start_systems, truth_matches

from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.core.journal import Journal
from desktop_app.workflow.engine import resume, start_apply
from desktop_app.workflow.link_sides import BillingSide
from desktop_app.workflow.plan import plan_from_live

# Issue 16 asks for a stop within 60 s (it took 421 s). What it should take: the requests on the wire
# wait out their 20 s read timeout, then one 5 s probe goes unanswered and everything else gives up
# unsent: about 26 s (measured 25-27 s; it was 35-66 s while every batch in flight probed in turn).
STOP_WITHIN_SECONDS = 60


@pytest.mark.timeout(300)
def test_a_billing_system_that_hangs_mid_run_stops_it_in_about_a_minute_and_resume_finishes() -> None:
    systems = start_systems(1000)
    try:
        sides = make_sides(systems)
        sides["customer"] = BillingSide(SequenceBilling(
            systems.seq.client_id, systems.seq.client_secret, base_url=systems.seq.url,
            ca_cert=systems.seq.ca_cert))
        systems.opened.append(sides)
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        # The first batch is read (100 GETs) and partly written, then nothing answers any more.
        systems.seq.faults.hang_when_down = True
        answered = 100 + 1 + 30
        systems.seq.faults.down_after_requests = answered
        began = time.monotonic()
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
            took = time.monotonic() - began
            unanswered = len(systems.seq.counters.arrivals) - answered
            print(f"stopped after {took:.1f} s, {unanswered} requests sent into the silence")
            assert report.state == "interrupted"
            assert "Sequence stopped answering" in report.message
            assert "resume" in report.message
            assert report.pairs.get("pending", 0) > 0
            assert took < STOP_WITHIN_SECONDS
            # Each failed batch waited once, with its requests in parallel, not customer after customer.
            assert unanswered <= 40
            customers = journal.items(report.run_id, "customer")
            # What found the system down was not sent: pending, never failed as a whole batch.
            assert not [i for i in customers if i.error_code == "BillingUnreachable"]
            assert [i for i in customers if i.error_code == "NOT_SENT" and i.state == "todo"]
            systems.seq.faults.down = False
            report = resume(journal, report.run_id, sides)
        assert report.state == "done", report.message
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
        assert max(systems.seq.counters.writes.values()) == 1
    finally:
        systems.seq.faults.down = False
        systems.stop()
