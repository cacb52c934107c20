"""Properties of the country resolver over every country pycountry knows."""

from __future__ import annotations

import pycountry
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.countries import resolve_country

COUNTRIES = sorted(pycountry.countries, key=lambda c: str(c.alpha_2))


def _names(country: object) -> list[str]:
    attributes = ("name", "official_name", "common_name")
    return [str(getattr(country, a)) for a in attributes if getattr(country, a, None)]


@st.composite
def country_and_spelling(draw: st.DrawFn) -> tuple[str, str]:
    country = draw(st.sampled_from(COUNTRIES))
    spelling = draw(st.sampled_from([str(country.alpha_2), str(country.alpha_3), *_names(country)]))
    return str(country.alpha_2), spelling


padding = st.sampled_from(["", " ", "  ", "\t"])


@settings(max_examples=300, deadline=None)
@given(country_and_spelling(), padding, padding)
def test_codes_and_english_names_resolve_exactly(pair: tuple[str, str], before: str, after: str) -> None:
    code, spelling = pair
    guess = resolve_country(f"{before}{spelling}{after}")
    assert guess is not None
    assert guess.code == code
    assert guess.confidence == 1.0


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(COUNTRIES), st.booleans())
def test_names_resolve_in_any_letter_case(country: object, upper: bool) -> None:
    for name in _names(country):
        guess = resolve_country(name.upper() if upper else name.lower())
        assert guess is not None
        assert guess.code == str(country.alpha_2)  # type: ignore[attr-defined]
        assert guess.confidence == 1.0


def test_every_numeric_code_resolves() -> None:
    for country in COUNTRIES:
        guess = resolve_country(str(country.numeric))
        assert guess is not None
        assert guess.code == country.alpha_2


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_none_or_a_well_formed_guess(text: str) -> None:
    guess = resolve_country(text)
    if guess is not None:
        assert len(guess.code) == 2
        assert guess.code.isupper()
        assert 0.0 < guess.confidence <= 1.0
        assert guess.name
        assert guess.how
