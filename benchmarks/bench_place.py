"""Firms that share only a trade word and their town: how many accounts without a true customer the
weighed evidence still calls ambiguous or suggests (issue 12, the locality counted once).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_place.py [--accounts 1500] [--seed 3]

The files are generated, seeded: accounts named by two words of a list of 26 and a trade word
("Willow Pioneer Motors Co"), each at "N High Street" in one of five towns with one postcode each,
with a website; 70 % have their customer (the same name written another way, the street on 60 %,
a billing e-mail on the website's domain on half), and 300 customers no account has (a name of the
same kind, a town, no street). Every account and customer shares a word and its town with dozens
of unrelated ones. ``desktop-app match`` runs on them as a user runs it; printed: the accounts
without a true customer by status and pass, the precision and recall of the auto matches, and, last,
one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["Alpha", "Beacon", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
         "Lumen", "Maple", "Nimbus", "Onyx", "Pioneer", "Quartz", "Raven", "Summit", "Tidal", "Umber", "Vertex",
         "Willow", "Xenon", "Yarrow", "Zephyr"]
TRADES = ["Consulting", "Logistics", "Foods", "Software", "Holdings", "Partners", "Dental", "Bakery", "Motors", "Labs"]
SUFFIXES = ["Ltd", "Limited", "Inc", "Inc.", "LLC", "GmbH", "SAS", "Corp", "Co", "PLC"]
TOWNS = [("London", "GB", "SW1A 1AA"), ("Paris", "FR", "75001"), ("Berlin", "DE", "10115"), ("Austin", "US", "78701"),
         ("Leeds", "GB", "LS1 4AP")]
ID_LETTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def write_files(folder: Path, size: int, extra: int, seed: int) -> dict[str, str]:
    """Write accounts.csv and customers.csv to ``folder``; the true pairs (account id → customer id)."""
    rng = random.Random(seed)
    accounts, customers, truth = [], [], {}
    for i in range(size):
        base = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)}"
        town, country, postcode = rng.choice(TOWNS)
        account_id = "0015g0000" + "".join(rng.choice(ID_LETTERS) for _ in range(6))
        domain = base.lower().replace(" ", "") + ".com"
        street = f"{rng.randint(1, 200)} High Street"
        accounts.append([account_id, f"{base} {rng.choice(SUFFIXES)}", street, town, postcode, country,
                         f"www.{domain}"])
        if rng.random() < 0.7:
            customer_id = f"cus_{i:06d}X"
            name = rng.choice([f"{base} {rng.choice(SUFFIXES)}", base.upper(), f"The {base}"])
            customers.append([customer_id, name, f"billing@{domain}" if rng.random() < 0.5 else "",
                              street if rng.random() < 0.6 else "", town, postcode, country])
            truth[account_id] = customer_id
    for j in range(extra):
        town, country, postcode = rng.choice(TOWNS)
        base = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)}"
        customers.append([f"cus_9{j:05d}Y", f"{base} {rng.choice(SUFFIXES)}", "", "", town, postcode, country])
    rng.shuffle(customers)
    with open(folder / "accounts.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Account ID", "Account Name", "Billing Street", "Billing City", "Billing Zip/Postal Code",
                      "Billing Country", "Website"])
        out.writerows(accounts)
    with open(folder / "customers.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "Name", "Email", "Address Line1", "Address City", "Address Zip", "Address Country"])
        out.writerows(customers)
    return truth


def main() -> None:
    """Generate the files, run ``desktop-app match``, print the figures (JSON on the last line)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1500)
    parser.add_argument("--extra-customers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-place-") as name:
        folder = Path(name)
        truth = write_files(folder, args.accounts, args.extra_customers, args.seed)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "desktop_app", "match", "--accounts", str(folder / "accounts.csv"),
                               "--customers", str(folder / "customers.csv"), "--out", str(folder / "out.csv"),
                               "--json"], capture_output=True, text=True, check=False, cwd=ROOT)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"desktop-app match failed ({done.returncode}): {done.stderr.strip()}")
        decisions = pd.read_csv(folder / "out.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = decisions[decisions["account_id"] != ""].copy()
    rows["has_partner"] = rows["account_id"].str[:15].isin(truth)
    alone = rows[~rows["has_partner"]]
    by_kind = alone.groupby(["status", "method"]).size()
    print(f"accounts without a true customer: {len(alone)}")
    for (status, method), count in by_kind.items():
        print(f"  {status:10} {method or '-':10} {count:5}")
    auto = rows[rows["status"] == "matched"]
    right = sum(truth.get(a[:15]) == c for a, c in zip(auto["account_id"], auto["customer_id"], strict=True))
    precision, recall = right / max(1, len(auto)), right / max(1, len(truth))
    weighed_doubts = alone[(alone["method"] == "evidence") & alone["status"].isin(["ambiguous", "suggested"])]
    namesakes = int(weighed_doubts["reason"].str.contains("namesake").sum())
    print(f"auto matches: precision {precision:.4f}, recall {recall:.4f}; {seconds:.1f} s")
    print(json.dumps({
        "accounts": args.accounts, "seed": args.seed, "without_partner": len(alone),
        "weighed_ambiguous": int(((alone["method"] == "evidence") & (alone["status"] == "ambiguous")).sum()),
        "weighed_suggested": int(((alone["method"] == "evidence") & (alone["status"] == "suggested")).sum()),
        "weighed_namesakes": namesakes,
        "any_ambiguous_or_suggested": int(alone["status"].isin(["ambiguous", "suggested"]).sum()),
        "precision": round(precision, 4), "recall": round(recall, 4), "seconds": round(seconds, 2),
    }))


if __name__ == "__main__":
    main()
