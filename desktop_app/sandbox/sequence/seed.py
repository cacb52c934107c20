"""Sequence customers for the sandbox, derived from the shared demo data (same seed → the same
companies the Salesforce sandbox holds), with the mess real Sequence accounts carry: some countries
stored as alpha-3 codes or full names and some customers without a billing address — both of which
the API rejects when the record is written back.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from typing import Any

import pycountry

DEFAULT_LINK_SERVICE = "Salesforce"
MESS_ALPHA3 = 0.03
_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _messy_country(code: str, draw: float) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None or draw >= MESS_ALPHA3:
        return code
    return str(country.alpha_3)


def customer_payload(
    row: Mapping[str, Any], position: int, *, link_service: str = DEFAULT_LINK_SERVICE,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """One Sequence customer (API 2024-07-30 shape) from a canonical customers row.

    With ``rng`` given, the country may be turned into its alpha-3 code. A row with no address
    part at all gets ``address: null``.
    """
    draw = rng.random() if rng is not None else 1.0
    website = _text(row, "website")
    domain = website.split("//")[-1].split("/")[0].removeprefix("www.")
    address: dict[str, str] | None = {
        "line1": _text(row, "street"),
        "town": _text(row, "city"),
        "state": _text(row, "state"),
        "postcode": _text(row, "postcode"),
        "country": _messy_country(_text(row, "country"), draw),
    }
    if address is not None and not any(address.values()):
        address = None
    email = _text(row, "email")
    # Kept exactly as the demo wrote it (stray spaces, 15-char or upper-cased ids are real mess).
    account_id = "" if row.get("sf_account_id") is None else str(row["sf_account_id"])
    created = _EPOCH + dt.timedelta(minutes=position)
    return {
        "id": _text(row, "customer_id"),
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "legalName": _text(row, "legal_name") or _text(row, "name"),
        "label": _text(row, "name"),
        "address": address,
        "email": email,
        "billingEmails": [email] if email else [],
        "url": website,
        "domain": domain,
        "integrationIds": [{"service": link_service, "id": account_id}] if account_id.strip() else [],
        "taxStatus": "TAXED",
        "customProperties": {"currency": _text(row, "currency")} if _text(row, "currency") else {},
    }


def customers_from_rows(
    rows: Iterable[Mapping[str, Any]], *, seed: int = 7, messy: bool = True,
    link_service: str = DEFAULT_LINK_SERVICE,
) -> list[dict[str, Any]]:
    """Sequence customers from canonical rows; ``messy`` adds the realistic defects (seeded)."""
    rng = random.Random(seed) if messy else None
    return [
        customer_payload(row, position, link_service=link_service, rng=rng)
        for position, row in enumerate(rows)
    ]


def demo_customers(
    n_accounts: int, *, seed: int = 7, link_service: str = DEFAULT_LINK_SERVICE
) -> list[dict[str, Any]]:
    """Sequence customers for the demo companies ``demo_data.generate(n_accounts, seed=seed)``."""
    from desktop_app.sandbox import demo_data  # the generator is large; import only when seeding

    data = demo_data.generate(n_accounts, seed=seed)
    records: list[dict[str, Any]] = [
        {str(key): value for key, value in row.items()} for row in data.customers.to_dict(orient="records")
    ]
    return customers_from_rows(records, seed=seed, link_service=link_service)
