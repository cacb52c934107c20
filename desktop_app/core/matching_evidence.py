"""Weighing every shared attribute: candidate pairs by blocking, a Fellegi–Sunter model fitted on
the two files, and how each decision is explained field by field.

Candidate pairs share at least one blocking key — a name word, the postcode, the phone, the
website/e-mail domain, the e-mail address, the street with its number, or the house number in the
same city — so a renamed site whose street and phone agree is still compared, and so are people
whose names are written in another order or whose keys each carry a typo. Keys shared by too
many records (a name word half the file carries) are skipped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop_app.core.matching_features import (
    FIELD_LEVELS,
    FIELDS,
    MODEL_FIELDS,
    MODEL_LEVELS,
    NAME_QUALIFIER,
    TF_FIELDS,
    TF_GROUPS,
    compare_pairs,
    features,
)
from desktop_app.core.matching_fs import (
    Levels,
    Model,
    estimate_u,
    fit,
    fit_prior,
    frequency_weight,
    m_from_pairs,
    prior_model,
)
from desktop_app.core.matching_ledger import IntArray, Ledger, Side, TextArray
from desktop_app.core.matching_locality import LOCALITY, TF_LEVELS, spread, tf_key
from desktop_app.core.progress import CancelToken

MAX_BLOCK_PAIRS = 5_000  # a key shared by more account × customer pairs than this is too common to block on
RANDOM_PAIRS = 20_000  # random pairs counted to estimate u
SURE_PAIRS = 20_000  # sure pairs (a sample of them) m is counted on
EM_PAIRS = 100_000  # candidate pairs EM learns from
# Open accounts whose candidates EM learns from when pass 7 will not score every candidate pair.
EM_ACCOUNTS = 20_000
_BLOCK_FIELDS = ("postcode", "phone", "domain", "email", "street_key")
_BLOCK_GROUPS = ("names", "domain", "email", "street", "postcode", "phone", "city")
# Fields whole groups of unrelated records share (every site of a chain is in one city): without sure
# pairs they would teach EM that "same city" means "same record", so they do not weigh in its estimate.
COARSE_FIELDS = frozenset({LOCALITY, "currency"})
# Exact agreements weighed by how common the agreeing value is: (field, its top level, the feature).
_TF_RULES: tuple[tuple[str, int, str], ...] = tuple((field, MODEL_LEVELS[field], key)
                                                   for field, key in TF_FIELDS.items())
_TF_GROUPS = {**{key: (TF_GROUPS[field],) for field, key in TF_FIELDS.items()},
              **{key: ("postcode", "city") for key in TF_LEVELS.values()}}


def _key_table(values: TextArray, positions: IntArray) -> pd.DataFrame:
    table = pd.DataFrame({"pos": positions, "key": values})
    return table[table["key"] != ""]


def _word_keys(name: str) -> dict[str, None]:
    """A name's blocking keys, each once, in order: its words, every two of its sorted words
    together, and the whole sorted name (keys of one character are too common to block on)."""
    words = name.split()
    keys = dict.fromkeys([*words, *(f"{a} {b}" for i, a in enumerate(words) for b in words[i + 1:i + 3]),
                          " ".join(words)])
    return {key: None for key in keys if len(key) > 1}


def _name_words(names: TextArray, positions: IntArray, also: TextArray | None = None) -> pd.DataFrame:
    """(pos, key) for each name's keys (see ``_word_keys``), then for the keys of ``also`` (the
    customers' legal names) that the same record's name lacks: a chain's brand words are too common
    to block on alone, their pairs are not. ``positions`` are distinct records."""
    pos: list[int] = []
    keys: list[str] = []
    own = [_word_keys(name) for name in names.tolist()]
    for at, found in zip(positions.tolist(), own, strict=True):
        pos.extend([at] * len(found))
        keys.extend(found)
    if also is not None:
        for at, found, other in zip(positions.tolist(), own, also.tolist(), strict=True):
            extra = [key for key in _word_keys(other) if key not in found]
            pos.extend([at] * len(extra))
            keys.extend(extra)
    return pd.DataFrame({"pos": np.array(pos, dtype=np.int64), "key": np.array(keys, dtype=object)})


def _join(left: pd.DataFrame, right: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    """(acc, cus) pairs sharing a key, skipping keys shared by more than MAX_BLOCK_PAIRS pairs
    (counted as if ``left`` were ``scale`` times larger: a sample of the accounts skips the keys
    all of them would)."""
    if left.empty or right.empty:
        return pd.DataFrame({"acc": np.zeros(0, np.int64), "cus": np.zeros(0, np.int64)})
    codes, _ = pd.factorize(pd.concat([left["key"], right["key"]], ignore_index=True))
    lc, rc = codes[: len(left)], codes[len(left):]
    size = int(codes.max()) + 1
    per_pair = np.bincount(lc, minlength=size).astype(np.int64) * np.bincount(rc, minlength=size)
    usable = per_pair * scale <= MAX_BLOCK_PAIRS
    lk = pd.DataFrame({"acc": left["pos"].to_numpy(), "code": lc})[usable[lc]]
    rk = pd.DataFrame({"cus": right["pos"].to_numpy(), "code": rc})[usable[rc]]
    return lk.merge(rk, on="code")[["acc", "cus"]]


def _number_in_city(found: dict[str, TextArray]) -> TextArray:
    """``"12 springfield"`` for a record with a house number and a city, else ""."""
    both = (found["number"] != "") & (found["city"] != "")
    result: TextArray = np.where(both, found["number"] + " " + found["city"], "").astype(object)
    return result


def candidate_pairs(accounts: Side, acc: IntArray, customers: Side, cus: IntArray,
                    cancel: CancelToken | None = None, *, scale: float = 1.0) -> pd.DataFrame:
    """Distinct (acc, cus) pairs sharing at least one blocking key (``scale``: see ``_join``)."""
    by_name, by_place = blocked_pairs(accounts, acc, customers, cus, cancel, scale=scale)
    return _distinct_pairs(by_name, by_place, width=max(1, len(customers.ids)))


def _distinct_pairs(*parts: pd.DataFrame, width: int) -> pd.DataFrame:
    """The (acc, cus) pairs of ``parts``, each once, in the order they first appear (as
    ``drop_duplicates``, but on one int64 per pair: millions of blocked pairs dedupe in a fraction
    of the time and memory). ``width``: the number of customers."""
    keys = np.concatenate([part["acc"].to_numpy(dtype=np.int64) * width + part["cus"].to_numpy(dtype=np.int64)
                           for part in parts])
    unique = pd.unique(keys)
    return pd.DataFrame({"acc": unique // width, "cus": unique % width})


def blocked_pairs(accounts: Side, acc: IntArray, customers: Side, cus: IntArray,
                  cancel: CancelToken | None = None, *, scale: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairs sharing a name word, pairs sharing a postcode, phone, domain, e-mail or street)."""
    fa, fc = features(accounts, acc, _BLOCK_GROUPS), features(customers, cus, _BLOCK_GROUPS)
    cus_words = _name_words(fc["sorted_name"], cus, also=fc["legal_name"])
    width = max(1, len(customers.ids))
    by_name = _distinct_pairs(_join(_name_words(fa["sorted_name"], acc), cus_words, scale), width=width)
    found = []
    for field in _BLOCK_FIELDS:
        if cancel is not None:
            cancel.raise_if_cancelled()
        found.append(_join(_key_table(fa[field], acc), _key_table(fc[field], cus), scale))
    # The house number in the same city: found when a typo hit the name, the street and the postcode.
    found.append(_join(_key_table(_number_in_city(fa), acc), _key_table(_number_in_city(fc), cus), scale))
    return by_name, _distinct_pairs(*found, width=width)


