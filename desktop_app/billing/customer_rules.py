"""What each billing system requires of a customer before it takes a link, as data: the one source
the adapters' capabilities, the registry's text and the Data quality checks all read.

Each tuple follows the vendor's published reference (quoted per system below); each system's
sandbox refuses what its rules flag, and a test per system holds the two together
(tests/billing/test_system_requirements.py). What cannot be seen in a customers frame (a deleted
customer, the length of QuickBooks Notes) is in ``NOT_CHECKED_BEFORE`` and reported by the adapter
when the write is refused.
"""

from __future__ import annotations

from desktop_app.core.addresses import WARNING
from desktop_app.core.billing_rules import CustomerRequirement

LINK_ROLE = "sf_account_id"  # the customers-frame role of the Salesforce Account id the system stores
LINK_LABEL = "Salesforce Account id (the link)"

# Sequence's customer PUT (API reference, "Update Customer"): legalName, email and address are
# required; the address needs line1, town, postcode and an alpha-2 country.
SEQUENCE = (
    CustomerRequirement(("legal_name", "name"), "legal name", "legalName"),
    CustomerRequirement(("email",), "e-mail address", "email"),
    CustomerRequirement(("street",), "street (address line 1)", "address.line1"),
    CustomerRequirement(("city",), "town", "address.town"),
    CustomerRequirement(("postcode",), "postcode", "address.postcode"),
    CustomerRequirement(("country",), "country", "address.country", iso_country=True),
)

# Stripe's metadata limits (docs.stripe.com/api/metadata): values up to 500 characters (keys up to
# 40, at most 50 keys: the key is checked when the adapter is opened, the count at write time).
STRIPE = (
    CustomerRequirement((LINK_ROLE,), LINK_LABEL, "metadata value", required=False, max_length=500),
)

# QuickBooks Online (Accounting API, Customer): DisplayName "must be unique across all Customer,
# Vendor, and Employee objects", at most 500 characters. Intuit's help says QuickBooks names are
# not case sensitive ("QuickBooks considers 'BOB' a duplicate of 'bob'",
# support.quickbooks.intuit.com, "How the conversion tool handles names"); surrounding spaces are
# not part of a name QuickBooks keeps, so both are ignored when names are compared.
QUICKBOOKS = (
    CustomerRequirement(("name",), "display name", "DisplayName", required=False, max_length=500, unique=True,
                        unique_scope="across customers, vendors and employees"),
)

# Chargebee: a single-line text custom field holds at most 250 characters (Settings → Custom fields).
CHARGEBEE = (
    CustomerRequirement((LINK_ROLE,), LINK_LABEL, "the cf_ custom field", required=False, max_length=250),
)

# Xero Contacts: ContactNumber "max length = 50".
XERO = (
    CustomerRequirement((LINK_ROLE,), LINK_LABEL, "ContactNumber", required=False, max_length=50),
)

# Zuora Account: CrmId at most 100 characters; the bill-to contact needs a country, and a state or
# province in the United States and Canada.
ZUORA = (
    CustomerRequirement((LINK_ROLE,), LINK_LABEL, "CrmId", required=False, max_length=100),
    CustomerRequirement(("country",), "bill-to country", "billToContact.country"),
    CustomerRequirement(("state",), "bill-to state or province", "billToContact.state",
                        when_countries=frozenset({"US", "CA"})),
)

# Upflow's Salesforce guide: the shared identifier must be on both sides (missing), on one customer
# only (duplicate), and be the exact 18-character id as text (formatting). Upflow takes any text,
# so these break its sync rather than its API: Crosslink refuses to write a duplicate or badly
# formatted identifier, and a missing one is what the link will fill in (a warning).
UPFLOW_ID_PATTERN = r"[A-Za-z0-9]{18}"
UPFLOW_FIELD = "the identifier custom field"
UPFLOW = (
    CustomerRequirement((LINK_ROLE,), "shared identifier", UPFLOW_FIELD, severity=WARNING,
                        consequence="Upflow's Salesforce sync cannot find the customer's Account until it is "
                                    "written (Crosslink writes it when the customer is linked)"),
    CustomerRequirement((LINK_ROLE,), "shared identifier", UPFLOW_FIELD, required=False, unique=True,
                        pattern=UPFLOW_ID_PATTERN, pattern_text="the 18-character Salesforce Account id as text",
                        consequence="Upflow's Salesforce sync cannot pair the customer with its Account, and "
                                    "Crosslink does not write such an identifier"),
)

# What each system requires that a customers frame does not show; the adapter reports it per
# customer when the system refuses the write.
NOT_CHECKED_BEFORE: dict[str, tuple[str, ...]] = {
    "stripe": ("a metadata key of at most 40 characters without square brackets; at most 50 metadata keys",),
    "quickbooks": ("Notes at most 2,000 characters including the link line",
                   "current SyncToken (a customer edited meanwhile is read again)"),
    "chargebee": ("a live customer (deleted ones are not listed and cannot be updated)",
                  "personal data not cleared (GDPR-cleared customers cannot be updated)",
                  "the custom field exists on the site"),
    "xero": ("an ACTIVE contact (archived contacts are restored first; GDPR-erased ones cannot be edited)",),
    "zuora": ("a CrmId replaced after a Zuora 360 sync needs its Sync Cleanup",),
}
