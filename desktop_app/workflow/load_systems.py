"""Load accounts and customers straight from the APIs into snapshot files the wizard then reads.

The snapshot is a plain CSV in the data folder (the record of what was read, and the same input the
file route uses), with column overrides that name exactly which column holds which role.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from desktop_app.billing.base import BillingSystem
from desktop_app.core.progress import CancelToken, ProgressCallback, ignore_progress
from desktop_app.core.report import write_data_csv
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW, Side
from desktop_app.salesforce.address_fields import TEXT_OF_CODE, fill_codes_from_text
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.workflow.load_files import ColumnOverride

_READABLE = {"customer_id": "Customer ID", "name": "Name", "legal_name": "Legal name", "email": "Email",
             "website": "Website", "street": "Street", "city": "City", "state": "State", "postcode": "Postcode",
             "country": "Country", "currency": "Currency", "sf_account_id": "Salesforce Account ID"}
CUSTOMER_HEADERS: dict[str, str] = {role: _READABLE.get(role, role) for role in CUSTOMER_ROLES}


def fetch_accounts(client: SalesforceClient, role_fields: Mapping[str, str], folder: Path, *,
                   progress: ProgressCallback = ignore_progress,
                   cancel: CancelToken | None = None) -> tuple[Path, list[ColumnOverride]]:
    """Read every Account's ``role_fields`` through the API into ``folder/salesforce_accounts.csv``."""
    fields = [name for role, name in role_fields.items() if role != "account_id"]
    # A picklist org's records without a code yet keep their text: read it too, to stand in for the code.
    fields += [TEXT_OF_CODE[f] for f in fields if f in TEXT_OF_CODE and TEXT_OF_CODE[f] not in fields]
    frame = fill_codes_from_text(client.read_accounts(fields, progress=progress, cancel=cancel))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "salesforce_accounts.csv"
    write_data_csv(path, frame)
    by_lower = {str(c).lower(): str(c) for c in frame.columns}
    overrides = [ColumnOverride(role, by_lower.get(name.lower(), name), Side.ACCOUNTS)
                 for role, name in role_fields.items()]
    return path, overrides


def fetch_customers(system: BillingSystem, folder: Path, *, progress: ProgressCallback = ignore_progress,
                    cancel: CancelToken | None = None) -> tuple[Path, list[ColumnOverride]]:
    """Read every customer through the adapter into ``folder/billing_customers.csv``."""
    frame = system.customers_frame(progress=progress, cancel=cancel)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "billing_customers.csv"
    write_data_csv(path, frame.drop(columns=[SOURCE_ROW], errors="ignore").rename(columns=CUSTOMER_HEADERS))
    overrides = [ColumnOverride(role, header, Side.CUSTOMERS) for role, header in CUSTOMER_HEADERS.items()]
    return path, overrides
