"""Sequence (sequencehq.com) over its public REST API, version 2024-07-30, over HTTPS.

Customers are listed with cursor pagination (``limit`` ≤ 100, ``after``). The Salesforce Account
id lives either in an ``integrationIds`` entry (service name configurable, default ``Salesforce``)
or in a custom property. ``PUT /customers/{id}`` replaces every field its body takes, so a link
is written by reading the customer, changing only the link, and sending those fields back — with an
``Idempotency-Key``; a PUT whose answer was lost is not re-sent but reported ``outcome_unknown``,
so the engine reads the customer back before any retry. Reads and writes go out concurrently through
the adapter's request pool (Sequence publishes no rate limit: it is found from its 429s), on the
lean transport (``billing.transport``; ``requests`` when a proxy is configured).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import requests

from desktop_app.billing import customer_rules
from desktop_app.billing.address_writes import AddressReadFailed, Refusal, update_each
from desktop_app.billing.base import (
    BillingConnectionError,
    Capabilities,
    CustomerRecord,
    LinkWriteResult,
    clean_text,
    records_to_frame,
)
from desktop_app.billing.credentials import sequence_credentials
from desktop_app.billing.http import (
    HttpAnswer,
    JsonApiClient,
    PooledAdapter,
    RetriesExhausted,
    ThrottledTooLong,
    failed_after_retries,
    transport_errors,
)
from desktop_app.billing.link_writes import (
    address_idempotency_key,
    idempotency_key,
    none_sent_if_unreachable,
    write_each,
)
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.registry import request_pool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_records import SequenceLinkStorage, error_text, put_body
from desktop_app.core.address_changes import AddressWriteResult, RecordChange
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

DEFAULT_BASE_URL = "https://eu.sequencehq.com/api"
API_VERSION = "2024-07-30"
PAGE_SIZE = 100
# What Sequence's customer PUT requires (billing.customer_rules); the sandbox's ``validation_errors``
# refuses exactly these and a test keeps the two in step.
CUSTOMER_REQUIREMENTS = customer_rules.SEQUENCE
# Above this many ids, reading links lists every customer instead of one GET per id.
LIST_INSTEAD_OF_GET = 200
# A customer read by ``read_links`` this recently is written from that answer instead of a second
# GET. The engine reads a batch just before writing it, so this halves the requests per link; the PUT
# replaces the whole record either way (Sequence has no conditional update), so the window only
# widens, by the batch's own duration, the race with someone editing the customer meanwhile.
FRESH_SECONDS = 10.0


class SequenceBilling(PooledAdapter[JsonApiClient]):
    """The Sequence adapter (implements ``BillingSystem``)."""

    display_name = "Sequence"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        ca_cert: Path | str | None = None,
        link_storage: SequenceLinkStorage | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        run_id: str | None = None,
        page_size: int = PAGE_SIZE,
        timeout: tuple[float, float] = (10.0, 20.0),
    ) -> None:
        self.link_storage = link_storage or SequenceLinkStorage()
        self.run_id = run_id or uuid.uuid4().hex
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self._fresh: dict[str, tuple[float, dict[str, Any]]] = {}
        self._fresh_lock = threading.Lock()
        self._api = JsonApiClient(
            base_url, system_name="Sequence", auth=(client_id, client_secret),
            headers={"Sequence-Version": API_VERSION, "Accept": "application/json"},
            ca_cert=ca_cert, retry=retry, timeout=timeout, pool=request_pool("sequence", rate_limit, base_url),
            lean=True,
        )

    @classmethod
    def from_saved_credentials(cls, profile: str = "default", **options: Any) -> SequenceBilling:
        """An adapter using credentials from the environment or the keychain."""
        client_id, client_secret = sequence_credentials(profile)
        return cls(client_id, client_secret, **options)

    def __repr__(self) -> str:
        return f"SequenceBilling({self._api.base_url!r})"

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes via the API; one Salesforce Account per customer."""
        return Capabilities("api", "api", self.link_storage.describe(), many_accounts_per_customer=False,
                            customer_requirements=CUSTOMER_REQUIREMENTS)

    # --- reading ---------------------------------------------------------------------------

    def _pages(self, cancel: CancelToken | None) -> Iterator[tuple[list[dict[str, Any]], int]]:
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
            if after:
                params["after"] = after
            response = self._api.request("GET", "customers", params=params, cancel=cancel)
            if response.status_code != 200:
                code, message = error_text(response)
                raise RetriesExhausted(f"Sequence could not list customers ({code}): {message}", response)
            payload = response.json()
            items = payload.get("items") or []
            pagination = payload.get("pagination") or {}
            yield items, int(pagination.get("totalResultSize") or 0)
            after = pagination.get("after")
            if not after or not items:
                return

    def to_record(self, customer: dict[str, Any]) -> CustomerRecord:
        """A normalised record from one Sequence customer."""
        address = customer.get("address") or {}
        emails = customer.get("billingEmails") or []
        legal_name = clean_text(customer.get("legalName"))
        return CustomerRecord(
            customer_id=clean_text(customer.get("id")),
            name=clean_text(customer.get("label")) or legal_name,
            legal_name=legal_name,
            email=clean_text(customer.get("email")) or (clean_text(emails[0]) if emails else ""),
            website=clean_text(customer.get("url")) or clean_text(customer.get("domain")),
            phone=clean_text(customer.get("telephone")),
            street=", ".join(p for p in (clean_text(address.get(k)) for k in ("line1", "line2")) if p),
            city=clean_text(address.get("town")),
            state=clean_text(address.get("state")),
            postcode=clean_text(address.get("postcode") or address.get("postCode")),
            country=clean_text(address.get("country")),
            currency=clean_text((customer.get("customProperties") or {}).get("currency")).upper(),
            sf_account_id=self.link_storage.read(customer),
            raw=customer,
        )

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every customer, page by page (the cancel token is checked between pages)."""
        done = 0
        for items, total in self._pages(cancel):
            for customer in items:
                yield self.to_record(customer)
            done += len(items)
            progress(Progress(done, total, "Reading Sequence customers"))

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every customer as a canonical customers frame."""
        return records_to_frame(self.iter_customers(progress=progress, cancel=cancel))

    def _get(self, customer_id: str, cancel: CancelToken | None) -> HttpAnswer:
        return self._api.request("GET", _customer_path(customer_id), cancel=cancel)

    @transport_errors
    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """Each given customer's stored Salesforce Account id, exactly as stored (None when empty or
        not found)."""
        wanted = list(dict.fromkeys(customer_ids))
        if len(wanted) > LIST_INSTEAD_OF_GET:  # the link straight from each listed customer (no record built)
            found = {clean_text(customer.get("id")): self.link_storage.read(customer, exact=True)
                     for items, _ in self._pages(None) for customer in items}
            return {cid: (found.get(cid) or None) for cid in wanted}
        answers = self._api.pool.map(lambda customer_id: self._get(customer_id, None), wanted)
        links: dict[str, str | None] = {}
        read_at = time.monotonic()
        with self._fresh_lock:
            self._fresh = {k: v for k, v in self._fresh.items() if read_at - v[0] < FRESH_SECONDS}
            for customer_id, response in zip(wanted, answers, strict=True):
                customer = response.json() if response is not None and response.ok else None
                links[customer_id] = self.link_storage.read(customer, exact=True) or None if customer else None
                if customer:
                    self._fresh[customer_id] = (read_at, customer)
        return links

    def read_link_pages(self, wanted: Collection[str],
                        cancel: CancelToken | None = None) -> Iterator[dict[str, str | None]]:
        """Each list page's stored Account id of the ``wanted`` customers on it (as ``read_links``),
        one dict per page of ``page_size`` customers, in Sequence's order; stops once every wanted
        customer was seen, or once the pages left would cost more requests than one GET per wanted
        customer left (the caller reads those one by one). Each one is kept as read, so a write within
        ``FRESH_SECONDS`` goes out without another GET: 100 customers cost one request instead of 100."""
        left = set(wanted)
        listed = 0
        for items, total in self._readable_pages(cancel):
            listed += len(items)
            read_at = time.monotonic()
            page: dict[str, str | None] = {}
            with self._fresh_lock:
                for customer in items:
                    customer_id = str(customer.get("id") or "")
                    if customer_id in left:
                        left.discard(customer_id)
                        page[customer_id] = self.link_storage.read(customer, exact=True) or None
                        self._fresh[customer_id] = (read_at, customer)
            yield page
            if not left or -(-(total - listed) // self.page_size) > len(left):
                return

    def _readable_pages(self, cancel: CancelToken | None) -> Iterator[tuple[list[dict[str, Any]], int]]:
        """``_pages`` (customers, total); an answer that could not be read becomes a ``BillingConnectionError``
        (``transport_errors`` for a generator)."""
        pages = self._pages(cancel)
        while True:
            try:
                page = next(pages)
            except StopIteration:
                return
            except requests.RequestException as failure:
                raise BillingConnectionError(
                    f"Sequence's answer could not be read ({type(failure).__name__}); try again later.") from None
            yield page

    def forget_reads(self, customer_ids: Collection[str]) -> None:
        """Drop what was kept from reads of these customers (they will not be written from it)."""
        with self._fresh_lock:
            for customer_id in customer_ids:
                self._fresh.pop(customer_id, None)

    def _recently_read(self, customer_id: str) -> dict[str, Any] | None:
        """The customer as ``read_links`` got it moments ago (once), saving the GET before the PUT;
        None while requests go unanswered, so the GET finds out whether Sequence is still there."""
        with self._fresh_lock:
            found = self._fresh.pop(customer_id, None)
        if found is None or time.monotonic() - found[0] >= FRESH_SECONDS or self._api.pool.unanswered_in_row:
            return None
        return found[1]

    # --- writing ---------------------------------------------------------------------------

    def check_credentials(self) -> None:
        """Raise ``BillingAuthError`` when the credentials are refused (one cheap request).

        Throttling that outlasts the retries is not an answer about the credentials; the
        per-customer writes then report it themselves.
        """
        with contextlib.suppress(RetriesExhausted):
            self._api.request("GET", "customers", params={"limit": 1})

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Write each link by read-modify-write; per-customer results, nothing applied twice.

        An empty account id removes the customer's link (used to undo a run). The credentials are
        checked first unless Sequence accepted them moments ago (the engine read the batch just now).
        """
        if time.monotonic() - self._api.accepted_at >= FRESH_SECONDS:
            with none_sent_if_unreachable(pairs):
                self.check_credentials()
        return write_each(pairs, self._write_one, system_name="Sequence", progress=progress, cancel=cancel,
                          pool=self._api.pool)

    def update_addresses(self, changes: Sequence[RecordChange], *, progress: ProgressCallback = ignore_progress,
                         cancel: CancelToken | None = None) -> list[AddressWriteResult]:
        """Set the fixed parts of each customer's billing address (read-modify-write, compare-and-set)."""
        self.check_credentials()
        return update_each(changes, self._read_address, self._send_address, system_name="Sequence",
                           progress=progress, cancel=cancel)

    def _read_address(self, customer_id: str, cancel: CancelToken | None) -> tuple[dict[str, str], Any] | None:
        try:
            answer = self._get(customer_id, cancel)
        except RetriesExhausted as failure:
            status = failure.response.status_code
            raise AddressReadFailed("rate_limited" if status == 429 else f"http_{status}",
                                    f"{failure} Nothing was changed for this customer; run again later.") from None
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise AddressReadFailed(*error_text(answer))
        customer = answer.json()
        return _address_parts(customer), customer

    def _send_address(self, customer_id: str, customer: Any, values: Mapping[str, str],
                      cancel: CancelToken | None) -> Refusal | None:
        body = put_body(customer)
        address = dict(body.get("address") or {})
        for role, value in values.items():
            key = "postCode" if role == "postcode" and "postCode" in address else ADDRESS_KEYS[role]
            address[key] = value
        body["address"] = address
        key = address_idempotency_key(self.run_id, customer_id, values)
        try:
            answer = self._api.request("PUT", _customer_path(customer_id), json=body, cancel=cancel,
                                       headers={"Idempotency-Key": key})
        except RetriesExhausted as failure:
            return Refusal(f"http_{failure.response.status_code}", f"{failure} Nothing was changed; run again later.")
        if answer.status_code == 200:
            return None
        code, message = error_text(answer)
        return Refusal("validation" if answer.status_code in (400, 422) else code,
                       f"Sequence refused the address of customer {customer_id}: {message}.")

    def _write_one(self, customer_id: str, account_id: str, cancel: CancelToken | None) -> LinkWriteResult:
        customer = self._recently_read(customer_id)
        if customer is None:
            try:
                current = self._get(customer_id, cancel)
            except ThrottledTooLong:
                raise
            except RetriesExhausted as failure:
                return failed_after_retries(customer_id, account_id, None, failure)
            if current.status_code == 404:
                return LinkWriteResult(customer_id, account_id, "not_found",
                                       message=f"Sequence has no customer {customer_id} (deleted or archived?).")
            if current.status_code != 200:
                code, message = error_text(current)
                return LinkWriteResult(customer_id, account_id, "failed", error_code=code, message=message)
            customer = current.json()
        previous = self.link_storage.read(customer, exact=True) or None
        if (previous or "") == account_id:
            return LinkWriteResult(customer_id, account_id, "unchanged", previous=previous)
        body = put_body(customer)
        self.link_storage.write(body, account_id)
        key = idempotency_key(self.run_id, customer_id, account_id)
        try:
            answer = self._api.request(
                "PUT", _customer_path(customer_id), json=body,
                headers={"Idempotency-Key": key}, cancel=cancel,
            )
        except ThrottledTooLong:
            raise
        except RetriesExhausted as failure:
            return failed_after_retries(customer_id, account_id, previous, failure)
        if answer.status_code == 200:
            return LinkWriteResult(customer_id, account_id, "written", previous=previous)
        if answer.status_code == 404:
            return LinkWriteResult(customer_id, account_id, "not_found", previous=previous,
                                   message=f"Sequence customer {customer_id} disappeared before the update.")
        code, message = error_text(answer)
        if answer.status_code in (400, 422):
            message = (f"Sequence refused to update customer {customer_id}: {message}. "
                       "Fix the customer in Sequence (a complete billing address with a 2-letter "
                       "country code, legal name and email are required) and run again.")
            code = "validation"
        return LinkWriteResult(customer_id, account_id, "failed", previous=previous, error_code=code,
                               message=message)


# Address part → key in a Sequence customer's ``address`` (postcode is sometimes spelt postCode).
ADDRESS_KEYS = {"city": "town", "state": "state", "postcode": "postcode", "country": "country"}


def _address_parts(customer: dict[str, Any]) -> dict[str, str]:
    address = customer.get("address") or {}
    parts = {role: clean_text(address.get(key)) for role, key in ADDRESS_KEYS.items()}
    parts["postcode"] = parts["postcode"] or clean_text(address.get("postCode"))
    return parts


def _customer_path(customer_id: str) -> str:
    return f"customers/{quote(customer_id, safe='')}"

