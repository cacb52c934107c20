"""QuickBooks Online (Intuit Accounting API v3, minor version 75) with ``requests``.

Customers are read with the query endpoint, ``WHERE Active IN (true, false)`` so inactive
customers are read too (QBO lists active ones only by default; an inactive customer can still be
the partner of an Account), 1,000 a page. Links are written as sparse updates, 30 per batch request
(QBO's batch limit), each batch with a ``requestid`` so a retried batch is not applied twice.

Where the Salesforce Account id can live depends on the QBO plan (Intuit, "Manage custom fields" and
the Custom Fields API guide): customer custom fields exist on **Advanced** (and Intuit Enterprise
Suite) — an admin creates a text field for Customers, and its ``DefinitionId`` is given here as
``custom_field:ID``. Simple Start, Essentials and Plus have no customer custom field in the API (their
three custom fields belong to sales transactions), so there the only place on the QBO side is the
customer's ``Notes`` (a ``Salesforce Account: …`` line that the adapter adds, replaces or removes and
that keeps the rest of the notes), or, if the admin does not want that, Salesforce alone holds the link
(use the file route's report instead of a write).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import pandas as pd

from desktop_app.billing import customer_rules
from desktop_app.billing.base import (
    BillingError,
    BillingUnreachable,
    Capabilities,
    CustomerRecord,
    LinkWriteResult,
    clean_text,
    records_to_frame,
)
from desktop_app.billing.bearer import BearerApi, Renew
from desktop_app.billing.http import (
    HttpAnswer,
    JsonApiClient,
    PooledAdapter,
    RetriesExhausted,
    failed_after_retries,
    transport_errors,
)
from desktop_app.billing.link_writes import idempotency_key, refused_before_send, write_in_batches
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.registry import request_pool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

DEFAULT_BASE_URL = "https://quickbooks.api.intuit.com"
MINOR_VERSION = "75"
PAGE_SIZE = 1000
BATCH_SIZE = 30
NOTES_MAX = 2000
NOTES_LINE = "Salesforce Account: "
_NOTES_PATTERN = re.compile(rf"^{re.escape(NOTES_LINE)}(\S*)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class QuickBooksLinkStorage:
    """Where the Salesforce Account id is kept on a QBO customer: ``notes`` or ``custom_field:ID``."""

    kind: Literal["notes", "custom_field"] = "notes"
    definition_id: str = ""

    @classmethod
    def parse(cls, text: str) -> QuickBooksLinkStorage:
        """From ``notes`` or ``custom_field:DEFINITION_ID``; ``ValueError`` otherwise."""
        kind, _, definition = text.strip().partition(":")
        if kind == "notes" and not definition:
            return cls("notes")
        if kind == "custom_field" and definition.strip():
            return cls("custom_field", definition.strip())
        raise ValueError(f"QuickBooks link place {text!r} must be 'notes' or 'custom_field:DEFINITION_ID'.")

    def describe(self) -> str:
        """Human text for the capabilities screen."""
        if self.kind == "custom_field":
            return f"customer custom field (DefinitionId {self.definition_id}; QuickBooks Online Advanced)"
        return (f'a "{NOTES_LINE}…" line in the customer\'s Notes (Simple Start, Essentials and Plus have no '
                "customer custom field in the API)")

    def read(self, customer: dict[str, Any]) -> str:
        """The stored Salesforce Account id, "" when none."""
        if self.kind == "custom_field":
            for entry in customer.get("CustomField") or []:
                if isinstance(entry, dict) and str(entry.get("DefinitionId")) == self.definition_id:
                    return clean_text(entry.get("StringValue"))
            return ""
        found = _NOTES_PATTERN.search(str(customer.get("Notes") or ""))
        return found.group(1) if found else ""

    def sparse_fields(self, customer: dict[str, Any], account_id: str) -> dict[str, Any]:
        """The fields of a sparse update setting the link to ``account_id`` ("" removes it)."""
        if self.kind == "custom_field":
            return {"CustomField": [{"DefinitionId": self.definition_id, "StringValue": account_id}]}
        notes = str(customer.get("Notes") or "")
        line = f"{NOTES_LINE}{account_id}" if account_id else ""
        if _NOTES_PATTERN.search(notes):
            notes = _NOTES_PATTERN.sub(line, notes, count=1)
        elif line:
            notes = f"{notes.rstrip()}\n{line}" if notes.strip() else line
        return {"Notes": re.sub(r"\n{2,}", "\n", notes).strip()}


def fault_text(payload: Any, status: int) -> tuple[str, str]:
    """(QBO error code, readable message) from a ``Fault`` (top level or in a batch item)."""
    fault = payload.get("Fault") or payload.get("fault") if isinstance(payload, dict) else None
    errors = (fault or {}).get("Error") or (fault or {}).get("error") or []
    if not errors:
        return f"http_{status}", f"HTTP {status}"
    first = errors[0]
    detail = str(first.get("Detail") or first.get("detail") or "").strip()
    message = str(first.get("Message") or first.get("message") or "").strip()
    return str(first.get("code") or f"http_{status}"), " — ".join(p for p in (message, detail) if p)


class QuickBooksBilling(PooledAdapter[BearerApi]):
    """The QuickBooks Online adapter (implements ``BillingSystem``)."""

    display_name = "QuickBooks Online"

    def __init__(
        self,
        access_token: str,
        realm_id: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        ca_cert: Path | str | None = None,
        link_storage: QuickBooksLinkStorage | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        run_id: str | None = None,
        page_size: int = PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
        renew: Renew | None = None,
    ) -> None:
        """``renew`` returns a new access token when the current one is refused (expired)."""
        if not realm_id.strip():
            raise BillingError("QuickBooks Online needs the company's realm id (shown after connecting the app).")
        self.link_storage = link_storage or QuickBooksLinkStorage()
        self.run_id = run_id or uuid.uuid4().hex
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self.batch_size = max(1, min(BATCH_SIZE, batch_size))
        self._prefix = f"v3/company/{quote(realm_id.strip(), safe='')}"
        self._api = BearerApi(JsonApiClient(base_url, system_name="QuickBooks Online",
                                            headers={"Accept": "application/json"}, ca_cert=ca_cert, retry=retry,
                                            pool=request_pool("quickbooks", rate_limit, base_url)),
                              access_token, renew)

    def __repr__(self) -> str:
        return f"QuickBooksBilling({self._api.base_url!r})"

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes via the API; the link place depends on the plan (see the module text)."""
        return Capabilities("api", "api", self.link_storage.describe(), many_accounts_per_customer=False,
                            customer_requirements=customer_rules.QUICKBOOKS)

    # --- reading ---------------------------------------------------------------------------

    def _query(self, where: str, start: int, limit: int, cancel: CancelToken | None) -> list[dict[str, Any]]:
        text = f"SELECT * FROM Customer WHERE {where} ORDERBY Id STARTPOSITION {start} MAXRESULTS {limit}"
        params = {"query": text, "minorversion": MINOR_VERSION}
        if self.link_storage.kind == "custom_field":
            params["include"] = "enhancedAllCustomFields"
        response = self._api.request("GET", f"{self._prefix}/query", params=params, cancel=cancel)
        if response.status_code != 200:
            code, message = fault_text(_json(response), response.status_code)
            raise RetriesExhausted(f"QuickBooks Online could not list customers ({code}): {message}", response)
        customers = (response.json().get("QueryResponse") or {}).get("Customer") or []
        return [c for c in customers if isinstance(c, dict)]

    def to_record(self, customer: dict[str, Any]) -> CustomerRecord:
        """A normalised record from one QBO Customer (country stays QBO's free text)."""
        address = customer.get("BillAddr") or {}
        street = ", ".join(p for p in (clean_text(address.get(k)) for k in ("Line1", "Line2")) if p)
        return CustomerRecord(
            customer_id=clean_text(customer.get("Id")),
            name=clean_text(customer.get("DisplayName")),
            legal_name=clean_text(customer.get("CompanyName")),
            email=clean_text((customer.get("PrimaryEmailAddr") or {}).get("Address")),
            website=clean_text((customer.get("WebAddr") or {}).get("URI")),
            phone=clean_text((customer.get("PrimaryPhone") or {}).get("FreeFormNumber")),
            street=street,
            city=clean_text(address.get("City")),
            state=clean_text(address.get("CountrySubDivisionCode")),
            postcode=clean_text(address.get("PostalCode")),
            country=clean_text(address.get("Country")),
            currency=clean_text((customer.get("CurrencyRef") or {}).get("value")).upper(),
            sf_account_id=self.link_storage.read(customer),
            raw=customer,
        )

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every customer, active and inactive, page by page (cancel is checked between pages)."""
        start = 1
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            page = self._query("Active IN (true, false)", start, self.page_size, cancel)
            for customer in page:
                yield self.to_record(customer)
            start += len(page)
            progress(Progress(start - 1, 0, "Reading QuickBooks Online customers"))
            if len(page) < self.page_size:
                return

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every customer as a canonical customers frame."""
        return records_to_frame(self.iter_customers(progress=progress, cancel=cancel))

    def _by_ids(self, ids: Sequence[str], cancel: CancelToken | None) -> dict[str, dict[str, Any]]:
        quoted = ", ".join("'" + i.replace("'", "") + "'" for i in ids)
        found = self._query(f"Active IN (true, false) AND Id IN ({quoted})", 1, max(1, len(ids)), cancel)
        return {clean_text(c.get("Id")): c for c in found}

    @transport_errors
    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """Each given customer's stored Salesforce Account id (None when empty or not found)."""
        wanted = list(dict.fromkeys(customer_ids))
        links: dict[str, str | None] = {}
        for start in range(0, len(wanted), self.batch_size):
            chunk = wanted[start : start + self.batch_size]
            found = self._by_ids(chunk, None)
            for customer_id in chunk:
                customer = found.get(customer_id)
                links[customer_id] = (self.link_storage.read(customer) or None) if customer else None
        return links

    # --- writing ---------------------------------------------------------------------------

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Write links 30 per batch request; one result per pair in order; nothing applied twice.

        An empty account id removes the link (how an undo restores "no link").
        """
        clean = [(c.strip(), a.strip()) for c, a in pairs]
        results = refused_before_send(clean)
        return write_in_batches(clean, results, self._write_batch, batch_size=self.batch_size,
                                system_name="QuickBooks Online", progress=progress, cancel=cancel, pool=self._api.pool)

    def _write_batch(self, items: list[tuple[int, str, str]], cancel: CancelToken | None,
                     *, retry_stale: bool = True) -> dict[int, LinkWriteResult]:
        out: dict[int, LinkWriteResult] = {}
        try:
            current = self._by_ids([customer_id for _, customer_id, _ in items], cancel)
        except RetriesExhausted as failure:
            return {p: failed_after_retries(c, a, None, failure) for p, c, a in items}
        requests_: list[dict[str, Any]] = []
        previous: dict[int, str | None] = {}
        for position, customer_id, account_id in items:
            customer = current.get(customer_id)
            if customer is None:
                out[position] = LinkWriteResult(customer_id, account_id, "not_found",
                                                message=f"QuickBooks Online has no customer {customer_id} (deleted?).")
                continue
            previous[position] = self.link_storage.read(customer) or None
            if (previous[position] or "") == account_id:
                out[position] = LinkWriteResult(customer_id, account_id, "unchanged", previous=previous[position])
                continue
            body = {"Id": customer_id, "SyncToken": customer.get("SyncToken"), "sparse": True,
                    **self.link_storage.sparse_fields(customer, account_id)}
            requests_.append({"bId": str(position), "operation": "update", "Customer": body})
        if not requests_:
            return out
        # The SyncToken is part of the key: a retry after a stale answer is a new request, a resent one is not.
        key = idempotency_key(self.run_id, "batch", "|".join(
            f"{r['bId']}={r['Customer']['Id']}@{r['Customer']['SyncToken']}>{_account(items, int(r['bId']))}"
            for r in requests_))
        try:
            response = self._api.request(
                "POST", f"{self._prefix}/batch", params={"minorversion": MINOR_VERSION, "requestid": key},
                json={"BatchItemRequest": requests_}, cancel=cancel,
            )
        except RetriesExhausted as failure:
            return {**out, **{int(r["bId"]): failed_after_retries(r["Customer"]["Id"], _account(items, int(r["bId"])),
                                                            previous[int(r["bId"])], failure) for r in requests_}}
        if response.status_code != 200:
            code, message = fault_text(_json(response), response.status_code)
            for r in requests_:
                position = int(r["bId"])
                out[position] = LinkWriteResult(r["Customer"]["Id"], _account(items, position), "failed",
                                                previous=previous[position], error_code=code, message=message)
            return out
        answers = {str(a.get("bId")): a for a in response.json().get("BatchItemResponse") or []}
        stale: list[tuple[int, str, str]] = []
        for r in requests_:
            position = int(r["bId"])
            customer_id, account_id = r["Customer"]["Id"], _account(items, position)
            answer = answers.get(r["bId"], {})
            if "Customer" in answer:
                out[position] = LinkWriteResult(customer_id, account_id, "written", previous=previous[position])
                continue
            code, message = fault_text(answer, 400)
            if code == "5010":  # someone edited the customer meanwhile: read it again and retry once
                stale.append((position, customer_id, account_id))
                continue
            out[position] = _refused(customer_id, account_id, previous[position], code, message)
        if stale and retry_stale:
            try:
                out.update(self._write_batch(stale, cancel, retry_stale=False))
            except BillingUnreachable as stop:  # what this batch's first request wrote stays known
                stop.results = [out.get(position) for position, _, _ in items]
                raise
        for p, c, a in stale if not retry_stale else []:
            out[p] = LinkWriteResult(c, a, "failed", previous=previous[p], error_code="stale",
                                     message="The customer kept changing in QuickBooks Online while it was "
                                             "updated; run again.")
        return out


def _account(items: list[tuple[int, str, str]], position: int) -> str:
    return next(account for p, _, account in items if p == position)


def _refused(customer_id: str, account_id: str, previous: str | None, code: str, message: str) -> LinkWriteResult:
    if code == "610":
        return LinkWriteResult(customer_id, account_id, "not_found", previous=previous,
                               message=f"QuickBooks Online customer {customer_id} disappeared before the update.")
    hint = {
        "6000": "Shorten the customer's Notes in QuickBooks Online (at most 2,000 characters) and run again.",
        "6240": "Display names must be unique across customers, vendors and employees; rename one in QuickBooks.",
        "2010": "Create the customer custom field in QuickBooks Online Advanced and give its DefinitionId.",
    }.get(code, "Fix the customer in QuickBooks Online and run again.")
    return LinkWriteResult(customer_id, account_id, "failed", previous=previous, error_code="validation",
                           message=f"QuickBooks Online refused customer {customer_id} (error {code}): "
                                   f"{message.rstrip('.')}. {hint}")



def _json(response: HttpAnswer) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}
