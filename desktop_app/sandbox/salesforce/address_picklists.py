"""State and Country/Territory picklists, as most real orgs have them turned on.

Each address (Account Billing/Shipping, Contact Mailing) then has ``<P>CountryCode`` and
``<P>StateCode`` picklists beside the ``<P>Country`` / ``<P>State`` text fields. The code is what
counts: writing a code fills the text with the country's name; writing a text must name a country in
the org's list (by name or code) and fills the code; anything else fails with
``FIELD_INTEGRITY_EXCEPTION``. A state code must belong to the country. Records from before the
picklists were turned on may still hold text without a code until they are edited.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

import pycountry

from desktop_app.sandbox.salesforce.schema import FieldDef

# Countries whose states Salesforce ships as picklist values (a subset of its list).
STATE_COUNTRIES = ("US", "CA", "AU", "MX", "BR", "IN", "IE", "IT")
ADDRESS_PREFIXES = {"Account": ("Billing", "Shipping"), "Contact": ("Mailing",)}
_BAD_COUNTRY = (
    "There's a problem with this country, even though it may appear correct. Please select a "
    "country/territory from the list of valid countries."
)
_BAD_STATE = (
    "There's a problem with this state, even though it may appear correct. Please select a state from "
    "the list of valid states."
)


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(code, name) of every country in the org's list, by name."""
    return tuple(sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1]))


@cache
def states() -> dict[str, tuple[tuple[str, str], ...]]:
    """Country code → (state code, name) of its states, for the countries that have them."""
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for country in STATE_COUNTRIES:
        found_here = pycountry.subdivisions.get(country_code=country) or ()  # type: ignore[no-untyped-call]
        top = [s for s in found_here if s.parent_code is None]
        found[country] = tuple(sorted(((s.code.split("-", 1)[1], s.name) for s in top), key=lambda p: p[1]))
    return found


def _valid_for(country: str) -> str:
    """The describe ``validFor`` bitmap: bit i (from the left) set when valid for controlling value i."""
    index = [code for code, _ in countries()].index(country)
    bits = bytearray((len(countries()) + 7) // 8)
    bits[index // 8] |= 0x80 >> (index % 8)
    return base64.b64encode(bytes(bits)).decode("ascii")


def code_fields(prefix: str) -> tuple[FieldDef, ...]:
    """The ``<prefix>CountryCode`` and dependent ``<prefix>StateCode`` picklist fields."""
    state_values = [(code, name, country) for country, rows in states().items() for code, name in rows]
    return (
        FieldDef(
            f"{prefix}CountryCode",
            "picklist",
            f"{prefix} Country Code",
            10,
            picklist=tuple((code, True) for code, _ in countries()),
            picklist_labels=tuple(name for _, name in countries()),
            compound=f"{prefix}Address",
        ),
        FieldDef(
            f"{prefix}StateCode",
            "picklist",
            f"{prefix} State Code",
            10,
            picklist=tuple((code, True) for code, _, _ in state_values),
            picklist_labels=tuple(name for _, name, _ in state_values),
            picklist_valid_for=tuple(_valid_for(country) for _, _, country in state_values),
            controller=f"{prefix}CountryCode",
            compound=f"{prefix}Address",
        ),
    )


def country_code(text: str | None) -> str | None:
    """The code of the country ``text`` names (its code or its name, any case), or None."""
    if not text:
        return None
    wanted = text.strip().lower()
    return next((code for code, name in countries() if wanted in (code.lower(), name.lower())), None)


def state_code(country: str | None, text: str | None) -> str | None:
    """The code of the state of ``country`` that ``text`` names, or None."""
    if not text or not country:
        return None
    wanted = text.strip().lower()
    return next((code for code, name in states().get(country, ()) if wanted in (code.lower(), name.lower())), None)


def settle(object_name: str, merged: dict[str, Any], changes: dict[str, Any]) -> tuple[str, str] | None:
    """Make the text and code fields of each changed address agree (adding to ``changes``); the
    (message, field) of the integrity error when a value is not in the org's lists."""
    for prefix in ADDRESS_PREFIXES.get(object_name, ()):
        problem = _settle_one(prefix, merged, changes)
        if problem is not None:
            return problem
    return None


def _settle_one(p: str, merged: dict[str, Any], changes: dict[str, Any]) -> tuple[str, str] | None:
    names = dict(countries())
    code_field, text_field = f"{p}CountryCode", f"{p}Country"
    if code_field in changes:
        code = changes[code_field]
        if code and code not in names:
            return _BAD_COUNTRY, code_field
        text = changes.get(text_field)
        if code and text and country_code(text) != code:
            return _BAD_COUNTRY, text_field
        changes[text_field] = names[code] if code else None
    elif text_field in changes:
        text = changes[text_field]
        code = country_code(text)
        if text and code is None:
            return _BAD_COUNTRY, text_field
        changes[code_field], changes[text_field] = code, names[code] if code else None
    country = changes.get(code_field, merged.get(code_field))
    state_names = dict(states().get(country or "", ()))
    scode_field, stext_field = f"{p}StateCode", f"{p}State"
    if scode_field in changes:
        scode = changes[scode_field]
        if scode and scode not in state_names:
            return _BAD_STATE, scode_field
        changes[stext_field] = state_names[scode] if scode else None
    elif stext_field in changes and state_names:
        stext = changes[stext_field]
        scode = state_code(country, stext)
        if stext and scode is None:
            return _BAD_STATE, stext_field
        changes[scode_field], changes[stext_field] = scode, state_names[scode] if scode else None
    elif code_field in changes and merged.get(scode_field) and merged.get(scode_field) not in state_names:
        changes[scode_field] = changes[stext_field] = None  # the old state belongs to the old country
    return None