@dataclass
class Evidence:
    """The fitted model and the value frequencies its exact agreements are weighed by."""

    model: Model
    acc_share: dict[str, pd.Series]
    cus_share: dict[str, pd.Series]
    # The candidate pairs among the records open when the model was fitted, and their levels.
    candidates: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame({"acc": [], "cus": []}, dtype=np.int64))
    levels: Levels = dataclasses.field(default_factory=dict)
    # Per TF_LEVELS key, the chance two random records (an account, a customer) share its value.
    collisions: dict[str, float] = dataclasses.field(default_factory=dict)

    def weigh(self, accounts: Side, acc: IntArray, customers: Side, cus: IntArray,
              levels: Levels) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(total match weight, per-field weights) of the pairs. The locality's weight is listed
        under the field that decided it, postcode, city, state or country (``spread``)."""
        weights = self.model.field_weights(levels)
        for field, level, key in _TF_RULES:
            exact = np.flatnonzero(levels[field] == level)
            if not len(exact):
                continue
            floor = self.model.weights(field)[level - 1] if level > 1 else 0.0
            a_share, c_share = self._shares_of(accounts, acc[exact], key)
            m_exact = float(self.model.m[field][level])
            weights[field][exact] = np.maximum(frequency_weight(a_share, c_share, m_exact), floor)
        # The locality's levels where the postcode, the city or both agree exactly weigh their own
        # m/u, moved by how much rarer or commoner than usual the shared value is (as splink adjusts).
        for level, key in TF_LEVELS.items():
            exact = np.flatnonzero(levels[LOCALITY] == level)
            if len(exact) and self.collisions.get(key, 0.0) > 0:
                a_share, c_share = self._shares_of(accounts, acc[exact], key)
                weights[LOCALITY][exact] += frequency_weight(a_share, c_share, self.collisions[key])
        total = self.model.prior_weight() + np.sum([weights[f] for f in MODEL_FIELDS], axis=0)
        locality = weights.pop(LOCALITY)
        weights.update(spread(levels, locality))
        return total, {field: weights[field] for field in FIELDS}

    def _shares_of(self, accounts: Side, acc: IntArray, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The shares of the accounts and of the customers holding the ``key`` value of ``acc``
        (only the agreeing value of the pairs is looked up, not every feature of every pair)."""
        values = pd.Series(tf_key(features(accounts, acc, _TF_GROUPS[key]), key), dtype=object)
        a_share = values.map(self.acc_share[key]).fillna(self.acc_share[key].attrs["unseen"]).to_numpy(float)
        c_share = values.map(self.cus_share[key]).fillna(self.cus_share[key].attrs["unseen"]).to_numpy(float)
        return a_share, c_share


