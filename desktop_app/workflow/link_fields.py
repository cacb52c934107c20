"""Which Account fields can hold the billing customer id, and which Account fields to read.

Only text fields the user may edit can hold a link: a number field would mangle ids like ``cus_123``
and a formula field cannot be written. Every other field is still listed, with the reason it can't.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.salesforce.address_fields import address_fields

LINK_FIELD_TYPES = frozenset({"string"})
MIN_LINK_LENGTH = 40  # Stripe ids are ~18 characters, Sequence ids are 36-character UUIDs
# Canonical account role → the standard Account field that holds it (read when the org has it).
ACCOUNT_ROLE_FIELDS: dict[str, str] = {
    "account_id": "Id", "name": "Name", "website": "Website", "email": "Email", "phone": "Phone",
    "street": "BillingStreet", "city": "BillingCity", "state": "BillingState",
    "postcode": "BillingPostalCode", "country": "BillingCountry", "currency": "CurrencyIsoCode",
}


@dataclass(frozen=True)
class FieldChoice:
    """One Account field as the Link fields page offers it."""

    name: str
    label: str
    type: str
    eligible: bool
    reason: str  # why it cannot hold the link ("" when it can)

    def text(self) -> str:
        """What the list shows: label, API name and type, plus the reason when not eligible."""
        shown = f"{self.label} ({self.name}, {self.type})"
        return shown if self.eligible else f"{shown} — {self.reason}"


def _with_article(kind: str) -> str:
    """"an id", "an int", "a picklist" (the type as the describe spells it)."""
    return f"an {kind}" if kind[:1].lower() in ("a", "e", "i", "o", "u") else f"a {kind}".rstrip()


def _reason(entry: Mapping[str, Any]) -> str:
    kind = str(entry.get("type") or "")
    if kind not in LINK_FIELD_TYPES:
        return f"{_with_article(kind)} field cannot hold ids like cus_123 or UUIDs; use a Text field"
    if not str(entry.get("name") or "").endswith("__c"):
        return "a standard field already holds other data; use a custom Text field"
    if entry.get("calculated"):
        return "a formula field cannot be written"
    if not entry.get("updateable", False):
        return "you may not edit this field (field-level security or a system field)"
    length = int(entry.get("length") or 0)
    if 0 < length < MIN_LINK_LENGTH:
        return f"holds only {length} characters; customer ids need up to {MIN_LINK_LENGTH}"
    return ""


def link_field_choices(describe: Mapping[str, Any]) -> list[FieldChoice]:
    """Every Account field from ``describe``: eligible ones first (custom before standard), then the rest."""
    choices = []
    for entry in describe.get("fields") or []:
        reason = _reason(entry)
        choices.append(FieldChoice(str(entry.get("name")), str(entry.get("label") or entry.get("name")),
                                   str(entry.get("type") or ""), not reason, reason))
    return sorted(choices, key=lambda c: (not c.eligible, not c.name.endswith("__c"), c.label.lower()))


class AccountFieldError(ValueError):
    """A field asked for does not exist on Account in this org; the message says where to fix it."""


def account_fields_to_read(describe: Mapping[str, Any], link_field: str,
                           extra: Sequence[str] = ()) -> dict[str, str]:
    """Role → Account field (as the org spells it) for every role this org has a field for, the link
    field, then each ``extra`` field under its own name. API names are matched without regard to case,
    as Salesforce does; with State and Country/Territory picklists, state and country are read from the
    code fields. Raises ``AccountFieldError`` for a link field or extra field the org lacks."""
    present = {str(entry.get("name")).lower(): str(entry.get("name")) for entry in describe.get("fields") or []}
    if link_field.lower() not in present:
        raise AccountFieldError(
            f"The link field {link_field!r} does not exist on Account in this org; create it in Setup → "
            "Object Manager → Account → Fields & Relationships, or choose another one.")
    unknown = [name for name in extra if name.lower() not in present]
    if unknown:
        raise AccountFieldError(f"No Account field named {', '.join(map(repr, unknown))} in this org "
                                "(use API names, e.g. Industry or My_Field__c).")
    wanted = {**ACCOUNT_ROLE_FIELDS, **address_fields(describe)}  # the code fields in picklist orgs
    chosen = {role: present[name.lower()] for role, name in wanted.items() if name.lower() in present}
    chosen["account_id"] = "Id"
    chosen["link_customer_id"] = present[link_field.lower()]
    for name in extra:
        chosen.setdefault(present[name.lower()], present[name.lower()])
    return chosen
