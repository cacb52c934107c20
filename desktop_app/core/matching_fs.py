"""Fellegi–Sunter weights learnt from the two files themselves.

For each field and agreement level, ``m`` is the chance of that level among true pairs and ``u``
among unrelated pairs. ``u`` is counted on random account × customer pairs; ``m`` and the share of
true pairs among the candidates are estimated by expectation–maximisation on the candidate pairs
(with ``u`` held fixed, as splink does). A level's weight is ``log2(m / u)``; missing values weigh 0.

Exact agreement on a value is weighed by how common the value is (term frequency): two records
agreeing on a name that a hundred customers carry prove less than agreeing on a unique one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop_app.core.matching_features import MODEL_FIELDS, MODEL_LEVELS
from desktop_app.core.matching_locality import LOCALITY

Levels = dict[str, np.ndarray]

_PSEUDO = 4.0  # prior pairs per level: tiny files stay near the priors, large ones follow the data
_MAX_WEIGHT = 20.0


def _prior_m(top: int) -> np.ndarray:
    """Among true pairs most agree exactly, some partly (a field of many levels, the locality, no more
    than 30 % in all), a few disagree."""
    if top == 1:
        return np.array([0.1, 0.9])
    shares = np.array([0.05] + [min(0.1, 0.3 / (top - 1))] * (top - 1) + [0.0])
    shares[-1] = 1.0 - shares.sum()
    return shares


def _prior_u(top: int) -> np.ndarray:
    """Among unrelated pairs nearly all disagree."""
    shares = np.array([0.0] + [0.02 / top] * top)
    shares[0] = 1.0 - shares.sum()
    return shares


def _counts(level: np.ndarray, top: int, weights: np.ndarray | None = None) -> np.ndarray:
    present = level >= 0
    return np.bincount(level[present].astype(np.int64), weights=None if weights is None else weights[present],
                       minlength=top + 1)[: top + 1].astype(float)


@dataclass
class Model:
    """Fitted m and u per field and level, and the share of true pairs among candidates."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    prior: float  # share of true pairs among the candidate pairs

    def weights(self, field: str) -> np.ndarray:
        """log2(m/u) of each level of ``field``; a partial agreement never weighs more than a
        closer one (levels rarely seen among random pairs would otherwise weigh too much)."""
        raw = np.clip(np.log2(self.m[field] / self.u[field]), -_MAX_WEIGHT, _MAX_WEIGHT)
        if field == LOCALITY:
            # Its levels are ordered only in part (the same city with a postcode one character off, or
            # the same postcode with another city?): none weighs more than the top, none less than disagreeing.
            capped: np.ndarray = np.minimum(raw, raw[-1])
            capped[0] = capped.min()
            return capped
        result: np.ndarray = np.minimum.accumulate(raw[::-1])[::-1]
        return result

    def field_weights(self, levels: Levels, skip: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
        """Per field (but ``skip``), each pair's weight (0 where missing)."""
        out = {}
        for field in MODEL_FIELDS:
            if field in skip:
                continue
            level = levels[field]
            out[field] = np.where(level >= 0, self.weights(field)[np.maximum(level, 0)], 0.0)
        return out

    def prior_weight(self) -> float:
        """log2 of the prior odds of a candidate pair being true."""
        return float(np.log2(self.prior / (1.0 - self.prior)))


def estimate_u(random_levels: Levels) -> dict[str, np.ndarray]:
    """u per field from the levels of random pairs, smoothed towards the prior."""
    u = {}
    for field, top in MODEL_LEVELS.items():
        counts = _counts(random_levels[field], top)
        shares = (counts + _PSEUDO * _prior_u(top)) / (counts.sum() + _PSEUDO)
        # A level never seen among the random pairs is rare, not impossible.
        u[field] = np.maximum(shares, 0.5 / max(1.0, counts.sum()))
    return u


def prior_model(u: dict[str, np.ndarray]) -> Model:
    """The model before any training: prior m, the given u."""
    return Model({field: _prior_m(top) for field, top in MODEL_LEVELS.items()}, u, 0.1)


def m_from_pairs(levels: Levels, model: Model) -> Model:
    """m counted on pairs known to be true (smoothed towards the prior)."""
    m = dict(model.m)
    for field, top in MODEL_LEVELS.items():
        counts = _counts(levels[field], top)
        m[field] = np.maximum((counts + _PSEUDO * _prior_m(top)) / (counts.sum() + _PSEUDO), 1e-6)
    return Model(m, model.u, model.prior)


def _prior_bounds(candidates: int, most_true: int | None) -> tuple[float, float]:
    """The least and the largest share of true pairs among ``candidates`` pairs: at least one, at
    most ``most_true`` (a customer has one account at most, so no more true pairs than customers).
    Where most candidates share only a word and their town, EM would otherwise settle on either
    extreme: nearly none true (taking every renamed site along) or a third of them (every firm in
    the same town "likely")."""
    size = max(1, candidates)
    return 1.0 / size, min(1 - 1e-6, max(1, most_true if most_true is not None else size) / size)


def fit(levels: Levels, model: Model, *, learn: frozenset[str] = frozenset(MODEL_FIELDS),
        silent: frozenset[str] = frozenset(), most_true: int | None = None, iterations: int = 25) -> Model:
    """m of the ``learn`` fields and the prior by expectation–maximisation on the candidate pairs'
    ``levels``, starting from ``model``. ``silent`` fields do not weigh in the estimate of which
    pairs are true (a field in ``learn`` too is learnt from the others' estimate); ``most_true``:
    how many of the pairs can be true at most."""
    frozen = silent
    size = len(levels["name"]) if levels else 0
    if not size:
        return model
    for _ in range(iterations):
        total = model.prior_weight() + sum(model.field_weights(levels, skip=frozen).values())
        p = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
        new_m = dict(model.m)
        for field, top in MODEL_LEVELS.items():
            if field not in learn:
                continue
            counts = _counts(levels[field], top, p)
            shares = (counts + _PSEUDO * _prior_m(top)) / (counts.sum() + _PSEUDO)
            new_m[field] = np.maximum(shares, 1e-6)
        prior = float(np.clip(p.mean(), *_prior_bounds(size, most_true)))
        converged = abs(prior - model.prior) < 1e-5 and all(
            np.allclose(new_m[f], model.m[f], atol=1e-5) for f in MODEL_FIELDS)
        model = Model(new_m, model.u, prior)
        if converged:
            break
    return model


def fit_prior(levels: Levels, model: Model, *, most_true: int | None = None, iterations: int = 25) -> Model:
    """The share of true pairs among ``levels``' pairs, with m and u fixed (``most_true``: see ``fit``)."""
    if not len(levels["name"]):
        return model
    weights = sum(model.field_weights(levels).values())
    prior = model.prior
    for _ in range(iterations):
        odds = np.log2(prior / (1 - prior))
        chance = np.mean(1.0 / (1.0 + np.exp2(-np.clip(odds + weights, -60, 60))))
        prior = float(np.clip(chance, *_prior_bounds(len(levels["name"]), most_true)))
    return Model(model.m, model.u, prior)


def frequency_weight(acc_share: np.ndarray, cus_share: np.ndarray, m_exact: float) -> np.ndarray:
    """The weight of agreeing exactly on a value held by ``acc_share`` of the accounts and
    ``cus_share`` of the customers: log2(m · mean share / (share × share))."""
    mean = (acc_share + cus_share) / 2
    result: np.ndarray = np.clip(np.log2(m_exact * mean / (acc_share * cus_share)), -_MAX_WEIGHT, _MAX_WEIGHT)
    return result
