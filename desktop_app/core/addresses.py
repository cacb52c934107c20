"""Address checks: find what a billing system will refuse (or silently mangle) in a table's addresses,
and propose the fixed value where there is one.

Sequence refuses customers without a complete billing address and needs ISO 3166-1 alpha-2 country
codes; its Salesforce flows otherwise fail silently. Zuora needs country and, for US/CA, the state.
Every check runs once per distinct value (or per distinct (country, value) pair) and is mapped back
to the rows, so a million-row table takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from desktop_app.core.countries import CountryGuess, country_name, is_alpha2, resolve_country
from desktop_app.core.postcodes import (
    POSTCODE_RECOMMENDED_ONLY,
    STATE_REQUIRED_COUNTRIES,
    postcode_expected,
    postcode_required,
    postcode_used,
    resolve_state,
    suggest_postcode,
    valid_postcode_mask,
)
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.core.roles import ID_ROLE, SOURCE_ROW, Side

ADDRESS_PROBLEM_COLUMNS = ("row", "record_id", "field", "problem", "value", "suggestion")
ADDRESS_OUTPUT_COLUMNS = (*ADDRESS_PROBLEM_COLUMNS, "confidence", "severity", "code")
PROBLEM_CODES = (
    "missing_country", "country_not_iso", "unknown_country", "missing_street", "missing_city",
    "missing_postcode", "bad_postcode", "missing_state", "unknown_state", "state_not_code",
)
ADDRESS_ROLES = ("street", "city", "state", "postcode", "country")
SIDES_WITH_ADDRESSES = (Side.ACCOUNTS, Side.CUSTOMERS, Side.CONTACTS)
ERROR = "error"  # a billing system will refuse the record
WARNING = "warning"  # accepted, but wrong or untidy

# Values people type when they have nothing to type; they count as missing.
PLACEHOLDERS = frozenset({
    "-", "--", "---", ".", "?", "n/a", "n.a.", "n/d", "none", "null", "nil", "unknown", "tbd", "tba",
    "not available", "not applicable", "x", "xx", "xxx", "0", "#n/a",
})
_STATE_EXAMPLE = {"US": "CA", "CA": "ON", "AU": "NSW"}

Text = npt.NDArray[np.object_]
Positions = npt.NDArray[np.intp]


@dataclass(frozen=True)
class _Column:
    """A column reduced to its distinct texts: ``uniques[keys[i]]`` is row i's cell as text."""

    keys: Positions
    uniques: Text  # distinct cells as str, "" for a missing cell
    cleaned: Text  # uniques without surrounding spaces
    blank: npt.NDArray[np.bool_]  # per unique: empty or a placeholder

    def text(self, positions: Positions) -> Text:
        return np.asarray(self.uniques[self.keys[positions]], dtype=object)


def _column(series: pd.Series) -> _Column:
    keys, found = pd.factorize(series, use_na_sentinel=True)
    uniques = np.asarray([u if isinstance(u, str) else str(u) for u in found] + [""], dtype=object)
    keys = np.where(keys < 0, len(uniques) - 1, keys).astype(np.intp)
    cleaned = np.asarray([u.strip() for u in uniques], dtype=object)
    blank = np.asarray([c == "" or c.casefold() in PLACEHOLDERS for c in cleaned], dtype=bool)
    return _Column(keys, uniques, cleaned, blank)


def _texts(series: pd.Series) -> Text:
    """The column as an object array of str, "" where missing."""
    column = _column(series)
    return np.asarray(column.uniques[column.keys], dtype=object)


@dataclass(frozen=True)
class _Finding:
    code: str
    severity: str
    problem: str
    suggestion: str = ""
    confidence: float = 0.0


@dataclass
class _Block:
    """Problems found on one field: frame row positions and, per position, the finding's parts."""

    positions: Positions
    field: str
    parts: dict[str, npt.NDArray[np.generic]]


_PARTS = ("code", "severity", "problem", "suggestion", "confidence")


def _append_findings(field: str, keys: Positions, findings: list[_Finding | None], blocks: list[_Block],
                     positions: Positions | None = None) -> None:
    """Map per-distinct-value ``findings`` back to rows: row i has finding ``findings[keys[i]]``
    (``positions`` turns i into a frame position when the keys cover only some rows)."""
    has = np.asarray([f is not None for f in findings], dtype=bool)
    hit = np.flatnonzero(has[keys]) if has.size else np.empty(0, dtype=np.intp)
    if hit.size == 0:
        return
    picked = keys[hit]
    parts: dict[str, npt.NDArray[np.generic]] = {}
    for part in _PARTS:
        dtype = float if part == "confidence" else object
        values = np.asarray([getattr(f, part) if f else dtype() for f in findings], dtype=dtype)
        parts[part] = values[picked]
    blocks.append(_Block(hit if positions is None else positions[hit], field, parts))


