"""Canonical column roles: the names every core step uses for the columns of a loaded table.

File intake maps whatever headers a file has onto these roles; matching, address checks, plans and
reports only ever see the role names below. A role missing from a file becomes an empty column.
"""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """Which kind of records a table holds."""

    ACCOUNTS = "accounts"
    CUSTOMERS = "customers"
    MAPPING = "mapping"
    CONTACTS = "contacts"


# Salesforce Accounts. ``link_customer_id`` is the Account's link field (the billing customer id).
ACCOUNT_ROLES: tuple[str, ...] = (
    "account_id",
    "name",
    "website",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "postcode",
    "country",
    "currency",
    "link_customer_id",
)

# Billing customers. ``sf_account_id`` is where the customer stores the Salesforce Account id.
CUSTOMER_ROLES: tuple[str, ...] = (
    "customer_id",
    "name",
    "legal_name",
    "email",
    "website",
    "phone",
    "street",
    "city",
    "state",
    "postcode",
    "country",
    "currency",
    "sf_account_id",
)

# An explicit mapping file: pairs of ids the user already knows belong together.
MAPPING_ROLES: tuple[str, ...] = ("account_id", "customer_id")

# Billing contacts (Sequence needs one with a mailing address per customer).
CONTACT_ROLES: tuple[str, ...] = (
    "contact_id",
    "account_id",
    "name",
    "email",
    "street",
    "city",
    "state",
    "postcode",
    "country",
)

ROLES_BY_SIDE: dict[Side, tuple[str, ...]] = {
    Side.ACCOUNTS: ACCOUNT_ROLES,
    Side.CUSTOMERS: CUSTOMER_ROLES,
    Side.MAPPING: MAPPING_ROLES,
    Side.CONTACTS: CONTACT_ROLES,
}

# The role holding each side's own record id.
ID_ROLE: dict[Side, str] = {
    Side.ACCOUNTS: "account_id",
    Side.CUSTOMERS: "customer_id",
    Side.MAPPING: "account_id",
    Side.CONTACTS: "contact_id",
}

# Column present in every canonical frame: the 1-based line (CSV) or row (XLSX) of the source
# file the record came from, so every message can point at it.
SOURCE_ROW = "source_row"