def probability(total: np.ndarray) -> np.ndarray:
    """The chance a pair with match weight ``total`` is the same record."""
    result: np.ndarray = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    return result


def _shares(values: TextArray) -> pd.Series:
    present = pd.Series(values[values != ""], dtype=object)
    shares = present.value_counts(normalize=True) if len(present) else pd.Series(dtype=float)
    shares.attrs["unseen"] = 1.0 / max(1, len(present) + 1)
    return shares


def _deferred_pairs(ledger: Ledger) -> pd.DataFrame:
    """The open pairs passes 4-6 left to pass 7."""
    parts = [pairs[["acc", "cus"]] for _, _, _, pairs in ledger.deferred]
    if not parts:
        return pd.DataFrame({"acc": np.zeros(0, np.int64), "cus": np.zeros(0, np.int64)})
    pairs = pd.concat(parts, ignore_index=True).astype(np.int64)
    still_open = ledger.acc_free[pairs["acc"].to_numpy()] & ledger.cus_free[pairs["cus"].to_numpy()]
    open_pairs: pd.DataFrame = pairs[still_open]
    return open_pairs


def _most_true(pairs: pd.DataFrame, one_to_one: bool) -> int:
    """How many of ``pairs`` can be true at most: one per customer (one per account too, one to one)."""
    customers = int(pairs["cus"].nunique())
    return min(customers, int(pairs["acc"].nunique())) if one_to_one else customers


