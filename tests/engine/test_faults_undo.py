"""The engine against the real sandboxes under faults; undo round trips to the exact previous state."""

from __future__ import annotations

import pytest
from engine_sandboxes import LINK_FIELD, Systems, expected_after, make_sides, start_systems, truth_matches

from desktop_app.core.journal import Journal
from desktop_app.sandbox.salesforce import with_knobs
from desktop_app.workflow.engine import RunReport, resume, start_apply, start_undo
from desktop_app.workflow.plan import plan_from_live
from desktop_app.workflow.stop_reason import NextAction
from desktop_app.workflow.undo import resume_undo, undo_run

ALLOWED_AFTER_A_RUN = {"linked", "half_linked", "failed", "pending"}


def _every_pair_accounted_for(journal: Journal, report: RunReport, links: int) -> None:
    assert sum(report.pairs.values()) == links
    assert set(report.pairs) <= ALLOWED_AFTER_A_RUN
    for item in journal.items(report.run_id, states=["failed", "held"]):
        assert item.error_code, item  # a failure always carries its reason
        assert item.message


@pytest.mark.timeout(300)
def test_faults_on_both_sides_end_linked_failed_or_pending_then_resume_links_all() -> None:
    scenario = with_knobs("faults", fault_slow_rate=0.0)
    systems = start_systems(600, scenario=scenario, token_lifetime_seconds=1.0)
    try:
        sides = make_sides(systems, run_id="faults")
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        truth_ids = systems.data.truth["customer_id"].tolist()
        faults = systems.seq.faults
        faults.error_500_once.update(truth_ids[:15])
        faults.drop_after_write.update(truth_ids[15:30])
        faults.drop_before_write.update(truth_ids[30:45])
        faults.storm_requests, faults.retry_after_seconds = 25, 0
        with Journal() as journal:
            report = start_apply(journal, plan, sides, run_id="faults")
            _every_pair_accounted_for(journal, report, len(plan.links))
            for _ in range(3):
                if report.state == "done":
                    break
                report = resume(journal, report.run_id, sides)
        assert report.state == "done", report.pairs
        assert report.pairs == {"linked": len(plan.links)}
        customers = systems.customer_values()
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert customers == want_customers
        assert max(systems.seq.counters.writes.values()) == 1
        assert systems.sf.org.counters.calls  # the org really served the run
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_a_billing_quota_used_up_stops_the_run_saying_so_and_resume_finishes() -> None:
    systems = start_systems(500)
    try:
        sides = make_sides(systems)
        # Every customer holds some other Account, so every pair has a billing write to fail (a customer
        # holding its own Account in another form is already linked and would have none).
        for n, customer_id in enumerate(systems.data.truth["customer_id"].tolist()):
            systems.set_customer_link(customer_id, f"0015g0000OLD{n:03d}")
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        systems.seq.faults.storm_requests = 10**9  # Sequence answers nothing but 429 from now on
        systems.seq.faults.retry_after_seconds = 0
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
            assert report.state == "interrupted"
            assert "Sequence has used up its API quota or rate limit" in report.message
            assert "connection" not in report.message.lower()
            assert "resume" in report.message
            _every_pair_accounted_for(journal, report, len(plan.links))
            assert report.pairs.get("pending", 0) > 0
            systems.seq.faults.storm_requests = 0
            report = resume(journal, report.run_id, sides)
        assert report.state == "done"
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1
    finally:
        systems.stop()


def _apply_then_undo(systems: Systems) -> tuple[dict[str, str], dict[str, str], RunReport, RunReport]:
    sides = make_sides(systems)
    for n, account_id in enumerate(systems.data.truth["account_id"].tolist()[:20]):
        systems.sf.org.set_field("Account", account_id, LINK_FIELD, f"cus_old_{n}")
    # The Sequence adapter cannot clear a link yet (it would send an empty integration id), so every
    # customer starts with some earlier value for the undo to restore.
    for n, customer_id in enumerate(systems.data.truth["customer_id"].tolist()):
        if not systems.customer_values().get(customer_id):
            systems.set_customer_link(customer_id, f"0015g0000OLD{n:03d}")
    start = systems.account_values(), systems.customer_values()
    plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
    assert plan.counts()["account"]["replace"] >= 20  # some values replaced: undo must bring them back
    with Journal() as journal:
        applied = start_apply(journal, plan, sides)
        assert applied.state == "done"
        systems.sf.org.set_field("Account", plan.links[0].account_id, LINK_FIELD, "cus_changed_by_someone")
        undone = start_undo(journal, applied.run_id, sides)
    return start[0], start[1], applied, undone


@pytest.mark.timeout(300)
def test_undo_restores_both_sides_exactly_and_refuses_values_changed_since() -> None:
    systems = start_systems(400)
    try:
        accounts, customers, applied, undone = _apply_then_undo(systems)
        assert applied.verification is not None
        assert undone.kind == "undo"
        assert undone.pairs.get("refused") == 1
        expected_accounts = dict(accounts)
        first = next(iter(r for r, v in systems.account_values().items() if v == "cus_changed_by_someone"))
        expected_accounts[first] = "cus_changed_by_someone"
        assert systems.account_values() == expected_accounts
        assert systems.customer_values() == customers
        assert undone.verification is not None
        assert undone.verification.verified_links == undone.verification.expected_links
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_an_undo_refused_as_invalid_says_so_and_sends_it_again_only_when_asked() -> None:
    systems = start_systems(120)
    try:
        sides = make_sides(systems)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        with Journal() as journal:
            applied = start_apply(journal, plan, sides)
        assert applied.state == "done"
        refused = [link.customer_id for link in plan.links if link.customer.action == "set"][:3]
        with systems.seq.store.lock:
            for customer_id in refused:
                systems.seq.store._customers[customer_id]["email"] = ""  # Sequence now refuses any update
        undo = undo_run(applied.run_id, sides).report
        assert undo.state == "done_with_failures"
        assert undo.stop is not None
        assert undo.stop.action is NextAction.RETRY_REFUSED
        assert undo.stop.why.startswith("3 writes did not succeed: 3 refused as invalid by Sequence.")
        attempts = systems.seq.counters.put_attempts
        before = [attempts[c] for c in refused]
        assert resume_undo(undo.run_id, sides).report.state == "done_with_failures"
        assert [attempts[c] for c in refused] == before  # not sent again unasked
        with systems.seq.store.lock:
            for customer_id in refused:
                systems.seq.store._customers[customer_id]["email"] = "billing@fixed.example"
        again = resume_undo(undo.run_id, sides, retry_refused=True).report
        assert [attempts[c] for c in refused] == [n + 1 for n in before]
        assert again.state == "done"
    finally:
        systems.stop()
