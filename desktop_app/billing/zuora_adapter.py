"""Zuora (REST API, one tenant) with ``requests`` and OAuth 2.0 client credentials.

A bearer token is fetched from ``/oauth/token`` and fetched again once when a call answers 401 (tokens
last an hour). Accounts are read with the Object Query API, 50 a page following ``nextPage``, with the
bill-to contact expanded (its address is the billing address). The Salesforce Account id goes to the
account's built-in ``CrmId`` — where Zuora's own Salesforce connector (Zuora 360) reads it; changing a
CRM id that Zuora 360 already synced needs a "Sync Cleanup" in Salesforce, so a replaced id is reported
as such. Links are written 50 accounts per ``POST /v1/action/update`` (results in order). Zuora can
answer a failure with HTTP 200: every ``Success``/``success`` flag is checked, not only the status.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from desktop_app.billing import customer_rules
from desktop_app.billing.base import (
    BillingAuthError,
    Capabilities,
    CustomerRecord,
    LinkWriteResult,
    clean_text,
    records_to_frame,
)
from desktop_app.billing.http import (
    HttpAnswer,
    JsonApiClient,
    PooledAdapter,
    RetriesExhausted,
    failed_after_retries,
    transport_errors,
)
from desktop_app.billing.link_writes import none_sent_if_unreachable, refused_before_send, write_in_batches
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.registry import request_pool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

DEFAULT_BASE_URL = "https://rest.zuora.com"
PAGE_SIZE = 50
BATCH_SIZE = 50
CRM_ID_MAX = 100
LINK_LOCATION = "the account's built-in CrmId (read by Zuora 360, Zuora's Salesforce connector)"


class ZuoraBilling(PooledAdapter[JsonApiClient]):
    """The Zuora adapter (implements ``BillingSystem``)."""

    display_name = "Zuora"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        ca_cert: Path | str | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        run_id: str | None = None,
        page_size: int = PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.run_id = run_id or uuid.uuid4().hex
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self.batch_size = max(1, min(BATCH_SIZE, batch_size))
        self._client = (client_id, client_secret)
        self._token = ""
        self._api = JsonApiClient(base_url, system_name="Zuora", headers={"Accept": "application/json"},
                                  ca_cert=ca_cert, retry=retry, pool=request_pool("zuora", rate_limit, base_url))

    def __repr__(self) -> str:
        return f"ZuoraBilling({self._api.base_url!r})"

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes via the API; the link lives in CrmId."""
        return Capabilities("api", "api", LINK_LOCATION, many_accounts_per_customer=False,
                            customer_requirements=customer_rules.ZUORA)

    # --- transport -------------------------------------------------------------------------

    def _fetch_token(self, cancel: CancelToken | None) -> None:
        client_id, client_secret = self._client
        response = self._api.request("POST", "oauth/token", data={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
        }, cancel=cancel)
        if response.status_code != 200 or not response.json().get("access_token"):
            raise BillingAuthError(f"Zuora refused the client id and secret (HTTP {response.status_code}).")
        self._token = str(response.json()["access_token"])

    def _call(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
              cancel: CancelToken | None = None) -> HttpAnswer:
        """One API call with a bearer token, fetching a new token once when it has expired."""
        for attempt in (0, 1):
            if not self._token:
                self._fetch_token(cancel)
            try:
                return self._api.request(method, path, params=params, json=json, cancel=cancel,
                                         headers={"Authorization": f"Bearer {self._token}"})
            except BillingAuthError:
                self._token = ""
                if attempt:
                    raise
        raise AssertionError("unreachable")

    # --- reading ---------------------------------------------------------------------------

    def to_record(self, account: dict[str, Any]) -> CustomerRecord:
        """A normalised record from one Object Query account (bill-to contact expanded)."""
        bill_to = account.get("billTo") or {}
        street = ", ".join(p for p in (clean_text(bill_to.get(k)) for k in ("address1", "address2")) if p)
        return CustomerRecord(
            customer_id=clean_text(account.get("id")),
            name=clean_text(account.get("name")),
            email=clean_text(bill_to.get("workEmail")),
            phone=clean_text(bill_to.get("workPhone")),
            street=street,
            city=clean_text(bill_to.get("city")),
            state=clean_text(bill_to.get("state")),
            postcode=clean_text(bill_to.get("postalCode")),
            country=clean_text(bill_to.get("country")),
            currency=clean_text(account.get("currency")).upper(),
            sf_account_id=clean_text(account.get("crmId")),
            raw=account,
        )

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every account (any status), page by page (cancel is checked between pages)."""
        cursor: str | None = None
        done = 0
        while True:
            params: dict[str, Any] = {"pageSize": self.page_size, "expand[]": "billTo"}
            if cursor:
                params["cursor"] = cursor
            response = self._call("GET", "object-query/accounts", params=params, cancel=cancel)
            if response.status_code != 200:
                raise RetriesExhausted(f"Zuora could not list accounts (HTTP {response.status_code}): "
                                       f"{response.text[:200]}", response)
            payload = response.json()
            accounts = payload.get("data") or []
            for account in accounts:
                yield self.to_record(account)
            done += len(accounts)
            progress(Progress(done, 0, "Reading Zuora accounts"))
            cursor = payload.get("nextPage")
            if not cursor:
                return

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every account as a canonical customers frame."""
        return records_to_frame(self.iter_customers(progress=progress, cancel=cancel))

    def _crm_id(self, account_id: str, cancel: CancelToken | None) -> tuple[bool, str | None]:
        """(found, stored CrmId or None) of one account."""
        response = self._call("GET", f"v1/accounts/{quote(account_id, safe='')}", cancel=cancel)
        payload = response.json() if response.status_code == 200 else {}
        if not payload.get("success"):
            return False, None
        return True, clean_text((payload.get("basicInfo") or {}).get("crmId")) or None

    @transport_errors
    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """Each given account's CrmId (None when empty or not found)."""
        wanted = list(dict.fromkeys(customer_ids))
        if len(wanted) > 200:
            found = {r.customer_id: r.sf_account_id for r in self.iter_customers()}
            return {cid: found.get(cid) or None for cid in wanted}
        return {cid: self._crm_id(cid, None)[1] for cid in wanted}

    # --- writing ---------------------------------------------------------------------------

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Set CrmId, 50 accounts per action call; one result per pair; "" clears it (undo)."""
        clean = [(c.strip(), a.strip()) for c, a in pairs]
        results = refused_before_send(clean, max_length=CRM_ID_MAX, too_long=f"Zuora's {CRM_ID_MAX}-character CrmId")
        if len(results) < len(clean):
            with none_sent_if_unreachable(clean, results):
                self._call("GET", "object-query/accounts", params={"pageSize": 1}, cancel=cancel)  # refused → raise
        return write_in_batches(clean, results, self._write_batch, batch_size=self.batch_size,
                                system_name="Zuora", progress=progress, cancel=cancel, pool=self._api.pool)

    def _write_batch(self, items: list[tuple[int, str, str]], cancel: CancelToken | None) -> dict[int, LinkWriteResult]:
        out: dict[int, LinkWriteResult] = {}
        sending: list[tuple[int, str, str, str | None]] = []
        for p, account_id, sf_id in items:
            try:
                found, previous = self._crm_id(account_id, cancel)
            except RetriesExhausted as failure:
                out[p] = failed_after_retries(account_id, sf_id, None, failure)
                continue
            if not found:
                out[p] = LinkWriteResult(account_id, sf_id, "not_found", message=f"Zuora has no account {account_id}.")
            elif (previous or "") == sf_id:
                out[p] = LinkWriteResult(account_id, sf_id, "unchanged", previous=previous)
            else:
                sending.append((p, account_id, sf_id, previous))
        if not sending:
            return out
        body = {"type": "Account", "objects": [{"Id": c, "CrmId": a} for _, c, a, _ in sending]}
        try:
            response = self._call("POST", "v1/action/update", json=body, cancel=cancel)
        except RetriesExhausted as failure:
            return {**out, **{p: failed_after_retries(c, a, prev, failure) for p, c, a, prev in sending}}
        payload = response.json() if response.status_code == 200 else None
        if not isinstance(payload, list):
            # A 200 can carry {"success": false, "reasons": [...]}: a refusal of the whole call.
            reasons = ("; ".join(str(r.get("message")) for r in payload.get("reasons") or [])
                       if isinstance(payload, dict) else response.text[:200])
            code = "refused" if response.status_code == 200 else f"http_{response.status_code}"
            return {**out, **{p: LinkWriteResult(c, a, "failed", previous=prev, error_code=code,
                                                 message=f"Zuora refused the update: {reasons}")
                              for p, c, a, prev in sending}}
        for index, (p, account_id, sf_id, previous) in enumerate(sending):
            answer = payload[index] if index < len(payload) and isinstance(payload[index], dict) else {}
            if answer.get("Success"):
                out[p] = LinkWriteResult(account_id, sf_id, "written", previous=previous,
                                         message=("Replaced a CrmId: if Zuora 360 had synced this account, run its "
                                                  "Sync Cleanup in Salesforce.") if previous else "")
                continue
            reason = "; ".join(str(e.get("Message")) for e in answer.get("Errors") or []) or "no answer"
            out[p] = LinkWriteResult(account_id, sf_id, "failed", previous=previous, error_code="validation",
                                     message=f"Zuora refused account {account_id}: {reason.rstrip('.')}. "
                                             "Fix the account (its bill-to contact) in Zuora and run again.")
        return out

