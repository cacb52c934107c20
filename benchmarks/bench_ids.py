"""Benchmark: vectorised 15→18 id conversion against the scalar function, same data, same process.

Usage: .venv/bin/python benchmarks/bench_ids.py [--ids 1000000]
Prints figures, then one JSON line: {"ids":N,"seconds":..,"baseline_scalar_seconds":..,"ratio":..}.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

from desktop_app.core.ids import normalize_id, to_18_series

ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def make_ids(count: int, seed: int = 1) -> pd.Series:
    """``count`` random 15-character Account ids (prefix 001)."""
    rng = np.random.default_rng(seed)
    tails = ALPHABET[rng.integers(0, 62, (count, 12))].view("S12").ravel().astype(str)
    return pd.Series(np.char.add("001", tails), dtype="object")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ids", type=int, default=1_000_000)
    args = parser.parse_args()
    ids = make_ids(args.ids)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        vectorised = to_18_series(ids)
        best = min(best, time.perf_counter() - started)
    started = time.perf_counter()
    scalar = [normalize_id(v) for v in ids.tolist()]
    baseline = time.perf_counter() - started
    assert vectorised.tolist() == scalar
    print(f"to_18_series: {args.ids:,} ids in {best:.3f} s (best of 3); scalar loop {baseline:.3f} s")
    print(json.dumps({"ids": args.ids, "seconds": round(best, 3), "baseline_scalar_seconds": round(baseline, 3),
                      "ratio": round(best / baseline, 3)}))


if __name__ == "__main__":
    main()
