"""Which Account fields hold an address, in orgs with and without State and Country/Territory picklists.

With the picklists on, ``BillingCountryCode`` / ``BillingStateCode`` are what count: a country name in
``BillingCountry`` is then just the code's label. Records entered before the picklists were turned on
can still hold text without a code; for them the text is the value (what a check reads and a fix
replaces). A country fix is written into the code field. A state fix goes into ``BillingStateCode``
only for countries the org has a state list for (read from describe), otherwise into ``BillingState``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import pandas as pd

TEXT_FIELDS: dict[str, str] = {
    "street": "BillingStreet",
    "city": "BillingCity",
    "state": "BillingState",
    "postcode": "BillingPostalCode",
    "country": "BillingCountry",
}
CODE_FIELDS: dict[str, str] = {"state": "BillingStateCode", "country": "BillingCountryCode"}
TEXT_OF_CODE: dict[str, str] = {CODE_FIELDS[role]: TEXT_FIELDS[role] for role in CODE_FIELDS}


def _fields(describe: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(entry.get("name")): entry for entry in describe.get("fields") or []}


def has_address_picklists(describe: Mapping[str, Any]) -> bool:
    """True when the org has State and Country/Territory picklists on Account."""
    return CODE_FIELDS["country"] in _fields(describe)


def address_fields(describe: Mapping[str, Any]) -> dict[str, str]:
    """Role → the Account field that counts for it (the code fields in picklist orgs)."""
    fields = dict(TEXT_FIELDS)
    if has_address_picklists(describe):
        fields.update(CODE_FIELDS)
    return fields


def countries_with_states(describe: Mapping[str, Any]) -> frozenset[str]:
    """The country codes the org has a state picklist for (from the state field's ``validFor``)."""
    found = _fields(describe)
    countries = [str(v.get("value")) for v in (found.get(CODE_FIELDS["country"]) or {}).get("picklistValues") or []]
    with_states: set[str] = set()
    for value in (found.get(CODE_FIELDS["state"]) or {}).get("picklistValues") or []:
        bits = base64.b64decode(value.get("validFor") or "")
        with_states.update(c for i, c in enumerate(countries) if i // 8 < len(bits) and bits[i // 8] & (0x80 >> i % 8))
    return frozenset(with_states)


def fill_codes_from_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each blank code cell taken from its text field (records without a code yet)."""
    out = frame.copy()
    for code_field, text_field in TEXT_OF_CODE.items():
        if code_field in out.columns and text_field in out.columns:
            blank = out[code_field].fillna("").astype(str).str.strip() == ""
            out.loc[blank, code_field] = out.loc[blank, text_field]
    return out
