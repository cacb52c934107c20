"""The parts of a billing system's customer rule beyond "a value is required": the longest value a
field takes, a value no two customers may share, a format — each vectorised over a customers frame
(100,000+ rows: every distinct value is judged once) and each giving, per broken row, the sentence
that names the system, its field and what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop_app.core.countries import resolve_countries

OTHER_ROWS_NAMED = 5  # a duplicate names this many of the other rows, then "and N more"


@dataclass(frozen=True)
class Broken:
    """The rows (positions in the frame) that break one part of a rule, with a sentence each."""

    positions: np.ndarray
    sentences: list[str]


def texts(series: pd.Series) -> np.ndarray:
    """The column as text ("" for empty cells)."""
    values: np.ndarray = series.fillna("").astype(str).to_numpy(dtype=object)
    return values


def in_countries(frame: pd.DataFrame, countries: frozenset[str]) -> np.ndarray:
    """Per row: the customer's country reads as one of ``countries`` (alpha-2 codes, names, aliases)."""
    if "country" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    codes = resolve_countries(frame["country"])["code"].to_numpy(dtype=object)
    return np.isin(codes, list(countries))


def too_long(values: np.ndarray, limit: int, sentence: str) -> Broken:
    """Rows whose value is longer than ``limit`` characters; ``sentence`` is formatted with
    ``length`` and ``value``."""
    lengths = pd.Series(values, dtype=object).str.len().to_numpy(dtype=np.int64)
    positions = np.flatnonzero(lengths > limit)
    return Broken(positions, [sentence.format(length=int(lengths[p]), value=_quoted(values[p])) for p in positions])


def not_matching(values: np.ndarray, blank: np.ndarray, pattern: str, sentence: str) -> Broken:
    """Rows holding a value that ``pattern`` does not match entirely; ``sentence`` takes ``value``."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    compiled = re.compile(pattern)
    wrong = np.asarray([compiled.fullmatch(str(u)) is None for u in np.asarray(uniques, dtype=object)], dtype=bool)
    broken = (wrong[codes] if len(codes) else np.zeros(0, dtype=bool)) & ~blank
    positions = np.flatnonzero(broken)
    return Broken(positions, [sentence.format(value=_quoted(values[p])) for p in positions])


def compare_key(values: np.ndarray) -> pd.Series:
    """Values as a system that ignores letter case and surrounding spaces compares them."""
    return pd.Series(values, dtype=object).str.strip().str.casefold()


def shared(values: np.ndarray, blank: np.ndarray, rows: np.ndarray, sentence: str) -> Broken:
    """Rows whose value another row also holds (compared by ``compare_key``); ``sentence`` takes
    ``value`` and ``others`` ("row 12" or "rows 12, 40")."""
    keys = compare_key(values).where(~blank, None)
    duplicated = keys.duplicated(keep=False).to_numpy() & ~blank
    positions = np.flatnonzero(duplicated)
    if not positions.size:
        return Broken(positions, [])
    groups: dict[str, list[int]] = {}
    for position, key in zip(positions.tolist(), keys.to_numpy(dtype=object)[positions], strict=True):
        groups.setdefault(str(key), []).append(position)
    sentences = []
    for position, key in zip(positions.tolist(), keys.to_numpy(dtype=object)[positions], strict=True):
        others = [str(rows[p]) for p in groups[str(key)] if p != position]
        named = ", ".join(others[:OTHER_ROWS_NAMED])
        if len(others) > OTHER_ROWS_NAMED:
            named += f" and {len(others) - OTHER_ROWS_NAMED:,} more"
        where = f"row{'s' if len(others) > 1 else ''} {named}"
        sentences.append(sentence.format(value=_quoted(values[position]), others=where))
    return Broken(positions, sentences)


def _quoted(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
