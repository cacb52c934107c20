"""Benchmark the matcher on generated data: speed against a bare ``pandas.merge``, peak memory,
and precision/recall of the auto-accepted decisions against the generator's ground truth.

    .venv/bin/python benchmarks/bench_matching.py --accounts 1000000 --customers 1000000
    .venv/bin/python benchmarks/bench_matching.py --accounts 100000 --customers 100000 --fuzzy-only

Default mode times ``match()`` through all deterministic passes (existing links, identifiers,
domains, names; no fuzzy pass). ``--fuzzy-only`` times the fuzzy pass alone over every account and
every customer (all of them "unmatched"). The baseline, timed in the same process on the same
frames, is what a naive script does: two ``pandas.merge`` calls joining each side's raw link
column to the other side's raw id column. ``--arrow-strings`` holds the input frames' text in
Arrow-backed columns (needs pyarrow, which the app does not install; see benchmarks/README.md).
The last line printed is one JSON object.

By default the frames are the ones the app would hold: a child process generates the data and
writes it as two CSV files, and this process reads them through the app's own intake
(``load_input``, as ``desktop-app match`` does) and keeps only the canonical frames. The peak then
counts the matcher and the frames it is given, not the generator's leftovers (generating 1,000,000
× 1,000,000 in-process peaks at ~2.1 GB before matching starts). ``--in-process`` generates the
frames in this process instead (the figures recorded before 2026-12-07 evening).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.core.matching import ALREADY_LINKED, MATCHED, MatchConfig, match
from desktop_app.core.matching_fuzzy import match_fuzzy
from desktop_app.core.matching_ledger import Ledger, prepare_accounts, prepare_customers
from desktop_app.core.roles import Side
from desktop_app.sandbox.demo_data import generate
from desktop_app.workflow.load_files import load_input

_WRITE_FILES = """
import sys
from desktop_app.sandbox.demo_data import generate
accounts, seed, ratio, folder = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
data = generate(accounts, seed=seed, customer_ratio=ratio)
data.accounts.to_csv(folder + "/accounts.csv", index=False)
data.customers.to_csv(folder + "/customers.csv", index=False)
data.truth.to_csv(folder + "/truth.csv", index=False)
"""


def frames_from_files(accounts: int, seed: int, ratio: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Generate the data in a child process, write it as CSV, and read it back through the intake."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-matching-") as folder:
        subprocess.run([sys.executable, "-c", _WRITE_FILES, str(accounts), str(seed), str(ratio), folder],
                       check=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
        account_frame = load_input(Path(folder) / "accounts.csv", Side.ACCOUNTS).frame
        customer_frame = load_input(Path(folder) / "customers.csv", Side.CUSTOMERS).frame
        truth = pd.read_csv(Path(folder) / "truth.csv", dtype=str, keep_default_na=False)
    return account_frame, customer_frame, truth


def baseline_merge(accounts: pd.DataFrame, customers: pd.DataFrame) -> float:
    """Seconds for the naive approach: join the raw link columns to the raw ids, both ways."""
    start = time.perf_counter()
    accounts.merge(customers, left_on="link_customer_id", right_on="customer_id", how="left")
    customers.merge(accounts, left_on="sf_account_id", right_on="account_id", how="left")
    return time.perf_counter() - start


def precision_recall(pairs: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float]:
    """Share of accepted pairs that are true, and share of true pairs that were accepted."""
    accepted = set(zip(pairs["account_id"], pairs["customer_id"], strict=True))
    true = set(zip(truth["account_id"], truth["customer_id"], strict=True))
    correct = len(accepted & true)
    return correct / max(1, len(accepted)), correct / max(1, len(true))


def run_deterministic(accounts: pd.DataFrame, customers: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """Seconds for ``match()`` without the fuzzy pass, and its auto-accepted pairs."""
    start = time.perf_counter()
    decisions = match(accounts, customers, config=MatchConfig(use_fuzzy=False)).decisions
    seconds = time.perf_counter() - start
    return seconds, decisions[decisions["status"].isin([MATCHED, ALREADY_LINKED])]


def run_fuzzy_only(accounts: pd.DataFrame, customers: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """Seconds for the fuzzy pass over every account × every customer, and its matched pairs."""
    config = MatchConfig()
    ledger = Ledger(prepare_accounts(accounts), prepare_customers(customers))
    start = time.perf_counter()
    match_fuzzy(ledger, auto_accept=config.auto_accept_score, suggest_min=config.suggest_min_score)
    seconds = time.perf_counter() - start
    decided = ledger.decisions()
    decided = decided[(decided["status"] == MATCHED) & (decided["acc"] >= 0) & (decided["cus"] >= 0)]
    pairs = pd.DataFrame({"account_id": ledger.accounts.ids[decided["acc"].to_numpy()],
                          "customer_id": ledger.customers.ids[decided["cus"].to_numpy()]})
    return seconds, pairs


def as_arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns held by Arrow (one buffer per column instead of a Python
    object per value), converted one column at a time."""
    arrow = pd.StringDtype("pyarrow", na_value=float("nan"))
    return frame.astype({column: arrow for column in frame.columns if frame[column].dtype == object})


def _current_rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    """Parse the arguments, run one benchmark, print the figures (JSON on the last line)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=None, help="default: as many as accounts")
    parser.add_argument("--fuzzy-only", action="store_true", help="time only the fuzzy pass")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--in-process", action="store_true",
                        help="generate the frames in this process instead of reading them from files")
    parser.add_argument("--arrow-strings", action="store_true",
                        help="hold the input frames' text as Arrow-backed str columns (needs pyarrow)")
    args = parser.parse_args()
    n_customers = args.customers if args.customers is not None else args.accounts
    started = time.perf_counter()
    ratio = n_customers / max(1, args.accounts)
    if args.in_process:
        data = generate(args.accounts, seed=args.seed, customer_ratio=ratio)
        accounts, customers, truth = data.accounts, data.customers, data.truth
        del data  # the contacts are not needed here
    else:
        accounts, customers, truth = frames_from_files(args.accounts, args.seed, ratio)
    if args.arrow_strings:
        accounts, customers = as_arrow_strings(accounts), as_arrow_strings(customers)
    gc.collect()
    print(f"{len(accounts)} accounts, {len(customers)} customers ready "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    data_mb = _current_rss_mb()
    loading_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # reading the files, not matching
    baseline = baseline_merge(accounts, customers)
    runner = run_fuzzy_only if args.fuzzy_only else run_deterministic
    seconds, accepted = runner(accounts, customers)
    precision, recall = precision_recall(accepted, truth)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"resident memory with the input frames loaded, before matching: {data_mb:.0f} MB", file=sys.stderr)
    print(json.dumps({
        "accounts": len(accounts), "customers": len(customers),
        "seconds": round(seconds, 2), "baseline_merge_seconds": round(baseline, 2),
        "ratio": round(seconds / baseline, 2) if baseline else None, "peak_rss_mb": round(peak_mb),
        "precision": round(precision, 4), "recall": round(recall, 4),
        "input_frames_mb": round(data_mb), "peak_before_matching_mb": round(loading_peak_mb),
        "arrow_strings": args.arrow_strings,
        "frames": "generated in-process" if args.in_process else "read from CSV files by the intake",
    }))


if __name__ == "__main__":
    main()
