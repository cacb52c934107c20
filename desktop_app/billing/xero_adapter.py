"""Xero (Accounting API 2.0, one organisation) with ``requests``.

Contacts are read 1,000 a page (``pageSize``), archived ones included (``includeArchived``: an archived
contact can still be an Account's partner, and the audit should see its link). The Salesforce Account
id goes to ``ContactNumber`` — the field Xero keeps for an external system's id, settable only through
the API (shown as "Contact Code", at most 50 characters). Xero allows 60 calls a minute and 5,000 a
day per organisation, so links are written in batches: one ``GET ?IDs=`` to read the current values
and one ``POST /Contacts?summarizeErrors=false`` for up to 50 contacts, whose per-contact
``ValidationErrors`` become per-customer results; each POST carries an ``Idempotency-Key``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from desktop_app.billing import customer_rules
from desktop_app.billing.base import (
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
    ThrottledTooLong,
    failed_after_retries,
    transport_errors,
)
from desktop_app.billing.link_writes import idempotency_key, refused_before_send, write_in_batches
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.registry import request_pool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

DEFAULT_BASE_URL = "https://api.xero.com/api.xro/2.0"
PAGE_SIZE = 1000
BATCH_SIZE = 50
CONTACT_NUMBER_MAX = 50
LINK_LOCATION = 'ContactNumber ("Contact Code"; API only, at most 50 characters)'


def problem_text(response: HttpAnswer) -> str:
    """A readable sentence from a Xero error answer (problem details or ValidationException)."""
    try:
        payload = response.json()
    except ValueError:
        return response.text[:200]
    if not isinstance(payload, dict):
        return ""
    messages = [str(e.get("Message")) for element in payload.get("Elements") or []
                for e in element.get("ValidationErrors") or [] if e.get("Message")]
    return "; ".join(messages) or str(payload.get("Detail") or payload.get("Message") or payload.get("Title") or "")


class XeroBilling(PooledAdapter[BearerApi]):
    """The Xero adapter (implements ``BillingSystem``)."""

    display_name = "Xero"

    def __init__(
        self,
        access_token: str,
        tenant_id: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        ca_cert: Path | str | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        run_id: str | None = None,
        page_size: int = PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
        renew: Renew | None = None,
    ) -> None:
        """``renew`` returns a new access token when the current one is refused (expired)."""
        self.run_id = run_id or uuid.uuid4().hex
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self.batch_size = max(1, min(BATCH_SIZE, batch_size))
        headers = {"xero-tenant-id": tenant_id.strip(), "Accept": "application/json"}
        self._api = BearerApi(JsonApiClient(base_url, system_name="Xero", ca_cert=ca_cert, retry=retry,
                                            headers=headers, pool=request_pool("xero", rate_limit, base_url)),
                              access_token, renew)

    def __repr__(self) -> str:
        return f"XeroBilling({self._api.base_url!r})"

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes via the API; the link lives in ContactNumber."""
        return Capabilities("api", "api", LINK_LOCATION, many_accounts_per_customer=False,
                            customer_requirements=customer_rules.XERO)

    def to_record(self, contact: dict[str, Any]) -> CustomerRecord:
        """A normalised record from one Xero contact (the POBOX address is the billing address)."""
        addresses = [a for a in contact.get("Addresses") or [] if isinstance(a, dict)]
        address = next((a for a in addresses if a.get("AddressType") == "POBOX" and a.get("AddressLine1")),
                       next((a for a in addresses if a.get("AddressLine1")), {}))
        lines = (clean_text(address.get(f"AddressLine{n}")) for n in range(1, 5))
        phones = [p for p in contact.get("Phones") or [] if isinstance(p, dict) and clean_text(p.get("PhoneNumber"))]
        phone = next((p for p in phones if p.get("PhoneType") == "DEFAULT"), phones[0] if phones else {})
        calling_code = clean_text(phone.get("PhoneCountryCode")).lstrip("+")
        phone_parts = (f"+{calling_code}" if calling_code else "", clean_text(phone.get("PhoneAreaCode")),
                       clean_text(phone.get("PhoneNumber")))
        return CustomerRecord(
            customer_id=clean_text(contact.get("ContactID")),
            name=clean_text(contact.get("Name")),
            email=clean_text(contact.get("EmailAddress")),
            website=clean_text(contact.get("Website")),
            phone=" ".join(part for part in phone_parts if part),
            street=", ".join(p for p in lines if p),
            city=clean_text(address.get("City")),
            state=clean_text(address.get("Region")),
            postcode=clean_text(address.get("PostalCode")),
            country=clean_text(address.get("Country")),
            currency=clean_text(contact.get("DefaultCurrency")).upper(),
            sf_account_id=clean_text(contact.get("ContactNumber")),
            raw=contact,
        )

    def _failed_read(self, response: HttpAnswer, what: str) -> RetriesExhausted:
        return RetriesExhausted(f"Xero could not {what} (HTTP {response.status_code}): {problem_text(response)}",
                                response)

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every contact, archived included, page by page (cancel is checked between pages)."""
        page = 1
        while True:
            response = self._api.request(
                "GET", "Contacts", params={"page": page, "pageSize": self.page_size, "includeArchived": "true"},
                cancel=cancel)
            if response.status_code != 200:
                raise self._failed_read(response, "list contacts")
            payload = response.json()
            contacts = payload.get("Contacts") or []
            for contact in contacts:
                yield self.to_record(contact)
            pagination = payload.get("pagination") or {}
            progress(Progress(min(page * self.page_size, int(pagination.get("itemCount") or 0)),
                              int(pagination.get("itemCount") or 0), "Reading Xero contacts"))
            page_count = pagination.get("pageCount")
            if not contacts or (page_count is not None and page >= int(page_count)) or (
                    page_count is None and len(contacts) < self.page_size):
                return
            page += 1

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every contact as a canonical customers frame."""
        return records_to_frame(self.iter_customers(progress=progress, cancel=cancel))

    def _by_ids(self, ids: Sequence[str], cancel: CancelToken | None) -> dict[str, dict[str, Any]]:
        response = self._api.request("GET", "Contacts", params={"IDs": ",".join(ids)}, cancel=cancel)
        if response.status_code != 200:
            raise self._failed_read(response, "read contacts")
        return {clean_text(c.get("ContactID")): c for c in response.json().get("Contacts") or []}

    @transport_errors
    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """Each given contact's ContactNumber (None when empty or not found), 50 contacts a call."""
        wanted = list(dict.fromkeys(customer_ids))
        links: dict[str, str | None] = {}
        for start in range(0, len(wanted), self.batch_size):
            chunk = wanted[start : start + self.batch_size]
            found = self._by_ids(chunk, None)
            for contact_id in chunk:
                links[contact_id] = clean_text((found.get(contact_id) or {}).get("ContactNumber")) or None
        return links

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Set ContactNumber, 50 contacts per request; one result per pair; "" clears it (undo)."""
        clean = [(c.strip(), a.strip()) for c, a in pairs]
        results = refused_before_send(clean, max_length=CONTACT_NUMBER_MAX,
                                      too_long=f"Xero's {CONTACT_NUMBER_MAX}-character ContactNumber")
        return write_in_batches(clean, results, self._write_batch, batch_size=self.batch_size,
                                system_name="Xero", progress=progress, cancel=cancel, pool=self._api.pool)

    def _write_batch(self, items: list[tuple[int, str, str]], cancel: CancelToken | None) -> dict[int, LinkWriteResult]:
        out: dict[int, LinkWriteResult] = {}
        try:
            current = self._by_ids([c for _, c, _ in items], cancel)
        except RetriesExhausted as failure:
            return {p: _after_retries(c, a, None, failure) for p, c, a in items}
        sending: list[tuple[int, str, str, str | None]] = []
        for p, contact_id, account_id in items:
            contact = current.get(contact_id)
            if contact is None:
                out[p] = LinkWriteResult(contact_id, account_id, "not_found",
                                         message=f"Xero has no contact {contact_id} (deleted?).")
                continue
            previous = clean_text(contact.get("ContactNumber")) or None
            if (previous or "") == account_id:
                out[p] = LinkWriteResult(contact_id, account_id, "unchanged", previous=previous)
            else:
                sending.append((p, contact_id, account_id, previous))
        if not sending:
            return out
        body = {"Contacts": [{"ContactID": c, "ContactNumber": a} for _, c, a, _ in sending]}
        key = idempotency_key(self.run_id, "contacts", "|".join(f"{c}>{a}<{prev or ''}" for _, c, a, prev in sending))
        try:
            response = self._api.request("POST", "Contacts", params={"summarizeErrors": "false"}, json=body,
                                         headers={"Idempotency-Key": key}, cancel=cancel)
        except RetriesExhausted as failure:
            return {**out, **{p: _after_retries(c, a, prev, failure) for p, c, a, prev in sending}}
        if response.status_code != 200:
            code, text = f"http_{response.status_code}", problem_text(response)
            return {**out, **{p: LinkWriteResult(c, a, "failed", previous=prev, error_code=code,
                                                 message=f"Xero refused the update ({code}): {text}")
                              for p, c, a, prev in sending}}
        answers = response.json().get("Contacts") or []
        for index, (p, contact_id, account_id, previous) in enumerate(sending):
            answer = answers[index] if index < len(answers) and isinstance(answers[index], dict) else {}
            errors = [str(e.get("Message")) for e in answer.get("ValidationErrors") or [] if e.get("Message")]
            if answer and not answer.get("HasValidationErrors") and not errors:
                out[p] = LinkWriteResult(contact_id, account_id, "written", previous=previous)
            else:
                reason = "; ".join(errors) or "no answer for this contact"
                out[p] = LinkWriteResult(contact_id, account_id, "failed", previous=previous, error_code="validation",
                                         message=f"Xero refused contact {contact_id}: {reason.rstrip('.')}. "
                                                 "Fix the contact in Xero and run again.")
        return out


def _after_retries(customer_id: str, account_id: str, previous: str | None,
                   failure: RetriesExhausted) -> LinkWriteResult:
    if failure.response.headers.get("X-Rate-Limit-Problem", "") == "day":  # a quota: the run stops, saying which
        raise ThrottledTooLong(f"{failure} Xero's daily limit (5,000 calls) is used up; run again tomorrow.",
                               failure.response) from None
    return failed_after_retries(customer_id, account_id, previous, failure)
