"""The one protocol every billing system implements, and the records it speaks in.

An adapter lists customers as ``CustomerRecord`` (or as a canonical customers frame), reads the
link field of given customers, and writes links one customer at a time, reporting a
``LinkWriteResult`` per customer so one bad customer never stops the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from desktop_app.core.billing_rules import CustomerRequirement
from desktop_app.core.progress import CancelToken, ProgressCallback, ignore_progress
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW

WriteStatus = Literal["written", "unchanged", "failed", "not_found"]
Access = Literal["api", "file"]


class BillingError(Exception):
    """A billing system could not be used at all (not a per-customer problem)."""


class BillingAuthError(BillingError):
    """The credentials were refused; nothing was read or written with them."""


class BillingWriteOutcomeUnknown(BillingError):
    """A write reached the wire but its answer was lost; re-read the customer before retrying it."""


class BillingConnectionError(BillingError):
    """The billing system could not be reached even after retries."""


class BillingUnreachable(BillingConnectionError):
    """The billing system stopped answering (refused, dropped or timed out) for longer than the retries.

    Raised out of a per-customer write call, ``results`` holds each pair's result as far as it got,
    None for a pair not sent (the engine keeps those pending for resume)."""

    results: list[LinkWriteResult | None] | None = None


class BillingQuotaExceeded(BillingConnectionError):
    """The billing system kept throttling (HTTP 429) past the wait budget: a rate limit or quota is used up."""


# ``LinkWriteResult.error_code`` of a write whose answer was lost: whoever retries re-reads first.
OUTCOME_UNKNOWN = "outcome_unknown"


@dataclass(frozen=True)
class Capabilities:
    """What an adapter can do and where it keeps the link (shown to the user before a run)."""

    reads_via: Access
    writes_via: Access
    link_location: str
    many_accounts_per_customer: bool = False
    # What the system requires of a customer before it accepts a link (checked on Data quality).
    customer_requirements: tuple[CustomerRequirement, ...] = ()


@dataclass(frozen=True)
class CustomerRecord:
    """One billing customer, normalised. Text fields are "" when the system has no value."""

    customer_id: str
    name: str = ""
    legal_name: str = ""
    email: str = ""
    website: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    currency: str = ""
    sf_account_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def canonical_row(self) -> dict[str, str]:
        """The record as one row of a canonical customers frame (without ``source_row``)."""
        return {role: str(getattr(self, role) or "") for role in CUSTOMER_ROLES}


@dataclass(frozen=True)
class LinkWriteResult:
    """What happened when one customer's link field was set to ``account_id``.

    ``previous`` is the value the field held before (None when empty), so a run can be undone.
    ``error_code`` is a short machine code (``rate_limited``, ``validation``, ``http_500`` …).
    """

    customer_id: str
    account_id: str
    status: WriteStatus
    previous: str | None = None
    error_code: str | None = None
    message: str = ""


@runtime_checkable
class BillingSystem(Protocol):
    """A billing system Crosslink can read customers from and write links to."""

    @property
    def display_name(self) -> str:
        """Name shown to the user, e.g. "Stripe" or "Zuora (file)"."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """How the system is reached and where it stores the Salesforce Account id."""
        ...

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every customer, normalised, in the system's own order."""
        ...

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every customer as a canonical frame (CUSTOMER_ROLES + source_row, all text)."""
        ...

    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """The Salesforce Account id each given customer holds (None when empty or missing)."""
        ...

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Set each customer's link field; one result per pair, in order; never applies twice."""
        ...

    def close(self) -> None:
        """Release connections (the adapter is not used afterwards)."""
        ...


def records_to_frame(records: Iterable[CustomerRecord]) -> pd.DataFrame:
    """Canonical customers frame from records: text columns, ``source_row`` = 1-based position."""
    rows = [record.canonical_row() for record in records]
    # Built column by column into one object block: ``DataFrame(rows)`` over a list of dicts and a
    # frame-wide ``fillna`` are each one long call holding the GIL (~0.1-0.2 s for 100,000 customers,
    # the UI thread stalls meanwhile); a Python loop per column lets other threads run between
    # columns and rows. ``canonical_row`` gives text for every role, so there is nothing to fill.
    values = np.empty((len(CUSTOMER_ROLES), len(rows)), dtype=object)
    for position, role in enumerate(CUSTOMER_ROLES):
        values[position, :] = [row[role] for row in rows]
    frame = pd.DataFrame(values.T, columns=list(CUSTOMER_ROLES), dtype=object, copy=False)
    frame[SOURCE_ROW] = range(1, len(frame) + 1)
    return frame


def clean_text(value: object) -> str:
    """A text field from an API payload: None → "", everything else stripped text."""
    if value is None:
        return ""
    return str(value).strip()


def repeated_customers(pairs: Sequence[tuple[str, str]]) -> dict[int, str]:
    """Positions of pairs that name a customer already given a *different* account earlier in
    ``pairs``, with the reason; such pairs must not be written (the first one wins)."""
    first_account: dict[str, str] = {}
    problems: dict[int, str] = {}
    for position, (customer_id, account_id) in enumerate(pairs):
        earlier = first_account.setdefault(customer_id, account_id)
        if earlier != account_id:
            problems[position] = (
                f"Customer {customer_id} is paired with both {earlier} and {account_id} in this run; "
                "only the first was written. Keep one Account per customer and run again."
            )
    return problems
