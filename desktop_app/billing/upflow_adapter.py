"""Upflow (collections) with ``requests``: the shared identifier on each Upflow customer.

Upflow does no matching of its own: its Salesforce setup needs the *same* identifier, as text, on
the Salesforce Account and on the Upflow customer, one to one. Its guide names the three ways that
breaks — a value **missing** on one side, a value **duplicated** on two customers, and **formatting**
differences (spaces, letter case, a 15- instead of an 18-character id). This adapter keeps the
Salesforce Account id as that identifier in a customer custom field (default
``salesforce_account_id``), finds the three causes when reading (``identifier_problems``) and refuses,
before anything is written, a write that would create one of them. Writes are one ``PATCH`` per
customer (Upflow has no batch update); 600 requests a minute.

The API shapes are those of the Upflow sandbox (see its module note on what was verified).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import pandas as pd

from desktop_app.billing import customer_rules
from desktop_app.billing.base import Capabilities, CustomerRecord, LinkWriteResult, clean_text, records_to_frame
from desktop_app.billing.http import (
    HttpAnswer,
    JsonApiClient,
    PooledAdapter,
    RetriesExhausted,
    failed_after_retries,
    transport_errors,
)
from desktop_app.billing.link_writes import write_each
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.registry import request_pool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

DEFAULT_BASE_URL = "https://api.upflow.io/v1"
DEFAULT_FIELD = "salesforce_account_id"
PAGE_SIZE = 100
_SALESFORCE_ID = re.compile(customer_rules.UPFLOW_ID_PATTERN)  # the format the Data quality check asks for
Cause = Literal["missing", "duplicate", "formatting"]


@dataclass(frozen=True)
class IdentifierProblem:
    """One customer whose shared identifier breaks Upflow's Salesforce sync, and why."""

    customer_id: str
    cause: Cause
    message: str


def formatting_problem(value: str) -> str:
    """Why ``value`` is not a clean 18-character Salesforce id ("" when it is one)."""
    if value != value.strip():
        return "has spaces around it"
    if len(value) == 15:
        return "is a 15-character id (Upflow compares text: use the 18-character id)"
    if not _SALESFORCE_ID.fullmatch(value):
        return "is not an 18-character Salesforce id"
    return ""


def identifier_problems(records: Iterable[CustomerRecord]) -> list[IdentifierProblem]:
    """The customers whose identifier is missing, shared with another customer, or badly formatted."""
    holders: dict[str, list[str]] = defaultdict(list)
    problems: list[IdentifierProblem] = []
    for record in records:
        raw = str((record.raw.get("customFields") or {}).get(DEFAULT_FIELD, record.sf_account_id) or "")
        if not raw.strip():
            problems.append(IdentifierProblem(record.customer_id, "missing",
                                              "No shared identifier: Upflow cannot find its Salesforce Account."))
            continue
        holders[raw.strip().upper()].append(record.customer_id)
        why = formatting_problem(raw)
        if why:
            problems.append(IdentifierProblem(record.customer_id, "formatting", f"The identifier {raw!r} {why}."))
    for value, customers in holders.items():
        if len(customers) > 1:
            problems.extend(IdentifierProblem(c, "duplicate", f"The identifier {value} is on {len(customers)} "
                                              f"customers ({', '.join(customers)}); Upflow needs one per Account.")
                            for c in customers)
    return problems


