"""Normalising the contact attributes matching weighs as evidence: street, postcode, city, state,
phone, e-mail and person-like names.

Each scalar function is pure and returns "" when the value holds nothing comparable. The Series
versions work once per distinct value (per distinct value and country for phones and states).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
import phonenumbers
import pycountry

from desktop_app.core.normalize import clean_company_name

# Street-type words and their one common abbreviation (USPS Publication 28 style, plus UK/AU/DE forms).
_STREET_TYPES: dict[str, str] = {
    "street": "st", "str": "st", "strasse": "st", "straße": "st", "avenue": "ave", "av": "ave", "avn": "ave",
    "boulevard": "blvd", "boul": "blvd", "blv": "blvd", "road": "rd", "drive": "dr", "drv": "dr", "lane": "ln",
    "court": "ct", "place": "pl", "square": "sq", "terrace": "tce", "terr": "tce", "highway": "hwy",
    "parkway": "pkwy", "pky": "pkwy", "crescent": "cres", "circle": "cir", "close": "cl", "way": "wy",
    "suite": "ste", "mount": "mt", "fort": "ft", "saint": "st", "expressway": "expy", "freeway": "fwy",
    "trail": "trl", "point": "pt", "plaza": "plz", "center": "ctr", "centre": "ctr", "gardens": "gdns",
}
_DIRECTIONS: dict[str, str] = {
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
    "southeast": "se", "southwest": "sw",
}
# Words that introduce a unit inside a building; the word and the token after it are dropped.
_UNIT_WORDS = frozenset({"unit", "apt", "apartment", "suite", "ste", "flat", "floor", "fl", "level", "lvl",
                         "room", "rm", "bldg", "building", "dept", "po", "box", "#"})
# Ordinal street names written out ("Fifth Avenue") and as figures ("5th Ave") are the same street.
_ORDINALS: dict[str, str] = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "eleventh": "11th", "twelfth": "12th",
}
# Words after which a US listing names the cross streets ("747 9th Ave. between 50th and 51st Sts.",
# "156 2nd Ave. at 10th St.", "57 Jane St. off Hudson St."): where the place is, not its street;
# dropped with what follows.
_CROSS_STREET_WORDS = frozenset({"between", "betw", "btwn", "at", "near", "nr", "off"})
# Unit words that follow the floor's ordinal ("4909 W Division St 1st Floor"): the ordinal goes with them.
_FLOOR_WORDS = frozenset({"floor", "fl", "level", "lvl"})
_ORDINAL_FIGURE = re.compile(r"^\d+(?:st|nd|rd|th)$")
# Street types that end a street's name. Written on one side only ("4754 N Leavitt St" / "4754 N
# Leavitt") they name the same street (``street_without_type``); "ste", "mt" and "ft" start names.
_TRAILING_TYPES = frozenset(_STREET_TYPES.values()) - {"ste", "mt", "ft"}
_STREET_SEPARATORS = str.maketrans({**{ch: " " for ch in ".,;:'’\"()/\\"}, "#": " # "})
_GLUED_STRASSE = re.compile(r"(?<=[a-z])(strasse|str)\b")
_HOUSE_RANGE = re.compile(r"^(\d+)[a-z]?(?:-\d+[a-z]?)?$")


def _fold(text: str) -> str:
    """Lower case without diacritics (é → e, ß → ss)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def street_parts(street: str) -> tuple[str, str]:
    """(house number, street name) of a street line: ``"8225-29 North Main Street, Suite 4"`` →
    ``("8225", "n main st")``. Street types and directionals are abbreviated, unit designators with
    their number dropped, a house-number range kept as its first number. The number may also come
    after the name (``"Hauptstraße 5"`` → ``("5", "haupt st")``)."""
    text = _fold(street).translate(_STREET_SEPARATORS)
    if "str" in text:
        text = _GLUED_STRASSE.sub(r" \1", text)  # Hauptstrasse → haupt strasse
    tokens = text.split()
    number = ""
    words: list[str] = []
    skip = False
    for at, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        if token in _CROSS_STREET_WORDS and words:
            break
        if token in _UNIT_WORDS:
            if token in _FLOOR_WORDS and words and (_ORDINAL_FIGURE.match(words[-1]) or words[-1] == "ground"):
                words.pop()
            skip = True
            continue
        house = _HOUSE_RANGE.match(token) if token[0].isdigit() else None
        if house and not number:
            number = house.group(1).lstrip("0") or "0"
            continue
        if token.isdigit() and number and at + 1 < len(tokens) and _is_street_type(tokens[at + 1]):
            words.append(_ordinal(token))  # "112 East 51 Street": the street is 51st
            continue
        if house or token.isdigit():
            continue  # a second number is a unit or a floor
        token = token.strip("-")
        if token:
            words.append(_DIRECTIONS.get(token) or _STREET_TYPES.get(token) or _ORDINALS.get(token, token))
    return number, " ".join(words)


def _is_street_type(token: str) -> bool:
    return token in _STREET_TYPES or token in _TRAILING_TYPES


