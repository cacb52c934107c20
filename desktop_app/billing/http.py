"""A small JSON-over-HTTPS client with retries, used by the adapters that have no vendor SDK.

It retries throttling (429, honouring ``Retry-After``), server errors (5xx) and dropped
connections with backoff that the user can cancel; refused credentials raise ``BillingAuthError``
at once. Callers that retry writes must send an ``Idempotency-Key`` so a retry never applies twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from desktop_app.billing.base import BillingAuthError, BillingConnectionError
from desktop_app.billing.retry import RetryPolicy, parse_retry_after, sleep_or_cancel
from desktop_app.core.progress import CancelToken

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RetriesExhausted(BillingConnectionError):
    """The last answer was still a 429/5xx after every retry (kept on ``response``)."""

    def __init__(self, message: str, response: requests.Response) -> None:
        super().__init__(message)
        self.response = response


class JsonApiClient:
    """Session-bound HTTP client for one API base URL (keep-alive, timeouts, CA, retries)."""

    def __init__(
        self,
        base_url: str,
        *,
        system_name: str,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        ca_cert: Path | str | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.system_name = system_name
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self._session = requests.Session()
        self._session.auth = auth
        self._session.headers.update(headers or {})
        # Passed on every request: a session-level ``verify`` loses to REQUESTS_CA_BUNDLE.
        self._verify: str | bool = str(ca_cert) if ca_cert else True

    def __repr__(self) -> str:  # the session holds credentials; never print them
        return f"JsonApiClient({self.base_url!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        cancel: CancelToken | None = None,
        data: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send a request, retrying 429/5xx/dropped connections; any other answer is returned.

        Raises ``BillingAuthError`` on 401/403, ``RetriesExhausted`` when throttling or server
        errors outlast the retries, ``BillingConnectionError`` when the server stays unreachable,
        ``Cancelled`` when the user cancels during a wait.
        """
        url = f"{self.base_url}/{path.lstrip('/')}"
        attempts = max(1, self.retry.max_attempts)
        for attempt in range(attempts):
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                response = self._session.request(
                    method, url, params=params, json=json, data=data, headers=headers, timeout=self.timeout,
                    verify=self._verify,
                )
            except (requests.ConnectionError, requests.Timeout) as failure:
                if attempt + 1 >= attempts:
                    raise BillingConnectionError(
                        f"Could not reach {self.system_name} at {self.base_url} "
                        f"({type(failure).__name__}) after {attempts} attempts. "
                        "Check the network connection and try again."
                    ) from None
                sleep_or_cancel(self.retry.delay(attempt), cancel)
                continue
            if response.status_code in (401, 403):
                raise BillingAuthError(
                    f"{self.system_name} refused the API credentials (HTTP {response.status_code}). "
                    "Check the key or client id/secret and that it may read and update customers."
                )
            if response.status_code not in RETRY_STATUSES:
                return response
            if attempt + 1 >= attempts:
                raise RetriesExhausted(
                    f"{self.system_name} kept answering HTTP {response.status_code} "
                    f"after {attempts} attempts.",
                    response,
                )
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            sleep_or_cancel(self.retry.delay(attempt, retry_after), cancel)
        raise AssertionError("unreachable")  # the loop always returns or raises
