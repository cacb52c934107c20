"""The engine stays boring under faults, against the real sandboxes: lost answers are read back (never
sent twice), a used-up quota or a dead login interrupts the run at any phase with its results file,
a billing system that stops answering stops the run quickly, refused records wait for a change, and
undo puts values back byte for byte."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
import requests
from engine_cli import sandbox_connection, true_links_plan
from engine_sandboxes import LINK_FIELD, Systems, expected_after, make_sides, start_systems, truth_matches

from desktop_app.billing.link_writes import address_idempotency_key
from desktop_app.billing.registry import system
from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.cli import main
from desktop_app.core.journal import Journal
from desktop_app.core.progress import Progress
from desktop_app.workflow.apply import AddressWork, apply_plan, resume_run
from desktop_app.workflow.apply_addresses import address_writers
from desktop_app.workflow.engine import resume, start_apply, start_undo
from desktop_app.workflow.link_sides import BillingSide
from desktop_app.workflow.plan import plan_from_live


def _sequence_puts(systems: Systems) -> int:
    return systems.seq.counters.requests["PUT"]


@pytest.mark.timeout(300)
def test_answers_lost_after_the_write_are_read_back_and_nothing_is_written_twice() -> None:
    systems = start_systems(400)
    try:
        sides = make_sides(systems, run_id="lost")
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        truth_ids = [link.customer_id for link in plan.links if link.customer.action == "set"]
        systems.sf.org.drop_answers_after_writes = 2  # two Collections updates carried out, answers lost
        systems.seq.faults.drop_after_write.update(truth_ids[:20])  # applied, answer lost
        systems.seq.faults.drop_before_write.update(truth_ids[20:30])  # not applied, answer lost
        with Journal() as journal:
            report = start_apply(journal, plan, sides, run_id="lost")
        assert report.state == "done", report.message
        assert report.pairs == {"linked": len(plan.links)}
        assert systems.sf.org.counters.calls["fault.drop_after_write"] == 2
        assert systems.sf.org.counters.max_writes(LINK_FIELD) == 1
        counters = systems.seq.counters
        assert counters.idempotent_replays == 0  # no PUT was sent again for an answer lost
        assert max(counters.writes.values()) == 1
        assert all(counters.put_attempts[c] == 1 for c in truth_ids[:20])
        assert all(counters.put_attempts[c] == 2 for c in truth_ids[20:30])  # re-read: missing, sent again
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_a_quota_used_up_during_the_read_back_interrupts_the_run_with_its_results_and_resume_verifies() -> None:
    systems = start_systems(300)
    try:
        sides = make_sides(systems)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        org = systems.sf.org

        def use_up_the_quota_after_the_last_batch(step: Progress) -> None:
            if step.done == step.total:
                org.api_used = org.scenario.daily_api_max

        with Journal() as journal:
            report = start_apply(journal, plan, sides, progress=use_up_the_quota_after_the_last_batch)
            assert report.state == "interrupted"
            assert "read-back" in report.message
            assert "daily API requests" in report.message
            assert report.verification is None
            info = journal.run(report.run_id)
            assert info is not None
            assert info.state == "interrupted"
            assert report.results_path is not None
            assert len(pd.read_csv(report.results_path, dtype=str)) == len(plan.links)
            org.api_used = 0
            again = resume(journal, report.run_id, sides)
        assert again.state == "done"
        assert again.verification is not None
        assert again.verification.verified_links == again.verification.expected_links > 0
        assert org.counters.max_writes(LINK_FIELD) == 1
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_a_login_that_cannot_be_renewed_interrupts_the_run_and_resume_continues_it() -> None:
    systems = start_systems(600)
    try:
        sides = make_sides(systems, renewable=False)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        sf = systems.sf

        def revoke_after_the_first_batch(step: Progress) -> None:
            if step.done < step.total:
                requests.post(f"{sf.login_url}/services/oauth2/revoke", data={"token": sf.access_token},
                              verify=str(sf.ca_cert), timeout=10)

        with Journal() as journal:
            report = start_apply(journal, plan, sides, progress=revoke_after_the_first_batch)
            assert report.state == "interrupted"
            assert "log in again" in report.message
            assert report.pairs.get("pending", 0) > 0
            assert report.results_path is not None
            assert report.results_path.exists()
            renewed = make_sides(systems)
            again = resume(journal, report.run_id, renewed)
        assert again.state == "done"
        assert sf.org.counters.max_writes(LINK_FIELD) == 1
    finally:
        systems.stop()


def test_the_cli_says_the_quota_is_used_up_in_one_sentence_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = start_systems(60)
    try:
        connection = sandbox_connection(systems, monkeypatch)
        plan = true_links_plan(systems, tmp_path, connection)
        capsys.readouterr()
        systems.sf.org.api_used = systems.sf.org.scenario.daily_api_max
        assert main(["apply", str(plan), *connection]) == 2  # the checks before the run see it: nothing journaled
        assert "Wait until the 24-hour window frees requests." in capsys.readouterr().err
        # Used up once the run is under way (here: past the checks, skipped), it stops the run.
        assert main(["apply", str(plan), "--skip-checks", *connection]) == 1
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert ": interrupted. The Salesforce org has used up its daily API requests." in out
        assert "desktop-app resume" in out
        with Journal() as journal:
            [run] = journal.runs()
        assert run.state == "interrupted"
        assert (Path(out.split("Results: ")[1].strip())).exists()
        assert main(["runs"]) == 0  # the list says how the run stopped and the command that goes on
        listed = capsys.readouterr().out.splitlines()
        assert listed[1].startswith("    The Salesforce org has used up its daily API requests.")
        assert listed[1].endswith(f"Next: 'desktop-app resume {run.run_id}' continues it once the 24-hour window "
                                  "frees requests.")
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_a_billing_system_that_stops_answering_mid_batch_stops_the_run_with_the_rest_pending() -> None:
    systems = start_systems(1000)
    try:
        sides = make_sides(systems)
        # The billing side with the shipped retry policy: what a user's run would wait.
        sides["customer"] = BillingSide(SequenceBilling(
            systems.seq.client_id, systems.seq.client_secret, base_url=systems.seq.url,
            ca_cert=systems.seq.ca_cert, retry=RetryPolicy()))
        systems.opened.append(sides)
        start = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        # The first batch: 100 reads, the credential check, then 10 customers (GET + PUT), then silence.
        systems.seq.faults.down_after_requests = 100 + 1 + 2 * 10
        began = time.monotonic()
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
            took = time.monotonic() - began
            print(f"stopped after {took:.1f} s, {systems.seq.counters.statuses[0]} unanswered requests")
            assert report.state == "interrupted"
            assert "Sequence stopped answering" in report.message
            assert "resume" in report.message
            assert report.pairs.get("pending", 0) > 0
            # Not every remaining customer waited out its own retries: a few dozen requests in all, not
            # thousands (the requests in flight together when it went silent, their retries until the
            # pool gives up, the reads back of the writes whose answer was lost, then one probe at a
            # time). How many of each were already on their way is timing: measured 17 to 31.
            assert systems.seq.counters.statuses[0] <= 5 * system("sequence").max_concurrent
            systems.seq.faults.down = False
            report = resume(journal, report.run_id, sides)
        assert report.state == "done"
        want_accounts, want_customers = expected_after(plan, *start)
        assert systems.account_values() == want_accounts
        assert systems.customer_values() == want_customers
        assert max(systems.seq.counters.writes.values()) == 1
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_refused_records_are_not_sent_again_until_they_change_or_the_user_asks() -> None:
    systems = start_systems(200)
    try:
        sides = make_sides(systems)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        to_set = [link.customer_id for link in plan.links if link.customer.action == "set"]
        refused = to_set[:4]
        with systems.seq.store.lock:
            for customer_id in refused:
                systems.seq.store._customers[customer_id]["email"] = ""  # Sequence requires one
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
            assert report.state == "done_with_failures"
            failed = journal.items(report.run_id, "customer", states=["failed"])
            assert sorted(i.record_id for i in failed) == sorted(refused)
            assert {i.error_code for i in failed} == {"validation"}
            assert all("--retry-refused" in i.message for i in failed)
            attempts = systems.seq.counters.put_attempts
            assert [attempts[c] for c in refused] == [1] * 4  # the retry pass did not send them again
            puts = _sequence_puts(systems)
            resume(journal, report.run_id, sides)
            assert _sequence_puts(systems) == puts  # resume sends nothing for them
            with systems.seq.store.lock:
                systems.seq.store._customers[refused[0]]["email"] = "billing@fixed.example"
            changed = resume(journal, report.run_id, sides, changed={("customer", refused[0])})
            assert [attempts[c] for c in refused] == [2, 1, 1, 1]
            assert changed.state == "done_with_failures"
            asked = resume(journal, report.run_id, sides, retry_refused=True)
            assert [attempts[c] for c in refused] == [2, 2, 2, 2]
            assert asked.state == "done_with_failures"
        assert systems.seq.store.link_of(refused[0], "Salesforce") is not None
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_undo_puts_values_back_byte_for_byte_spaces_included() -> None:
    systems = start_systems(120)
    try:
        sides = make_sides(systems)
        truth = systems.data.truth
        account_id, customer_id = truth["account_id"].iloc[0], truth["customer_id"].iloc[0]
        systems.sf.org.set_field("Account", account_id, LINK_FIELD, "  cus_OLD00001  ")
        systems.set_customer_link(customer_id, " 0015g0000OLD001AAA\t")
        before = systems.account_values(), systems.customer_values()
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        with Journal() as journal:
            applied = start_apply(journal, plan, sides)
            assert applied.state == "done"
            assert systems.account_values()[account_id] == customer_id
            undone = start_undo(journal, applied.run_id, sides)
        assert undone.state == "done"
        assert systems.account_values()[account_id] == "  cus_OLD00001  "
        assert systems.customer_values()[customer_id] == " 0015g0000OLD001AAA\t"
        assert systems.account_values() == before[0]
        assert systems.customer_values() == before[1]
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_a_refused_customer_is_sent_again_by_resume_once_its_address_fix_got_written() -> None:
    systems = start_systems(120)
    try:
        sides = make_sides(systems)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        link = next(link for link in plan.links if link.customer.action == "set")
        customer_id = link.customer_id
        with systems.seq.store.lock:
            systems.seq.store._customers[customer_id]["address"]["country"] = "Deutschland"  # refused
        systems.seq.faults.drop_before_write.add(customer_id)  # the fix's answer is lost: it stays open
        accepted = pd.DataFrame([{"side": "customer", "record_id": customer_id, "field": "country",
                                  "value": "Deutschland", "suggestion": "DE", "confidence": "0.9"}])
        billing = sides["customer"]
        assert isinstance(billing, BillingSide)
        work = AddressWork(address_writers(None, billing.system), accepted)
        report = apply_plan(plan, sides, {"billing_system": "sequence"}, addresses=work)
        assert report.state == "done_with_failures"
        with Journal() as journal:
            [refused] = journal.items(report.run_id, "customer", states=["failed"])
        assert refused.record_id == customer_id
        assert refused.error_code == "validation"
        assert systems.seq.counters.put_attempts[customer_id] == 2  # the lost fix, the refused link
        again = resume_run(report.run_id, sides, addresses=AddressWork(work.writers))
        assert again.addresses["customer"] == {"written": 1}
        assert again.state == "done"
        assert systems.seq.store.link_of(customer_id, "Salesforce") == link.account_id
        assert systems.seq.counters.put_attempts[customer_id] == 4  # the fix, then the link, once each
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_address_fixes_carry_the_runs_idempotency_key_when_the_adapter_was_made_before_the_run() -> None:
    # The wizard makes its adapter before the run exists. A fix a killed process left on the wire,
    # taken by Sequence only after the resume read the customer, is then resent: it must carry the
    # same key (the run's), so that Sequence answers it from the first attempt.
    systems = start_systems(40)
    try:
        sides = make_sides(systems)
        billing = sides["customer"]
        assert isinstance(billing, BillingSide)
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        customer_id = next(link.customer_id for link in plan.links if link.customer.action == "set")
        with systems.seq.store.lock:
            systems.seq.store._customers[customer_id]["address"]["country"] = "Deutschland"
        accepted = pd.DataFrame([{"side": "customer", "record_id": customer_id, "field": "country",
                                  "value": "Deutschland", "suggestion": "DE", "confidence": "0.9"}])
        work = AddressWork(address_writers(None, billing.system), accepted)
        report = apply_plan(plan, sides, {"billing_system": "sequence"}, addresses=work)
        assert report.addresses["customer"] == {"written": 1}
        assert systems.seq.store.remembered(address_idempotency_key(report.run_id, customer_id,
                                                                    {"country": "DE"})) is not None
    finally:
        systems.stop()


@pytest.mark.timeout(300)
def test_cli_resume_leaves_refused_records_alone_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = start_systems(60)
    try:
        connection = sandbox_connection(systems, monkeypatch)
        plan_path = true_links_plan(systems, tmp_path, connection, "--policy", "overwrite")
        sides = make_sides(systems)
        refused = next(link.customer_id for link in plan_from_live(truth_matches(systems), sides,
                                                                   policy="overwrite").links
                       if link.customer.action == "set")
        with systems.seq.store.lock:
            systems.seq.store._customers[refused]["email"] = ""
        assert main(["apply", str(plan_path), *connection]) == 1
        said = capsys.readouterr().out
        with Journal() as journal:
            (run,) = journal.runs()
        assert f"Run {run.run_id} (apply): done_with_failures. 1 write did not succeed: 1 refused as invalid by " \
               "Sequence. The results file gives each one's reason." in said
        assert f"  Next: 'desktop-app resume {run.run_id} --retry-refused' retries them once fixed in Sequence." in said
        attempts = systems.seq.counters.put_attempts
        assert attempts[refused] == 1
        assert main(["resume", *connection]) == 1
        assert attempts[refused] == 1
        assert main(["resume", "--retry-refused", *connection]) == 1
        assert attempts[refused] == 2
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
    finally:
        systems.stop()
