"""Chargebee (API v2, one site) with ``requests``.

Customers are listed 100 a page, following ``next_offset`` until it is absent; deleted customers
are left out (Chargebee's default: they cannot be linked or updated). The Salesforce Account id
lives in a customer custom field (``cf_…``, created by an admin under Settings → Custom fields;
default ``cf_salesforce_account_id``) or in a ``meta_data`` key (``meta_data:KEY``). Chargebee has no
batch update for customers: each link is one form POST carrying a ``chargebee-idempotency-key``
so a retried POST is never applied twice. Values are compared exactly, as Chargebee's own
Salesforce integration does (an id stored in lower case or with spaces is a different id).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Sequence
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
from desktop_app.billing.link_writes import idempotency_key, write_each
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.registry import request_pool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

DEFAULT_CUSTOM_FIELD = "cf_salesforce_account_id"
PAGE_SIZE = 100


def site_url(site: str) -> str:
    """The API base of a Chargebee site (``acme`` or ``acme-test``)."""
    return f"https://{site.strip()}.chargebee.com/api/v2"


@dataclass(frozen=True)
class ChargebeeLinkStorage:
    """Where the Salesforce Account id lives: a custom field ``cf_…`` or a ``meta_data`` key."""

    kind: Literal["custom_field", "meta_data"] = "custom_field"
    name: str = DEFAULT_CUSTOM_FIELD

    @classmethod
    def parse(cls, text: str) -> ChargebeeLinkStorage:
        """From ``cf_NAME`` or ``meta_data:KEY``; ``ValueError`` otherwise."""
        text = text.strip()
        if text.startswith("cf_") and len(text) > 3:
            return cls("custom_field", text)
        kind, _, key = text.partition(":")
        if kind == "meta_data" and key.strip():
            return cls("meta_data", key.strip())
        raise ValueError(f"Chargebee link place {text!r} must be a custom field 'cf_NAME' or 'meta_data:KEY'.")

    def describe(self) -> str:
        """Human text for the capabilities screen."""
        if self.kind == "custom_field":
            return f"customer custom field {self.name}"
        return f'meta_data key "{self.name}"'

    def read(self, customer: dict[str, Any]) -> str:
        """The stored id exactly as Chargebee holds it (outer spaces dropped), "" when none."""
        if self.kind == "custom_field":
            return clean_text(customer.get(self.name))
        meta = customer.get("meta_data")
        return clean_text(meta.get(self.name)) if isinstance(meta, dict) else ""

    def form(self, customer: dict[str, Any], account_id: str) -> dict[str, str]:
        """The form fields of an update setting the link ("" clears it, keeping other meta_data keys)."""
        if self.kind == "custom_field":
            return {self.name: account_id}
        meta = dict(customer.get("meta_data") or {})
        meta.pop(self.name, None)
        if account_id:
            meta[self.name] = account_id
        return {"meta_data": json.dumps(meta, separators=(",", ":"))}


def error_text(response: HttpAnswer) -> tuple[str, str]:
    """(api_error_code, message) of a Chargebee error answer."""
    try:
        payload = response.json()
    except ValueError:
        return f"http_{response.status_code}", response.text[:200]
    if not isinstance(payload, dict):
        return f"http_{response.status_code}", ""
    code = str(payload.get("api_error_code") or payload.get("error_code") or f"http_{response.status_code}")
    return code, str(payload.get("message") or payload.get("error_msg") or "").strip()


class ChargebeeBilling(PooledAdapter[JsonApiClient]):
    """The Chargebee adapter (implements ``BillingSystem``)."""

    display_name = "Chargebee"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str,
        ca_cert: Path | str | None = None,
        link_storage: ChargebeeLinkStorage | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        run_id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.link_storage = link_storage or ChargebeeLinkStorage()
        self.run_id = run_id or uuid.uuid4().hex
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self._api = JsonApiClient(base_url, system_name="Chargebee", auth=(api_key, ""),
                                  headers={"Accept": "application/json"}, ca_cert=ca_cert, retry=retry,
                                  pool=request_pool("chargebee", rate_limit, base_url))

    def __repr__(self) -> str:
        return f"ChargebeeBilling({self._api.base_url!r})"

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes via the API; one Salesforce Account per customer (Chargebee's own rule)."""
        return Capabilities("api", "api", self.link_storage.describe(), many_accounts_per_customer=False,
                            customer_requirements=customer_rules.CHARGEBEE)

    def to_record(self, customer: dict[str, Any]) -> CustomerRecord:
        """A normalised record from one Chargebee customer."""
        address = customer.get("billing_address") or {}
        names = (clean_text(customer.get("first_name")), clean_text(customer.get("last_name")))
        person = " ".join(p for p in names if p)
        company = clean_text(customer.get("company")) or clean_text(address.get("company"))
        return CustomerRecord(
            customer_id=clean_text(customer.get("id")),
            name=company or person,
            legal_name=company,
            email=clean_text(customer.get("email")) or clean_text(address.get("email")),
            phone=clean_text(customer.get("phone")) or clean_text(address.get("phone")),
            street=", ".join(p for p in (clean_text(address.get(k)) for k in ("line1", "line2")) if p),
            city=clean_text(address.get("city")),
            state=clean_text(address.get("state_code")) or clean_text(address.get("state")),
            postcode=clean_text(address.get("zip")),
            country=clean_text(address.get("country")),
            currency=clean_text(customer.get("preferred_currency_code")).upper(),
            sf_account_id=self.link_storage.read(customer),
            raw=customer,
        )

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every live customer, page by page (cancel is checked between pages)."""
        offset: str | None = None
        done = 0
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
            if offset:
                params["offset"] = offset
            response = self._api.request("GET", "customers", params=params, cancel=cancel)
            if response.status_code != 200:
                code, message = error_text(response)
                raise RetriesExhausted(f"Chargebee could not list customers ({code}): {message}", response)
            payload = response.json()
            entries = payload.get("list") or []
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("customer"), dict):
                    yield self.to_record(entry["customer"])
            done += len(entries)
            progress(Progress(done, 0, "Reading Chargebee customers"))
            offset = payload.get("next_offset")
            if not offset:
                return

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every live customer as a canonical customers frame."""
        return records_to_frame(self.iter_customers(progress=progress, cancel=cancel))

    def _get(self, customer_id: str, cancel: CancelToken | None) -> HttpAnswer:
        return self._api.request("GET", f"customers/{quote(customer_id, safe='')}", cancel=cancel)

    @transport_errors
    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """Each given customer's stored Salesforce Account id (None when empty, deleted or missing)."""
        wanted = list(dict.fromkeys(customer_ids))
        if len(wanted) > 200:
            found = {r.customer_id: r.sf_account_id for r in self.iter_customers()}
            return {cid: found.get(cid) or None for cid in wanted}
        links: dict[str, str | None] = {}
        for customer_id in wanted:
            response = self._get(customer_id, None)
            links[customer_id] = (self.link_storage.read(response.json()["customer"]) or None) if response.ok else None
        return links

    def check_credentials(self) -> None:
        """Raise ``BillingAuthError`` when the key is refused (one cheap request)."""
        with contextlib.suppress(RetriesExhausted):
            self._api.request("GET", "customers", params={"limit": 1})

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """One form POST per customer; per-customer results; an empty account id clears the link."""
        self.check_credentials()
        return write_each(pairs, self._write_one, system_name="Chargebee", progress=progress, cancel=cancel,
                          pool=self._api.pool)

    def _write_one(self, customer_id: str, account_id: str, cancel: CancelToken | None) -> LinkWriteResult:
        try:
            current = self._get(customer_id, cancel)
        except RetriesExhausted as failure:
            return failed_after_retries(customer_id, account_id, None, failure)
        if current.status_code == 404:
            return LinkWriteResult(customer_id, account_id, "not_found",
                                   message=f"Chargebee has no live customer {customer_id} (deleted?).")
        if current.status_code != 200:
            code, message = error_text(current)
            return LinkWriteResult(customer_id, account_id, "failed", error_code=code, message=message)
        customer = current.json()["customer"]
        previous = self.link_storage.read(customer) or None
        if (previous or "") == account_id:
            return LinkWriteResult(customer_id, account_id, "unchanged", previous=previous)
        key = idempotency_key(self.run_id, customer_id, account_id)
        try:
            answer = self._api.request(
                "POST", f"customers/{quote(customer_id, safe='')}", data=self.link_storage.form(customer, account_id),
                headers={"chargebee-idempotency-key": key}, cancel=cancel,
            )
        except RetriesExhausted as failure:
            return failed_after_retries(customer_id, account_id, previous, failure)
        if answer.status_code == 200:
            return LinkWriteResult(customer_id, account_id, "written", previous=previous)
        code, message = error_text(answer)
        if answer.status_code == 404:
            return LinkWriteResult(customer_id, account_id, "not_found", previous=previous,
                                   message=f"Chargebee customer {customer_id} disappeared before the update.")
        hint = ("Create the custom field in Chargebee (Settings → Configure Chargebee → Custom fields, for "
                "Customers) or name the right one with --link-key."
                if code == "param_wrong_value" and self.link_storage.kind == "custom_field"
                else "Fix the customer in Chargebee and run again.")
        return LinkWriteResult(customer_id, account_id, "failed", previous=previous,
                               error_code="validation" if answer.status_code == 400 else code,
                               message=f"Chargebee refused customer {customer_id} ({code}): "
                                       f"{message.rstrip('.')}. {hint}")

