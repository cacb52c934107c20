"""Country resolution: codes, English and local names, aliases, misspellings and rejects."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.countries import (
    country_name,
    is_alpha2,
    normalise_country_text,
    resolve_countries,
    resolve_country,
)

# (input, expected alpha-2, expected confidence, start of ``how``)
EXACT_AND_ALIASES = [
    ("DE", "DE", 1.0, "alpha-2"),
    (" de ", "DE", 1.0, "alpha-2"),
    ("fr", "FR", 1.0, "alpha-2"),
    ("DEU", "DE", 1.0, "alpha-3"),
    ("gbr", "GB", 1.0, "alpha-3"),
    ("USA", "US", 1.0, "alpha-3"),
    ("276", "DE", 1.0, "numeric"),
    ("040", "AT", 1.0, "numeric"),
    ("40", "AT", 1.0, "numeric"),
    ("Germany", "DE", 1.0, "English name"),
    ("  GERMANY  ", "DE", 1.0, "English name"),
    ("United States of America", "US", 1.0, "English name"),
    ("Korea, Republic of", "KR", 1.0, "English name"),
    ("Republic of Korea", "KR", 1.0, "English name"),
    ("South Korea", "KR", 1.0, "English name"),
    ("The Netherlands", "NL", 1.0, "English name"),
    ("Bahamas, The", "BS", 1.0, "English name"),
    ("St. Lucia", "LC", 1.0, "English name"),
    ("Czech Rep.", "CZ", 1.0, "English name"),
    ("Slovak Republic", "SK", 1.0, "English name"),
    ("Czechia", "CZ", 1.0, "English name"),
    ("Czech Republic", "CZ", 1.0, "English name"),
    ("Vietnam", "VN", 1.0, "English name"),
    ("Viet Nam", "VN", 1.0, "English name"),
    ("Bolivia", "BO", 1.0, "English name"),
    ("Venezuela", "VE", 1.0, "English name"),
    ("Iran", "IR", 1.0, "English name"),
    ("Syria", "SY", 1.0, "English name"),
    ("Laos", "LA", 1.0, "English name"),
    ("Moldova", "MD", 1.0, "English name"),
    ("Tanzania", "TZ", 1.0, "English name"),
    ("Taiwan", "TW", 1.0, "English name"),
    ("Côte d'Ivoire", "CI", 1.0, "English name"),
    ("Cote d Ivoire", "CI", 1.0, "English name"),
    ("Türkiye", "TR", 1.0, "English name"),
    ("South Africa", "ZA", 1.0, "English name"),
    ("Portugal", "PT", 1.0, "English name"),
    ("México", "MX", 1.0, "English name"),
    ("Ireland", "IE", 1.0, "English name"),
    ("China", "CN", 1.0, "English name"),
    ("UK", "GB", 0.95, "alias"),
    ("U.K.", "GB", 0.95, "alias"),
    ("Great Britain", "GB", 0.95, "alias"),
    ("England", "GB", 0.95, "alias"),
    ("Scotland", "GB", 0.95, "alias"),
    ("Wales", "GB", 0.95, "alias"),
    ("Northern Ireland", "GB", 0.95, "alias"),
    ("U.S.A.", "US", 0.95, "alias"),
    ("U.S.", "US", 0.95, "alias"),
    ("US of A", "US", 0.95, "alias"),
    ("America", "US", 0.95, "alias"),
    ("UAE", "AE", 0.95, "alias"),
    ("Emirates", "AE", 0.95, "alias"),
    ("Korea", "KR", 0.95, "alias"),
    ("RSA", "ZA", 0.95, "alias"),
    ("Hong Kong SAR", "HK", 0.95, "alias"),
    ("Macau", "MO", 0.95, "alias"),
    ("PRC", "CN", 0.95, "alias"),
    ("Russia", "RU", 0.95, "alias"),
    ("Turkey", "TR", 0.95, "alias"),
    ("Ivory Coast", "CI", 0.95, "alias"),
    ("Burma", "MM", 0.95, "alias"),
    ("Holland", "NL", 0.95, "alias"),
    ("Commonwealth of Australia", "AU", 0.95, "alias"),
    ("Kosovo", "XK", 0.95, "alias (XK is a user-assigned code"),
    ("XK", "XK", 1.0, "alpha-2 (XK is a user-assigned code"),
]

LOCAL_NAMES = [
    ("Deutschland", "DE"), ("Allemagne", "DE"), ("Alemania", "DE"), ("Germania", "DE"),
    ("España", "ES"), ("Espana", "ES"), ("Espagne", "ES"), ("Spanien", "ES"),
    ("Royaume-Uni", "GB"), ("Vereinigtes Königreich", "GB"), ("Reino Unido", "GB"),
    ("Großbritannien", "GB"), ("Grossbritannien", "GB"),
    ("États-Unis", "US"), ("Etats Unis", "US"), ("Estados Unidos", "US"), ("Vereinigte Staaten", "US"),
    ("Stati Uniti", "US"),
    ("Nederland", "NL"), ("Niederlande", "NL"), ("Pays-Bas", "NL"), ("Países Bajos", "NL"),
    ("België", "BE"), ("Belgique", "BE"), ("Belgien", "BE"),
    ("Schweiz", "CH"), ("Suisse", "CH"), ("Svizzera", "CH"),
    ("Österreich", "AT"), ("Autriche", "AT"), ("Italia", "IT"), ("Italie", "IT"),
    ("Sverige", "SE"), ("Norge", "NO"), ("Danmark", "DK"), ("Suomi", "FI"), ("Polska", "PL"),
    ("Česko", "CZ"), ("Magyarország", "HU"), ("Brasil", "BR"), ("Éire", "IE"),
    ("Nihon", "JP"), ("Nippon", "JP"), ("Japon", "JP"), ("日本", "JP"), ("中国", "CN"),
    ("Россия", "RU"), ("Frankreich", "FR"), ("Irlanda", "IE"),
    ("Oesterreich", "AT"), ("Vereinigtes Koenigreich", "GB"), ("Daenemark", "DK"),
]

MISSPELLINGS = [
    ("Germnay", "DE"), ("Frnace", "FR"), ("Untied States", "US"), ("Itlay", "IT"),
    ("Swtizerland", "CH"), ("Deutchland", "DE"), ("Austrai", "AT"), ("Britian", "GB"),
]

REJECTS = ["", "   ", "Europe", "N/A", "-", "asdf", "Africa", "Asia", "Unknown", "none", "999", "1234",
           "ZZ", "QQQ", "???", "test"]


@pytest.mark.parametrize(("value", "code", "confidence", "how"), EXACT_AND_ALIASES)
def test_codes_names_and_aliases(value: str, code: str, confidence: float, how: str) -> None:
    guess = resolve_country(value)
    assert guess is not None
    assert (guess.code, guess.confidence) == (code, confidence)
    assert guess.how.startswith(how)


@pytest.mark.parametrize(("value", "code"), LOCAL_NAMES)
def test_local_names(value: str, code: str) -> None:
    guess = resolve_country(value)
    assert guess is not None
    assert guess.code == code
    assert guess.confidence == 0.95
    assert guess.how == "local name"


@pytest.mark.parametrize(("value", "code"), MISSPELLINGS)
def test_misspellings_are_guessed_below_the_auto_fix_threshold(value: str, code: str) -> None:
    guess = resolve_country(value)
    assert guess is not None
    assert guess.code == code
    assert 0.5 < guess.confidence < 0.9
    assert guess.how == f"misspelling (did you mean {country_name(code)}?)"


@pytest.mark.parametrize("value", REJECTS)
def test_hopeless_values_are_rejected(value: str) -> None:
    assert resolve_country(value) is None


def test_lower_case_na_is_not_trusted_as_namibia() -> None:
    guess = resolve_country("na")
    assert guess is not None
    assert guess.code == "NA"
    assert guess.confidence < 0.9
    upper = resolve_country("NA")
    assert upper is not None
    assert upper.confidence == 1.0


def test_guess_carries_the_english_short_name() -> None:
    guess = resolve_country("Deutschland")
    assert guess is not None
    assert guess.name == "Germany"


@pytest.mark.parametrize(("text", "normalised"), [
    ("  The  Netherlands ", "netherlands"),
    ("Côte d'Ivoire", "cote d ivoire"),
    ("U.S.A.", "usa"),
    ("St. Kitts & Nevis", "saint kitts and nevis"),
    ("Großbritannien", "grossbritannien"),
])
def test_normalisation(text: str, normalised: str) -> None:
    assert normalise_country_text(text) == normalised


def test_is_alpha2_only_accepts_exact_upper_case_codes() -> None:
    assert is_alpha2("DE")
    assert is_alpha2("XK")
    assert not is_alpha2("de")
    assert not is_alpha2("DEU")
    assert not is_alpha2("ZZ")


def test_country_name() -> None:
    assert country_name("FR") == "France"
    assert country_name("xk") == "Kosovo"
    assert country_name("ZZ") == ""
    assert country_name("") == ""


def test_resolve_countries_keeps_the_index_and_marks_unresolved_rows() -> None:
    values = pd.Series(["Deutschland", None, "asdf", "us", float("nan"), "Deutschland"],
                       index=[10, 11, 12, 13, 14, 15], dtype=object)
    resolved = resolve_countries(values)
    assert list(resolved.columns) == ["code", "confidence", "how"]
    assert list(resolved.index) == [10, 11, 12, 13, 14, 15]
    assert resolved["code"].tolist() == ["DE", "", "", "US", "", "DE"]
    assert resolved["confidence"].tolist() == [0.95, 0.0, 0.0, 1.0, 0.0, 0.95]
    assert resolved["how"].tolist() == ["local name", "", "", "alpha-2", "", "local name"]


def test_resolve_countries_matches_resolving_one_by_one() -> None:
    pool = ["FR", "France", "Frankreich", "Frnace", "", "Europe", "826", "U.K."]
    values = pd.Series([pool[i % len(pool)] for i in range(2_000)], dtype="str")
    resolved = resolve_countries(values)
    for value, code, confidence in zip(values, resolved["code"], resolved["confidence"], strict=True):
        guess = resolve_country(value)
        assert code == (guess.code if guess else "")
        assert confidence == (guess.confidence if guess else 0.0)


def test_resolve_countries_of_an_empty_series() -> None:
    resolved = resolve_countries(pd.Series([], dtype=object))
    assert resolved.empty
    assert list(resolved.columns) == ["code", "confidence", "how"]


@pytest.mark.parametrize(("value", "code"), [
    ("DE - Germany", "DE"), ("Germany (DE)", "DE"), ("USA / United States", "US"), ("FR, France", "FR"),
])
def test_code_and_name_written_together(value: str, code: str) -> None:
    guess = resolve_country(value)
    assert guess is not None
    assert (guess.code, guess.confidence, guess.how) == (code, 0.95, "code and name together")


@pytest.mark.parametrize("value", ["Germany (FR)", "Berlin, Germany", "DE / Europe"])
def test_code_and_name_that_disagree_or_include_other_words_are_rejected(value: str) -> None:
    assert resolve_country(value) is None
