"""Column presets for the customer exports of common billing and accounting systems.

A preset says which export column holds each role when auto-detection could guess wrong, where
the Salesforce Account id goes in that system, and what its re-import file looks like. With no
preset, roles are detected from the headers and the generic ``billing_id,salesforce_account_id``
re-import file is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FilePreset:
    """How one system's customer export is read and how its link re-import file is shaped.

    ``overrides`` map roles to export headers (applied only when the header is present).
    ``link_header`` is the export column that holds the Salesforce id (added when missing).
    ``link_pattern`` extracts the id from a free-text column (e.g. QuickBooks ``Notes``), and
    ``link_format`` is how a value is written there. ``reimport_key`` / ``reimport_key_role`` name
    the re-import file's first column and the role whose value fills it.
    """

    name: str
    display_name: str
    link_header: str
    reimport_key: str
    reimport_link: str
    reimport_key_role: str = "customer_id"
    overrides: dict[str, str] = field(default_factory=dict)
    link_pattern: str | None = None
    link_format: str = "{id}"
    note: str = ""

    def extract_link(self, text: str) -> str:
        """The Salesforce id held in a link cell ("" when none)."""
        text = text.strip()
        if not self.link_pattern:
            return text
        found = re.search(self.link_pattern, text)
        return found.group(1) if found else ""

    def merge_link(self, cell: str, account_id: str) -> str:
        """The link cell after writing ``account_id`` (free text around it is kept)."""
        if not self.link_pattern:
            return account_id
        written = self.link_format.format(id=account_id) if account_id else ""
        found = re.search(self.link_pattern, cell)
        if found:
            merged = cell[: found.start()] + written + cell[found.end():]
        else:
            merged = f"{cell.rstrip()} {written}" if cell.strip() else written
        return " ".join(merged.split())


GENERIC = FilePreset(
    "generic", "Billing system", link_header="salesforce_account_id",
    reimport_key="billing_id", reimport_link="salesforce_account_id",
)

PRESETS: dict[str, FilePreset] = {
    preset.name: preset
    for preset in (
        GENERIC,
        FilePreset(
            "stripe", "Stripe export", link_header="salesforce_account_id (metadata)",
            reimport_key="id", reimport_link="metadata[salesforce_account_id]",
            overrides={"customer_id": "id", "sf_account_id": "salesforce_account_id (metadata)"},
        ),
        FilePreset(
            "chargebee", "Chargebee", link_header="customers.cf_salesforce_account_id",
            reimport_key="id", reimport_link="cf_salesforce_account_id",
            overrides={"customer_id": "customers.id", "name": "customers.company",
                       "sf_account_id": "customers.cf_salesforce_account_id"},
            note="Create the custom field cf_salesforce_account_id in Chargebee before importing.",
        ),
        FilePreset(
            "quickbooks", "QuickBooks Online", link_header="Notes",
            reimport_key="Id", reimport_link="Notes",
            overrides={"customer_id": "Id", "name": "Display Name", "legal_name": "Company Name",
                       "sf_account_id": "Notes"},
            link_pattern=r"SFDC\s+([0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?)\b", link_format="SFDC {id}",
            note="QuickBooks custom fields depend on the plan; the id is kept in Notes as 'SFDC <id>'.",
        ),
        FilePreset(
            "xero", "Xero", link_header="ContactNumber",
            reimport_key="*ContactName", reimport_link="ContactNumber", reimport_key_role="name",
            overrides={"customer_id": "AccountNumber", "name": "*ContactName",
                       "sf_account_id": "ContactNumber"},
            note="Xero matches imported contacts by name; ContactNumber holds external ids.",
        ),
        FilePreset(
            "zuora", "Zuora", link_header="CRM Account ID",
            reimport_key="Id", reimport_link="crmId",
            overrides={"customer_id": "Id", "name": "Account Name", "sf_account_id": "CRM Account ID"},
        ),
        FilePreset(
            "netsuite", "NetSuite", link_header="custentity_sf_account_id",
            reimport_key="Internal ID", reimport_link="custentity_sf_account_id",
            overrides={"customer_id": "Internal ID", "sf_account_id": "custentity_sf_account_id"},
            note="Create the custom entity field custentity_sf_account_id before importing.",
        ),
        FilePreset(
            "upflow", "Upflow", link_header="salesforce_account_id",
            reimport_key="externalId", reimport_link="salesforce_account_id",
            overrides={"customer_id": "externalId"},
            note="Upflow links by a shared identifier: the same text value on both sides.",
        ),
        FilePreset(
            "recurly", "Recurly", link_header="salesforce_account_id",
            reimport_key="account_code", reimport_link="custom_field_salesforce_account_id",
            overrides={"customer_id": "account_code"},
            note="Define the custom field salesforce_account_id in Recurly's admin first.",
        ),
    )
}


def preset_named(name: str | None) -> FilePreset:
    """The preset called ``name`` (case-insensitive); the generic one for None/"" or "auto"."""
    if not name or name.lower() == "auto":
        return GENERIC
    try:
        return PRESETS[name.lower()]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise ValueError(f"Unknown preset {name!r}. Choose one of: {known}.") from None


def detect_preset(headers: list[str]) -> FilePreset:
    """The preset whose columns the export has (its id column and at least one more), else generic."""
    present = set(headers)
    best, best_hits = GENERIC, 1
    for preset in PRESETS.values():
        if preset.overrides.get("customer_id") not in present:
            continue
        hits = sum(1 for header in set(preset.overrides.values()) | {preset.link_header} if header in present)
        if hits > best_hits:
            best, best_hits = preset, hits
    return best