def _ordinal(figure: str) -> str:
    """``"51"`` → ``"51st"``, ``"112"`` → ``"112th"``."""
    number = int(figure)
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def street_without_type(name: str) -> str:
    """A street name from ``street_parts`` without its trailing street type (``"n leavitt st"`` →
    ``"n leavitt"``); unchanged when it has none or the type is all there is."""
    head, _, last = name.rpartition(" ")
    return head if head and last in _TRAILING_TYPES else name


def street_key(street: str) -> str:
    """``"<number> <name>"`` from ``street_parts`` ("" without a street name)."""
    number, name = street_parts(street)
    return f"{number} {name}".strip() if name else ""


_ZIP_PLUS_4 = re.compile(r"\s*\d{5}[-\s]\d{4}\s*")


def postcode_key(postcode: str) -> str:
    """A postcode compared without spaces, dashes or letter case; a US ZIP+4 as its five digits
    (``"sw1a 1aa"`` → ``"SW1A1AA"``, ``"02134-1234"`` → ``"02134"``)."""
    text = re.sub(r"[^0-9A-Za-z]", "", postcode).upper()
    return _zip5(text, postcode)


def _zip5(key: str, postcode: str) -> str:
    if len(key) == 9 and key.isdigit() and _ZIP_PLUS_4.fullmatch(postcode):
        return key[:5]
    return key


# Bytes that are not letters or digits, and upper-casing, for ``postcode_keys``' batch translation.
_UPPER_TABLE = bytes(ord(chr(i).upper()) if i < 128 else i for i in range(256))
_NOT_ALNUM = bytes(i for i in range(128) if not chr(i).isalnum() and i != ord("\n"))


def ascii_batch(texts: list[str], table: bytes | None, delete: bytes) -> list[str] | None:
    """``bytes.translate(table, delete)`` of every text, done once over all of them joined (many
    times faster than one call per text); None when a text is not ASCII or holds a line break."""
    joined = "\n".join(texts)
    if not joined.isascii() or joined.count("\n") != len(texts) - 1:
        return None
    return joined.encode("ascii").translate(table, delete).decode("ascii").split("\n")


def postcode_keys(postcodes: list[str]) -> list[str]:
    """``postcode_key`` of every postcode."""
    keys = ascii_batch(postcodes, _UPPER_TABLE, _NOT_ALNUM) if postcodes else []
    if keys is None:
        return [postcode_key(code) for code in postcodes]
    return [_zip5(key, code) if len(key) == 9 else key for key, code in zip(keys, postcodes, strict=True)]


_CITY_WORDS = {"saint": "st", "ste": "st", "sainte": "st", "mount": "mt", "fort": "ft"}


def city_key(city: str) -> str:
    """A city name lower case, without accents or punctuation, Saint/St and Mount/Mt alike."""
    words = re.sub(r"[^\w\s]", " ", _fold(city)).replace("_", " ").split()
    return " ".join(_CITY_WORDS.get(word, word) for word in words)


@cache
def _subdivision_codes() -> dict[tuple[str, str], str]:
    """(country α-2, folded subdivision name) → subdivision code without the country part."""
    table: dict[tuple[str, str], str] = {}
    for sub in pycountry.subdivisions:
        country, _, code = sub.code.partition("-")
        table[(country, city_key(sub.name))] = code
    return table


def state_key(state: str, country: str = "") -> str:
    """A state or province as its ISO 3166-2 code where the name is known for ``country`` (α-2),
    else the folded name: ``("California", "US")`` → ``"CA"``, ``("ca", "")`` → ``"CA"``."""
    name = city_key(state)
    if not name:
        return ""
    compact = name.replace(" ", "")
    if len(compact) <= 3:
        return compact.upper()
    return _subdivision_codes().get((country.upper(), name), name)


_PLAIN_PHONE = re.compile(r"\+?[0-9 ()./-]{5,30}")
_NON_DIGITS = re.compile(r"[^0-9]")
_NOT_DIGIT_BYTES = bytes(i for i in range(256) if not 48 <= i <= 57)


