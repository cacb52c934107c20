"""Stripe through the official ``stripe`` SDK (v16+), one ``StripeClient`` per adapter.

Customers are listed page by page (``limit=100``, ``starting_after``). The Salesforce Account id
lives in a metadata key (default ``salesforce_account_id``). Each update carries an
``Idempotency-Key`` derived from (run, customer, account), and the current value is read first,
so neither a retried request nor a re-run applies a link twice. Throttling (429), 5xx answers and
network errors are retried here (cancellable), never inside the SDK; an update whose answer was lost
is not re-sent but reported ``outcome_unknown`` (the engine reads it back first).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd
import stripe

from desktop_app.billing import customer_rules
from desktop_app.billing.address_writes import AddressReadFailed, Refusal, update_each
from desktop_app.billing.base import (
    BillingAuthError,
    BillingConnectionError,
    BillingQuotaExceeded,
    BillingUnreachable,
    BillingWriteOutcomeUnknown,
    Capabilities,
    CustomerRecord,
    LinkWriteResult,
    clean_text,
    records_to_frame,
)
from desktop_app.billing.credentials import stripe_api_key
from desktop_app.billing.http import PROBE_AGAIN_AFTER, PROBE_TIMEOUT, PooledAdapter
from desktop_app.billing.link_writes import address_idempotency_key, idempotency_key, write_each
from desktop_app.billing.pool import RateLimit
from desktop_app.billing.registry import request_pool, system
from desktop_app.billing.retry import RetryPolicy, parse_retry_after, sleep_or_cancel
from desktop_app.core.address_changes import AddressWriteResult, RecordChange
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.core.secret_text import blank_secrets, request_secrets

DEFAULT_LINK_KEY = "salesforce_account_id"
# Address part → key in a Stripe customer's ``address``; the keys Stripe accepts in an update.
ADDRESS_KEYS = {"city": "city", "state": "state", "postcode": "postal_code", "country": "country"}
STRIPE_ADDRESS_FIELDS = frozenset({"line1", "line2", "city", "state", "postal_code", "country"})
PAGE_SIZE = 100
LIST_INSTEAD_OF_GET = 200
TEST_MODE_REQUESTS_PER_SECOND = 25.0
T = TypeVar("T")


class StripeRetriesExhausted(BillingConnectionError):
    """Stripe kept throttling, failing or dropping the connection after every retry."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class StripeUnreachable(StripeRetriesExhausted, BillingUnreachable):
    """Stripe did not answer at all."""


class StripeThrottled(StripeRetriesExhausted, BillingQuotaExceeded):
    """Stripe kept answering 429 past the throttle budget."""


def _test_mode_limit(api_key: str) -> RateLimit | None:
    """Stripe's test-mode limit (25 requests/s) for a test key; None (the live limit) otherwise."""
    if "_test_" not in api_key:
        return None
    return RateLimit(TEST_MODE_REQUESTS_PER_SECOND, system("stripe").max_concurrent)


def _as_dict(obj: Any) -> dict[str, Any]:
    """A Stripe object as a plain dict (SDK v16 objects are not dicts)."""
    if isinstance(obj, dict):
        return obj
    return dict(obj.to_dict())


def _exact(value: object) -> str:
    """A metadata value as stored (spaces kept), "" when absent."""
    return "" if value is None else str(value)


def _is_missing(error: stripe.StripeError) -> bool:
    return error.http_status == 404 or getattr(error, "code", None) == "resource_missing"


class CredentialBlankingClient(stripe.RequestsClient):
    """The SDK's ``requests`` client with the request's API key blanked out of error answers: a server
    or proxy that echoes the request would otherwise put it into the ``StripeError`` message."""

    def request(self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None, *,
                _usage: list[str] | None = None) -> tuple[Any, int, Mapping[str, str]]:
        content, status, answer_headers = super().request(method, url, headers, post_data)
        if status >= 400 and isinstance(content, bytes):
            content = blank_secrets(content, request_secrets(dict(headers or {})))
        return content, status, answer_headers


