"""Postcode shapes per country and state/province codes (ISO 3166-2 via pycountry).

A postcode is checked against its country's canonical shape ("02134", "SW1A 1AA", "1234 AB").
When a bad value can be repaired mechanically — a leading zero lost in a spreadsheet, a missing
space, lower case, an old "D-" country prefix — the repaired value is proposed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pandas as pd
import pycountry
from rapidfuzz import process
from rapidfuzz.distance import OSA

from desktop_app.core.countries import normalise_country_text


@dataclass(frozen=True)
class PostcodeRule:
    """Canonical postcode shape for one country.

    ``layouts`` rebuild the canonical form from the postcode's letters and digits with spaces and
    hyphens removed: each ``?`` takes the next character, anything else is written as is.
    ``max_lost_zeros`` is how many leading zeros a spreadsheet may have dropped from an all-digit code.
    """

    pattern: re.Pattern[str]
    example: str
    layouts: tuple[str, ...]
    max_lost_zeros: int = 0


def _rule(pattern: str, example: str, *layouts: str, zeros: int = 0) -> PostcodeRule:
    default_layout = re.sub(r"[A-Z0-9]", "?", example)
    return PostcodeRule(re.compile(pattern), example, layouts or (default_layout,), zeros)


_D5 = r"\d{5}"
_D4 = r"\d{4}"
_D6 = r"\d{6}"
_GB_UNIT = r"[ABD-HJLNP-UW-Z]{2}"
_CA_LETTER = "[ABCEGHJ-NPRSTV-Z]"
_IE_ROUTING = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W)"

POSTCODE_RULES: dict[str, PostcodeRule] = {
    "US": _rule(r"\d{5}(?:-\d{4})?", "12345 or 12345-6789", "?????", "?????-????", zeros=2),
    "CA": _rule(rf"[ABCEGHJ-NPRSTVXY]\d{_CA_LETTER} \d{_CA_LETTER}\d", "A1A 1A1", "??? ???"),
    "GB": _rule(rf"(?:[A-Z]{{1,2}}\d[A-Z\d]? \d{_GB_UNIT}|GIR 0AA)", "SW1A 1AA",
                "?? ???", "??? ???", "???? ???"),
    "DE": _rule(_D5, "12345", zeros=1),
    "FR": _rule(_D5, "75001", "?????", zeros=1),
    "NL": _rule(r"[1-9]\d{3} [A-Z]{2}", "1234 AB", "???? ??"),
    "BE": _rule(r"[1-9]\d{3}", "1000", "????"),
    "CH": _rule(r"[1-9]\d{3}", "8001", "????"),
    "AT": _rule(r"[1-9]\d{3}", "1010", "????"),
    "LU": _rule(_D4, "1234"),
    "IT": _rule(_D5, "00184", "?????", zeros=1),
    "ES": _rule(r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}", "28001", "?????", zeros=1),
    "PT": _rule(r"\d{4}-\d{3}", "1234-567"),
    "SE": _rule(r"[1-9]\d{2} \d{2}", "123 45"),
    "NO": _rule(_D4, "0150", "????", zeros=1),
    "DK": _rule(_D4, "1234"),
    "FI": _rule(_D5, "00100", "?????", zeros=1),
    "IS": _rule(r"\d{3}", "101", "???"),
    "PL": _rule(r"\d{2}-\d{3}", "12-345"),
    "CZ": _rule(r"\d{3} \d{2}", "110 00", "??? ??"),
    "SK": _rule(r"\d{3} \d{2}", "811 01", "??? ??"),
    "HU": _rule(r"[1-9]\d{3}", "1051", "????"),
    "SI": _rule(_D4, "1000", "????"),
    "HR": _rule(_D5, "10000", "?????"),
    "RO": _rule(_D6, "010011", "??????", zeros=1),
    "BG": _rule(_D4, "1000", "????"),
    "GR": _rule(r"\d{3} \d{2}", "105 57", "??? ??"),
    "EE": _rule(_D5, "10111", "?????"),
    "LV": _rule(r"LV-\d{4}", "LV-1050", "LV-????"),
    "LT": _rule(r"LT-\d{5}", "LT-01100", "LT-?????"),
    "IE": _rule(rf"{_IE_ROUTING} [0-9AC-FHKNPRTV-Y]{{4}}", "A65 F4E2", "??? ????"),
    "AU": _rule(_D4, "2000", "????", zeros=1),
    "NZ": _rule(_D4, "6011", "????", zeros=1),
    "JP": _rule(r"\d{3}-\d{4}", "123-4567"),
    "KR": _rule(_D5, "03187", "?????", zeros=1),
    "CN": _rule(_D6, "100000", "??????", zeros=1),
    "TW": _rule(r"\d{3}(?:\d{2,3})?", "100 or 10001", "???", "?????", "??????"),
    "IN": _rule(r"[1-9]\d{5}", "110001", "??????"),
    "SG": _rule(_D6, "018956", "??????", zeros=1),
    "MY": _rule(_D5, "50000", "?????", zeros=1),
    "TH": _rule(_D5, "10200", "?????"),
    "ID": _rule(_D5, "10110", "?????"),
    "PH": _rule(_D4, "1000", "????"),
    "VN": _rule(_D6, "100000", "??????"),
    "IL": _rule(r"\d{7}", "6100000", "???????"),
    "TR": _rule(_D5, "06100", "?????", zeros=1),
    "RU": _rule(_D6, "101000", "??????"),
    "UA": _rule(_D5, "01001", "?????", zeros=1),
    "SA": _rule(r"\d{5}(?:-\d{4})?", "12345", "?????"),
    "ZA": _rule(_D4, "0001", "????", zeros=1),
    "BR": _rule(r"\d{5}-\d{3}", "12345-678", zeros=1),
    "MX": _rule(_D5, "01000", "?????", zeros=1),
    "AR": _rule(r"(?:[A-Z]\d{4}[A-Z]{3}|\d{4})", "C1000AAA or 1000", "????????", "????"),
    "CL": _rule(r"\d{7}", "8320000", "???????"),
    "CO": _rule(_D6, "110111", "??????"),
    "PE": _rule(_D5, "15001", "?????"),
}

# Countries where addresses carry no postcode (a missing postcode is fine there).
NO_POSTCODE_COUNTRIES = frozenset({
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK",
    "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "HM", "JM", "KI", "KM", "KN",
    "KP", "LY", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SY",
    "TF", "TG", "TK", "TL", "TO", "TT", "TV", "UG", "VU", "YE", "ZW",
})
# Ireland: Eircodes exist but many addresses were written without; recommend, do not require.
POSTCODE_RECOMMENDED_ONLY = frozenset({"IE"})

REFORMAT_CONFIDENCE = 0.95  # only spacing, hyphens, case or a country prefix changed
LOST_ZERO_CONFIDENCE = 0.9  # leading zeros put back (spreadsheets drop them)

_COUNTRY_PREFIX = re.compile(r"^[A-Z]{1,3}\s*-\s*(?=\d)|^[A-Z]{1,3}\s+(?=\d)")
_SEPARATORS = re.compile(r"[\s\-‐‑–—.]+")
_FLOAT_ARTEFACT = re.compile(r"^(\d+)\.0+$")
_LOST_ZERO_REASON = "a leading zero was lost (spreadsheets drop them)"


def postcode_expected(country: str) -> str:
    """An example of the canonical postcode shape for ``country`` ("" when there is no rule)."""
    rule = POSTCODE_RULES.get(country)
    return rule.example if rule else ""


def postcode_required(country: str) -> bool:
    """True when a billing address in ``country`` needs a postcode (False for countries without
    postcodes, where it is only recommended, and for unknown countries)."""
    return bool(country) and country not in NO_POSTCODE_COUNTRIES and country not in POSTCODE_RECOMMENDED_ONLY


def postcode_used(country: str) -> bool:
    """True when ``country`` uses postcodes at all."""
    return country not in NO_POSTCODE_COUNTRIES


def valid_postcode_mask(country: str, values: pd.Series) -> pd.Series:
    """Vectorised: True where the value already has ``country``'s canonical shape, or where no rule
    is known for the country (nothing to judge). Empty values are False."""
    rule = POSTCODE_RULES.get(country)
    texts = values.astype(object).where(values.notna(), "").astype(str)
    if rule is None:
        return texts != ""
    return texts.str.fullmatch(rule.pattern.pattern).fillna(False).astype(bool)


@dataclass(frozen=True)
class PostcodeFix:
    """A proposed repair of a postcode."""

    suggestion: str
    confidence: float
    reason: str


def _fill(layout: str, compact: str) -> str | None:
    if layout.count("?") != len(compact):
        return None
    chars = iter(compact)
    return "".join(next(chars) if slot == "?" else slot for slot in layout)


def _reformat(rule: PostcodeRule, compact: str) -> str | None:
    for layout in rule.layouts:
        filled = _fill(layout, compact)
        if filled is not None and rule.pattern.fullmatch(filled):
            return filled
    return None


def suggest_postcode(country: str, value: str) -> PostcodeFix | None:
    """Propose the canonical form of a postcode that does not have ``country``'s shape, when the
    repair is mechanical (spacing, case, country prefix, leading zeros lost in a spreadsheet).
    Returns None when there is no rule for the country or no safe repair."""
    rule = POSTCODE_RULES.get(country)
    if rule is None:
        return None
    text = unicodedata.normalize("NFKC", value).strip().upper().lstrip("〒").strip()
    artefact = _FLOAT_ARTEFACT.fullmatch(text)
    if artefact:
        text = artefact.group(1)
    if rule.pattern.fullmatch(text):
        return PostcodeFix(text, REFORMAT_CONFIDENCE, "lower case, full-width or a stray mark")
    candidates = [text]
    without_prefix = _COUNTRY_PREFIX.sub("", text)
    if without_prefix != text:
        candidates.append(without_prefix)
    for position, candidate in enumerate(candidates):
        compact = _SEPARATORS.sub("", candidate)
        if not compact.isalnum():
            continue
        fixed = compact if rule.pattern.fullmatch(compact) else _reformat(rule, compact)
        if fixed:
            reason = "an old country prefix" if position else "spacing, hyphen or letter case differ"
            return PostcodeFix(fixed, REFORMAT_CONFIDENCE, reason)
        if compact.isdigit():
            for zeros in range(1, rule.max_lost_zeros + 1):
                padded = _reformat(rule, "0" * zeros + compact)
                if padded:
                    return PostcodeFix(padded, LOST_ZERO_CONFIDENCE, _LOST_ZERO_REASON)
    return None


# --- states, provinces, territories -------------------------------------------------------------

STATE_REQUIRED_COUNTRIES = frozenset({"US", "CA", "AU"})

# Codes in everyday use that ISO 3166-2 does not list: USPS armed-forces "states".
_EXTRA_STATE_CODES: dict[str, dict[str, str]] = {
    "US": {"AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific"},
}
_STATE_ALIASES: dict[str, dict[str, str]] = {
    "US": {"Washington DC": "DC", "Washington D.C.": "DC", "D.C.": "DC", "Calif": "CA", "Mass": "MA",
           "Penn": "PA", "Pennsylvania": "PA", "N.Y.": "NY", "Virgin Islands": "VI"},
    "CA": {"Newfoundland": "NL", "Labrador": "NL", "PEI": "PE", "Yukon Territory": "YT", "Québec": "QC",
           "Quebec City": "QC", "NWT": "NT", "Colombie-Britannique": "BC", "Nouvelle-Écosse": "NS",
           "Nouveau-Brunswick": "NB", "Île-du-Prince-Édouard": "PE", "Terre-Neuve-et-Labrador": "NL"},
    "AU": {"Tas": "TAS", "Vic": "VIC", "Qld": "QLD", "Canberra": "ACT"},
}


@dataclass(frozen=True)
class StateGuess:
    """One reading of a state/province value within a country."""

    code: str  # the subdivision part of ISO 3166-2 ("CA" for US-CA, "NSW" for AU-NSW)
    name: str
    confidence: float
    how: str


@cache
def _subdivisions(country: str) -> dict[str, str]:
    """Subdivision code (without the country prefix) -> name, for ``country``."""
    found = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
    codes = {str(s.code).split("-", 1)[1]: str(s.name)
             for s in found if getattr(s, "parent_code", None) is None}
    codes.update(_EXTRA_STATE_CODES.get(country, {}))
    return codes


@cache
def _state_names(country: str) -> dict[str, tuple[str, str]]:
    """Normalised name -> (code, how) for ``country``'s subdivisions and their aliases."""
    table = {normalise_country_text(name): (code, "name") for code, name in _subdivisions(country).items()}
    for alias, code in _STATE_ALIASES.get(country, {}).items():
        table.setdefault(normalise_country_text(alias), (code, "alias"))
    return table


