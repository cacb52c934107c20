"""Salesforce record ids: validation, 15→18 conversion, case repair and case-collision checks.

A 15-character id is case-sensitive; the 18-character form appends a 3-character checksum that
encodes which of the first 15 characters are upper-case letters, which makes it safe in
case-insensitive tools. Because the suffix records the case, an 18-character id whose letters were
upper-cased (Excel ``UPPER``, some CSV tools) can be restored exactly (``repair_case``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SUFFIX_BYTES = np.frombuffer(SUFFIX_ALPHABET.encode("ascii"), dtype=np.uint8)
_SUFFIX_INDEX = {c: i for i, c in enumerate(SUFFIX_ALPHABET)}
_BIT_WEIGHTS = np.array([1, 2, 4, 8, 16], dtype=np.uint8)
_ID_SHAPE = re.compile(r"[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?")

KEY_PREFIXES: dict[str, str] = {
    "001": "Account",
    "003": "Contact",
    "005": "User",
    "006": "Opportunity",
    "00D": "Organization",
    "00Q": "Lead",
    "00G": "Group",
    "00e": "Profile",
    "0PS": "PermissionSet",
    "500": "Case",
    "701": "Campaign",
    "750": "Bulk job",
    "800": "Contract",
    "801": "Order",
}


class InvalidSalesforceId(ValueError):
    """A value is not a Salesforce id; the message says why in plain words."""


def checksum_suffix(id15: str) -> str:
    """The 3-character suffix that turns a 15-character id into its 18-character form."""
    suffix = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix.append(SUFFIX_ALPHABET[bits])
    return "".join(suffix)


def object_for_id(value: str) -> str | None:
    """The object an id's key prefix names (``001`` → ``Account``), or None when unknown."""
    return KEY_PREFIXES.get(value[:3])


def problem_with_id(value: str) -> str | None:
    """Why ``value`` is not a well-formed Salesforce id, or None when it is one.

    An 18-character id whose only fault is letter case (see ``repair_case``) counts as a problem
    here; callers that want to accept it use ``normalize_id``.
    """
    if not value:
        return "empty"
    if not _ID_SHAPE.fullmatch(value):
        if len(value) not in (15, 18):
            return f"has {len(value)} characters; a Salesforce id has 15 or 18"
        return "contains characters other than letters and digits"
    if len(value) == 18 and checksum_suffix(value[:15]) != value[15:]:
        if value[15:].upper() == checksum_suffix(_apply_case(value[:15], value[15:].upper())):
            return "letter case was changed (the checksum suffix disagrees with the first 15 characters)"
        return "checksum suffix does not match the first 15 characters"
    return None


def to_18(value: str) -> str:
    """The 18-character form of a 15- or 18-character id; raises ``InvalidSalesforceId``."""
    problem = problem_with_id(value)
    if problem is not None:
        raise InvalidSalesforceId(f"{value!r} is not a Salesforce id: {problem}")
    return value if len(value) == 18 else value + checksum_suffix(value)


def to_15(value: str) -> str:
    """The case-sensitive 15-character form of a valid id."""
    return to_18(value)[:15]


def _apply_case(id15: str, suffix: str) -> str:
    """``id15`` with each letter's case set from the bits of ``suffix``."""
    out = []
    for chunk in range(3):
        bits = _SUFFIX_INDEX.get(suffix[chunk], -1)
        if bits < 0:
            return id15
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            out.append(ch.upper() if bits & (1 << i) else ch.lower())
    return "".join(out)


def repair_case(value: str) -> str | None:
    """Restore the letter case of an 18-character id from its suffix, or None if it cannot be.

    ``0015G00000ABCDEAAH`` (upper-cased by a spreadsheet) → ``0015g00000ABCdeAAH``.
    """
    if len(value) != 18 or not _ID_SHAPE.fullmatch(value):
        return None
    suffix = value[15:].upper()
    repaired = _apply_case(value[:15], suffix) + suffix
    return repaired if checksum_suffix(repaired[:15]) == suffix else None