class StripeBilling(PooledAdapter[Any]):
    """The Stripe adapter (implements ``BillingSystem``)."""

    display_name = "Stripe"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        link_key: str = DEFAULT_LINK_KEY,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        run_id: str | None = None,
        timeout: float = 20.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.link_key = link_key
        self.page_size = max(1, min(PAGE_SIZE, page_size))
        self.retry = retry or RetryPolicy()
        self.run_id = run_id or uuid.uuid4().hex
        self._base_url = base_url
        # Off: the SDK would otherwise store a persistent id in the user's config folder and send it,
        # with the platform string and request timings, on every call.
        stripe.enable_telemetry = False
        self._down = False  # the last call gave up on an unreachable Stripe: the next ones probe it
        self._probe = threading.Lock()
        self._probe_failed_at: float | None = None  # a probe went unanswered then (no answer since)
        self._pool = request_pool("stripe", rate_limit or (None if base_url else _test_mode_limit(api_key)),
                                  base_url)
        self._http = CredentialBlankingClient(timeout=timeout)
        self._probe_http = CredentialBlankingClient(timeout=min(timeout, PROBE_TIMEOUT[1]))
        self._client, self._probe_client = (stripe.StripeClient(
            api_key,
            base_addresses={"api": base_url.rstrip("/")} if base_url else None,
            max_network_retries=0,  # we retry ourselves, cancellably
            http_client=http_client,
        ) for http_client in (self._http, self._probe_http))

    @classmethod
    def from_saved_credentials(cls, profile: str = "default", **options: Any) -> StripeBilling:
        """An adapter using the key from ``CROSSLINK_STRIPE_API_KEY`` or the keychain."""
        return cls(stripe_api_key(profile), **options)

    def __repr__(self) -> str:
        return f"StripeBilling(base_url={self._base_url!r}, link_key={self.link_key!r})"

    def forget_outage(self) -> None:
        """Forget that Stripe went silent (a run or a resume starts: it is tried afresh)."""
        with self._probe:
            self._down, self._probe_failed_at = False, None
        self._pool.forget_silence()

    def close(self) -> None:
        """Release pooled connections (the SDK keeps one session per thread; the pool's threads end)."""
        self._pool.close()
        self._http.close()  # type: ignore[no-untyped-call]
        self._probe_http.close()  # type: ignore[no-untyped-call]

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes via the API; the link is a metadata key."""
        return Capabilities("api", "api", f'customer metadata "{self.link_key}"',
                            customer_requirements=customer_rules.STRIPE)

    # --- calling Stripe --------------------------------------------------------------------

    def _call(self, action: Callable[[stripe.StripeClient], T], cancel: CancelToken | None, *,
              write: bool = False) -> T:
        """``action(client)`` with Stripe's retries (as ``JsonApiClient.request``): once a call gave up on
        an unreachable Stripe, the next ones probe it one at a time with a short timeout; once a probe
        went unanswered, the others give up at once without being sent (``StripeUnreachable``) until
        Stripe answers, ``forget_outage`` is called or ``PROBE_AGAIN_AFTER`` has passed."""
        attempt = throttled = 0
        throttle_waited = 0.0
        began = time.monotonic()
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            sent = time.monotonic()
            try:
                result = self._probe_once(action, cancel) if self._down else self._send(action, self._client, cancel)
                self._pool.answered()
                self._down, self._probe_failed_at = False, None
                return result
            except (stripe.AuthenticationError, stripe.PermissionError) as error:
                raise BillingAuthError(
                    f"Stripe refused the API key (HTTP {error.http_status}). Check that it is a secret "
                    "key (sk_…) or a restricted key allowed to read and write customers."
                ) from None
            except stripe.RateLimitError as error:
                retry_after = parse_retry_after((error.headers or {}).get("Retry-After"))
                wait = self.retry.throttle_wait(throttled, throttle_waited, retry_after)
                self._pool.throttled(wait if wait is not None else retry_after)
                if wait is None:
                    raise StripeThrottled(
                        f"Stripe kept refusing requests as over its rate limit (HTTP 429) for "
                        f"{throttle_waited:.0f} s. Wait for the limit to lift, then try again.", "rate_limited"
                    ) from None
                throttled += 1
                throttle_waited += wait
                continue  # the pool holds every request back until the pause is over
            except stripe.APIConnectionError as error:
                silent_too_long = self._pool.unanswered(sent)
                if write:
                    raise BillingWriteOutcomeUnknown(
                        f"Stripe did not answer an update ({type(error).__name__}); it may or may not have "
                        "been applied, so it is read back before any new attempt."
                    ) from None
                failure: StripeRetriesExhausted = StripeUnreachable(
                    f"Stripe could not be reached ({type(error).__name__}) after {attempt + 1} attempt(s). "
                    "Check the network connection and try again.", "unreachable")
            except stripe.APIError as error:
                self._pool.answered()
                silent_too_long = False
                if (error.http_status or 500) < 500:
                    raise
                failure = StripeRetriesExhausted(
                    f"Stripe kept failing (HTTP {error.http_status}) after {attempt + 1} attempt(s).",
                    f"http_{error.http_status}")
            wait = None if self._down or silent_too_long else self.retry.failure_wait(attempt, time.monotonic() - began)
            if wait is None:
                self._down = True
                raise failure
            attempt += 1
            sleep_or_cancel(wait, cancel)

    def _send(self, action: Callable[[stripe.StripeClient], T], client: stripe.StripeClient,
              cancel: CancelToken | None) -> T:
        with self._pool.slot(cancel):
            return action(client)

    def _probe_once(self, action: Callable[[stripe.StripeClient], T], cancel: CancelToken | None) -> T:
        """Stripe went silent: one call at a time asks it with the short timeout; once one went
        unanswered, the others give up without being sent."""
        self._raise_if_found_down()
        with self._probe:
            self._raise_if_found_down()
            try:
                return self._send(action, self._probe_client, cancel)
            except stripe.APIConnectionError:
                self._probe_failed_at = time.monotonic()
                raise

    def _raise_if_found_down(self) -> None:
        failed_at = self._probe_failed_at
        if failed_at is not None and self._down and time.monotonic() - failed_at < PROBE_AGAIN_AFTER:
            raise StripeUnreachable("Stripe is not answering. Check the network connection and Stripe's status, "
                                    "then try again.", "unreachable")

    # --- reading ---------------------------------------------------------------------------

    def to_record(self, customer: dict[str, Any]) -> CustomerRecord:
        """A normalised record from one Stripe customer."""
        address = customer.get("address") or {}
        metadata = customer.get("metadata") or {}
        return CustomerRecord(
            customer_id=clean_text(customer.get("id")),
            name=clean_text(customer.get("name")) or clean_text(customer.get("description")),
            legal_name="",
            email=clean_text(customer.get("email")),
            website=clean_text(metadata.get("website")),
            phone=clean_text(customer.get("phone")),
            street=", ".join(p for p in (clean_text(address.get(k)) for k in ("line1", "line2")) if p),
            city=clean_text(address.get("city")),
            state=clean_text(address.get("state")),
            postcode=clean_text(address.get("postal_code")),
            country=clean_text(address.get("country")).upper(),
            currency=clean_text(customer.get("currency")).upper(),
            sf_account_id=clean_text(metadata.get(self.link_key)),
            raw=customer,
        )

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every customer, one page of 100 at a time (cancel is checked between pages)."""
        starting_after: str | None = None
        done = 0
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
            if starting_after:
                params["starting_after"] = starting_after
            try:
                page = self._call(lambda client, p=params: client.v1.customers.list(params=p),  # type: ignore[misc]
                                  cancel)
            except stripe.StripeError as error:  # a refusal (4xx) the calls leave to their callers
                raise StripeRetriesExhausted(f"Stripe could not list customers (HTTP {error.http_status}): "
                                             f"{error.user_message or error}", f"http_{error.http_status}") from None
            items = [_as_dict(customer) for customer in page.data]
            for customer in items:
                yield self.to_record(customer)
            done += len(items)
            progress(Progress(done, 0, f"Reading Stripe customers ({done:,})"))
            if not page.has_more or not items:
                return
            starting_after = str(items[-1]["id"])

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """Every customer as a canonical customers frame."""
        return records_to_frame(self.iter_customers(progress=progress, cancel=cancel))

    def _retrieve(self, customer_id: str, cancel: CancelToken | None) -> dict[str, Any] | None:
        try:
            found = _as_dict(self._call(lambda client: client.v1.customers.retrieve(customer_id), cancel))
        except stripe.InvalidRequestError as error:
            if _is_missing(error):
                return None
            raise
        return None if found.get("deleted") else found

    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """Each given customer's stored Salesforce Account id, exactly as stored (None when empty or
        not found)."""
        wanted = list(dict.fromkeys(customer_ids))
        if len(wanted) > LIST_INSTEAD_OF_GET:
            found = {record.customer_id: _exact((record.raw.get("metadata") or {}).get(self.link_key))
                     for record in self.iter_customers()}
            return {cid: (found.get(cid) or None) for cid in wanted}
        links: dict[str, str | None] = {}
        for customer_id in wanted:
            customer = self._retrieve(customer_id, None)
            links[customer_id] = (_exact((customer.get("metadata") or {}).get(self.link_key)) or None
                                  if customer is not None else None)
        return links

    # --- writing ---------------------------------------------------------------------------

    def check_credentials(self) -> None:
        """Raise ``BillingAuthError`` when Stripe refuses the key (one cheap request).

        Throttling that outlasts the retries says nothing about the key; the per-customer writes
        then report it themselves.
        """
        with contextlib.suppress(StripeRetriesExhausted):
            self._call(lambda client: client.v1.customers.list(params={"limit": 1}), None)

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Set ``metadata[link_key]`` per customer; per-customer results; never applied twice.

        An empty account id clears the link (real Stripe deletes the key; localstripe stores "").
        """
        self.check_credentials()
        return write_each(pairs, self._write_one, system_name="Stripe", progress=progress, cancel=cancel,
                          pool=self._pool)

    def update_addresses(self, changes: Sequence[RecordChange], *, progress: ProgressCallback = ignore_progress,
                         cancel: CancelToken | None = None) -> list[AddressWriteResult]:
        """Set the fixed parts of each customer's address (compare-and-set on the live customer)."""
        return update_each(changes, self._read_address, self._send_address, system_name="Stripe",
                           progress=progress, cancel=cancel)

    def _read_address(self, customer_id: str, cancel: CancelToken | None) -> tuple[dict[str, str], Any] | None:
        try:
            customer = self._retrieve(customer_id, cancel)
        except StripeRetriesExhausted as failure:
            raise AddressReadFailed(failure.code, f"{failure} Nothing was changed; run again later.") from None
        except stripe.StripeError as error:
            raise AddressReadFailed(error.code or f"http_{error.http_status}",
                                    f"Stripe could not read customer {customer_id}: {error.user_message or error}") \
                from None
        if customer is None:
            return None
        address = customer.get("address") or {}
        return {role: clean_text(address.get(key)) for role, key in ADDRESS_KEYS.items()}, customer

    def _send_address(self, customer_id: str, customer: Any, values: Mapping[str, str],
                      cancel: CancelToken | None) -> Refusal | None:
        address = {key: clean_text(value) for key, value in (customer.get("address") or {}).items()
                   if key in STRIPE_ADDRESS_FIELDS}
        address.update({ADDRESS_KEYS[role]: value for role, value in values.items()})
        try:
            self._call(lambda client: client.v1.customers.update(
                customer_id, params={"address": address},  # type: ignore[arg-type]
                options={"idempotency_key": address_idempotency_key(self.run_id, customer_id, values)},
            ), cancel, write=True)
        except StripeRetriesExhausted as failure:
            return Refusal(failure.code, f"{failure} Nothing was changed; run again later.")
        except stripe.StripeError as error:
            return Refusal(error.code or f"http_{error.http_status}",
                           f"Stripe refused the address of customer {customer_id}: {error.user_message or error}")
        return None

    def _write_one(self, customer_id: str, account_id: str, cancel: CancelToken | None) -> LinkWriteResult:
        try:
            customer = self._retrieve(customer_id, cancel)
            if customer is None:
                return LinkWriteResult(customer_id, account_id, "not_found",
                                       message=f"Stripe has no customer {customer_id} (deleted?).")
            previous = _exact((customer.get("metadata") or {}).get(self.link_key)) or None
            if (previous or "") == account_id:
                return LinkWriteResult(customer_id, account_id, "unchanged", previous=previous)
            key = idempotency_key(self.run_id, customer_id, account_id)
            self._call(lambda client: client.v1.customers.update(
                customer_id, params={"metadata": {self.link_key: account_id}},
                options={"idempotency_key": key},
            ), cancel, write=True)
            return LinkWriteResult(customer_id, account_id, "written", previous=previous)
        except (StripeUnreachable, StripeThrottled):
            raise
        except StripeRetriesExhausted as failure:
            return LinkWriteResult(
                customer_id, account_id, "failed", error_code=failure.code,
                message=f"{failure} Nothing was changed for this customer; run again later.",
            )
        except stripe.InvalidRequestError as error:
            if _is_missing(error):
                return LinkWriteResult(customer_id, account_id, "not_found",
                                       message=f"Stripe customer {customer_id} was deleted meanwhile.")
            return _refused(customer_id, account_id, error, "validation")  # the customer itself was refused
        except stripe.StripeError as error:
            return _refused(customer_id, account_id, error, error.code or f"http_{error.http_status}")


def _refused(customer_id: str, account_id: str, error: stripe.StripeError, code: str) -> LinkWriteResult:
    reason = error.user_message or str(error)
    detail = f" ({error.code})" if error.code and error.code != code else ""
    return LinkWriteResult(customer_id, account_id, "failed", error_code=code,
                           message=f"Stripe refused the update of customer {customer_id}: {reason}{detail}")
