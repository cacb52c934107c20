"""Real two-source organisation data through the CLI, as a user runs it: ``desktop-app match``.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_realdata.py DIR [--lists dfss2011 dfss2012]

DIR holds one of the datasets ``realdata_sets.py`` reads: the Fodor's/Zagat restaurant guides
(py_entitymatching, datasets/end-to-end/restaurants/), the Chicago early-childhood site lists
(dedupe-examples, csv_example/; ``--lists`` picks the two), or the S&P 500 members
(datasets/s-and-p-500-companies) with the SEC's ticker list (company_tickers.json). They are not in
this repository: fetch them there (benchmarks/README.md says where).

The first table plays the Salesforce accounts (its ids are replaced by Account ids, as an export
carries them; nothing else is touched), the second the billing customers, each as its source wrote
it. The columns are mapped by the intake's own detection. Scored against the true pairs: the auto matches
(``matched``) and auto + ``suggested``. A baseline in the same run: a ten-line score of name
similarity + street + phone digits, one to one. Misses and wrong pairs are grouped by the evidence
Crosslink recorded for them. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.realdata_sets import Pairs, RealData, load

ROOT = Path(__file__).resolve().parent.parent


def run_cli(accounts: Path, customers: Path, out: Path, options: list[str]) -> tuple[pd.DataFrame, dict[str, object],
                                                                                     float]:
    """``desktop-app match`` on the two files; its decisions, its JSON summary and its seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "match", "--accounts", str(accounts), "--customers", str(customers),
         "--out", str(out), "--json", *options],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"desktop-app match failed ({done.returncode}): {done.stderr.strip()}")
    if done.stderr.strip():
        print(done.stderr.strip(), file=sys.stderr)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig"), summary, seconds


def pairs_with(decisions: pd.DataFrame, statuses: tuple[str, ...]) -> Pairs:
    chosen = decisions[decisions["status"].isin(statuses) & (decisions["account_id"] != "")
                       & (decisions["customer_id"] != "")]
    return set(zip(chosen["account_id"], chosen["customer_id"], strict=True))


def figures(found: Pairs, truth: Pairs) -> dict[str, float]:
    correct = len(found & truth)
    precision, recall = correct / max(1, len(found)), correct / max(1, len(truth))
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "pairs": len(found)}


def _street_key(text: str) -> tuple[str, str]:
    words = re.sub(r"[^0-9a-z ]", " ", text.lower()).split()
    number = words[0] if words and words[0][0].isdigit() else ""
    rest = words[1:] if number else words
    return number, rest[0] if rest else ""


def baseline(data: RealData, threshold: float = 0.6) -> Pairs:
    """Name similarity + same street number and first street word + same phone digits, one to one."""
    def rows(side: str) -> list[tuple[str, str, tuple[str, str], str]]:
        table = data.accounts if side == "accounts" else data.customers
        name, street, phone, _ = data.fields(side)
        blank = pd.Series([""] * len(table), index=table.index)
        streets = table[street] if street else blank
        phones = table[phone] if phone else blank
        return [(i, n.lower(), _street_key(s), re.sub(r"\D", "", p)[-10:]) for i, n, s, p in
                zip(table[data.id_of(side)], table[name], streets, phones, strict=True)]
    scored = []
    right = rows("customers")
    for a_id, a_name, a_street, a_phone in rows("accounts"):
        for b_id, b_name, b_street, b_phone in right:
            name = fuzz.token_set_ratio(a_name, b_name) / 100
            street = 1.0 if a_street[0] and b_street == a_street else 0.0
            phone = 1.0 if len(a_phone) >= 7 and b_phone == a_phone else 0.0
            score = 0.4 * name + 0.3 * street + 0.3 * phone
            if score >= threshold:
                scored.append((score, a_id, b_id))
    taken_a: set[str] = set()
    taken_b: set[str] = set()
    kept: Pairs = set()
    for _, a_id, b_id in sorted(scored, reverse=True):
        if a_id not in taken_a and b_id not in taken_b:
            kept.add((a_id, b_id))
            taken_a.add(a_id)
            taken_b.add(b_id)
    return kept


def _evidence_word(evidence: str) -> str:
    """The fields that agree and disagree, in short: ``name~ street+ phone- city+``."""
    if not evidence:
        return "no evidence"
    marks = {"agree": "+", "partly agree": "~", "disagree": "-"}
    fields = json.loads(evidence)
    return " ".join(f"{field}{marks[level]}" for field, (level, _) in fields.items() if level in marks)


