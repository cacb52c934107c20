"""A billing system that stops answering mid-run (requests held unanswered, as behind a load balancer
whose servers are gone) stops the run within a minute, with the rest pending for resume, and the
resumed run writes nothing twice. The billing side runs with the shipped retry policy and timeouts
and its concurrent request pool: what a user's run would wait."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from engine_memory_side import MemorySide
from engine_sandboxes import expected_after, make_sides, start_systems, truth_matches

from desktop_app.billing.base import BillingUnreachable, LinkWriteResult
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.core.journal import Journal
from desktop_app.core.plan import build_plan
from desktop_app.core.progress import CancelToken
from desktop_app.workflow.engine import resume, start_apply
from desktop_app.workflow.link_sides import BillingSide, LinkSide, SideResult
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


class _GoesSilent(MemorySide):
    """Customers in memory; the ``silent_at``-th write call writes its first customer, then finds the
    system unreachable (as ``write_each`` reports it: the first sent, the rest not)."""

    def __init__(self, values: dict[str, str], silent_at: int) -> None:
        super().__init__("customer", values)
        self.calls, self.silent_at = 0, silent_at

    def write(self, values: Sequence[tuple[str, str]], cancel: CancelToken | None = None) -> list[SideResult]:
        self.calls += 1
        if self.calls != self.silent_at:
            return super().write(values, cancel)
        first = super().write(values[:1], cancel)[0]
        stop = BillingUnreachable(f"{self.label} is not answering.")
        stop.results = [LinkWriteResult(first.record_id, values[0][1], "written"), *[None] * (len(values) - 1)]
        raise stop


def test_the_first_batch_that_finds_the_system_unreachable_stops_the_run_and_leaves_the_unsent_pending(
        tmp_path: Path) -> None:
    accounts = [f"0015g0000{n:06d}AAA" for n in range(10)]
    customers = [f"cus_{n}" for n in range(10)]
    frame = pd.DataFrame({"account_id": accounts, "customer_id": customers, "status": "matched"}, dtype=object)
    account_side = MemorySide("account", dict.fromkeys(accounts, ""))
    customer_side = _GoesSilent(dict.fromkeys(customers, ""), silent_at=2)  # batches of 3: the second one
    sides: dict[str, LinkSide] = {"account": account_side, "customer": customer_side}
    plan = build_plan(frame, account_values=account_side.values, customer_values=customer_side.values)
    with Journal(tmp_path / "journal.sqlite3") as journal:
        report = start_apply(journal, plan, sides)
        assert report.state == "interrupted"
        assert customer_side.calls == 2  # no batch was sent after the one that found it down
        states = {item.record_id: (item.state, item.error_code) for item in journal.items(report.run_id, "customer")}
        assert [states[c] for c in customers[3:6]] == [("written", ""), ("todo", "NOT_SENT"), ("todo", "NOT_SENT")]
        assert {states[c] for c in customers[6:]} == {("todo", "")}
        assert report.pairs == {"linked": 4, "pending": 6}
        report = resume(journal, report.run_id, sides)
    assert report.state == "done"
    assert report.pairs == {"linked": 10}
    assert max(customer_side.writes.values()) == 1
