"""Benchmark: the Salesforce side of apply, end to end (read before write, write, verify), through the
engine against the local sandbox org over HTTPS: Salesforce API calls and seconds for N link writes on
the Bulk 2.0 path, and the same run on the 200-row sObject Collections path (the baseline, what apply
did before) in the same process. Last line is JSON.

    .venv/bin/python benchmarks/bench_bulk_apply.py --links 100000

The billing side is an in-memory field already holding every link (planned ``skip``), so the figures
are Salesforce's alone; ``bench_apply.py`` measures both systems together.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from desktop_app.core.journal import Journal
from desktop_app.core.plan import build_plan
from desktop_app.core.progress import CancelToken
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.session import SalesforceSession
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.sandbox.salesforce import RunningSalesforceSandbox, start_salesforce_sandbox, with_knobs
from desktop_app.workflow import apply_bulk
from desktop_app.workflow.engine import start_apply
from desktop_app.workflow.link_sides import SalesforceSide, SideResult

LINK = "Billing_Customer_ID__c"


class HeldLinks:
    """A billing side whose customers already hold their links (nothing to write, read back in memory)."""

    name = "customer"
    label = "in-memory billing"
    batch_size = 100

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        return {i: self.values.get(i, "") for i in record_ids}

    def write(self, values: Sequence[tuple[str, str]], cancel: CancelToken | None = None) -> list[SideResult]:
        raise AssertionError("the plan writes no customer")

    def close(self) -> None:
        """Nothing to release."""


def run(
    sandbox: RunningSalesforceSandbox, ids: list[str], *, bulk_above: int, tag: str, journal: Journal
) -> dict[str, float]:
    """Apply links ``cus_<n>`` to ``ids`` with ``BULK_ABOVE`` set to ``bulk_above``; calls and seconds."""
    session = SalesforceSession(
        TokenSet(access_token=sandbox.access_token, instance_url=sandbox.instance_url, identity_url=""),
        verify=str(sandbox.ca_cert),
    )
    side = SalesforceSide(SalesforceClient(session, timeout=600), LINK)
    customers = {f"cus_{tag}_{n}": record_id for n, record_id in enumerate(ids)}
    frame = pd.DataFrame({"account_id": ids, "customer_id": list(customers), "status": "matched"}, dtype=object)
    with sandbox.org.lock:  # what the plan saw: the values the sandbox seeded (some Accounts hold a link)
        table = sandbox.org.tables["Account"]
        held = {str(i): str(v or "") for i, v in zip(table.columns["Id"], table.columns[LINK], strict=True)}
    before = {record_id: held[record_id] for record_id in ids}
    plan = build_plan(frame, account_values=before, customer_values=customers, policy="overwrite")
    apply_bulk.BULK_ABOVE = bulk_above
    started = time.perf_counter()
    report = start_apply(journal, plan, {"account": side, "customer": HeldLinks(customers)}, run_id=f"bench-{tag}")
    seconds = time.perf_counter() - started
    side.close()
    assert report.state == "done", report.message
    assert report.verification is not None
    assert report.verification.verified_links == len(ids), report.pairs
    return {"calls": side.client.calls, "seconds": seconds}


def main() -> int:
    """Run the benchmark and print one JSON line of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--baseline-links", type=int, default=None,
                        help="links for the Collections baseline (default: --links; its calls grow linearly)")
    args = parser.parse_args()
    baseline_links = args.baseline_links or args.links

    accounts = args.links + baseline_links
    with start_salesforce_sandbox(scenario=with_knobs("healthy", daily_api_max=10**8), accounts=accounts) as sandbox, \
            tempfile.TemporaryDirectory() as folder:
        os.environ["CROSSLINK_DATA_DIR"] = folder  # the runs' results files go there, not to the user's data
        with sandbox.org.lock:
            ids = [str(i) for i in sandbox.org.tables["Account"].columns["Id"]][:accounts]
        with Journal(Path(folder) / "journal.sqlite3") as journal:
            bulk = run(sandbox, ids[: args.links], bulk_above=apply_bulk.BULK_ABOVE, tag="bulk", journal=journal)
            print(f"Bulk 2.0: {args.links:,} links, {bulk['calls']:.0f} calls, {bulk['seconds']:.1f} s",
                  file=sys.stderr)
            base = run(sandbox, ids[args.links :], bulk_above=10**9, tag="rest", journal=journal)
            print(f"Collections: {baseline_links:,} links, {base['calls']:.0f} calls, {base['seconds']:.1f} s",
                  file=sys.stderr)
    per_100k = 100_000 / args.links
    base_per_100k = 100_000 / baseline_links
    print(json.dumps({
        "links": args.links,
        "bulk_calls": bulk["calls"],
        "bulk_calls_per_100k": round(bulk["calls"] * per_100k, 1),
        "bulk_seconds": round(bulk["seconds"], 1),
        "baseline_links": baseline_links,
        "collections_calls": base["calls"],
        "collections_calls_per_100k": round(base["calls"] * base_per_100k, 1),
        "collections_seconds": round(base["seconds"], 1),
        "calls_ratio": round(base["calls"] * base_per_100k / max(1.0, bulk["calls"] * per_100k), 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
