"""Real two-source organisation data through the CLI, as a user runs it: ``desktop-app match``.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_realdata.py DIR

DIR holds the Fodor's/Zagat restaurant guides with their true pairs (fodors.csv, zagats.csv,
matches_fodors_zagats.csv: 533 × 331 restaurants, 112 true pairs; columns id, name, addr, city,
phone, type). They are the files of the RIDDLE repository as shipped by py_entitymatching
(https://github.com/anhaidgroup/py_entitymatching, py_entitymatching/datasets/end-to-end/restaurants/)
and used by Magellan and DeepMatcher. They are not in this repository: fetch them there.

Fodor's plays the Salesforce accounts (its ids are replaced by Account ids, as an export carries
them; nothing else is touched), Zagat the billing customers, each file as the guide wrote it. The
columns are mapped by the intake's own detection. Scored against the true pairs: the auto matches
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

from desktop_app.core.ids import checksum_suffix

Pairs = set[tuple[str, str]]
ROOT = Path(__file__).resolve().parent.parent


def account_id(number: int) -> str:
    """An 18-character Account id made from a record's number."""
    id15 = f"001A{number:011d}"
    return id15 + checksum_suffix(id15)


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, Pairs]:
    """The two guides, Fodor's ids turned into Account ids, and the true pairs in those ids."""
    fodors = pd.read_csv(folder / "fodors.csv", dtype=str, keep_default_na=False)
    zagats = pd.read_csv(folder / "zagats.csv", dtype=str, keep_default_na=False)
    truth_raw = pd.read_csv(folder / "matches_fodors_zagats.csv", dtype=str, keep_default_na=False)
    ids = {raw: account_id(int(raw)) for raw in fodors["id"]}
    fodors["id"] = fodors["id"].map(ids)
    truth = {(ids[a], b) for a, b in zip(truth_raw["fodors_id"], truth_raw["zagats_id"], strict=True)}
    return fodors, zagats, truth


def run_cli(accounts: Path, customers: Path, out: Path) -> tuple[pd.DataFrame, dict[str, object], float]:
    """``desktop-app match`` on the two files; its decisions, its JSON summary and its seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "match", "--accounts", str(accounts), "--customers", str(customers),
         "--out", str(out), "--json"],
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


def baseline(left: pd.DataFrame, right: pd.DataFrame, threshold: float = 0.6) -> Pairs:
    """Name similarity + same street number and first street word + same phone digits, one to one."""
    scored = []
    for a in left.itertuples(index=False):
        a_street, a_phone = _street_key(a.addr), re.sub(r"\D", "", a.phone)[-10:]
        for b in right.itertuples(index=False):
            name = fuzz.token_set_ratio(a.name.lower(), b.name.lower()) / 100
            street = 1.0 if a_street[0] and _street_key(b.addr) == a_street else 0.0
            phone = 1.0 if len(a_phone) >= 7 and re.sub(r"\D", "", b.phone)[-10:] == a_phone else 0.0
            score = 0.4 * name + 0.3 * street + 0.3 * phone
            if score >= threshold:
                scored.append((score, a.id, b.id))
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


def causes(decisions: pd.DataFrame, truth: Pairs, auto: Pairs) -> dict[str, Counter[str]]:
    """Missed true pairs by what became of their account, wrong auto pairs by their evidence."""
    by_account = decisions[decisions["account_id"] != ""].set_index("account_id")
    missed: Counter[str] = Counter()
    for a, b in sorted(truth - auto):
        row = by_account.loc[a] if a in by_account.index else None
        if row is None:
            missed["account not in the output"] += 1
            continue
        partner = "true partner" if row["customer_id"] == b else ("another customer" if row["customer_id"] else "none")
        missed[f"{row['status']} ({partner}): {_evidence_word(row['evidence'])}"] += 1
    wrong: Counter[str] = Counter()
    for a, _b in sorted(auto - truth):
        row = by_account.loc[a]
        wrong[f"{row['method']}: {_evidence_word(row['evidence'])}"] += 1
    return {"missed": missed, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder with fodors.csv, zagats.csv, matches_fodors_zagats.csv")
    parser.add_argument("--show", action="store_true", help="print each missed and wrong pair")
    args = parser.parse_args()
    fodors, zagats, truth = load(args.folder)
    with tempfile.TemporaryDirectory() as work:
        accounts, customers = Path(work) / "fodors_accounts.csv", Path(work) / "zagats_customers.csv"
        fodors.to_csv(accounts, index=False)
        zagats.to_csv(customers, index=False)
        decisions, summary, seconds = run_cli(accounts, customers, Path(work) / "decisions.csv")
    auto = pairs_with(decisions, ("matched", "already_linked"))
    with_suggested = pairs_with(decisions, ("matched", "already_linked", "suggested"))
    start = time.perf_counter()
    base = baseline(fodors, zagats)
    base_seconds = time.perf_counter() - start
    results = {
        "crosslink_auto": {**figures(auto, truth), "seconds": round(seconds, 2)},
        "crosslink_auto_suggested": figures(with_suggested, truth),
        "baseline": {**figures(base, truth), "seconds": round(base_seconds, 2)},
        "counts": summary["counts"],
    }
    for name in ("crosslink_auto", "crosslink_auto_suggested", "baseline"):
        row = results[name]
        print(f"{name:26} P {row['precision']:.4f}  R {row['recall']:.4f}  F1 {row['f1']:.4f}  pairs {row['pairs']}",
              file=sys.stderr)
    for kind, counter in causes(decisions, truth, auto).items():
        print(f"{kind}:", file=sys.stderr)
        for cause, n in counter.most_common():
            print(f"  {n:4}  {cause}", file=sys.stderr)
    if args.show:
        names_a = dict(zip(fodors["id"], fodors["name"] + " | " + fodors["addr"] + " | " + fodors["city"] + " | "
                           + fodors["phone"], strict=True))
        names_b = dict(zip(zagats["id"], zagats["name"] + " | " + zagats["addr"] + " | " + zagats["city"] + " | "
                           + zagats["phone"], strict=True))
        by_account = decisions[decisions["account_id"] != ""].set_index("account_id")
        for label, pairs in (("MISSED", truth - auto), ("WRONG", auto - truth)):
            for a, b in sorted(pairs):
                row = by_account.loc[a]
                print(f"{label} {names_a[a]}  <>  {names_b[b]}\n    {row['status']} -> {row['customer_id']} "
                      f"{row['reason']}", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
