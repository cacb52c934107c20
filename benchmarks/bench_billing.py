"""Billing adapters at scale: list 100,000 Sequence customers and write 10,000 links through the
Sequence sandbox (HTTPS on 127.0.0.1), then the same steps against localstripe at a size its
in-memory store handles in reasonable time (default 2,000 customers, 1,000 links), then list and
write throughput of every other registered system against its own sandbox (default 20,000
customers, 2,000 links each; the sandboxes' rate limits are off, so this measures the adapter and
its batching, not the vendor's limits).

Run: ``.venv/bin/python benchmarks/bench_billing.py [--customers N] [--links N]
[--stripe-customers N] [--stripe-links N] [--systems quickbooks,xero,…] [--system-customers N]
[--system-links N] [--skip-sequence] [--skip-stripe]``. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.billing.registry import SYSTEMS, ConnectOptions, open_system, system
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.billing.stripe_adapter import StripeBilling
from desktop_app.sandbox.demo_data import generate
from desktop_app.sandbox.localstripe_runner import start_localstripe
from desktop_app.sandbox.sequence import customers_from_rows, start_sequence_sandbox

ACCOUNT_PREFIX = "001BENCH"


def _account_id(index: int) -> str:
    return f"{ACCOUNT_PREFIX}{index:07d}AAA"


def _demo_rows(count: int, seed: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    accounts = int(count / 0.85) + 10
    while len(rows) < count:
        rows = generate(accounts, seed=seed).customers.to_dict(orient="records")
        accounts = int(accounts * 1.2)
    return rows[:count]


def bench_sequence(customers: int, links: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    payloads = customers_from_rows(_demo_rows(customers, seed), seed=seed)
    seed_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as workdir, start_sequence_sandbox(
        customers=payloads, workdir=Path(workdir)
    ) as sandbox, SequenceBilling(sandbox.client_id, sandbox.client_secret, base_url=sandbox.url,
                                  ca_cert=sandbox.ca_cert) as adapter:
        started = time.perf_counter()
        frame = adapter.customers_frame()
        list_seconds = time.perf_counter() - started
        # Customers Sequence would refuse to save (country not alpha-2, missing address part or
        # email) are counted, not written: a real run fixes their addresses first.
        complete = (frame["country"].str.fullmatch("[A-Z]{2}") & (frame["email"] != "")
                    & (frame["street"] != "") & (frame["city"] != "") & (frame["postcode"] != ""))
        targets = frame.loc[complete, "customer_id"].tolist()[:links]
        pairs = [(customer, _account_id(i)) for i, customer in enumerate(targets)]
        started = time.perf_counter()
        results = adapter.write_links(pairs)
        write_seconds = time.perf_counter() - started
        rerun_started = time.perf_counter()
        rerun = adapter.write_links(pairs)
        rerun_seconds = time.perf_counter() - rerun_started
        max_writes = max(sandbox.counters.writes.values(), default=0)
    statuses = Counter(r.status for r in results)
    return {
        "customers_listed": len(frame),
        "customers_sequence_would_refuse": int((~complete).sum()),
        "seed_seconds": round(seed_seconds, 2),
        "list_seconds": round(list_seconds, 2),
        "list_per_second": round(len(frame) / list_seconds),
        "links_requested": len(pairs),
        "write_seconds": round(write_seconds, 2),
        "writes_per_second": round(len(pairs) / write_seconds, 1),
        "write_statuses": dict(statuses),
        "failed_codes": dict(Counter(r.error_code for r in results if r.status == "failed")),
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_statuses": dict(Counter(r.status for r in rerun)),
        "max_writes_per_customer": max_writes,
    }


def bench_stripe(customers: int, links: int, seed: int) -> dict[str, Any]:
    with start_localstripe(persist=False) as server:
        started = time.perf_counter()
        ids = server.create_customers(_demo_rows(customers, seed))
        seed_seconds = time.perf_counter() - started
        with StripeBilling(server.api_key, base_url=server.url) as adapter:
            started = time.perf_counter()
            frame = adapter.customers_frame()
            list_seconds = time.perf_counter() - started
            pairs = [(customer, _account_id(i)) for i, customer in enumerate(ids[:links])]
            started = time.perf_counter()
            results = adapter.write_links(pairs)
            write_seconds = time.perf_counter() - started
    return {
        "customers_created": len(ids),
        "seed_seconds": round(seed_seconds, 2),
        "customers_listed": len(frame),
        "list_seconds": round(list_seconds, 2),
        "links_requested": len(pairs),
        "write_seconds": round(write_seconds, 2),
        "writes_per_second": round(len(pairs) / write_seconds, 1),
        "write_statuses": dict(Counter(r.status for r in results)),
    }


OWN_SANDBOXES = [e.key for e in SYSTEMS if e.sandbox and e.key not in ("sequence", "stripe")]


def bench_api_system(kind: str, customers: int, links: int, seed: int) -> dict[str, Any]:
    """List every customer and write ``links`` links (then a re-run) on ``kind``'s own sandbox."""
    starter = system(kind).sandbox_starter()
    assert starter is not None
    rows = _demo_rows(customers, seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        sandbox: Any = starter(rows, workdir=Path(workdir))
        seed_seconds = time.perf_counter() - started
        try:
            options = ConnectOptions(base_url=sandbox.url, ca_cert=str(sandbox.ca_cert or ""))
            adapter = open_system(kind, options, typed=sandbox.credentials)
            try:
                started = time.perf_counter()
                frame = adapter.customers_frame()
                list_seconds = time.perf_counter() - started
                targets = frame.loc[frame["sf_account_id"] == "", "customer_id"].tolist()[:links]
                pairs = [(customer, _account_id(i)) for i, customer in enumerate(targets)]
                started = time.perf_counter()
                results = adapter.write_links(pairs)
                write_seconds = time.perf_counter() - started
                started = time.perf_counter()
                rerun = adapter.write_links(pairs)
                rerun_seconds = time.perf_counter() - started
            finally:
                adapter.close()
        finally:
            sandbox.stop()
    return {
        "customers_listed": len(frame),
        "seed_seconds": round(seed_seconds, 2),
        "list_seconds": round(list_seconds, 2),
        "list_per_second": round(len(frame) / list_seconds),
        "links_requested": len(pairs),
        "write_seconds": round(write_seconds, 2),
        "writes_per_second": round(len(pairs) / write_seconds, 1),
        "write_statuses": dict(Counter(r.status for r in results)),
        "failed_codes": dict(Counter(r.error_code for r in results if r.status == "failed")),
        "rerun_seconds": round(rerun_seconds, 2),
        "rerun_statuses": dict(Counter(r.status for r in rerun)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--stripe-customers", type=int, default=2_000)
    parser.add_argument("--stripe-links", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--systems", default=",".join(OWN_SANDBOXES),
                        help="other systems to measure on their own sandboxes (comma-separated; '' for none)")
    parser.add_argument("--system-customers", type=int, default=20_000)
    parser.add_argument("--system-links", type=int, default=2_000)
    parser.add_argument("--skip-sequence", action="store_true")
    parser.add_argument("--skip-stripe", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {"benchmark": "billing"}
    if not args.skip_sequence:
        report["sequence_sandbox"] = bench_sequence(args.customers, args.links, args.seed)
        print("sequence:", json.dumps(report["sequence_sandbox"]), file=sys.stderr)
    if not args.skip_stripe:
        report["localstripe"] = bench_stripe(args.stripe_customers, args.stripe_links, args.seed)
        print("stripe (localstripe):", json.dumps(report["localstripe"]), file=sys.stderr)
    for kind in [k.strip() for k in args.systems.split(",") if k.strip()]:
        report[kind] = bench_api_system(kind, args.system_customers, args.system_links, args.seed)
        print(f"{kind}:", json.dumps(report[kind]), file=sys.stderr)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
