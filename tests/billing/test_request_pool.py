"""The billing request pool against the Sequence sandbox over real HTTPS: concurrent writes keep to a
configured rate (counted at the sandbox), a 429 pauses the whole pool for the Retry-After asked, a
system with no published limit is found from its 429s without a storm, and the concurrent path
gives exactly the serial path's results."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B, FAST_RETRY, sequence_customer

from desktop_app.billing.pool import RateLimit, RequestPool
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.core.progress import CancelToken, Progress
from desktop_app.sandbox.sequence import RunningSequenceSandbox, SequenceFaults, start_sequence_sandbox


def _adapter(sandbox: RunningSequenceSandbox, limit: RateLimit) -> SequenceBilling:
    return SequenceBilling(sandbox.client_id, sandbox.client_secret, base_url=sandbox.url, ca_cert=sandbox.ca_cert,
                           retry=FAST_RETRY, rate_limit=limit, run_id="pool-test")


def _busiest(arrivals: list[float], seconds: float) -> int:
    """The most requests the sandbox saw within any window of ``seconds``."""
    most, first = 0, 0
    for last, moment in enumerate(arrivals):
        while moment - arrivals[first] >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def _start(tmp_path: Path, customers: int, **options: object) -> RunningSequenceSandbox:
    return start_sequence_sandbox(customers=[sequence_customer(i) for i in range(customers)], workdir=tmp_path,
                                  **options)  # type: ignore[arg-type]


@pytest.mark.timeout(120)
def test_concurrent_writes_keep_to_the_configured_rate_without_a_429_storm(tmp_path: Path) -> None:
    rate = 40.0
    with _start(tmp_path, 120, rate_limit_per_second=rate, latency_ms=30) as sandbox, \
            _adapter(sandbox, RateLimit(rate, 8)) as adapter:
        ids = [f"cust-{i:04d}" for i in range(120)]
        adapter.read_links(ids[:100])  # reads, as the engine does before writing
        results = adapter.write_links([(customer, ACCOUNT_A) for customer in ids])
        assert [r.status for r in results] == ["written"] * 120
        arrivals = sorted(sandbox.counters.arrivals)
        # The sandbox lets a one-second burst through on top of its rate; the pool never needs it. The
        # pool spaces its starts evenly; on a busy machine a few requests reach the sandbox later than
        # they left, bunching them up, so the rate is judged over two seconds rather than one.
        assert _busiest(arrivals, 2.0) <= 2 * rate * 1.1 + 2
        assert sandbox.counters.statuses[429] <= 3
        assert max(sandbox.counters.writes.values()) == 1
        figures = adapter._api.pool.figures()
        print(f"{figures.requests} requests at {figures.rate:.1f}/s against a limit of {rate:g}/s")


@pytest.mark.timeout(120)
def test_a_429_pauses_every_request_for_the_retry_after_asked(tmp_path: Path) -> None:
    faults = SequenceFaults(retry_after_seconds=2)
    with _start(tmp_path, 60, faults=faults, latency_ms=200) as sandbox, \
            _adapter(sandbox, RateLimit(None, 8)) as adapter:
        ids = [f"cust-{i:04d}" for i in range(60)]
        adapter.read_links(ids[:5])
        pool = adapter._api.pool
        seen: list[float] = []  # when the client took in the 429 (the sandbox runs in this process: one clock)
        throttled = pool.throttled

        def noting(wait: float | None) -> None:
            seen.append(time.monotonic())
            throttled(wait)

        pool.throttled = noting  # type: ignore[method-assign]
        sandbox.faults.storm_requests = 1  # the next request is refused with Retry-After: 2
        before = len(sandbox.counters.arrivals)
        links = adapter.read_links(ids)
        assert links == {customer: None for customer in ids}
        assert sandbox.counters.statuses[429] == 1
        arrivals = sandbox.counters.arrivals[before:]
        refused_at = arrivals[0]
        # Requests already on their way when the client took in the 429 still arrive (how many depends
        # on how busy the machine is: slots freed before the 429 was read were given out again); once
        # it is read nothing new is sent until the two seconds asked are over. Half a second covers a
        # request given its slot just before, on a loaded machine; answers take 200 ms, so the other
        # slots alone (were only the refused request's thread to wait) would still be sending then.
        assert len(seen) == 1
        sent_after_429 = [t for t in arrivals[1:] if seen[0] + 0.5 <= t < refused_at + 1.9]
        assert sent_after_429 == []
        assert len(arrivals) == 61
        assert arrivals[-1] >= refused_at + 2.0


@pytest.mark.timeout(120)
def test_a_system_without_a_published_limit_is_paced_from_its_429s_without_a_storm(tmp_path: Path) -> None:
    with _start(tmp_path, 200, rate_limit_per_second=50, latency_ms=10) as sandbox, \
            _adapter(sandbox, RateLimit(None, 8)) as adapter:
        ids = [f"cust-{i:04d}" for i in range(200)]
        results = adapter.write_links([(customer, ACCOUNT_B) for customer in ids])
        assert [r.status for r in results] == ["written"] * 200
        pool = adapter._api.pool
        assert pool.pace is not None  # it learnt a pace from the 429s
        print(f"{sandbox.counters.statuses[429]} 429s; pace {pool.pace:.1f}/s against a limit of 50/s")
        # Each slowdown costs at most the requests then in flight (8); a storm would be hundreds.
        assert sandbox.counters.statuses[429] <= 24
        assert max(sandbox.counters.writes.values()) == 1


def test_the_concurrent_path_gives_the_serial_paths_results(tmp_path: Path) -> None:
    def scenario(folder: Path, limit: RateLimit) -> tuple[list[tuple[str, str, str | None, str | None]],
                                                         dict[str, str | None]]:
        folder.mkdir()
        customers = [sequence_customer(i) for i in range(40)]
        customers[7]["address"] = {**customers[7]["address"], "country": "France"}  # refused: not alpha-2
        customers[9]["integrationIds"] = [{"service": "Salesforce", "id": ACCOUNT_B}]  # already linked
        faults = SequenceFaults(vanished={"cust-0011"}, drop_after_write={"cust-0013"},
                                error_500_once={"cust-0015"})
        with start_sequence_sandbox(customers=customers, workdir=folder, faults=faults) as sandbox, \
                _adapter(sandbox, limit) as adapter:
            pairs = [(f"cust-{i:04d}", ACCOUNT_A if i % 3 else ACCOUNT_B) for i in range(40)]
            pairs[2:2] = [("cust-0001", ACCOUNT_A)]  # a repeat next to its first: never written at once
            pairs += [("cust-0002", ACCOUNT_A), ("cust-0003", "")]  # a repeat; another account: refused
            results = adapter.write_links(pairs)
            assert max(sandbox.counters.writes.values()) == 1
            assert sandbox.counters.idempotent_replays == 0
            stored = {f"cust-{i:04d}": sandbox.store.link_of(f"cust-{i:04d}", "Salesforce") for i in range(40)}
        return [(r.customer_id, r.status, r.error_code, r.previous) for r in results], stored

    serial = scenario(tmp_path / "serial", RateLimit(None, 1))
    concurrent = scenario(tmp_path / "concurrent", RateLimit(None, 8))
    assert concurrent == serial
    statuses = {status for _, status, _, _ in serial[0]}
    assert statuses == {"written", "unchanged", "failed", "not_found"}  # the comparison covers each kind


def test_a_cancel_leaves_the_requests_not_started_unsent(tmp_path: Path) -> None:
    with _start(tmp_path, 60, latency_ms=20) as sandbox, _adapter(sandbox, RateLimit(None, 4)) as adapter:
        cancel = CancelToken()

        def stop_after_first(progress: Progress) -> None:
            cancel.cancel()

        results = adapter.write_links([(f"cust-{i:04d}", ACCOUNT_A) for i in range(60)],
                                      progress=stop_after_first, cancel=cancel)
        written = {r.customer_id for r in results if r.status == "written"}
        assert 1 <= len(written) <= 4  # the first answer, and at most the others then in flight
        assert {r.error_code for r in results if r.status != "written"} == {"cancelled"}
        assert set(sandbox.counters.writes) == written


def test_the_pool_keeps_a_pace_between_threads() -> None:
    pool = RequestPool(RateLimit(20, 4))

    def take_turn(_: int) -> None:
        with pool.slot():
            pass

    pool.map(take_turn, list(range(41)))
    pool.close()
    figures = pool.figures()
    assert figures.requests == 41
    assert figures.busy_seconds >= 1.9  # 41 starts at 20/s span two seconds, whatever the threads


@pytest.mark.timeout(60)  # a stranded call hangs: the timeout is how it fails
def test_worker_threads_outlive_a_call_end_when_idle_and_never_strand_a_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls arriving while threads finish, start or end after their idle time all run (a thread
    ending with a call still queued would strand it), overlapping calls keep to ``max_concurrent``,
    and no thread is left once the pool is idle."""
    import functools
    import random
    import threading

    from desktop_app.billing import pool as pool_module

    monkeypatch.setattr(pool_module, "IDLE_SECONDS", 0.01)
    pool = RequestPool(RateLimit(None, 4))
    rng = random.Random(7)
    running = peak = 0
    held = True
    changed = threading.Condition()

    def work(value: int) -> int:
        nonlocal running, peak
        with changed:  # each round's first calls are held until the test has looked at the pool
            running += 1
            peak = max(peak, running)
            changed.notify_all()
            assert changed.wait_for(lambda: not held, timeout=10), "a call was never let go"
            running -= 1
        return value * 2

    def overlapping(count: int) -> None:
        assert pool.map(work, list(range(count))) == [v * 2 for v in range(count)]

    def workers_end() -> None:  # they end on their own once idle for IDLE_SECONDS
        for thread in [t for t in threading.enumerate() if t.name.startswith(pool_module.WORKER_PREFIX)]:
            thread.join(timeout=2)
            assert not thread.is_alive(), "a worker thread outlived its idle time"

    def queued() -> int:
        return pool._threads._tasks.qsize()

    submit = pool._threads.submit

    def submit_and_tell(*call: Any) -> None:  # a call queued wakes the test's wait below
        submit(*call)
        with changed:
            changed.notify_all()

    monkeypatch.setattr(pool._threads, "submit", submit_and_tell)

    for round_number in range(150):
        sizes = [rng.randint(2, 9), rng.randint(2, 9)]
        first_wave = sum(min(size, 4) for size in sizes)  # what the two calls hand the pool at once
        with changed:
            held = True
        calls = [threading.Thread(target=overlapping, args=(size,)) for size in sizes]
        for call in calls:
            call.start()
        with changed:  # both calls' first items are in: four run, the rest wait their turn
            all_in = functools.partial(lambda wave: running + queued() == wave and running == min(wave, 4), first_wave)
            assert changed.wait_for(all_in, timeout=10), \
                f"round {round_number}: {running} running, {queued()} queued of {first_wave}"
            assert pool._threads._count <= 4, "more threads than the pool's limit"
            held = False
            changed.notify_all()
        for call in calls:
            call.join(timeout=10)
            assert not call.is_alive(), "a call was stranded"
        if round_number % 3 == 0:
            workers_end()  # the next calls start threads anew; the other rounds reuse or race idle ones
    assert peak <= 4
    workers_end()
