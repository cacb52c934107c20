"""Both sandboxes in processes of their own, as a real vendor runs on its own machines (benchmarks).

``engine_sandboxes.start_systems`` serves the Salesforce org and Sequence from threads of the
calling process, so the sandboxes' work competes with the engine for one interpreter lock: fine
for tests, unfair for a throughput figure. ``start_systems_in_processes`` forks one process per
sandbox (seeded from the same demo data, generated once here before the fork) and returns an object
with what ``make_sides`` and the benchmarks read: the connection details under ``sf`` / ``seq``, the
demo data, and counters fetched from the child on each access. POSIX only (fork).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from engine_sandboxes import clean_customers, close_then_stop

from desktop_app.sandbox.demo_data import DemoData, generate
from desktop_app.sandbox.salesforce import start_salesforce_sandbox, with_knobs
from desktop_app.sandbox.sequence import start_sequence_sandbox
from desktop_app.workflow.link_sides import LinkSide

_SF_FIELDS = ("instance_url", "login_url", "ca_cert", "access_token", "consumer_key", "client_secret")
_SEQ_FIELDS = ("url", "ca_cert", "client_id", "client_secret")


def _serve_salesforce(conn: Connection, data: DemoData) -> None:
    sandbox = start_salesforce_sandbox(scenario=with_knobs("healthy", daily_api_max=10**8), data=data)
    conn.send({name: getattr(sandbox, name) for name in _SF_FIELDS})
    try:
        while conn.recv() == "counters":
            with sandbox.org.lock:
                conn.send({"calls": Counter(sandbox.org.counters.calls)})
    finally:
        sandbox.stop()


def _serve_sequence(conn: Connection, data: DemoData, rate_limit: float | None, latency_ms: float) -> None:
    sandbox = start_sequence_sandbox(customers=clean_customers(data), rate_limit_per_second=rate_limit,
                                     latency_ms=latency_ms)
    conn.send({name: getattr(sandbox, name) for name in _SEQ_FIELDS})
    try:
        while conn.recv() == "counters":
            with sandbox.store.lock:
                counters = sandbox.counters
                conn.send({"requests": Counter(counters.requests), "statuses": Counter(counters.statuses),
                           "writes": Counter(counters.writes), "put_attempts": Counter(counters.put_attempts)})
    finally:
        sandbox.stop()


class _Remote:
    """A child process serving one sandbox: its connection details as attributes, counters on demand."""

    def __init__(self, target: Any, *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=target, args=(child, *args), daemon=True)
        self._process.start()
        details: dict[str, Any] = self._conn.recv()
        for name, value in details.items():
            setattr(self, name, Path(value) if name == "ca_cert" else value)

    @property
    def pid(self) -> int:
        """The child's process id (for its CPU time)."""
        return int(self._process.pid or 0)

    def counters_now(self) -> dict[str, Counter[Any]]:
        """A snapshot of the sandbox's counters."""
        self._conn.send("counters")
        answer: dict[str, Counter[Any]] = self._conn.recv()
        return answer

    def stop(self) -> None:
        """Ask the child to stop its server and wait for it (killed after 20 s)."""
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._process.join(20)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


@dataclass
class _Counts:
    calls: Counter[str]


class _OrgView:
    def __init__(self, remote: _Remote) -> None:
        self._remote = remote

    @property
    def counters(self) -> _Counts:
        return _Counts(self._remote.counters_now()["calls"])


class RemoteSalesforce(_Remote):
    """The Salesforce sandbox in its own process; ``org.counters.calls`` as in process."""

    @property
    def org(self) -> _OrgView:
        """The org's counters (the only part of the org a benchmark reads)."""
        return _OrgView(self)


@dataclass
class _SequenceCounts:
    requests: Counter[str]
    statuses: Counter[int]
    writes: Counter[str]
    put_attempts: Counter[str]


class RemoteSequence(_Remote):
    """The Sequence sandbox in its own process; ``counters`` as in process (a snapshot)."""

    @property
    def counters(self) -> _SequenceCounts:
        """What the sandbox saw so far."""
        return _SequenceCounts(**self.counters_now())


@dataclass
class RemoteSystems:
    """Running sandbox processes and the data they were seeded with (``Systems`` for benchmarks)."""

    data: DemoData
    sf: RemoteSalesforce
    seq: RemoteSequence
    opened: list[dict[str, LinkSide]] = field(default_factory=list)

    def stop(self) -> None:
        """Close every side opened on these systems, then stop both processes."""
        close_then_stop(self.opened, self.sf, self.seq)


def start_systems_in_processes(n: int, *, rate_limit: float | None = None, latency_ms: float = 0.0) -> RemoteSystems:
    """Both sandboxes on ``n`` demo Accounts, each in a forked process (call before starting threads)."""
    data = generate(n, seed=7)
    sf = RemoteSalesforce(_serve_salesforce, data)
    try:
        seq = RemoteSequence(_serve_sequence, data, rate_limit, latency_ms)
    except BaseException:
        sf.stop()
        raise
    return RemoteSystems(data, sf, seq)