def _placeholder_note(value: str) -> str:
    return f" ('{value.strip()}' is a placeholder)" if value.strip() else ""


def _missing(field: str, value: str) -> _Finding:
    return _Finding(f"missing_{field}", ERROR, f"{field.capitalize()} is missing{_placeholder_note(value)}; "
                    "billing systems refuse an incomplete address.")


def _check_missing(field: str, column: _Column, blocks: list[_Block]) -> None:
    findings = [_missing(field, str(u)) if b else None
                for u, b in zip(column.uniques, column.blank, strict=True)]
    _append_findings(field, column.keys, findings, blocks)


def _country_finding(value: str, guess: CountryGuess | None) -> _Finding | None:
    """The problem with a non-blank country cell ``value`` read as ``guess``, or None when it is fine."""
    shown = f"Country '{value}'"
    if guess is None:
        return _Finding("unknown_country", ERROR, f"{shown} is not a country we recognise; use an ISO 3166-1 "
                        "alpha-2 code such as 'US' or 'DE'.")
    if guess.how.startswith("misspelling"):
        return _Finding("unknown_country", ERROR, f"{shown} is not a country name we know; did you mean "
                        f"{guess.name} ({guess.code})?", guess.code, guess.confidence)
    if is_alpha2(value):
        return None
    if value.strip() == guess.code:
        reading = f"an alpha-2 code with extra spaces; billing systems expect exactly '{guess.code}'"
    elif guess.how.startswith("alpha-2"):
        reading = f"an alpha-2 code in the wrong case; billing systems expect '{guess.code}'"
    else:
        reading = f"not an ISO 3166-1 alpha-2 code; it reads as {guess.name} ({guess.how})"
    return _Finding("country_not_iso", ERROR, f"{shown} is {reading}.", guess.code, guess.confidence)


def _check_country(column: _Column, blocks: list[_Block]) -> tuple[Positions, list[str]]:
    """Add country problems; return per row an index into the returned list of country codes
    (the code each row resolves to, "" when none)."""
    guesses = [None if b else resolve_country(str(c))
               for c, b in zip(column.cleaned, column.blank, strict=True)]
    findings = [_missing("country", str(u)) if b else _country_finding(str(u), g)
                for u, b, g in zip(column.uniques, column.blank, guesses, strict=True)]
    _append_findings("country", column.keys, findings, blocks)
    code_ids, codes = pd.factorize(pd.Series(["" if g is None else g.code for g in guesses], dtype=object))
    return np.asarray(code_ids[column.keys], dtype=np.intp), [str(c) for c in codes]


