"""Normalising the contact attributes matching weighs: street, postcode, city, state, phone, e-mail,
person-like names."""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from desktop_app.core.normalize_fields import (
    city_key,
    email_key,
    map_distinct,
    map_distinct_pairs,
    person_name_key,
    phone_e164,
    phones_e164,
    postcode_key,
    state_key,
    street_key,
    street_parts,
)


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("8225-29 North Main Street, Suite 4", ("8225", "n main st")),
        ("8225 N. Main St.", ("8225", "n main st")),
        ("12 Baker Street", ("12", "baker st")),
        ("Flat 3, 12 Baker St", ("12", "baker st")),
        ("#200, 1 Infinite Loop", ("1", "infinite loop")),
        ("55 Fifth Avenue", ("55", "5th ave")),
        ("1600 Pennsylvania Ave NW", ("1600", "pennsylvania ave nw")),
        ("100 Sunset Boulevard", ("100", "sunset blvd")),
        ("Hauptstraße 5", ("5", "haupt st")),
        ("Hauptstr. 5", ("5", "haupt st")),
        ("0042 Elm Road", ("42", "elm rd")),
        ("112 East 51 Street", ("112", "e 51st st")),
        ("4909 West Division Street 1st Floor", ("4909", "w division st")),
        ("", ("", "")),
    ],
)
def test_street_parts(raw: str, parts: tuple[str, str]) -> None:
    assert street_parts(raw) == parts


_SUFFIXES = {"st": ("Street", "St", "St.", "STREET"), "ave": ("Avenue", "Ave", "Ave."),
             "rd": ("Road", "Rd", "rd.")}
_DIRECTIONS = {"n": ("North", "N", "N."), "": ("",)}


@settings(deadline=None)
@given(number=st.integers(1, 99999), span=st.integers(1, 99), word=st.sampled_from(["Main", "Oak", "Elm", "Cedar"]),
       suffix=st.sampled_from(sorted(_SUFFIXES)), direction=st.sampled_from(sorted(_DIRECTIONS)),
       data=st.data())
def test_street_formatting_noise_gives_one_key(number: int, span: int, word: str, suffix: str, direction: str,
                                              data: st.DataObject) -> None:
    spelled = data.draw(st.sampled_from(_SUFFIXES[suffix]))
    pointed = data.draw(st.sampled_from(_DIRECTIONS[direction]))
    house = data.draw(st.sampled_from([str(number), f"{number}-{span}"]))
    unit = data.draw(st.sampled_from(["", ", Suite 200", " Unit 4B", " #12"]))
    written = f"{house} {pointed} {word} {spelled}{unit}".replace("  ", " ")
    expected = " ".join(part for part in (str(number), direction, word.lower(), suffix) if part)
    assert street_key(written) == expected
    assert street_key(written.upper()) == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [("sw1a 1aa", "SW1A1AA"), ("SW1A1AA", "SW1A1AA"), ("02134-1234", "02134"), ("10115", "10115"),
     ("H3Z 2Y7", "H3Z2Y7"), ("", "")],
)
def test_postcode_key(raw: str, key: str) -> None:
    assert postcode_key(raw) == key


@given(st.from_regex(r"[A-Z]{1,2}[0-9]{1,2} ?[0-9][A-Z]{2}", fullmatch=True))
@settings(deadline=None)
def test_postcode_ignores_spaces_and_case(code: str) -> None:
    assert postcode_key(code.lower()) == postcode_key(code.replace(" ", "")) == code.replace(" ", "")


def test_city_and_state() -> None:
    assert city_key("Saint-Étienne") == city_key("St Etienne") == "st etienne"
    assert city_key("  MÜNCHEN ") == "munchen"
    assert state_key("California", "US") == state_key("ca") == "CA"
    assert state_key("New South Wales", "AU") == "NSW"
    assert state_key("Bavaria", "DE") in ("BY", "bavaria")  # English name only when pycountry knows it
    assert state_key("Bayern", "DE") == "BY"
    assert state_key("") == ""


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("(415) 555-0123", "US", "+14155550123"),
        ("415.555.0123", "US", "+14155550123"),
        ("+1 415 555 0123 ext. 12", "", "+14155550123"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "DE", "+442079460958"),
        ("0049 30 1234567", "", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("12", "US", ""),
        ("n/a", "US", ""),
        ("", "GB", ""),
    ],
)
def test_phone_e164(raw: str, country: str, e164: str) -> None:
    assert phone_e164(raw, country) == e164


