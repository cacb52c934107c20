"""Name, domain and identifier normalisation."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.normalize import (
    FREE_MAIL_DOMAINS,
    clean_company_name,
    clean_company_name_list,
    clean_company_names,
    domain_of,
    domains_of,
    identifier_differences,
    is_free_mail_domain,
    normalize_identifier,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Müller & Söhne GmbH & Co. KG", "muller and sohne"),
        ("ACME, Inc.", "acme"),
        ("The Acme Company", "acme"),
        ("Smith & Co", "smith"),
        ("Nordic Data A/S", "nordic data"),
        ("Sakura Denki K.K.", "sakura denki"),
        ("Ikeda Tekko Co., Ltd.", "ikeda tekko"),
        ("Polska Sp. z o.o.", "polska"),
        ("Björk Ström AB (publ)", "bjork strom"),
        ("Łódź Fabryka S.A.", "lodz fabryka"),
        ("Acme™ Ltd", "acme"),
        ("  Blue   Ridge  Analytics  ", "blue ridge analytics"),
        ("Coca-Cola", "coca cola"),
        ("O'Neil Pty Ltd", "oneil"),
        ("株式会社 トヨタ", "トヨタ"),  # a form that opens a name
        # the article put last, as sorted lists (Wikipedia's S&P 500 list, catalogues) write names
        ("Coca-Cola Company (The)", "coca cola"), ("Hershey Company, The", "hershey"), ("Hartford (The)", "hartford"),
        ("Acme The Ltd", "acme"), ("The", "the"),
        # initials, with dots or spaces, are one word: "J.M." reads as "jm", and so does "J M"
        ("J M SMUCKER Co", "jm smucker"), ("J.M. Smucker Company (The)", "jm smucker"), ("A. O. Smith", "ao smith"),
        ("BERKLEY W R CORP", "berkley wr"), ("Klein Feinmechanik e. K.", "klein feinmechanik"),
        ("P T Astra", "astra"), ("Plan B", "plan b"), ("B & Q", "b and q"),
        ("Ltd", "ltd"),  # never reduced to nothing
        ("Co Ltd", "co"),
        ("", ""),
        ("...", ""),
    ],
)
def test_clean_company_name_examples(raw: str, clean: str) -> None:
    assert clean_company_name(raw) == clean


@pytest.mark.parametrize(
    ("core", "suffixes"),
    [
        ("Acme", ["Inc", "Inc.", "Incorporated", "INC", "", "LLC", "L.L.C.", "Corp.", "Corporation"]),
        ("Blue Harbor", ["Ltd", "Ltd.", "Limited", "plc", "LLP", "Pty Ltd", "Pty. Ltd.", "Pte Ltd"]),
        ("Müller Technik", ["GmbH", "G.m.b.H.", "AG", "GmbH & Co. KG", "KG", "SE", "gmbh und co. kg"]),
        ("Dupont Conseil", ["SA", "S.A.", "SAS", "S.A.S.", "SARL", "S.à r.l."]),
        ("de Vries Bouw", ["BV", "B.V.", "NV", "N.V."]),
        ("Nordisk Data", ["AB", "Aktiebolag", "AB (publ)", "Oy", "Oyj", "AS", "A/S", "ApS", "ASA"]),
        ("Rossi Tessile", ["SpA", "S.p.A.", "Srl", "S.r.l."]),
        ("Garcia Viajes", ["SL", "S.L.", "SLU"]),
        ("Sakura Denki", ["KK", "K.K.", "Kabushiki Kaisha", "Co., Ltd."]),
        ("Budapest Gep", ["Kft", "Kft.", "Zrt."]),
    ],
)
def test_legal_suffix_variants_map_to_one_name(core: str, suffixes: list[str]) -> None:
    cleaned = {clean_company_name(f"{core} {suffix}".strip()) for suffix in suffixes}
    assert cleaned == {clean_company_name(core)}


@given(st.text(max_size=40))
def test_clean_company_name_is_idempotent(name: str) -> None:
    once = clean_company_name(name)
    assert clean_company_name(once) == once


@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), max_size=40))
def test_clean_company_name_ignores_case_and_spacing(name: str) -> None:
    assert clean_company_name(name.upper()) == clean_company_name("  " + name.lower() + " ")


@given(st.from_regex(r"[A-Za-z]{3,10}( [A-Za-z]{3,10}){0,2}", fullmatch=True),
       st.sampled_from(["Inc", "GmbH", "Ltd", "S.A.", "BV", "K.K.", "AB", "LLC", "Pty Ltd"]))
def test_any_name_with_a_suffix_cleans_like_the_name_alone(name: str, suffix: str) -> None:
    assert clean_company_name(f"{name} {suffix}") == clean_company_name(name)


def test_clean_company_names_series_keeps_index_and_blanks_missing() -> None:
    series = pd.Series(["Acme Inc", None, "Acme Inc", "Beta GmbH"], index=[10, 11, 12, 13], dtype=object)
    result = clean_company_names(series)
    assert result.tolist() == ["acme", "", "acme", "beta"]
    assert result.index.tolist() == [10, 11, 12, 13]
    assert clean_company_names(pd.Series([], dtype=object)).tolist() == []


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("https://www.Acme.com:8443/en/", "acme.com"),
        ("http://acme.com", "acme.com"),
        ("www.acme.co.uk/about?x=1#top", "acme.co.uk"),
        ("acme.de", "acme.de"),
        ("Jane <jane@Acme.co.uk>", "acme.co.uk"),
        ("billing@ACME.com", "acme.com"),
        ("mailto:x@acme.io", "acme.io"),
        ("http://user:pw@www.acme.de/x", "acme.de"),
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("acme", None),
        ("", None),
        ("not a url", None),
    ],
)
def test_domain_of(value: str, domain: str | None) -> None:
    assert domain_of(value) == domain


def test_domains_of_series() -> None:
    result = domains_of(pd.Series(["https://acme.com", "", None, "x@beta.de"], dtype=object))
    assert result.tolist() == ["acme.com", "", "", "beta.de"]


def test_free_mail_domains() -> None:
    assert "gmail.com" in FREE_MAIL_DOMAINS
    for domain in ("gmail.com", "hotmail.co.uk", "hotmail.se", "yahoo.com.br", "gmx.net", "web.de", "orange.fr"):
        assert is_free_mail_domain(domain), domain
    for domain in ("acme.com", "mygmail.com.example", "orange-business.com"):
        assert not is_free_mail_domain(domain), domain


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [(" 00042 ", "42"), ("000", "0"), ("AB-12 3", "ab123"), ("cus_ABC", "cus_abc"), ("0042A", "0042a")],
)
def test_normalize_identifier(raw: str, normalized: str) -> None:
    assert normalize_identifier(raw) == normalized


@given(st.text(max_size=20))
def test_normalize_identifier_is_idempotent(value: str) -> None:
    once = normalize_identifier(value)
    assert normalize_identifier(once) == once


def test_identifier_differences_name_each_normalisation() -> None:
    assert identifier_differences("00042", "42") == ["leading zeros"]
    assert identifier_differences(" CUS 1", "cus1") == ["letter case", "inner spaces or dashes"]
    assert identifier_differences(" cus1 ", "cus1") == ["surrounding spaces"]
    assert identifier_differences("cus_ 72fmMv", "cus_72fmMv") == ["inner spaces or dashes"]
    assert identifier_differences("ABC", "abc") == ["letter case"]
    assert identifier_differences("abc", "abc") == []
    assert identifier_differences("abc", "abd") == []


@settings(deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["Acme GmbH & Co. KG", "The Smith and Co", "Müller AG",
                                                                 "a\nb Ltd", "", "K.K."])), max_size=12))
def test_a_list_of_names_cleans_as_one_at_a_time(names: list[str]) -> None:
    assert clean_company_name_list(names) == [clean_company_name(name) for name in names]


_ASCII_WITH_CONTROLS = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=30)


@settings(deadline=None)
@given(_ASCII_WITH_CONTROLS)
def test_ascii_and_non_ascii_cleaning_treat_control_characters_alike(name: str) -> None:
    # A trailing no-break space sends the same name down the non-ASCII path and is dropped there.
    assert clean_company_name(name) == clean_company_name(name + "\u00a0")
    assert clean_company_name_list([name]) == [clean_company_name(name + "\u00a0")]


@settings(deadline=None)
@given(st.lists(st.one_of(st.from_regex(r"[A-Za-z ]{0,8}", fullmatch=True),
                          st.characters(categories=["Cc"])), max_size=12).map("".join))
def test_control_characters_are_spaces_dropped_at_the_ends(name: str) -> None:
    spaced = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in name)
    assert clean_company_name(name) == clean_company_name(spaced)
    assert clean_company_name_list([name]) == [clean_company_name(spaced)]
    assert clean_company_name("\x1bAcme\x1b Ltd\x85") == "acme"
