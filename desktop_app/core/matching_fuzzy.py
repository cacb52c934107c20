"""Pass 6, fuzzy names: similar cleaned names among the records no earlier pass decided.

The score is rapidfuzz's ``ratio`` (normalised Indel similarity) of the cleaned names: a typo costs
a few points wherever it is, while ``token_sort_ratio`` would reorder the words around a typo in a
first letter, and ``token_set_ratio``/``WRatio`` would call "Acme" and "Acme Global" the same.

Comparing every account with every customer is quadratic, so names are compared only within
*blocks*: records whose cleaned name starts with the same three characters, and records whose
longest word starts with the same three characters (ae/oe/ue read as a/o/u there, so that "Mueller"
meets "Müller", cleaned "muller"). A pair is missed only when a typo hits both places. Blocks are
scored in chunks with ``process.cdist`` on all cores.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from desktop_app.core.matching_ledger import IntArray, Ledger, TextArray
from desktop_app.core.matching_names import country_note, record_resolution, resolve_countries_of
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

TIE_MARGIN = 2.0  # candidates this close to the best one make an account ambiguous
_CHUNK_CELLS = 8_000_000  # score-matrix cells per cdist call (float32: 32 MB)


def _longest_word(name: str) -> str:
    return max(name.split(), key=len, default="")


def _prefix(text: str) -> str:
    """The first three letters of ``text``, reading ae, oe and ue as a, o and u: German names are
    written with ä, ö, ü (cleaned to a, o, u) or with ae, oe, ue, and "Müller" / "Mueller" must
    land in one block to be compared at all. Both spellings keep their letters in the score."""
    head = text[:6]  # three letters, each possibly written as two
    if "e" in head:
        head = head.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return head[:3]


def _block_keys(names: TextArray) -> list[TextArray]:
    """The blocking keys of each name, one array per blocking scheme."""
    first = np.array([_prefix(n) for n in names], dtype=object)
    longest = np.array([_prefix(_longest_word(n)) for n in names], dtype=object)
    return [first, longest]


def _blocks(acc_keys: TextArray, cus_keys: TextArray) -> Iterator[tuple[IntArray, IntArray]]:
    """(account indices, customer indices) sharing each key."""
    acc_groups = pd.Series(np.arange(len(acc_keys))).groupby(acc_keys).indices
    cus_groups = pd.Series(np.arange(len(cus_keys))).groupby(cus_keys).indices
    for key, acc_idx in acc_groups.items():
        cus_idx = cus_groups.get(key)
        if key and cus_idx is not None:
            yield np.asarray(acc_idx), np.asarray(cus_idx)


def similar_pairs(acc_names: TextArray, cus_names: TextArray, *, score_cutoff: float, margin: float = TIE_MARGIN,
                  progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None) -> pd.DataFrame:
    """Per account (index into ``acc_names``), the customers (index into ``cus_names``) whose names
    score at least ``score_cutoff`` and within ``margin`` of that account's best, across all blocks.
    Columns ``a``, ``c``, ``score``."""
    found: list[pd.DataFrame] = []
    schemes = list(zip(_block_keys(acc_names), _block_keys(cus_names), strict=True))
    for number, (acc_keys, cus_keys) in enumerate(schemes):
        blocks = list(_blocks(acc_keys, cus_keys))
        for done, (acc_idx, cus_idx) in enumerate(blocks):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if done % 200 == 0:
                progress(Progress(number * len(blocks) + done, len(schemes) * len(blocks), "Comparing similar names"))
            choices = list(cus_names[cus_idx])
            step = max(1, _CHUNK_CELLS // max(1, len(cus_idx)))
            for start in range(0, len(acc_idx), step):
                rows = acc_idx[start : start + step]
                scores = process.cdist(list(acc_names[rows]), choices, scorer=fuzz.ratio,
                                       score_cutoff=score_cutoff, dtype=np.float32, workers=-1)
                best = scores.max(axis=1)
                hit_rows, hit_cols = np.nonzero((scores >= (best - margin)[:, None]) & (scores > 0))
                if len(hit_rows):
                    found.append(pd.DataFrame({"a": rows[hit_rows], "c": cus_idx[hit_cols],
                                               "score": scores[hit_rows, hit_cols].astype(float)}))
    if not found:
        return pd.DataFrame({"a": pd.Series(dtype=np.int64), "c": pd.Series(dtype=np.int64),
                             "score": pd.Series(dtype=float)})
    pairs = pd.concat(found, ignore_index=True).drop_duplicates(["a", "c"])
    # Another block may have found a better candidate: keep only those near each account's best.
    best = pairs.groupby("a")["score"].transform("max")
    return pairs[pairs["score"] >= best - margin].reset_index(drop=True)


def match_fuzzy(ledger: Ledger, *, auto_accept: float, suggest_min: float,
                progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None) -> None:
    """Pass 6: similar names; ≥ ``auto_accept`` → matched, ≥ ``suggest_min`` → suggested, near-ties
    → ambiguous. A country mismatch keeps a pair from being accepted without review."""
    accounts, customers = ledger.accounts, ledger.customers
    acc_pos, cus_pos = ledger.free_accounts(), ledger.free_customers()
    acc_names, cus_names = accounts.clean_names(acc_pos), customers.clean_names(cus_pos)
    acc_pos, acc_names = acc_pos[acc_names != ""], acc_names[acc_names != ""]
    cus_pos, cus_names = cus_pos[cus_names != ""], cus_names[cus_names != ""]
    if not len(acc_pos) or not len(cus_pos):
        return
    found = similar_pairs(acc_names, cus_names, score_cutoff=suggest_min, progress=progress, cancel=cancel)
    if found.empty:
        return
    acc, cus = acc_pos[found["a"].to_numpy()], cus_pos[found["c"].to_numpy()]
    same, different, note = country_note(resolve_countries_of(accounts, acc), resolve_countries_of(customers, cus))
    # A whole word that differs ("Fischer" vs "Schafer") is worse than a typo spread over the same
    # number of letters: averaging with the word-order-insensitive token score catches it.
    words = process.cpdist(list(acc_names[found["a"].to_numpy()]), list(cus_names[found["c"].to_numpy()]),
                           scorer=fuzz.token_sort_ratio, workers=-1)
    if not len(words):
        return
    similarity = (found["score"].to_numpy(dtype=float) + np.asarray(words, dtype=float)) / 2
    keep = similarity >= suggest_min
    acc, cus, similarity, different, same, note = (acc[keep], cus[keep], similarity[keep], different[keep],
                                                   same[keep], note[keep])
    score = np.where(different, np.minimum(similarity, auto_accept - 5), similarity)
    reason = ("Names are similar (" + np.round(similarity).astype(int).astype(str).astype(object) + "%): " +
              "'" + accounts.clean_names(acc) + "' and '" + customers.clean_names(cus) + "'" + note)
    pairs = pd.DataFrame({"acc": acc, "cus": cus, "score": score, "tiebreak": same, "reason": reason})
    record_resolution(ledger, pairs, "fuzzy", auto_accept, margin=TIE_MARGIN)
