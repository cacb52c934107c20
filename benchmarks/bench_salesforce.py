"""Benchmark: read N Accounts through a Bulk 2.0 query and write M link values through Bulk 2.0 ingest
against the local sandbox org over HTTPS; reports seconds and API calls used. Last line is JSON.

    .venv/bin/python benchmarks/bench_salesforce.py --accounts 1000000 --writes 100000
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import pandas as pd

from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.session import SalesforceSession
from desktop_app.salesforce.tokens import TokenSet

LINK = "Billing_Customer_ID__c"


def main() -> int:
    """Run the benchmark and print one JSON line of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--writes", type=int, default=100_000)
    args = parser.parse_args()

    from desktop_app.sandbox.salesforce import start_salesforce_sandbox

    started = time.perf_counter()
    with start_salesforce_sandbox(scenario="healthy", accounts=args.accounts) as sandbox:
        seeded = time.perf_counter() - started
        print(f"sandbox with {args.accounts:,} accounts ready in {seeded:.1f} s", file=sys.stderr)
        session = SalesforceSession(
            TokenSet(access_token=sandbox.access_token, instance_url=sandbox.instance_url, identity_url=""),
            verify=str(sandbox.ca_cert),
        )
        client = SalesforceClient(session, timeout=600)

        calls_before = client.calls
        started = time.perf_counter()
        accounts = client.read_accounts(["Name", "BillingCountry", LINK])
        read_seconds = time.perf_counter() - started
        read_calls = client.calls - calls_before
        print(f"read {len(accounts):,} accounts in {read_seconds:.1f} s, {read_calls} calls", file=sys.stderr)

        ids = accounts["Id"].iloc[: args.writes]
        values = pd.DataFrame(
            {"Id": ids.to_numpy(), "value": [f"cus_{i:08d}" for i in range(len(ids))]}, dtype=object
        )
        calls_before = client.calls
        started = time.perf_counter()
        results = client.write_field(values, LINK)
        write_seconds = time.perf_counter() - started
        write_calls = client.calls - calls_before
        print(f"wrote {len(values):,} values in {write_seconds:.1f} s, {write_calls} calls", file=sys.stderr)

    print(
        json.dumps(
            {
                "accounts": len(accounts),
                "read_seconds": round(read_seconds, 2),
                "read_api_calls": read_calls,
                "writes": len(values),
                "write_succeeded": int(results["success"].sum()),
                "write_seconds": round(write_seconds, 2),
                "write_api_calls": write_calls,
                "sandbox_seed_seconds": round(seeded, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