def state_codes(country: str) -> frozenset[str]:
    """Valid subdivision codes for ``country`` ("CA", "NSW", ...); empty when pycountry has none."""
    return frozenset(_subdivisions(country))


def resolve_state(country: str, value: str) -> StateGuess | None:
    """Read ``value`` as a state/province of ``country``: its code (any case, with or without the
    "US-" prefix), its name, a common alias, or a near-misspelling (confidence below 0.9).
    Returns None when nothing fits."""
    text = " ".join(value.split())
    names = _subdivisions(country)
    if not text or not names:
        return None
    compact = text.upper().replace(" ", "")
    if compact in names:
        return StateGuess(compact, names[compact], 1.0, "code" if text == compact else "code in lower case")
    bare = compact.removeprefix(f"{country}-")
    if bare != compact and bare in names:
        return StateGuess(bare, names[bare], 1.0, "ISO 3166-2 code")
    key = normalise_country_text(text)
    table = _state_names(country)
    if key in table:
        code, how = table[key]
        return StateGuess(code, names[code], 1.0 if how == "name" else 0.95, how)
    if len(key) < 4:
        return None
    hit = process.extractOne(key, list(table), scorer=OSA.normalized_similarity, score_cutoff=0.8)
    if hit is None:
        return None
    code = table[hit[0]][0]
    how = f"misspelling (did you mean {names[code]}?)"
    return StateGuess(code, names[code], round(0.85 * hit[1], 3), how)
