"""Demo mode: invent a realistic, messy accounts export and billing export to try the whole flow on.

The files look like what people bring: a Salesforce report's headers on one side, a Stripe export's
on the other, so the Load page's column detection is exercised exactly as with real files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from desktop_app.core.csv_out import write_frame
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.core.roles import SOURCE_ROW
from desktop_app.sandbox.demo_data import generate

DEMO_ACCOUNTS = 2_000
SALESFORCE_HEADERS = {
    "account_id": "Id", "name": "Name", "website": "Website", "email": "Email", "phone": "Phone",
    "street": "BillingStreet", "city": "BillingCity", "state": "BillingState",
    "postcode": "BillingPostalCode", "country": "BillingCountry", "currency": "CurrencyIsoCode",
    "link_customer_id": DEFAULT_LINK_FIELD,
}
STRIPE_HEADERS = {
    "customer_id": "id", "name": "Name", "legal_name": "Description", "email": "Email", "website": "Website",
    "street": "Address Line1", "city": "Address City", "state": "Address State", "postcode": "Address Zip",
    "country": "Address Country", "currency": "Currency", "sf_account_id": "salesforce_account_id (metadata)",
}


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo's accounts, customers and mapping files were written."""

    accounts: Path
    customers: Path
    mapping: Path


def write_demo_files(folder: Path, accounts: int = DEMO_ACCOUNTS, *, progress: ProgressCallback = ignore_progress,
                     cancel: CancelToken | None = None) -> DemoFiles:
    """Write an accounts, a customers and a known-links file into ``folder`` (same size → same data)."""
    progress(Progress(0, 3, "Inventing demo accounts and customers"))
    data = generate(accounts)
    if cancel is not None:
        cancel.raise_if_cancelled()
    folder.mkdir(parents=True, exist_ok=True)
    progress(Progress(1, 3, "Writing the demo accounts file"))
    paths = DemoFiles(folder / "demo_salesforce_accounts.csv", folder / "demo_stripe_customers.csv",
                      folder / "demo_known_links.csv")
    # Data CSV, not write_csv: the content is ours (no formula-like cells) and this is much faster.
    write_frame(paths.accounts, _renamed(data.accounts, SALESFORCE_HEADERS))
    progress(Progress(2, 3, "Writing the demo customers file"))
    write_frame(paths.customers, _renamed(data.customers, STRIPE_HEADERS))
    # The links someone already knew: most of the true pairs, as a consultant's spreadsheet has them.
    known = data.truth.iloc[: len(data.truth) * 4 // 5]
    write_frame(paths.mapping, known.rename(columns={"account_id": "Salesforce Account ID",
                                                     "customer_id": "Stripe Customer ID"}))
    progress(Progress(3, 3, "Demo files ready"))
    return paths


def _renamed(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    return frame.drop(columns=[SOURCE_ROW]).rename(columns=headers)
