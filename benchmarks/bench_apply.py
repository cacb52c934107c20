"""Benchmark: plan + apply + verify N two-sided links against the local sandboxes (Salesforce + Sequence).

    .venv/bin/python benchmarks/bench_apply.py [--links 100000]

Prints progress lines, then one final JSON line with the end-to-end times and API calls per system.
The Sequence side costs three requests per link written (read before, and the adapter's
read-modify-write), so it dominates the time; Salesforce needs two calls per 200 links.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "engine"))


def main() -> None:
    """Run the benchmark and print the JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("CROSSLINK_DATA_DIR", tempfile.mkdtemp(prefix="crosslink-bench-"))
    from engine_sandboxes import make_sides, start_systems, truth_matches

    from desktop_app.core.journal import Journal
    from desktop_app.workflow.engine import start_apply
    from desktop_app.workflow.plan import plan_from_live

    began = time.perf_counter()
    # About 85% of the demo Accounts have a true customer: seed enough to plan exactly ``links`` links.
    systems = start_systems(int(args.links / 0.85) + 100)
    try:
        started = time.perf_counter()
        sides = make_sides(systems, fast_retries=False)
        plan = plan_from_live(truth_matches(systems).head(args.links), sides, policy="overwrite")
        planned = time.perf_counter()
        seq_requests_before = sum(systems.seq.counters.requests.values())
        sf_calls_before = sum(systems.sf.org.counters.calls.values())
        print(f"plan: {len(plan.links):,} links in {planned - started:.1f}s", file=sys.stderr, flush=True)
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
        done = time.perf_counter()
        result = {
            "links": len(plan.links),
            "state": report.state,
            "verified": report.verification.sentence() if report.verification else None,
            "seconds_sandbox_start": round(started - began, 1),
            "seconds_plan": round(planned - started, 1),
            "seconds_apply_and_verify": round(done - planned, 1),
            "links_per_second": round(len(plan.links) / max(done - planned, 1e-9), 1),
            "salesforce_api_calls_apply": sum(systems.sf.org.counters.calls.values()) - sf_calls_before,
            "salesforce_calls_by_kind": dict(systems.sf.org.counters.calls),
            "sequence_requests_apply": sum(systems.seq.counters.requests.values()) - seq_requests_before,
            "writes": report.write_counts,
        }
        print(json.dumps(result, sort_keys=True))
    finally:
        systems.stop()


if __name__ == "__main__":
    main()
