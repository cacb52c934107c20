"""A column's distinct values and their normalised forms, computed once per distinct value.

Matching reads the same attributes in several passes, each on other records (the pairs of a pass,
a sample for the model, the decided pairs for the evidence). Normalising is per-value Python
(parsing a street, reading a phone number), so each distinct value is normalised once however many
records carry it and however many passes ask; records hold only an integer code into the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# Distinct inputs (texts, or (text, country) pairs) → per output name, one result per input.
Normaliser = Callable[[list[Any]], dict[str, Sequence[str]]]


def _texts(uniques: np.ndarray) -> list[str]:
    values: list[str] = uniques.tolist()
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":  # checked in C: the usual case
        return values
    return [u if isinstance(u, str) else str(u) for u in values]


def reuse_equal(originals: Sequence[Any], results: Sequence[str]) -> list[str]:
    """``results``, each result equal to its original replaced by the original: a table of a
    million distinct values then holds one str object where the two are alike, not two."""
    return [original if result == original else result for original, result in zip(originals, results, strict=True)]


def one_per_value(results: list[str]) -> list[str]:
    """``results`` with equal texts as one str object (distinct inputs often normalise alike:
    "12 Main St." and "12 main street" both name the street "main st")."""
    shared: dict[str, str] = {}
    return [shared.setdefault(result, result) for result in results]


class _PairInputs(Sequence[tuple[str, str]]):
    """The distinct (text, country) pairs, each tuple made when a normaliser asks for it: holding
    700,000 tuples for the whole run would cost ~45 MB at a million records a side."""

    def __init__(self, texts: list[str], places: list[str], pairs: np.ndarray) -> None:
        self._texts, self._places, self._width = texts, places, len(places)
        self._pairs = pairs  # per distinct pair, (text code + 1) * width + country code + 1

    def __len__(self) -> int:
        return len(self._pairs)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        pair = int(self._pairs[index])
        return self._texts[pair // self._width], self._places[pair % self._width]


@dataclass
class DistinctValues:
    """Per record, the code of its distinct input; per distinct input, the outputs computed so far.
    The last input is the one missing values share ("", or ("", country))."""

    codes: np.ndarray
    inputs: Sequence[Any]
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    # Per normaliser (several may read one column), which distinct inputs it has seen, and its outputs' names.
    done: dict[str, np.ndarray] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)

    @staticmethod
    def of_texts(values: np.ndarray) -> DistinctValues:
        """The distinct texts of ``values`` (missing values read as "")."""
        codes, uniques = pd.factorize(values)
        codes = np.where(codes < 0, len(uniques), codes).astype(np.int32)
        return DistinctValues(codes, [*_texts(uniques), ""])

    @staticmethod
    def of_pairs(values: np.ndarray, countries: np.ndarray) -> DistinctValues:
        """The distinct (text, country) pairs of ``values`` and ``countries``."""
        value_codes, value_uniques = pd.factorize(values)  # -1: missing
        country_codes, country_uniques = pd.factorize(countries)
        texts = ["", *_texts(value_uniques)]
        places = ["", *_texts(country_uniques)]
        width = len(places)
        # One integer per (value, country), so the distinct pairs are found without building tuples.
        codes, pairs = pd.factorize((value_codes.astype(np.int64) + 1) * width + country_codes + 1)
        return DistinctValues(codes.astype(np.int32), _PairInputs(texts, places, pairs))

    def at(self, positions: np.ndarray, key: str, normalise: Normaliser) -> dict[str, np.ndarray]:
        """The outputs of ``normalise`` (known as ``key``) for the records at ``positions``,
        normalising only the distinct inputs it has not seen before."""
        codes = self.codes[positions]
        done = self.done.setdefault(key, np.zeros(len(self.inputs), dtype=bool))
        need = np.unique(codes[~done[codes]])
        if len(need) or key not in self.names:
            results = normalise([self.inputs[i] for i in need.tolist()])
            self.names[key] = list(results)
            for name, values in results.items():
                if name not in self.outputs:
                    self.outputs[name] = np.full(len(self.inputs), "", dtype=object)
                if len(need):
                    self.outputs[name][need] = np.asarray(values, dtype=object)
            done[need] = True
        return {name: self.outputs[name][codes] for name in self.names[key]}

    def known(self, positions: np.ndarray, key: str) -> np.ndarray:
        """Which records at ``positions`` ``at(..., key, ...)`` would answer without normalising anything."""
        done = self.done.get(key)
        if done is None:
            return np.zeros(len(positions), dtype=bool)
        known: np.ndarray = done[self.codes[positions]]
        return known
