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
from collections.abc import Callable
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
    def nothing_audited(self) -> str | None:
        """Why the audit cannot vouch for anything: a side with no record (None: both had some)."""
        empty = [side for side, count in (("Accounts", self.accounts), ("billing customers", self.customers))
                 if not count]
        if not empty:
            return None
        return (f"There were no {' and no '.join(empty)} to audit, so no link was checked: check the connection "
                "(org, billing system, file) and run the audit again.")

    @property
    def healthy(self) -> bool:
        """True when nothing was found in records that were there to check (an audit of nothing is not)."""
        return self.findings.empty and self.nothing_audited is None


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


Finding = tuple[str, str, str, str]  # kind, account_id, customer_id, detail


@dataclass(frozen=True)
class _LinkSide:
    """One side's link fields as the audit reads them, and the words of its findings."""

    links: dict[str, str]  # the holder's id → what its link field names ("" = nothing)
    names: Callable[[str], str | None]  # a link's value → the other side's id it names (None: not an id of it)
    read_back: Callable[[str], str]  # a link's value as the other side compares it with its own id
    ids: Callable[[str, str], tuple[str, str]]  # (holder, named id or value) → (account_id, customer_id)
    missing: tuple[str, Callable[[str, str], str]]  # kind and sentence: the named record does not exist
    shared: tuple[str, str]  # kind and words: several of this side's records name one of the other
    not_back: Callable[[str, str], str]  # the named record's link field holds nothing
    elsewhere: Callable[[str, str, str], str] | None  # … names another record (None: said from the other side)
    # A missing record is looked for in other letter case (an Excel round trip or a hand edit changes
    # it): ``case_key`` folds an id of the other side for that, ``noun`` names that side's record.
    case_key: Callable[[str], str]
    noun: str


def audit_links(accounts: pd.DataFrame, customers: pd.DataFrame, *, one_to_one: bool = True) -> AuditResult:
    """Findings from ``accounts`` (account_id, link_customer_id, currency) and ``customers``
    (customer_id, sf_account_id, currency); writes nothing."""
    # A placeholder ('NA', 'null', '0' …) in a link field holds nothing; Account ids compare by account_key.
    account_side = _LinkSide(
        links={account_key(_text(a)): link_key(_text(c), "account")
               for a, c in zip(accounts["account_id"], accounts["link_customer_id"], strict=True)},
        names=lambda value: value, read_back=lambda value: value, ids=lambda holder, value: (holder, value),
        missing=("account_to_missing_customer", lambda account_id, customer_id: (
            f"The Account's link names customer {customer_id}, which the billing system does not have.")),
        shared=("customer_shared", "Accounts share customer"),
        not_back=lambda _, customer_id: f"The Account points to {customer_id}; the customer holds no Account id.",
        elsewhere=lambda _, customer_id, back: f"The Account points to {customer_id}, which points back to {back}.",
        case_key=str.casefold, noun="the customer")
    customer_side = _LinkSide(
        links={_text(c): "" if not link_key(_text(a), "customer") else _text(a)
               for c, a in zip(customers["customer_id"], customers["sf_account_id"], strict=True)},
        names=normalize_id, read_back=account_key, ids=lambda holder, value: (value, holder),
        missing=("customer_to_missing_account", lambda customer_id, raw: (
            f"Customer {customer_id} names Account {raw}, which does not exist (deleted, merged or not an "
            "Account id).")),
        shared=("account_shared", "customers share Account"),
        not_back=lambda customer_id, _: f"Customer {customer_id} points to the Account; the Account's link field "
                                        "is empty.",
        elsewhere=None,
        # 18-character ids come back whole through ``names``; a 15-character one in other letter case is
        # another id, and only its first 15 characters can be compared
        case_key=lambda account_id: account_id.strip()[:15].casefold(), noun="the Account")
    rows = [*_names_missing(account_side, customer_side), *_names_missing(customer_side, account_side)]
    if one_to_one:
        rows += [*_shared(account_side), *_shared(customer_side)]
    currency = _currency_check(_currencies(accounts, "account_id", account_key),
                               _currencies(customers, "customer_id", lambda c: c))
    from_accounts, linked = _answers(account_side, customer_side, on_pair=currency)
    rows += [*from_accounts, *_answers(customer_side, account_side)[0]]
    findings = pd.DataFrame(rows, columns=list(FINDING_COLUMNS), dtype=object)
    return AuditResult(findings, len(account_side.links), len(customer_side.links), linked)