def fit_evidence(ledger: Ledger, sure: pd.DataFrame, *, keep_candidates: bool = True, seed: int = 0,
                 cancel: CancelToken | None = None) -> Evidence:
    """Fit the model (keeping the open records' candidate pairs for pass 7 when
    ``keep_candidates``): u on random pairs of all records; m of every field but the name counted on
    the ``sure`` pairs (acc, cus) the name and domain passes accepted; the name's m and the
    share of true pairs by EM on the candidate pairs among the records still open."""
    accounts, customers = ledger.accounts, ledger.customers
    every_acc, every_cus = np.arange(len(accounts.ids)), np.arange(len(customers.ids))
    acc, cus = ledger.free_accounts(), ledger.free_customers()
    rng = np.random.default_rng(seed)
    model = prior_model(estimate_u({field: np.zeros(0, dtype=np.int8) for field in MODEL_FIELDS}))
    # Value shares (for term frequencies) are counted on the same random records.
    sample_acc, sample_cus = every_acc, every_cus
    if len(every_acc) and len(every_cus):
        count = min(RANDOM_PAIRS, len(every_acc) * len(every_cus))
        sample_acc, sample_cus = rng.choice(every_acc, count), rng.choice(every_cus, count)
        model = prior_model(estimate_u(compare_pairs(accounts, sample_acc, customers, sample_cus)))
    if len(sure):
        if len(sure) > SURE_PAIRS:  # m is a share per level: a bounded sample counts it as well
            sure = sure.sample(SURE_PAIRS, random_state=seed)
        model = m_from_pairs(compare_pairs(accounts, sure["acc"].to_numpy(), customers, sure["cus"].to_numpy()),
                             model)
    pairs = pd.DataFrame({"acc": np.zeros(0, np.int64), "cus": np.zeros(0, np.int64)})
    levels: Levels = {}
    if len(acc) and len(cus):
        scale = 1.0
        if not keep_candidates and len(acc) > EM_ACCOUNTS:  # EM needs a sample, not every open record
            scale = len(acc) / EM_ACCOUNTS
            acc = np.sort(rng.choice(acc, EM_ACCOUNTS, replace=False))
        pairs = candidate_pairs(accounts, acc, customers, cus, cancel, scale=scale)
        if keep_candidates:  # pairs passes 4-6 left to pass 7 are its candidates, blocked or not
            pairs = pd.concat([pairs, _deferred_pairs(ledger)], ignore_index=True).drop_duplicates()
        if not keep_candidates and len(pairs) > EM_PAIRS:
            pairs = pairs.sample(EM_PAIRS, random_state=seed)
        levels = compare_pairs(accounts, pairs["acc"].to_numpy(), customers, pairs["cus"].to_numpy(), cancel=cancel)
        learning, learnt_pairs = levels, pairs
        if len(pairs) > EM_PAIRS:  # pass 7 scores every pair; EM learns as well from a sample of them
            at = np.sort(rng.choice(len(pairs), EM_PAIRS, replace=False))
            learning, learnt_pairs = {field: level[at] for field, level in levels.items()}, pairs.iloc[at]
        most_true = _most_true(learnt_pairs, ledger.one_to_one)
        # The sure pairs were found by their names, so they cannot teach what a name is worth.
        # Without them the locality is learnt from what the other fields say, without a say of its own.
        model = fit(learning, model,
                    learn=frozenset({"name"}) if len(sure) else frozenset(MODEL_FIELDS) - {"currency"},
                    silent=frozenset() if len(sure) else COARSE_FIELDS, most_true=most_true)
        model = fit_prior(learning, model, most_true=most_true)
    fa, fc = features(accounts, np.unique(sample_acc)), features(customers, np.unique(sample_cus))
    acc_share = {key: _shares(tf_key(fa, key)) for key in _TF_GROUPS}
    cus_share = {key: _shares(tf_key(fc, key)) for key in _TF_GROUPS}
    collisions = {key: float((acc_share[key] * cus_share[key].reindex(acc_share[key].index).fillna(0.0)).sum())
                  for key in set(TF_LEVELS.values())}
    return Evidence(model, acc_share, cus_share, pairs, levels, collisions)


_LABELS = np.array(["missing", "disagree", "partly agree", "agree", "agree without the qualifier"], dtype=object)
# The verdicts, as indices of _LABELS; BARE: the name agrees once its qualifier is left out.
MISSING, DISAGREE, PARTLY, AGREE, BARE = range(5)
FIELD_WORDS = {"name": "name", "domain": "website/e-mail domain", "email": "e-mail address", "street": "street",
               "postcode": "postcode", "city": "city", "state": "state", "phone": "phone", "country": "country",
               "currency": "currency"}
# What each partial level of a field means (levels between disagree and the top; see matching_features).
PARTLY_WORDS: dict[str, dict[int, str]] = {
    "name": {1: "a word in common", 2: "similar", 3: "nearly the same"},
    "street": {1: "the same street, another number", 2: "the same number, the street written differently"},
    "postcode": {1: "one character off"},
    "city": {1: "similar"},
    "phone": {1: "the same last seven digits"},
}