@functools.lru_cache(maxsize=1 << 18)
def normalize_id(value: str) -> str | None:
    """The canonical 18-character id for ``value`` (trimmed; case repaired when the suffix allows),
    or None when ``value`` is not a Salesforce id.

    Cached: an apply of 100,000 links compares each id some 25 times (read, journal, verify, results),
    and the checksum is the slowest part of those comparisons."""
    value = value.strip()
    if problem_with_id(value) is None:
        return value if len(value) == 18 else value + checksum_suffix(value)
    return repair_case(value)


def account_key(value: str) -> str:
    """The identity of an Account id value: what two values of the same Account have in common.

    The 15-character, 18-character and case-damaged 18-character forms of one Account all give its
    18-character id (Salesforce treats them as one record); any other value gives itself, trimmed,
    so it only equals itself. Every comparison of Account ids in the app goes through here.
    """
    text = value.strip()
    return normalize_id(text) or text


def differs_only_in_case(value: str, account_id: str) -> bool:
    """True when ``value`` is ``account_id``'s 15-character form with other letter case (a spreadsheet
    upper-cased it): another id to Salesforce, which tells 15-character ids apart by case alone, so
    never the same Account; said so the user can tell a damaged value from a different Account."""
    text, own = value.strip(), (normalize_id(account_id) or "")[:15]
    return len(text) == 15 and bool(own) and text != own and text.lower() == own.lower()