def _pairs(country_ids: Positions, column: _Column,
           rows: Positions) -> tuple[Positions, Positions, Positions]:
    """Distinct (country, value) pairs among ``rows``: per row the pair index, and per pair the
    country id and the value's unique index (pairs come sorted by country)."""
    width = len(column.uniques)
    combined = country_ids[rows].astype(np.int64) * width + column.keys[rows]
    pairs, inverse = np.unique(combined, return_inverse=True)
    return (inverse.astype(np.intp).reshape(-1), (pairs // width).astype(np.intp),
            (pairs % width).astype(np.intp))


def _state_finding(country: str, value: str) -> _Finding | None:
    where, example = country_name(country), _STATE_EXAMPLE.get(country, "")
    guess = resolve_state(country, value)
    if guess is None:
        return _Finding("unknown_state", ERROR, f"State '{value}' is not a state or province of {where}; "
                        f"use its code, such as '{example}'.")
    if guess.how.startswith("misspelling"):
        return _Finding("unknown_state", ERROR, f"State '{value}' is not a state or province of {where}; "
                        f"did you mean {guess.name} ({guess.code})?", guess.code, guess.confidence)
    if value == guess.code:
        return None
    return _Finding("state_not_code", WARNING, f"State '{value}' is not a state code; {guess.name} is "
                    f"'{guess.code}' ({guess.how}).", guess.code, guess.confidence)


def _missing_state(country: str, value: str) -> _Finding:
    example = _STATE_EXAMPLE[country]
    return _Finding("missing_state", ERROR, f"State is missing{_placeholder_note(value)}; addresses in "
                    f"{country_name(country)} need a state or province code such as '{example}'.")


def _check_state(column: _Column, country_ids: Positions, codes: list[str], blocks: list[_Block]) -> None:
    """States are required, and checked, only where billing systems need them (US, CA, AU)."""
    in_scope = np.asarray([c in STATE_REQUIRED_COUNTRIES for c in codes], dtype=bool)
    rows = np.flatnonzero(in_scope[country_ids]) if codes else np.empty(0, dtype=np.intp)
    if rows.size == 0:
        return
    keys, pair_country, pair_value = _pairs(country_ids, column, rows)
    findings = [
        _missing_state(codes[c], str(column.uniques[v])) if column.blank[v]
        else _state_finding(codes[c], str(column.cleaned[v]))
        for c, v in zip(pair_country, pair_value, strict=True)
    ]
    _append_findings("state", keys, findings, blocks, positions=rows)


def _postcode_finding(country: str, value: str) -> _Finding:
    shape = f"{country_name(country)} shape ({postcode_expected(country)})"
    fix = suggest_postcode(country, value)
    if fix is None:
        return _Finding("bad_postcode", WARNING, f"Postcode '{value}' does not have the {shape}; check it.")
    return _Finding("bad_postcode", WARNING, f"Postcode '{value}' does not have the {shape}: {fix.reason}.",
                    fix.suggestion, fix.confidence)


def _missing_postcode(country: str, value: str) -> _Finding | None:
    note = _placeholder_note(value)
    if not country:
        return _Finding("missing_postcode", WARNING, f"Postcode is missing{note}; most countries need one.")
    if not postcode_used(country):
        return None
    if country in POSTCODE_RECOMMENDED_ONLY:
        return _Finding("missing_postcode", WARNING, f"Postcode is missing{note}; it is recommended for "
                        f"{country_name(country)}.")
    severity = ERROR if postcode_required(country) else WARNING
    return _Finding("missing_postcode", severity, f"Postcode is missing{note}; addresses in "
                    f"{country_name(country)} need one.")


def _check_postcode(column: _Column, country_ids: Positions, codes: list[str], blocks: list[_Block],
                    cancel: CancelToken | None) -> None:
    rows = np.arange(len(column.keys), dtype=np.intp)
    if rows.size == 0:
        return
    keys, pair_country, pair_value = _pairs(country_ids, column, rows)
    findings: list[_Finding | None] = [None] * len(pair_country)
    starts = np.flatnonzero(np.diff(pair_country, prepend=-1))
    for start, stop in zip(starts, [*starts[1:], len(pair_country)], strict=True):
        if cancel is not None:
            cancel.raise_if_cancelled()
        country = codes[pair_country[start]]
        values = pair_value[start:stop]
        blank = column.blank[values]
        present = values[~blank]
        valid = valid_postcode_mask(country, pd.Series(column.cleaned[present], dtype=object)).to_numpy()
        judged = iter(valid)
        for offset, value in enumerate(values):
            if column.blank[value]:
                findings[start + offset] = _missing_postcode(country, str(column.uniques[value]))
            elif not next(judged) and postcode_expected(country):
                findings[start + offset] = _postcode_finding(country, str(column.cleaned[value]))
    _append_findings("postcode", keys, findings, blocks, positions=rows)


def _assemble(frame: pd.DataFrame, columns: dict[str, _Column], id_role: str,
              blocks: list[_Block]) -> pd.DataFrame:
    if not blocks:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "confidence" else object)
                             for c in ADDRESS_OUTPUT_COLUMNS})
    positions = np.concatenate([b.positions for b in blocks])
    field_rank = np.concatenate([np.full(b.positions.size, ADDRESS_ROLES.index(b.field)) for b in blocks])
    order = np.lexsort((field_rank, positions))
    positions = positions[order]
    fields = np.concatenate([np.full(b.positions.size, b.field, dtype=object) for b in blocks])[order]
    values = np.concatenate([columns[b.field].text(b.positions) for b in blocks])[order]
    parts = {part: np.concatenate([b.parts[part] for b in blocks])[order] for part in _PARTS}
    result = pd.DataFrame({
        "row": frame[SOURCE_ROW].to_numpy()[positions],
        "record_id": _texts(frame[id_role].iloc[positions]),
        "field": fields,
        "problem": parts["problem"],
        "value": values,
        "suggestion": parts["suggestion"],
        "confidence": parts["confidence"].astype(float),
        "severity": parts["severity"],
        "code": parts["code"],
    })
    return result.astype({c: object for c in ADDRESS_OUTPUT_COLUMNS if c not in ("row", "confidence")})