def decision_of(decisions: pd.DataFrame, account: str, customer: str) -> pd.Series | None:
    """The account's decision row: the one naming ``customer`` when the account has several (--allow-many)."""
    rows = decisions[decisions["account_id"] == account]
    if rows.empty:
        return None
    named = rows[rows["customer_id"] == customer]
    return (named if len(named) else rows).iloc[0]


def causes(decisions: pd.DataFrame, truth: Pairs, auto: Pairs) -> dict[str, Counter[str]]:
    """Missed true pairs by what became of their account, wrong auto pairs by their evidence."""
    missed: Counter[str] = Counter()
    for a, b in sorted(truth - auto):
        row = decision_of(decisions, a, b)
        if row is None:
            missed["account not in the output"] += 1
            continue
        partner = "true partner" if row["customer_id"] == b else ("another customer" if row["customer_id"] else "none")
        missed[f"{row['status']} ({partner}): {_evidence_word(row['evidence'])}"] += 1
    wrong: Counter[str] = Counter()
    for a, b in sorted(auto - truth):
        row = decision_of(decisions, a, b)
        assert row is not None
        wrong[f"{row['method']}: {_evidence_word(row['evidence'])}"] += 1
    return {"missed": missed, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder with one dataset's files (see realdata_sets.py)")
    parser.add_argument("--lists", nargs=2, default=("dfss2011", "dfss2012"), metavar=("ACCOUNTS", "CUSTOMERS"),
                        help="Chicago data: the two lists to match (dfss2011, dfss2012, ece, cps, purple, ...)")
    parser.add_argument("--show", action="store_true", help="print each missed and wrong pair")
    parser.add_argument("--allow-many", action="store_true", help="pass --allow-many to desktop-app match")
    parser.add_argument("--no-fuzzy", action="store_true", help="pass --no-fuzzy to desktop-app match")
    parser.add_argument("--keep", type=Path, help="also write the decisions CSV here")
    args = parser.parse_args()
    data = load(args.folder, tuple(args.lists))
    truth = data.truth
    with tempfile.TemporaryDirectory() as work:
        accounts, customers = Path(work) / "accounts.csv", Path(work) / "customers.csv"
        data.accounts.to_csv(accounts, index=False)
        data.customers.to_csv(customers, index=False)
        decisions, summary, seconds = run_cli(accounts, customers, Path(work) / "decisions.csv",
                                            [flag for flag, on in (("--allow-many", args.allow_many),
                                                                   ("--no-fuzzy", args.no_fuzzy)) if on])
    if args.keep:
        decisions.to_csv(args.keep, index=False)
    auto = pairs_with(decisions, ("matched", "already_linked"))
    with_suggested = pairs_with(decisions, ("matched", "already_linked", "suggested"))
    start = time.perf_counter()
    base = baseline(data)
    base_seconds = time.perf_counter() - start
    results = {
        "dataset": data.label,
        "sizes": [len(data.accounts), len(data.customers), len(truth)],
        "recall_ceiling": round(data.ceiling, 4),
        "crosslink_auto": {**figures(auto, truth), "seconds": round(seconds, 2)},
        "crosslink_auto_suggested": figures(with_suggested, truth),
        "baseline": {**figures(base, truth), "seconds": round(base_seconds, 2)},
        "counts": summary["counts"],
    }
    print(f"{data.label}: {len(data.accounts)} × {len(data.customers)}, {len(truth)} true pairs "
          f"(one-to-one recall ceiling {data.ceiling:.4f})", file=sys.stderr)
    for name in ("crosslink_auto", "crosslink_auto_suggested", "baseline"):
        row = results[name]
        print(f"{name:26} P {row['precision']:.4f}  R {row['recall']:.4f}  F1 {row['f1']:.4f}  pairs {row['pairs']}",
              file=sys.stderr)
    for kind, counter in causes(decisions, truth, auto).items():
        print(f"{kind}:", file=sys.stderr)
        for cause, n in counter.most_common():
            print(f"  {n:4}  {cause}", file=sys.stderr)
    if args.show:
        for label, pairs in (("MISSED", truth - auto), ("WRONG", auto - truth)):
            for a, b in sorted(pairs):
                row = decision_of(decisions, a, b)
                if row is None:
                    continue
                chosen = row["customer_id"]
                took = f" {data.describe('customers', chosen)}" if label == "MISSED" and chosen else ""
                print(f"{label} {data.describe('accounts', a)}  <>  {data.describe('customers', b)}\n"
                      f"    {row['status']} -> {chosen}{took}: {row['reason']}", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
