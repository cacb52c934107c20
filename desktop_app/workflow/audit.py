"""Link health across both systems, read-only: what is broken, one finding per problem and record.

Finding kinds:

- ``account_to_missing_customer``: an Account's link names a customer the billing system does not have;
- ``customer_to_missing_account``: a customer names an Account that does not exist (deleted, merged
  away, or not an Account id at all);
- ``customer_shared``: several Accounts point to one customer (1:1 is the policy);
- ``account_shared``: several customers point to one Account;
- ``sides_disagree``: the Account points to a customer that points elsewhere (or the reverse);
- ``one_sided``: only one side holds the link;
- ``currency_mismatch``: the Account's ``CurrencyIsoCode`` differs from the customer's billing currency.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from desktop_app.billing.base import BillingSystem
from desktop_app.core.ids import account_key, normalize_id
from desktop_app.core.link_values import link_key
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError

FINDING_COLUMNS = ("kind", "account_id", "customer_id", "detail")
KINDS = (
    "account_to_missing_customer",
    "customer_to_missing_account",
    "customer_shared",
    "account_shared",
    "sides_disagree",
    "one_sided",
    "currency_mismatch",
)


@dataclass(frozen=True)
class AuditResult:
    """The findings (one row each) and headline figures."""

    findings: pd.DataFrame
    accounts: int
    customers: int
    linked_both_sides: int

    def counts(self) -> dict[str, int]:
        """How many findings of each kind (every kind listed, zeros included)."""
        found = Counter(self.findings["kind"].tolist())
        return {kind: int(found.get(kind, 0)) for kind in KINDS}

    @property
    def healthy(self) -> bool:
        """True when nothing was found."""
        return self.findings.empty


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def audit_links(accounts: pd.DataFrame, customers: pd.DataFrame, *, one_to_one: bool = True) -> AuditResult:
    """Findings from ``accounts`` (account_id, link_customer_id, currency) and ``customers``
    (customer_id, sf_account_id, currency); writes nothing."""
    # A placeholder ('NA', 'null', '0' …) in a link field holds nothing; Account ids compare by account_key.
    account_link = {
        account_key(_text(a)): link_key(_text(c), "account")
        for a, c in zip(accounts["account_id"], accounts["link_customer_id"], strict=True)
    }
    account_currency = {
        account_key(_text(a)): _text(c).upper()
        for a, c in zip(accounts["account_id"], accounts["currency"], strict=True)
    }
    customer_link = {
        _text(c): "" if not link_key(_text(a), "customer") else _text(a)
        for c, a in zip(customers["customer_id"], customers["sf_account_id"], strict=True)
    }
    customer_currency = {
        _text(c): _text(v).upper() for c, v in zip(customers["customer_id"], customers["currency"], strict=True)
    }
    rows: list[tuple[str, str, str, str]] = []
    for account_id, customer_id in account_link.items():
        if customer_id and customer_id not in customer_link:
            rows.append(
                (
                    "account_to_missing_customer",
                    account_id,
                    customer_id,
                    f"The Account's link names customer {customer_id}, which the billing system does not have.",
                )
            )
    for customer_id, raw in customer_link.items():
        if not raw:
            continue
        canonical = normalize_id(raw)
        if canonical is None or canonical not in account_link:
            rows.append(
                (
                    "customer_to_missing_account",
                    raw,
                    customer_id,
                    f"Customer {customer_id} names Account {raw}, which does not exist (deleted, merged "
                    "or not an Account id).",
                )
            )
    if one_to_one:
        rows.extend(_shared(account_link, "customer_shared", customer_side=True))
        rows.extend(
            _shared({c: account_key(a) for c, a in customer_link.items()}, "account_shared", customer_side=False)
        )
    linked = 0
    for account_id, customer_id in account_link.items():
        if not customer_id or customer_id not in customer_link:
            continue
        back = account_key(customer_link[customer_id])
        if back == account_id:
            linked += 1
            mine, theirs = account_currency.get(account_id, ""), customer_currency.get(customer_id, "")
            if mine and theirs and mine != theirs:
                rows.append(
                    (
                        "currency_mismatch",
                        account_id,
                        customer_id,
                        f"The Account is in {mine}, the customer bills in {theirs}.",
                    )
                )
        elif back:
            rows.append(
                (
                    "sides_disagree",
                    account_id,
                    customer_id,
                    f"The Account points to {customer_id}, which points back to {back}.",
                )
            )
        else:
            rows.append(
                (
                    "one_sided",
                    account_id,
                    customer_id,
                    f"The Account points to {customer_id}; the customer holds no Account id.",
                )
            )
    for customer_id, raw in customer_link.items():
        target = normalize_id(raw) if raw else None
        if target and target in account_link and not account_link[target]:
            rows.append(
                (
                    "one_sided",
                    target,
                    customer_id,
                    f"Customer {customer_id} points to the Account; the Account's link field is empty.",
                )
            )
    findings = pd.DataFrame(rows, columns=list(FINDING_COLUMNS), dtype=object)
    return AuditResult(findings, len(account_link), len(customer_link), linked)


def _shared(links: dict[str, str], kind: str, *, customer_side: bool) -> list[tuple[str, str, str, str]]:
    holders: dict[str, list[str]] = {}
    for holder, target in links.items():
        if target:
            holders.setdefault(target, []).append(holder)
    rows = []
    for target, many in holders.items():
        if len(many) < 2:
            continue
        names = ", ".join(sorted(many))
        for holder in sorted(many):
            account_id, customer_id = (holder, target) if customer_side else (target, holder)
            what = "Accounts share customer" if customer_side else "customers share Account"
            rows.append((kind, account_id, customer_id, f"{len(many)} {what} {target}: {names}."))
    return rows


def read_and_audit(
    client: SalesforceClient,
    billing: BillingSystem,
    link_field: str,
    *,
    one_to_one: bool = True,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> AuditResult:
    """Read every Account's link field and currency and every customer, then audit them (no writes)."""
    progress(Progress(0, 2, "Reading Salesforce Accounts"))
    try:
        frame = client.read_accounts([link_field, "CurrencyIsoCode"], cancel=cancel)
    except SalesforceError:  # single-currency org: no CurrencyIsoCode on Account
        frame = client.read_accounts([link_field], cancel=cancel)
    column = {str(c).lower(): c for c in frame.columns}
    accounts = pd.DataFrame(
        {
            "account_id": frame["Id"].astype(object),
            "link_customer_id": frame[column[link_field.lower()]].astype(object),
            "currency": frame[column["currencyisocode"]].astype(object) if "currencyisocode" in column else "",
        },
        dtype=object,
    )
    progress(Progress(1, 2, f"Reading {billing.display_name} customers"))
    customers = billing.customers_frame(cancel=cancel)
    result = audit_links(accounts, customers[["customer_id", "sf_account_id", "currency"]], one_to_one=one_to_one)
    progress(Progress(2, 2, "Audit done"))
    return result
