"""Check that a change to the matcher leaves its decisions as they were, on generated data.

    .venv/bin/python benchmarks/compare_decisions.py save --accounts 100000 before.csv
    (change the code)
    .venv/bin/python benchmarks/compare_decisions.py save --accounts 100000 after.csv
    .venv/bin/python benchmarks/compare_decisions.py compare before.csv after.csv

``save`` writes every column of ``match()``'s decisions (deterministic passes; ``--full`` for all
seven) as text; ``compare`` names the columns that differ with their first differing rows and
exits 1 when any does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.core.matching import MatchConfig, match
from desktop_app.sandbox.demo_data import generate


def save(accounts: int, full: bool, seed: int, out: Path) -> None:
    """Match generated data and write the decisions to ``out``."""
    data = generate(accounts, seed=seed, customer_ratio=1.0)
    started = time.perf_counter()
    decisions = match(data.accounts, data.customers, config=MatchConfig(use_fuzzy=full)).decisions
    print(f"matched in {time.perf_counter() - started:.2f} s: {len(decisions)} decisions", file=sys.stderr)
    decisions.to_csv(out, index=False)


def compare(before: Path, after: Path) -> bool:
    """True when both files hold the same decisions; prints what differs."""
    old = pd.read_csv(before, dtype=str, keep_default_na=False)
    new = pd.read_csv(after, dtype=str, keep_default_na=False)
    if list(old.columns) != list(new.columns) or len(old) != len(new):
        print(f"different shapes: {len(old)} rows {list(old.columns)} / {len(new)} rows {list(new.columns)}")
        return False
    same = True
    for column in old.columns:
        differ = old[column] != new[column]
        if differ.any():
            same = False
            print(f"{column}: {int(differ.sum())} rows differ, first:")
            print(pd.DataFrame({"before": old.loc[differ, column], "after": new.loc[differ, column]}).head(3))
    print("identical" if same else "different")
    return same


def main() -> None:
    """Parse the arguments and save or compare."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    saving = commands.add_parser("save", help="match generated data and write the decisions")
    saving.add_argument("--accounts", type=int, default=100_000)
    saving.add_argument("--full", action="store_true", help="all seven passes (default: deterministic only)")
    saving.add_argument("--seed", type=int, default=7)
    saving.add_argument("out", type=Path)
    comparing = commands.add_parser("compare", help="compare two saved decision files")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "save":
        save(args.accounts, args.full, args.seed, args.out)
    elif not compare(args.before, args.after):
        sys.exit(1)


if __name__ == "__main__":
    main()
