"""Benchmark: plan + apply + verify N two-sided links against the local sandboxes (Salesforce + Sequence).

    .venv/bin/python benchmarks/bench_apply.py [--links 100000] [--latency-ms 150] [--rate-limit 100]
                                               [--concurrency 8] [--baseline-links 1000] [--in-process]

The sandboxes run in processes of their own (a real vendor runs elsewhere; in this process their
HTTPS serving would share the client's interpreter lock), or with ``--in-process`` in threads of
the benchmark's process (how the tests run them). CPU seconds per process and the machine's load
are printed with the figures.

``--latency-ms`` makes the Sequence sandbox answer that late (a laptop to a vendor's cloud);
``--rate-limit`` makes it answer 429 past that many requests/s and gives the adapter the same limit
to keep to. The baseline is the same run, on fresh sandboxes of ``--baseline-links`` links, with the
billing writes one at a time (the request pool at one request in flight: what apply did before),
so the ratio compares the two in the same process. Prints progress lines, then one JSON line:
seconds per phase (and the engine process's CPU seconds per phase: process-wide, so a phase running
beside another, the results file beside the read-back, counts both), calls per side, and the
billing side's achieved rate against its limit (requests
per second over the time billing requests were waiting to go out, the read-back's list pages
included; and over the page pass alone, ``billing_write_phase``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "engine"))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _WritePhase:
    """The billing requests sent while apply's page pass ran (reads of the list and writes; the
    read-back at the end, one list page after another, is left out)."""

    def __init__(self) -> None:
        self.requests = 0
        self.seconds = 0.0

    def figures(self, rate_limit: float | None) -> dict[str, Any]:
        rate = self.requests / self.seconds if self.seconds > 0 else None
        return {"requests": self.requests, "seconds": round(self.seconds, 1),
                "requests_per_second": round(rate, 1) if rate else None,
                "share_of_limit": round(rate / rate_limit, 3) if rate and rate_limit else None}


def _watch_write_phase(pool: Any) -> _WritePhase:
    """Count the pool's requests over each call of the engine's page pass (wrapped for this run)."""
    from desktop_app.workflow import engine

    phase = _WritePhase()
    original = getattr(engine.billing_by_pages, "__wrapped__", engine.billing_by_pages)

    def watched(*args: Any, **kwargs: Any) -> None:
        before, started = pool.figures().requests, time.perf_counter()
        try:
            original(*args, **kwargs)
        finally:
            phase.requests += pool.figures().requests - before
            phase.seconds += time.perf_counter() - started

    watched.__wrapped__ = original  # type: ignore[attr-defined]
    engine.billing_by_pages = watched  # type: ignore[assignment]
    return phase


PHASES = ("salesforce_by_size", "one_pass", "billing_by_pages", "verify_run", "write_results", "run_figures")


def _time_phases() -> tuple[dict[str, float], dict[str, float]]:
    """Wall seconds and this process's CPU seconds spent in each of the engine's phases (``PHASES``,
    wrapped for this run)."""
    from desktop_app.workflow import engine

    seconds = dict.fromkeys(PHASES, 0.0)
    cpu = dict.fromkeys(PHASES, 0.0)
    for name in PHASES:
        current = getattr(engine, name)  # maybe ``_watch_write_phase``'s wrapper: timed around it

        def timed(*args: Any, _call: Any = current, _name: str = name, **kwargs: Any) -> Any:
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                return _call(*args, **kwargs)
            finally:
                seconds[_name] += time.perf_counter() - started
                cpu[_name] += time.process_time() - cpu_started

        timed.__wrapped__ = getattr(current, "__wrapped__", current)  # type: ignore[attr-defined]
        setattr(engine, name, timed)
    return seconds, cpu


def run_once(links: int, *, latency_ms: float, rate_limit: float | None, concurrency: int,
             separate: bool) -> dict[str, Any]:
    """One plan + apply + verify on fresh sandboxes (in processes of their own when ``separate``)."""
    from engine_sandbox_processes import start_systems_in_processes
    from engine_sandboxes import make_sides, start_systems, truth_matches

    from desktop_app.billing.pool import RateLimit
    from desktop_app.core.journal import Journal
    from desktop_app.workflow.engine import start_apply
    from desktop_app.workflow.plan import plan_from_live

    began = time.perf_counter()
    # About 85% of the demo Accounts have a true customer: seed enough to plan exactly ``links`` links.
    seeded = int(links / 0.85) + 100
    systems: Any = (start_systems_in_processes(seeded, rate_limit=rate_limit, latency_ms=latency_ms) if separate
                    else start_systems(seeded, rate_limit=rate_limit, latency_ms=latency_ms))
    pids = {"engine": os.getpid(), **({"salesforce_sandbox": systems.sf.pid, "sequence_sandbox": systems.seq.pid}
                                      if separate else {})}
    try:
        started, plan_cpu = time.perf_counter(), time.process_time()
        limit = RateLimit(rate_limit, concurrency)
        sides = make_sides(systems, fast_retries=False, rate_limit=limit)
        systems.opened.append(sides)
        plan = plan_from_live(truth_matches(systems).head(links), sides, policy="overwrite")
        planned, plan_cpu = time.perf_counter(), time.process_time() - plan_cpu
        seq_before = sum(systems.seq.counters.requests.values())
        throttled_before = systems.seq.counters.statuses[429]
        sf_before = sum(systems.sf.org.counters.calls.values())
        pool = sides["customer"].system._api.pool  # type: ignore[attr-defined]
        pool_before = pool.figures()
        cpu_before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
        print(f"plan: {len(plan.links):,} links in {planned - started:.1f}s", file=sys.stderr, flush=True)
        write_phase = _watch_write_phase(pool)
        phases, phases_cpu = _time_phases()
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
        done = time.perf_counter()
        cpu = {name: round(_cpu_seconds(pid) - cpu_before[name], 1) for name, pid in pids.items()}
        figures = pool.figures()
        sent = figures.requests - pool_before.requests
        busy = figures.busy_seconds - pool_before.busy_seconds  # while billing requests waited to go out
        return {
            "links": len(plan.links),
            "state": report.state,
            "verified": report.verification.sentence() if report.verification else None,
            "seconds_sandbox_start": round(started - began, 1),
            "seconds_plan": round(planned - started, 1),
            "seconds_apply_and_verify": round(done - planned, 1),
            "seconds_end_to_end_with_plan": round(done - started, 1),
            "links_per_second": round(len(plan.links) / max(done - planned, 1e-9), 1),
            "salesforce_api_calls_apply": sum(systems.sf.org.counters.calls.values()) - sf_before,
            "sequence_requests_apply": sum(systems.seq.counters.requests.values()) - seq_before,
            "sequence_429s": systems.seq.counters.statuses[429] - throttled_before,
            "billing_seconds_busy": round(busy, 1),
            "billing_limit": limit.describe(),
            "billing_requests_per_second": round(sent / busy, 1) if busy > 0 else None,
            "billing_share_of_limit": round(sent / busy / rate_limit, 3) if rate_limit and busy > 0 else None,
            "billing_write_phase": write_phase.figures(rate_limit),
            "seconds_per_phase": {name: round(value, 1) for name, value in phases.items()},
            "engine_cpu_seconds_per_phase": {"plan": round(plan_cpu, 1),
                                             **{name: round(value, 1) for name, value in phases_cpu.items()}},
            "latency_ms": latency_ms,
            "sandboxes": "own processes" if separate else "threads of the benchmark's process",
            "cpu_seconds_apply_and_verify": cpu,
            "load_average_1min": round(os.getloadavg()[0], 2),
            "writes": report.write_counts,
        }
    finally:
        systems.stop()


def main() -> None:
    """Run the baseline and the pooled run; print the JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=float, default=None,
                        help="requests/s the sandbox enforces and the adapter keeps to")
    parser.add_argument("--concurrency", type=int, default=8, help="billing requests in flight at once")
    parser.add_argument("--baseline-links", type=int, default=None,
                        help="links for the one-at-a-time baseline (default: 1,000; 100 with latency; 0 skips)")
    parser.add_argument("--in-process", action="store_true",
                        help="serve the sandboxes from threads of this process (default: a process each)")
    args = parser.parse_args()
    os.environ.setdefault("CROSSLINK_DATA_DIR", tempfile.mkdtemp(prefix="crosslink-bench-"))
    baseline_links = args.baseline_links
    if baseline_links is None:
        baseline_links = min(args.links, 100 if args.latency_ms else 1000)
    options = {"latency_ms": args.latency_ms, "rate_limit": args.rate_limit, "separate": not args.in_process}
    baseline = run_once(baseline_links, concurrency=1, **options) if baseline_links else None
    if baseline:
        print(f"baseline (one request at a time): {json.dumps(baseline, sort_keys=True)}", file=sys.stderr, flush=True)
    result = run_once(args.links, concurrency=args.concurrency, **options)
    if baseline:
        result["baseline"] = {k: baseline[k] for k in ("links", "seconds_apply_and_verify", "links_per_second",
                                                      "billing_requests_per_second")}
        result["speedup_links_per_second"] = round(result["links_per_second"] / max(baseline["links_per_second"],
                                                                                      1e-9), 1)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
