"""Word-level comparisons of names: a word the two names share, exactly or within one typo.

Two names that disagree as wholes ("thomas alderson" / "lucy alddrson") may still share a family
name or a brand word typed with one mistake. One typo is the Damerau model every keyboard makes:
one letter inserted, dropped or replaced, or two neighbours swapped (optimal string alignment
distance 1). Short words are compared exactly only: "al" and "ali" are different words, not typos.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from desktop_app.core.matching_ledger import TextArray

TYPO_MIN_LENGTH = 4  # words shorter than this must agree exactly to count as shared


def _words(names: TextArray) -> pd.DataFrame:
    """(pair, word) for every word of more than one letter (initials are not evidence)."""
    series = pd.Series([name.split() for name in names.tolist()], dtype=object).explode()
    series = series[series.notna()]
    series = series[series.str.len() > 1]
    table = pd.DataFrame({"pair": series.index.to_numpy(dtype=np.int64), "word": series.to_numpy(dtype=object)})
    return table.drop_duplicates()


def shares_word(left: TextArray, right: TextArray) -> np.ndarray:
    """Per pair, whether ``left[i]`` and ``right[i]`` have a word in common: the same word, or,
    for words of ``TYPO_MIN_LENGTH`` letters or more, a word one typo away."""
    if not len(left):
        return np.zeros(0, dtype=bool)
    # The same word (most pairs that share one) is found in C; only the others are split into words.
    shared: np.ndarray = np.asarray(process.cpdist(list(left), list(right), scorer=fuzz.partial_token_set_ratio,
                                                   workers=-1)) >= 100
    rest = np.flatnonzero(~shared)
    if len(rest):
        shared[rest] = _within_typo(left[rest], right[rest])
    return shared


def _within_typo(left: TextArray, right: TextArray) -> np.ndarray:
    shared = np.zeros(len(left), dtype=bool)
    words = _words(left).merge(_words(right), on="pair", suffixes=("_a", "_c"))
    if words.empty:
        return shared
    a, c = words["word_a"].to_numpy(dtype=object), words["word_c"].to_numpy(dtype=object)
    same = a == c
    lengths_a = words["word_a"].str.len().to_numpy()
    lengths_c = words["word_c"].str.len().to_numpy()
    # A typo changes the length by at most one; other word pairs cannot be one typo apart.
    maybe = np.flatnonzero(~same & (np.minimum(lengths_a, lengths_c) >= TYPO_MIN_LENGTH) &
                           (np.abs(lengths_a - lengths_c) <= 1))
    if len(maybe):
        same[maybe] = np.asarray(process.cpdist(list(a[maybe]), list(c[maybe]), scorer=OSA.distance,
                                                score_cutoff=1, workers=-1)) <= 1
    shared[words["pair"].to_numpy()[same]] = True
    return shared
