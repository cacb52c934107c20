"""Postcode shapes per country, mechanical repairs, and state/province resolution."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.postcodes import (
    LOST_ZERO_CONFIDENCE,
    POSTCODE_RULES,
    REFORMAT_CONFIDENCE,
    postcode_expected,
    postcode_required,
    postcode_used,
    resolve_state,
    state_codes,
    suggest_postcode,
    valid_postcode_mask,
)

VALID = [
    ("US", "02134"), ("US", "02134-1234"), ("CA", "K1A 0B1"), ("GB", "SW1A 1AA"), ("GB", "M1 1AE"),
    ("GB", "EC1A 1BB"), ("GB", "GIR 0AA"), ("DE", "10115"), ("DE", "01067"), ("FR", "75001"),
    ("NL", "1234 AB"), ("BE", "1000"), ("CH", "8001"), ("AT", "1010"), ("IT", "00184"), ("ES", "28001"),
    ("PT", "1234-567"), ("SE", "123 45"), ("NO", "0150"), ("DK", "1050"), ("FI", "00100"), ("PL", "12-345"),
    ("IE", "A65 F4E2"), ("IE", "D6W 1234"), ("AU", "2000"), ("AU", "0800"), ("NZ", "6011"),
    ("JP", "123-4567"), ("IN", "110001"), ("BR", "01310-100"), ("MX", "01000"), ("SG", "018956"),
]

INVALID_WITHOUT_FIX = [
    ("US", "ABCDE"), ("US", "12"), ("CA", "123 456"), ("GB", "12345"), ("DE", "123"), ("DE", "123456"),
    ("NL", "0123 AB"), ("BE", "0999"), ("IN", "011000"), ("ES", "99001"), ("JP", "12-34"),
    ("PT", "12345"), ("IE", "ZZZ 1234"),
]

# (country, value, suggestion, confidence)
FIXABLE = [
    ("US", "2134", "02134", LOST_ZERO_CONFIDENCE),
    ("US", "501", "00501", LOST_ZERO_CONFIDENCE),
    ("US", "2134-1234", "02134-1234", LOST_ZERO_CONFIDENCE),
    ("US", "2134.0", "02134", LOST_ZERO_CONFIDENCE),
    ("US", "021341234", "02134-1234", REFORMAT_CONFIDENCE),
    ("US", "02134 1234", "02134-1234", REFORMAT_CONFIDENCE),
    ("CA", "k1a0b1", "K1A 0B1", REFORMAT_CONFIDENCE),
    ("CA", "K1A-0B1", "K1A 0B1", REFORMAT_CONFIDENCE),
    ("CA", "k1a 0b1", "K1A 0B1", REFORMAT_CONFIDENCE),
    ("GB", "sw1a1aa", "SW1A 1AA", REFORMAT_CONFIDENCE),
    ("GB", "M11AE", "M1 1AE", REFORMAT_CONFIDENCE),
    ("GB", "ec1a  1bb", "EC1A 1BB", REFORMAT_CONFIDENCE),
    ("DE", "1067", "01067", LOST_ZERO_CONFIDENCE),
    ("DE", "D-10115", "10115", REFORMAT_CONFIDENCE),
    ("FR", "F-75001", "75001", REFORMAT_CONFIDENCE),
    ("CH", "CH-8001", "8001", REFORMAT_CONFIDENCE),
    ("AT", "A-1010", "1010", REFORMAT_CONFIDENCE),
    ("NL", "1234ab", "1234 AB", REFORMAT_CONFIDENCE),
    ("NL", "1234 ab", "1234 AB", REFORMAT_CONFIDENCE),
    ("PT", "1234567", "1234-567", REFORMAT_CONFIDENCE),
    ("PT", "1234 567", "1234-567", REFORMAT_CONFIDENCE),
    ("SE", "12345", "123 45", REFORMAT_CONFIDENCE),
    ("PL", "12345", "12-345", REFORMAT_CONFIDENCE),
    ("IE", "a65f4e2", "A65 F4E2", REFORMAT_CONFIDENCE),
    ("JP", "1234567", "123-4567", REFORMAT_CONFIDENCE),
    ("JP", "〒123-4567", "123-4567", REFORMAT_CONFIDENCE),
    ("JP", "１２３－４５６７", "123-4567", REFORMAT_CONFIDENCE),
    ("BR", "01310100", "01310-100", REFORMAT_CONFIDENCE),
    ("BR", "1310100", "01310-100", LOST_ZERO_CONFIDENCE),
    ("AU", "800", "0800", LOST_ZERO_CONFIDENCE),
    ("NO", "150", "0150", LOST_ZERO_CONFIDENCE),
    ("SG", "18956", "018956", LOST_ZERO_CONFIDENCE),
    ("IN", "110 001", "110001", REFORMAT_CONFIDENCE),
]


@pytest.mark.parametrize(("country", "value"), VALID)
def test_valid_postcodes(country: str, value: str) -> None:
    assert valid_postcode_mask(country, pd.Series([value])).tolist() == [True]


@pytest.mark.parametrize(("country", "value"), INVALID_WITHOUT_FIX)
def test_invalid_postcodes_without_a_safe_repair(country: str, value: str) -> None:
    assert valid_postcode_mask(country, pd.Series([value])).tolist() == [False]
    assert suggest_postcode(country, value) is None


@pytest.mark.parametrize(("country", "value", "suggestion", "confidence"), FIXABLE)
def test_fixable_postcodes(country: str, value: str, suggestion: str, confidence: float) -> None:
    assert valid_postcode_mask(country, pd.Series([value])).tolist() == [False]
    fix = suggest_postcode(country, value)
    assert fix is not None
    assert (fix.suggestion, fix.confidence) == (suggestion, confidence)
    assert fix.reason
    assert valid_postcode_mask(country, pd.Series([fix.suggestion])).tolist() == [True]


def test_every_rule_accepts_its_own_example_shape() -> None:
    for country, rule in POSTCODE_RULES.items():
        example = rule.example.split(" or ")[0]
        assert rule.pattern.fullmatch(example), country


def test_mask_is_vectorised_and_treats_missing_values_as_invalid() -> None:
    values = pd.Series(["10115", None, "", "1011", "10115 "], index=[5, 6, 7, 8, 9], dtype=object)
    mask = valid_postcode_mask("DE", values)
    assert mask.tolist() == [True, False, False, False, False]
    assert list(mask.index) == [5, 6, 7, 8, 9]


def test_country_without_a_rule_accepts_any_non_empty_value() -> None:
    assert valid_postcode_mask("KE", pd.Series(["00100", ""])).tolist() == [True, False]
    assert suggest_postcode("KE", "00100") is None
    assert postcode_expected("KE") == ""


@pytest.mark.parametrize(("country", "required", "used"), [
    ("US", True, True), ("DE", True, True), ("IE", False, True), ("HK", False, False),
    ("AE", False, False), ("QA", False, False), ("", False, True),
])
def test_which_countries_need_a_postcode(country: str, required: bool, used: bool) -> None:
    assert postcode_required(country) is required
    assert postcode_used(country) is used


# (country, value, code, confidence, how)
STATES = [
    ("US", "CA", "CA", 1.0, "code"),
    ("US", "ca", "CA", 1.0, "code in lower case"),
    ("US", "US-CA", "CA", 1.0, "ISO 3166-2 code"),
    ("US", "California", "CA", 1.0, "name"),
    ("US", "new york", "NY", 1.0, "name"),
    ("US", "District of Columbia", "DC", 1.0, "name"),
    ("US", "Washington D.C.", "DC", 0.95, "alias"),
    ("US", "AE", "AE", 1.0, "code"),
    ("US", "PR", "PR", 1.0, "code"),
    ("CA", "Ontario", "ON", 1.0, "name"),
    ("CA", "Québec", "QC", 1.0, "name"),
    ("CA", "Newfoundland", "NL", 0.95, "alias"),
    ("CA", "qc", "QC", 1.0, "code in lower case"),
    ("AU", "New South Wales", "NSW", 1.0, "name"),
    ("AU", "nsw", "NSW", 1.0, "code in lower case"),
    ("AU", "Victoria", "VIC", 1.0, "name"),
    ("AU", "Qld", "QLD", 1.0, "code in lower case"),
    ("DE", "Bayern", "BY", 1.0, "name"),
]


@pytest.mark.parametrize(("country", "value", "code", "confidence", "how"), STATES)
def test_states(country: str, value: str, code: str, confidence: float, how: str) -> None:
    guess = resolve_state(country, value)
    assert guess is not None
    assert (guess.code, guess.confidence, guess.how) == (code, confidence, how)


@pytest.mark.parametrize(("country", "value", "code"), [
    ("US", "Califronia", "CA"), ("US", "Pensylvania", "PA"), ("CA", "Onatrio", "ON"),
    ("AU", "Queensalnd", "QLD"),
])
def test_misspelt_states_are_guessed_below_auto_fix_threshold(country: str, value: str, code: str) -> None:
    guess = resolve_state(country, value)
    assert guess is not None
    assert guess.code == code
    assert guess.confidence < 0.9
    assert guess.how.startswith("misspelling")


@pytest.mark.parametrize(("country", "value"), [
    ("US", "ON"), ("US", "xx"), ("US", ""), ("CA", "CA"), ("AU", "Bavaria"), ("US", "Europe"),
])
def test_unknown_states(country: str, value: str) -> None:
    assert resolve_state(country, value) is None


def test_state_codes_come_from_iso_3166_2() -> None:
    assert {"CA", "NY", "DC", "TX"} <= state_codes("US")
    assert state_codes("CA") == {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}
    assert state_codes("AU") == {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"}