def same_account(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same Account (see ``account_key``)."""
    return account_key(a) == account_key(b)


@dataclass(frozen=True)
class IdSeriesCheck:
    """Result of checking a column of ids: canonical 18-char ids (None where invalid) and reasons."""

    id18: pd.Series
    problem: pd.Series


def _suffixes(id15: np.ndarray) -> np.ndarray:
    """Vectorised checksum: (n, 15) uint8 → (n, 3) uint8 suffix characters."""
    upper = ((id15 >= ord("A")) & (id15 <= ord("Z"))).astype(np.uint8)
    bits = (upper.reshape(-1, 3, 5) * _BIT_WEIGHTS).sum(axis=2)
    result: np.ndarray = _SUFFIX_BYTES[bits]
    return result


_BASE62_BYTE = np.zeros(256, dtype=bool)
_BASE62_BYTE[np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)] = True


def _as_text_list(values: pd.Series) -> list[str]:
    """The values as stripped Python strings ("" for missing)."""
    return [v.strip() if isinstance(v, str) else "" for v in values.tolist()]


def _trimmed_objects(values: pd.Series) -> np.ndarray:
    """The values as an object array of trimmed str ("" for missing; other values as their text)."""
    objects = values.to_numpy(dtype=object, na_value="")
    trimmed: list[str] = [v.strip() if isinstance(v, str) else str(v).strip() for v in objects.tolist()]
    result: np.ndarray = np.array(trimmed, dtype=object)
    return result


def to_18_series(values: pd.Series) -> pd.Series:
    """Vectorised ``normalize_id`` over a Series of text: 18-character ids, None where invalid
    (``ids_18`` over the trimmed text)."""
    ids, valid = ids_18(_trimmed_objects(values))
    ids[~valid] = None
    return pd.Series(ids, index=values.index, dtype="object")


def ids_18(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For an object array of trimmed str: each value's 18-character id where it is one (``normalize_id``;
    other values unchanged), and which values are ids.

    ``to_18_series`` for text already trimmed, without its conversions: a value already in its
    18-character form is handed back as the same object, so only 15-character and case-repaired ids
    become new strings (matching reads a million ids on each side)."""
    values: list[str] = texts.tolist()
    out = np.array(values, dtype=object)
    valid = np.zeros(len(values), dtype=bool)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    positions = np.flatnonzero((lengths == 15) | (lengths == 18))
    if not len(positions):
        return out, valid
    chosen = out[positions].astype("U18")
    points = chosen.view(np.uint32).reshape(-1, 18)
    raw = points.astype(np.uint8)  # wraps characters past ASCII, whose rows ``shape_ok`` rules out
    is18 = lengths[positions] == 18
    base62 = _BASE62_BYTE[raw]
    shape_ok = (points < 128).all(axis=1) & base62[:, :15].all(axis=1) & (~is18 | base62[:, 15:].all(axis=1))
    suffix = _suffixes(np.ascontiguousarray(raw[:, :15]))
    agrees = shape_ok & (~is18 | (raw[:, 15:] == suffix).all(axis=1))
    valid[positions[agrees]] = True
    short = np.flatnonzero(agrees & ~is18)
    if len(short):
        endings = np.ascontiguousarray(suffix[short]).view("S3").ravel().astype(str).tolist()
        out[positions[short]] = [f"{v}{e}" for v, e in zip(out[positions[short]].tolist(), endings, strict=True)]
    damaged = np.flatnonzero(shape_ok & is18 & ~agrees)
    if len(damaged):
        repaired, fits = _repaired_case(raw[damaged])
        at = positions[damaged[fits]]
        out[at] = np.ascontiguousarray(repaired[fits]).view("S18").ravel().astype(str).tolist()
        valid[at] = True
    return out, valid


_SUFFIX_BITS = np.full(256, -1, dtype=np.int16)
_SUFFIX_BITS[_SUFFIX_BYTES] = np.arange(32)
_LOWER_BYTE = np.arange(256, dtype=np.uint8)
_LOWER_BYTE[ord("A") : ord("Z") + 1] += 32
_UPPER_BYTE = np.arange(256, dtype=np.uint8)
_UPPER_BYTE[ord("a") : ord("z") + 1] -= 32


def _repaired_case(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``repair_case`` of (n, 18) id bytes in NumPy: the repaired ids, and which could be repaired."""
    suffix = _UPPER_BYTE[raw[:, 15:]]
    bits = _SUFFIX_BITS[suffix]
    upper = ((bits[:, :, None].astype(np.int64) >> np.arange(5)) & 1).reshape(-1, 15).astype(bool)
    letters = np.where(upper, _UPPER_BYTE[raw[:, :15]], _LOWER_BYTE[raw[:, :15]])
    repaired = np.concatenate([letters, suffix], axis=1)
    fits = (bits >= 0).all(axis=1) & (_suffixes(np.ascontiguousarray(letters)) == suffix).all(axis=1)
    return repaired, fits


def not_salesforce_ids(values: pd.Series) -> np.ndarray:
    """Which non-empty values are no Salesforce id (``normalize_id`` would give None)."""
    text = _trimmed_objects(values)
    _, valid = ids_18(text)
    bad: np.ndarray = (text != "") & ~valid
    return bad


def account_keys(values: pd.Series) -> pd.Series:
    """``account_key`` of every value of a Series (vectorised; missing values give ``""``)."""
    id18 = to_18_series(values)
    return id18.where(id18.notna(), pd.Series(_as_text_list(values), index=values.index, dtype="object"))


def check_id_series(values: pd.Series) -> IdSeriesCheck:
    """Canonical ids plus, per row, a plain reason when a non-empty value is not a valid id."""
    id18 = to_18_series(values)
    text = pd.Series(_as_text_list(values), index=values.index, dtype="object")
    problem = pd.Series([None] * len(values), index=values.index, dtype="object")
    bad = id18.isna() & (text != "")
    for idx in bad[bad].index:
        problem.at[idx] = problem_with_id(str(text.at[idx]))
    repaired = id18.notna() & (text.str.len() == 18) & (id18 != text)
    for idx in repaired[repaired].index:
        problem.at[idx] = "letter case was changed; restored from the checksum suffix"
    return IdSeriesCheck(id18=id18, problem=problem)


def case_insensitive_collisions(values: pd.Series) -> pd.DataFrame:
    """Groups of distinct 15-character ids that become equal when letter case is ignored.

    These are the pairs a case-insensitive lookup (Excel VLOOKUP, MATCH, most SQL collations)
    silently merges. Returns columns ``key`` (lower-cased id), ``ids`` (the distinct ids, sorted)
    and ``rows`` (positions in ``values``), one row per colliding group.
    """
    text = pd.Series(_as_text_list(values), index=values.index, dtype="object")
    frame = pd.DataFrame({"id": text, "pos": np.arange(len(text))})
    frame = frame[frame["id"].str.len() == 15]
    frame["key"] = frame["id"].str.lower()
    distinct = frame.groupby("key")["id"].nunique()
    colliding = distinct[distinct > 1].index
    hits = frame[frame["key"].isin(colliding)]
    grouped = hits.groupby("key").agg(ids=("id", lambda s: sorted(set(s))), rows=("pos", list))
    return grouped.reset_index()[["key", "ids", "rows"]]