class UpflowBilling(PooledAdapter[JsonApiClient]):
    """The Upflow adapter (implements ``BillingSystem``)."""

    display_name = "Upflow"

    def __init__(self, api_key: str, api_secret: str, *, base_url: str = DEFAULT_BASE_URL,
                 ca_cert: Path | str | None = None, field: str = DEFAULT_FIELD, retry: RetryPolicy | None = None,
                 rate_limit: RateLimit | None = None,
                 run_id: str | None = None, page_size: int = PAGE_SIZE) -> None:
        self.field = field.strip() or DEFAULT_FIELD
        self.run_id = run_id or uuid.uuid4().hex
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self._api = JsonApiClient(base_url, system_name="Upflow",
                                  headers={"X-Api-Key": api_key, "X-Api-Secret": api_secret,
                                           "Accept": "application/json"},
                                  ca_cert=ca_cert, retry=retry, pool=request_pool("upflow", rate_limit, base_url))

    def __repr__(self) -> str:
        return f"UpflowBilling({self._api.base_url!r})"

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes via the API; one Account per customer (Upflow's rule)."""
        return Capabilities("api", "api", f'customer custom field "{self.field}" (the shared identifier)',
                            many_accounts_per_customer=False, customer_requirements=customer_rules.UPFLOW)

    def _raw_identifier(self, customer: dict[str, Any]) -> str:
        return str((customer.get("customFields") or {}).get(self.field) or "")

    def to_record(self, customer: dict[str, Any]) -> CustomerRecord:
        """A normalised record from one Upflow customer."""
        address = customer.get("address") or {}
        return CustomerRecord(
            customer_id=clean_text(customer.get("id")),
            name=clean_text(customer.get("name")),
            email=clean_text(customer.get("email")),
            street=clean_text(address.get("address")),
            city=clean_text(address.get("city")),
            state=clean_text(address.get("state")),
            postcode=clean_text(address.get("zipcode")),
            country=clean_text(address.get("country")),
            currency=clean_text(customer.get("currency")).upper(),
            sf_account_id=clean_text(self._raw_identifier(customer)),
            raw=customer,
        )

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every customer, page by page (cancel is checked between pages)."""
        offset = 0
        while True:
            response = self._api.request("GET", "customers", params={"limit": self.page_size, "offset": offset},
                                         cancel=cancel)
            if response.status_code != 200:
                raise RetriesExhausted(f"Upflow could not list customers (HTTP {response.status_code}): "
                                       f"{_message(response)}", response)
            payload = response.json()
            items = payload.get("data") or []
            for customer in items:
                yield self.to_record(customer)
            offset += len(items)
            total = int(payload.get("total") or 0)
            progress(Progress(offset, total, "Reading Upflow customers"))
            if not items or offset >= total:
                return

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every customer as a canonical customers frame."""
        return records_to_frame(self.iter_customers(progress=progress, cancel=cancel))

    @transport_errors
    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """Each given customer's shared identifier (None when empty or not found)."""
        found = {r.customer_id: r.sf_account_id for r in self.iter_customers()}
        return {cid: found.get(cid) or None for cid in dict.fromkeys(customer_ids)}

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Check every pair against the whole book first, then PATCH the ones that pass.

        Refused before any write: an identifier that is not a clean 18-character id (formatting), one
        that another customer would still hold or that two pairs give (duplicate), a customer Upflow
        does not have (missing). An empty account id removes the identifier (undo).
        """
        customers = {r.customer_id: r for r in self.iter_customers(cancel=cancel)}
        holders: dict[str, set[str]] = defaultdict(set)
        for record in customers.values():
            if record.sf_account_id:
                holders[record.sf_account_id.upper()].add(record.customer_id)
        for customer_id, _ in pairs:  # the book as it will be after this run
            for held in holders.values():
                held.discard(customer_id.strip())
        for customer_id, account_id in pairs:
            if account_id.strip():
                holders[account_id.strip().upper()].add(customer_id.strip())
        refused: dict[str, LinkWriteResult] = {}
        for customer_id, account_id in ((c.strip(), a.strip()) for c, a in pairs):
            found = customers.get(customer_id)
            if found is None:
                refused[customer_id] = LinkWriteResult(customer_id, account_id, "not_found", error_code="missing",
                                                       message=f"Upflow has no customer {customer_id}.")
                continue
            previous = found.sf_account_id or None
            if account_id and (why := formatting_problem(account_id)):
                refused[customer_id] = LinkWriteResult(
                    customer_id, account_id, "failed", previous=previous, error_code="formatting",
                    message=f"Not written: the identifier {account_id!r} {why}; Upflow would not match it.")
            elif account_id and len(others := holders[account_id.upper()] - {customer_id}) > 0:
                refused[customer_id] = LinkWriteResult(
                    customer_id, account_id, "failed", previous=previous, error_code="duplicate",
                    message=f"Not written: {account_id} would also be on {', '.join(sorted(others))}; Upflow needs "
                            "one customer per Account. Clear it there first.")

        def write_one(customer_id: str, account_id: str, token: CancelToken | None) -> LinkWriteResult:
            if customer_id in refused:
                return refused[customer_id]
            return self._write_one(customers[customer_id], account_id, token)

        return write_each(pairs, write_one, system_name="Upflow", progress=progress, cancel=cancel,
                          pool=self._api.pool)

    def _write_one(self, record: CustomerRecord, account_id: str, cancel: CancelToken | None) -> LinkWriteResult:
        customer_id, previous = record.customer_id, record.sf_account_id or None
        if self._raw_identifier(record.raw) == account_id:
            return LinkWriteResult(customer_id, account_id, "unchanged", previous=previous)
        try:
            answer = self._api.request("PATCH", f"customers/{quote(customer_id, safe='')}",
                                       json={"customFields": {self.field: account_id or None}}, cancel=cancel)
        except RetriesExhausted as failure:
            return failed_after_retries(customer_id, account_id, previous, failure)
        if answer.status_code == 200:
            return LinkWriteResult(customer_id, account_id, "written", previous=previous)
        if answer.status_code == 404:
            return LinkWriteResult(customer_id, account_id, "not_found", previous=previous,
                                   message=f"Upflow customer {customer_id} disappeared before the update.")
        return LinkWriteResult(customer_id, account_id, "failed", previous=previous,
                               error_code="validation" if answer.status_code in (400, 422) else
                               f"http_{answer.status_code}",
                               message=f"Upflow refused customer {customer_id}: {_message(answer)}")


def _message(response: HttpAnswer) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text[:200]
    error = payload.get("error") if isinstance(payload, dict) else None
    return str((error or {}).get("message") or payload)