@cache
def _dialling(region: str) -> tuple[str, str]:
    """(country calling code, national trunk prefix) of a region ("" when unknown)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return "", ""
    return str(metadata.country_code), metadata.national_prefix or ""


def phone_e164(phone: str, country: str = "") -> str:
    """A phone number in E.164 (``"+14155550123"``), read in the record's country (α-2) when it
    has no international prefix; "" when it is no possible number. Extensions are dropped.

    Plain national numbers are read by table (calling code, trunk prefix dropped) — phonenumbers'
    parser costs ~0.2 ms a number, too slow for a million — everything else by phonenumbers."""
    text = phone.strip()
    if text.isascii():
        digits = text.encode("ascii").translate(None, _NOT_DIGIT_BYTES).decode("ascii")
        if len(digits) < 5:
            return ""
    elif sum(ch.isdigit() for ch in text) < 5:
        return ""
    else:
        digits = _NON_DIGITS.sub("", text)
    region = country.upper() if len(country) == 2 else ""
    if region and not text.startswith(("+", "00")) and _PLAIN_PHONE.fullmatch(text):
        code, trunk = _dialling(region)
        if code == "1" and len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        elif trunk and digits.startswith(trunk) and code != "1":
            digits = digits[len(trunk):]
        plausible = len(digits) == 10 if code == "1" else 6 <= len(digits) <= 14
        if code and plausible and not digits.startswith("0"):
            return f"+{code}{digits}"
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+") and _PLAIN_PHONE.fullmatch(text):  # the calling code is written out
        digits = _NON_DIGITS.sub("", text.replace("(0)", ""))
        return f"+{digits}" if 8 <= len(digits) <= 15 and not digits.startswith("0") else ""
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Bytes ``_PLAIN_PHONE`` allows after its optional "+", and every byte but the digits and line breaks.
_PHONE_BYTES = b"0123456789 ()./-"
_NOT_DIGITS_OR_BREAK = bytes(i for i in range(256) if not 48 <= i <= 57 and i != 10)


def phones_e164(pairs: list[tuple[str, str]]) -> list[str]:
    """``phone_e164(phone, country)`` of every (phone, country) pair. The common case — a plain
    national number in a known country — is read from digits found for all numbers at once."""
    texts = [phone.strip() for phone, _ in pairs]
    digits = ascii_batch(texts, None, _NOT_DIGITS_OR_BREAK) if texts else []
    others = ascii_batch(texts, None, _PHONE_BYTES) if texts else []  # what is left besides plain characters
    if digits is None or others is None:
        return [phone_e164(phone, country) for phone, country in pairs]
    dialling = {country: _dialling(country.upper()) if len(country) == 2 else ("", "")
                for country in {country for _, country in pairs}}
    out = []
    for (phone, country), text, number, other in zip(pairs, texts, digits, others, strict=True):
        if len(number) < 5:
            out.append("")
            continue
        if other == "+" and text[0] == "+" and len(text) <= 31 and "(0)" not in text:  # calling code written out
            out.append(f"+{number}" if 8 <= len(number) <= 15 and number[0] != "0" else "")
            continue
        code, trunk = dialling[country]
        if code and not other and len(text) <= 30 and not text.startswith("00"):
            if code == "1" and len(number) == 11 and number.startswith("1"):
                number = number[1:]
            elif trunk and code != "1" and number.startswith(trunk):
                number = number[len(trunk):]
            if (len(number) == 10 if code == "1" else 6 <= len(number) <= 14) and not number.startswith("0"):
                out.append(f"+{code}{number}")
                continue
        out.append(phone_e164(phone, country))
    return out


_ADDRESS = re.compile(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+\.[^\s<>\"',;:()]+")


def email_key(email: str) -> str:
    """The e-mail address itself, lower case, out of ``"Jane <Jane@Acme.com>"`` ("" without one)."""
    found = _ADDRESS.search(email.strip().lower())
    return found.group(0).rstrip(".") if found else ""


def sorted_words(text: str) -> str:
    """The words of ``text`` in sorted order."""
    return " ".join(sorted(text.split()))


def person_name_key(name: str) -> str:
    """A cleaned name whose words are sorted, so the order does not matter:
    ``"Dakin, Joselyn"`` and ``"Joselyn Dakin"`` → ``"dakin joselyn"``."""
    return " ".join(sorted(clean_company_name(name).split()))


def map_distinct(values: pd.Series, function: Callable[[str], str]) -> np.ndarray:
    """``function`` of every value (missing values read as ""), computed once per distinct value."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    results = np.array([function(u if isinstance(u, str) else str(u)) for u in uniques] + [function("")],
                       dtype=object)
    out: np.ndarray = results[codes]
    return out


def map_distinct_many(values: pd.Series, function: Callable[[list[str]], list[str]]) -> np.ndarray:
    """``function`` (of a list of values, giving one result each) of every value, called once on
    the distinct values (missing values read as "")."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    texts = [u if isinstance(u, str) else str(u) for u in uniques]
    results = np.array([*function(texts), *function([""])], dtype=object)
    out: np.ndarray = results[codes]
    return out


def map_distinct_pairs(values: pd.Series, countries: pd.Series, function: Callable[[str, str], str]) -> np.ndarray:
    """``function(value, country)`` of every row, computed once per distinct (value, country)."""
    value_codes, value_uniques = pd.factorize(values.to_numpy(dtype=object))  # -1: missing
    country_codes, country_uniques = pd.factorize(countries.to_numpy(dtype=object))
    value_texts = ["", *(u if isinstance(u, str) else str(u) for u in value_uniques)]
    country_texts = ["", *(u if isinstance(u, str) else str(u) for u in country_uniques)]
    # One integer per (value, country), so the distinct pairs are found without building tuples.
    width = len(country_texts)
    pair_codes, pairs = pd.factorize((value_codes.astype(np.int64) + 1) * width + country_codes + 1)
    results = np.array([function(value_texts[pair // width], country_texts[pair % width])
                        for pair in pairs.tolist()], dtype=object)
    out: np.ndarray = results[pair_codes]
    return out
