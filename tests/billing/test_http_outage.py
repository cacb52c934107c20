"""``JsonApiClient`` facing a billing system that stops answering, against the Sequence sandbox over
real HTTPS: one probe, then nothing more is sent until the system answers or a run starts afresh; a
dropped connection or a slow answer is no outage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from billing_support import ACCOUNT_A

from desktop_app.billing import http
from desktop_app.billing.base import BillingUnreachable, BillingWriteOutcomeUnknown
from desktop_app.billing.http import JsonApiClient
from desktop_app.billing.pool import RateLimit, RequestPool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.sandbox.sequence import RunningSequenceSandbox
from desktop_app.workflow.engine import key_billing_writes
from desktop_app.workflow.link_sides import BillingSide

QUICK_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02, give_up_after=5.0)


def _client(sandbox: RunningSequenceSandbox, *, read_timeout: float, concurrent: int = 4) -> JsonApiClient:
    return JsonApiClient(sandbox.url, system_name="Sequence", auth=(sandbox.client_id, sandbox.client_secret),
                         headers={"Sequence-Version": "2024-07-30"}, ca_cert=sandbox.ca_cert, lean=True,
                         retry=QUICK_RETRY, timeout=(5.0, read_timeout),
                         pool=RequestPool(RateLimit(None, concurrent)))


@pytest.fixture
def hanging(sequence_sandbox: RunningSequenceSandbox) -> Iterator[RunningSequenceSandbox]:
    """The sandbox holding every request unanswered (as behind a load balancer whose servers are gone)
    once ``down`` is set; released at the end so its threads end."""
    sequence_sandbox.faults.hang_when_down = True
    yield sequence_sandbox
    sequence_sandbox.faults.down = False


def _found_down(read: Callable[[], object], sandbox: RunningSequenceSandbox) -> int:
    """Let a client meet the silence: ``read`` times out, its retry probes and goes unanswered too.
    Returns how many requests reached the sandbox."""
    sandbox.faults.down = True
    with pytest.raises(BillingUnreachable):
        read()
    return len(sandbox.counters.arrivals)


def test_once_a_probe_went_unanswered_nothing_more_is_sent_until_a_run_starts_afresh(
    hanging: RunningSequenceSandbox,
) -> None:
    client = _client(hanging, read_timeout=0.3)
    try:
        sent = _found_down(lambda: client.request("GET", "customers/cust-0000"), hanging)
        assert sent == 2  # the read, then one probe

        def ask(n: int) -> type[BaseException]:
            try:
                if n % 2:
                    client.request("PUT", f"customers/cust-{n:04d}", json={"legalName": "x"})
                else:
                    client.request("GET", f"customers/cust-{n:04d}")
            except (BillingUnreachable, BillingWriteOutcomeUnknown) as failure:
                return type(failure)
            return type(None)

        with ThreadPoolExecutor(6) as threads:
            outcomes = list(threads.map(ask, range(1, 13)))
        # Every request, reads and writes alike, gave up without being sent: no second probe, and a
        # write given up on before it left is unreachable (not sent), not an unknown outcome.
        assert outcomes == [BillingUnreachable] * 12
        assert len(hanging.counters.arrivals) == sent
        assert not hanging.counters.put_attempts

        hanging.faults.down = False
        client.forget_outage()
        assert client.request("GET", "customers/cust-0001").status_code == 200
    finally:
        client.close()


def test_a_run_or_resume_starts_afresh_on_a_system_found_down(hanging: RunningSequenceSandbox) -> None:
    adapter = SequenceBilling(hanging.client_id, hanging.client_secret, base_url=hanging.url,
                              ca_cert=hanging.ca_cert, retry=QUICK_RETRY, timeout=(5.0, 0.3))
    with adapter:
        sent = _found_down(lambda: adapter.read_links(["cust-0000"]), hanging)
        hanging.faults.down = False  # back, but nothing has asked it since
        with pytest.raises(BillingUnreachable):
            adapter.read_links(["cust-0001"])
        assert len(hanging.counters.arrivals) == sent
        key_billing_writes({"customer": BillingSide(adapter)}, "run-resumed")  # what every run and resume does
        assert adapter.read_links(["cust-0001"]) == {"cust-0001": None}
        assert len(hanging.counters.arrivals) == sent + 1


def test_a_dropped_connection_a_429_storm_and_slow_answers_are_no_outage(
    sequence_sandbox: RunningSequenceSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A probe's timeout below the sandbox's answer time: a request wrongly sent as a probe would fail.
    monkeypatch.setattr(http, "PROBE_TIMEOUT", (5.0, 0.1))
    faults = sequence_sandbox.faults
    faults.slow_seconds = 0.3
    faults.drop_before_write.add("cust-0002")
    faults.drop_after_write.add("cust-0005")
    faults.retry_after_seconds = 0
    faults.storm_requests = 12
    adapter = SequenceBilling(sequence_sandbox.client_id, sequence_sandbox.client_secret,
                              base_url=sequence_sandbox.url, ca_cert=sequence_sandbox.ca_cert,
                              retry=QUICK_RETRY, timeout=(5.0, 5.0))
    with adapter:
        results = adapter.write_links([(f"cust-{i:04d}", ACCOUNT_A) for i in range(10)])
        assert [r.error_code for r in results if r.status != "written"] == ["outcome_unknown"] * 2
        assert faults.storm_requests == 0  # the storm was ridden out
        # The system still answers at its own pace after the lost answers: read in full, not probed.
        assert adapter.read_links([f"cust-{i:04d}" for i in range(10)])["cust-0005"] == ACCOUNT_A
        again = adapter.write_links([("cust-0002", ACCOUNT_A)])
        assert [r.status for r in again] == ["written"]


def test_a_request_due_while_another_has_heard_nothing_back_waits_instead_of_going_out_into_the_silence(
    hanging: RunningSequenceSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "HOLD_AFTER", 0.0)  # any silence is long enough: no waiting for the clock
    client = _client(hanging, read_timeout=3.0)
    hanging.faults.down = True
    heard = hanging.counters.heard
    try:
        with ThreadPoolExecutor(2) as threads:
            first = threads.submit(client.request, "GET", "customers/cust-0000")
            with heard:  # the first is on the wire, unanswered
                assert heard.wait_for(lambda: len(hanging.counters.arrivals) >= 1, timeout=10)
            late = threads.submit(client.request, "GET", "customers/cust-0001")
            for request in (first, late):
                with pytest.raises(BillingUnreachable):
                    request.result()
        # The first, then one probe once it timed out; the late one was never sent with the full
        # timeout (it would have kept the run waiting another 3 s) and gave up with the probe.
        assert len(hanging.counters.arrivals) == 2
    finally:
        client.close()


def test_a_read_whose_connection_stalled_is_asked_once_more_before_the_system_counts_as_down(
    sequence_sandbox: RunningSequenceSandbox,
) -> None:
    # The shipped figures scaled down: the read timeout uses the whole retry budget and the pool's
    # silence limit, as a 20 s timeout does with ``give_up_after`` 20 s and ``outage_seconds`` 15 s.
    client = JsonApiClient(sequence_sandbox.url, system_name="Sequence",
                           auth=(sequence_sandbox.client_id, sequence_sandbox.client_secret),
                           headers={"Sequence-Version": "2024-07-30"}, ca_cert=sequence_sandbox.ca_cert, lean=True,
                           retry=RetryPolicy(give_up_after=0.5), timeout=(5.0, 0.5),
                           pool=RequestPool(RateLimit(None, 1), outage_seconds=0.4))
    faults = sequence_sandbox.faults
    faults.slow_seconds, faults.slow_answers = 1.0, 1  # the first answer comes too late: that connection stalled
    try:
        assert client.request("GET", "customers/cust-0001").status_code == 200
        assert len(sequence_sandbox.counters.arrivals) == 2
    finally:
        client.close()


def test_a_credential_check_that_finds_the_system_down_leaves_the_whole_batch_unsent(
    hanging: RunningSequenceSandbox,
) -> None:
    adapter = SequenceBilling(hanging.client_id, hanging.client_secret, base_url=hanging.url,
                              ca_cert=hanging.ca_cert, retry=QUICK_RETRY, timeout=(5.0, 0.3))
    with adapter:
        hanging.faults.down = True  # nothing accepted yet: write_links checks the credentials first
        with pytest.raises(BillingUnreachable) as stop:
            adapter.write_links([(f"cust-{i:04d}", ACCOUNT_A) for i in range(3)])
        # The check (and its probe) went unanswered before any write left: every pair is unsent, so the
        # engine puts the batch back to pending instead of failing it whole.
        assert stop.value.results == [None] * 3
        assert len(hanging.counters.arrivals) == 2
        assert not hanging.counters.put_attempts