def verdicts(field: str, level: np.ndarray, qualifier: np.ndarray | None = None) -> np.ndarray:
    """MISSING / DISAGREE / PARTLY / AGREE for each level of ``field``; BARE where the name agrees
    only without its qualifier (``qualifier``: ``levels[NAME_QUALIFIER]``)."""
    top = FIELD_LEVELS[field]
    result: np.ndarray = np.where(level < 0, MISSING, np.where(level == 0, DISAGREE,
                                                               np.where(level >= top, AGREE, PARTLY)))
    if field == "name" and qualifier is not None:
        result = np.where((result == AGREE) & qualifier, BARE, result)
    return result


def labels(field: str, level: np.ndarray, qualifier: np.ndarray | None = None) -> TextArray:
    """agree / partly agree / disagree / missing (/ agree without the qualifier) for each level of ``field``."""
    result: TextArray = _LABELS[verdicts(field, level, qualifier)]
    return result


def _listed(listing: TextArray, where: np.ndarray, word: str) -> TextArray:
    result: TextArray = np.where(where, np.where(listing != "", listing + ", ", listing) + word, listing).astype(object)
    return result


def reason_text(levels: Levels, chance: np.ndarray) -> TextArray:
    """``"Agree: street, postcode; partly agree: name (similar); differ: phone (99.8% likely the same, …)"``,
    in the words of the evidence column: what it calls a partial agreement is never listed as agreeing."""
    agree, partly, differ = (np.full(len(chance), "", dtype=object) for _ in range(3))
    for field in FIELDS:
        word, level = FIELD_WORDS[field], levels[field]
        verdict = verdicts(field, level, levels.get(NAME_QUALIFIER))
        agree = _listed(agree, verdict == AGREE, word)
        agree = _listed(agree, verdict == BARE, f"{word} (without its qualifier)")
        differ = _listed(differ, verdict == DISAGREE, word)
        for partial, meaning in PARTLY_WORDS.get(field, {}).items():
            partly = _listed(partly, (verdict == PARTLY) & (level == partial), f"{word} ({meaning})")
    text = np.where(agree != "", "Agree: " + agree, "")
    text = np.where(partly != "", np.where(text != "", text + "; partly agree: ", "Partly agree: ") + partly, text)
    text = np.where(text != "", text, "Agree: nothing") + np.where(differ != "", "; differ: " + differ, "")
    percent = np.char.mod("%.1f", np.floor(chance * 1000) / 10).astype(object)
    result: TextArray = text + " (" + percent + "% likely the same, weighing each attribute by the two files)"
    return result


def evidence_json(levels: Levels, weights: dict[str, np.ndarray], known: dict[str, str] | None = None) -> TextArray:
    """Per pair, compact JSON ``{"name":["agree",11.2],"street":["disagree",-4.1],…}``. Each
    distinct evidence is written once and shared by the pairs that have it (most pairs of a large
    file share theirs with many others); ``known`` (text → itself), when given, shares them with
    the texts of earlier calls too."""
    size = len(levels["name"])
    row = np.zeros(size, dtype=np.int64)  # which distinct evidence each pair has so far
    pieces = []
    for field in FIELDS:
        verdict = verdicts(field, levels[field], levels.get(NAME_QUALIFIER))
        kinds = len(_LABELS)
        key = np.round(weights[field] * 10).astype(np.int64) * kinds + verdict  # tenths of a bit, and the verdict
        codes, uniques = pd.factorize(key)
        pieces.append((codes, [f'"{field}":["{_LABELS[k % kinds]}",{k // kinds / 10:.1f}]'
                               for k in uniques.tolist()]))
        row, _ = pd.factorize(row * len(uniques) + codes)
    _, first = np.unique(row, return_index=True)  # a pair holding each distinct evidence
    written = ["{" + ",".join(words[codes[at]] for codes, words in pieces) + "}" for at in first.tolist()]
    if known is not None:
        written = [known.setdefault(text, text) for text in written]
    texts = np.array(written, dtype=object)
    result: TextArray = texts[row]
    return result