@settings(deadline=None)
@given(area=st.integers(201, 989), exchange=st.integers(200, 999), line=st.integers(0, 9999),
       shape=st.sampled_from(["({a}) {e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "+1 {a} {e} {l}", "1{a}{e}{l}",
                              "001 {a} {e} {l}"]))
def test_phone_formats_give_one_number(area: int, exchange: int, line: int, shape: str) -> None:
    written = shape.format(a=area, e=exchange, l=f"{line:04d}")
    plain = phone_e164(f"{area}{exchange}{line:04d}", "US")
    assert phone_e164(written, "US") == plain
    assert plain in ("", f"+1{area}{exchange}{line:04d}")


@pytest.mark.parametrize("region", ["US", "CA", "GB", "DE", "FR", "AU", "NL", "ES", "IT", "JP", "CH", "SE"])
@pytest.mark.parametrize("kind", ["FIXED_LINE", "MOBILE"])
def test_plain_national_numbers_read_by_table_agree_with_phonenumbers(region: str, kind: str) -> None:
    example = phonenumbers.example_number_for_type(region, getattr(phonenumbers.PhoneNumberType, kind))
    expected = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert phone_e164(national, region) == expected
    assert phone_e164(expected, "") == expected


def test_email_key() -> None:
    assert email_key("Jane Doe <Jane.Doe@Acme.COM>") == "jane.doe@acme.com"
    assert email_key(" billing@acme.co.uk. ") == "billing@acme.co.uk"
    assert email_key("not an address") == ""


@settings(deadline=None)
@given(st.lists(st.sampled_from(["joselyn", "dakin", "maria", "von", "der", "leyen", "o'neil"]), min_size=1,
                max_size=4), st.randoms())
def test_person_names_match_in_any_order(words: list[str], random: object) -> None:
    shuffled = list(words)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert person_name_key(" ".join(words)) == person_name_key(" ".join(shuffled).upper())
    assert person_name_key("Dakin, Joselyn") == person_name_key("joselyn dakin") == "dakin joselyn"


def test_series_versions_work_per_distinct_value() -> None:
    calls: list[str] = []

    def key(value: str) -> str:
        calls.append(value)
        return value.upper()

    values = pd.Series(["a", "b", "a", None, "b"], dtype=object)
    assert list(map_distinct(values, key)) == ["A", "B", "A", "", "B"]
    assert sorted(calls) == ["", "a", "b"]
    phones = map_distinct_pairs(pd.Series(["020 7946 0958", "020 7946 0958", None]),
                                pd.Series(["GB", "GB", "US"]), phone_e164)
    assert list(phones) == ["+442079460958", "+442079460958", ""]


_PHONE_LIKE = st.from_regex(r"(\+|00|0|1)?[0-9]{1,4}([ ()./-]{0,2}[0-9]{1,4}){0,4}", fullmatch=True)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(st.one_of(_PHONE_LIKE, st.from_regex(r"(\+|00)?[0-9 ()./-]{0,20}", fullmatch=True),
                                    st.text(max_size=12)),
                          st.sampled_from(["US", "GB", "DE", "FR", "AU", "", "XX", "de"])), max_size=20))
@example([("1 (415) 555-0101", "US"), ("+44 20 7946 0000", "GB"), ("030 1234567", "DE"), ("0044 20 7946 0000", "GB"),
          ("+49 (0)30 1234567", "DE"), ("(02) 9876 5432", "AU"), ("Tel. 030 1234567", "DE"), ("", "US")])
def test_phones_in_bulk_read_as_one_at_a_time(pairs: list[tuple[str, str]]) -> None:
    assert phones_e164(pairs) == [phone_e164(phone, country) for phone, country in pairs]