def _names_missing(side: _LinkSide, other: _LinkSide) -> list[Finding]:
    """A finding per link of ``side`` naming a record ``other`` does not have."""
    kind, sentence = side.missing
    rows = []
    folded: dict[str, list[str]] | None = None
    for holder, value in side.links.items():
        named = side.names(value) if value else ""
        if value and (named is None or named not in other.links):
            if folded is None:  # only once a link names a missing record
                folded = {}
                for record in other.links:
                    folded.setdefault(side.case_key(record), []).append(record)
            near = folded.get(side.case_key(value), [])
            rows.append((kind, *side.ids(holder, value), sentence(holder, value) + _other_case(near, side.noun)))
    return rows


def _other_case(near: list[str], noun: str) -> str:
    """The clause naming the record(s) whose id differs from the missing one only in letter case."""
    if not near:
        return ""
    ids = ", ".join(sorted(near))
    return (f" It has {ids}, the same id in other letter case: ids are case-sensitive, so if that is {noun}, "
            "write its id exactly (an Excel round trip or a hand edit changes the case).")


def _answers(side: _LinkSide, other: _LinkSide, *,
             on_pair: Callable[[str, str], list[Finding]] | None = None) -> tuple[list[Finding], int]:
    """How the records ``side``'s links name answer: linking back (a pair: counted, and ``on_pair``'s
    findings), holding nothing (one-sided), or naming another record (the sides disagree)."""
    rows: list[Finding] = []
    linked = 0
    for holder, value in side.links.items():
        named = side.names(value) if value else None
        if not named or named not in other.links:
            continue
        back = other.read_back(other.links[named])
        account_id, customer_id = side.ids(holder, named)
        if back == holder:
            linked += 1
            rows += on_pair(account_id, customer_id) if on_pair is not None else []
        elif not back:
            rows.append(("one_sided", account_id, customer_id, side.not_back(holder, value)))
        elif side.elsewhere is not None:
            rows.append(("sides_disagree", account_id, customer_id, side.elsewhere(holder, value, back)))
    return rows, linked


def _currencies(frame: pd.DataFrame, id_column: str, key: Callable[[str], str]) -> dict[str, str]:
    return {key(_text(i)): _text(c).upper() for i, c in zip(frame[id_column], frame["currency"], strict=True)}


def _currency_check(account_currency: dict[str, str],
                    customer_currency: dict[str, str]) -> Callable[[str, str], list[Finding]]:
    """A linked pair's finding when the Account's currency differs from the customer's billing currency."""

    def check(account_id: str, customer_id: str) -> list[Finding]:
        mine, theirs = account_currency.get(account_id, ""), customer_currency.get(customer_id, "")
        if mine and theirs and mine != theirs:
            return [("currency_mismatch", account_id, customer_id,
                     f"The Account is in {mine}, the customer bills in {theirs}.")]
        return []

    return check


def _shared(side: _LinkSide) -> list[Finding]:
    """A finding per record of ``side`` naming a record that another of ``side``'s records names too."""
    kind, words = side.shared
    holders: dict[str, list[str]] = {}
    for holder, value in side.links.items():
        if value:
            holders.setdefault(side.read_back(value), []).append(holder)
    rows = []
    for target, many in holders.items():
        if len(many) < 2:
            continue
        names = ", ".join(sorted(many))
        rows += [(kind, *side.ids(holder, target), f"{len(many)} {words} {target}: {names}.")
                 for holder in sorted(many)]
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