def check_addresses(frame: pd.DataFrame, side: Side, *, progress: ProgressCallback = ignore_progress,
                    cancel: CancelToken | None = None) -> pd.DataFrame:
    """List every address problem in a canonical frame of ``side`` (accounts, customers or contacts).

    One row per problem, columns ``ADDRESS_OUTPUT_COLUMNS``: ``row`` (the source row), ``record_id``,
    ``field`` (role), ``problem`` (a sentence), ``value`` (the cell as it is), ``suggestion`` (the fixed
    value, "" when none), ``confidence`` of the suggestion, ``severity`` ("error" when a billing system
    will refuse it, else "warning") and ``code`` (one of ``PROBLEM_CODES``). Rows are in frame order,
    fields in address order. Raises ValueError for a side without addresses or missing columns."""
    if side not in SIDES_WITH_ADDRESSES:
        raise ValueError(f"The {side.value} table has no addresses to check; check accounts, customers "
                         "or contacts instead.")
    id_role = ID_ROLE[side]
    absent = [c for c in (*ADDRESS_ROLES, id_role, SOURCE_ROW) if c not in frame.columns]
    if absent:
        raise ValueError(f"The {side.value} table lacks the column(s) {', '.join(absent)}; map them when "
                         "loading the file (an unmapped role should be an empty column).")
    total = 4
    blocks: list[_Block] = []

    def step(done: int, message: str) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(Progress(done, total, message))

    step(0, "Checking countries")
    columns = {role: _column(frame[role]) for role in ADDRESS_ROLES}
    country_ids, codes = _check_country(columns["country"], blocks)
    step(1, "Checking streets and cities")
    for field in ("street", "city"):
        _check_missing(field, columns[field], blocks)
    step(2, "Checking states and provinces")
    _check_state(columns["state"], country_ids, codes, blocks)
    step(3, "Checking postcodes")
    _check_postcode(columns["postcode"], country_ids, codes, blocks, cancel)
    progress(Progress(total, total, "Address check done"))
    return _assemble(frame, columns, id_role, blocks)


def _id_column(frame: pd.DataFrame) -> str | None:
    # A contacts frame also holds account_id, so its own id role is tried first.
    for role in (ID_ROLE[Side.CONTACTS], ID_ROLE[Side.CUSTOMERS], ID_ROLE[Side.ACCOUNTS]):
        if role in frame.columns:
            return role
    return None


def apply_fixes(frame: pd.DataFrame, problems: pd.DataFrame, *, min_confidence: float = 0.9
                ) -> tuple[pd.DataFrame, int]:
    """Return a copy of ``frame`` with the suggestions of ``problems`` (from ``check_addresses``)
    applied where the confidence is at least ``min_confidence``, and the number of cells changed.

    A suggestion is applied only to the cell it was made for: same source row, same record id, same
    field, and the cell still holding the value the problem names. Nothing else changes."""
    result = frame.copy()
    wanted = problems[(problems["suggestion"].astype(str) != "")
                      & (problems["confidence"].astype(float) >= min_confidence)
                      & problems["field"].isin(ADDRESS_ROLES)]
    if wanted.empty:
        return result, 0
    wanted = (wanted.assign(row_key=wanted["row"].astype(str))
              .sort_values("confidence", ascending=False, kind="stable")
              .drop_duplicates(["row_key", "record_id", "field"]))
    targets = pd.DataFrame({"row_key": frame[SOURCE_ROW].astype(str).to_numpy(),
                            "position": np.arange(len(frame))})
    joined = wanted.merge(targets, on="row_key", how="inner")
    id_column = _id_column(frame)
    ids = _texts(frame[id_column]) if id_column else None
    changed = 0
    for field, group in joined.groupby("field", sort=False):
        column = str(field)
        if column not in frame.columns:
            continue
        positions = group["position"].to_numpy(dtype=np.intp)
        current = _texts(frame[column])[positions]
        keep = current == group["value"].astype(str).to_numpy()
        if ids is not None:
            keep &= ids[positions] == group["record_id"].astype(str).to_numpy()
        keep &= current != group["suggestion"].astype(str).to_numpy()
        positions, suggestions = positions[keep], group["suggestion"].astype(str).to_numpy()[keep]
        positions, first = np.unique(positions, return_index=True)
        if positions.size:
            column_index = result.columns.get_loc(column)
            if not isinstance(column_index, int):
                raise ValueError(f"The table has more than one '{column}' column; keep one and try again.")
            result.iloc[positions, column_index] = suggestions[first]
            changed += int(positions.size)
    return result, changed


def summarize(problems: pd.DataFrame) -> dict[str, int]:
    """Number of problems per code, in ``PROBLEM_CODES`` order (then other codes, such as a billing
    system's own rules, by name); codes with no problem are left out."""
    counts = problems["code"].value_counts() if len(problems) else pd.Series(dtype=int)
    others = sorted(str(code) for code in counts.index if code not in PROBLEM_CODES)
    return {code: int(counts[code]) for code in (*PROBLEM_CODES, *others) if code in counts.index}
