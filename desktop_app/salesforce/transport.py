"""Every HTTP call to the org: timeouts, the org's CA, one token renewal on ``INVALID_SESSION_ID``,
exponential backoff on transient failures, and our own exception types.

Waiting between attempts goes through the caller's ``CancelToken`` so a user can always stop.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from simple_salesforce.api import Salesforce

from desktop_app.core.progress import Cancelled, CancelToken
from desktop_app.salesforce.errors import (
    ApiDisabled,
    ApiRequestFailed,
    RequestLimitExceeded,
    SessionExpired,
    TransientFailure,
    WriteOutcomeUnknown,
)
from desktop_app.salesforce.session import SalesforceSession

log = logging.getLogger(__name__)

_TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
_TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently transient failures are retried (delays double up to ``max_delay``)."""

    attempts: int = 5
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        return float(min(self.max_delay, self.first_delay * 2 ** (attempt - 1)))


def error_details(response: requests.Response) -> tuple[str, str]:
    """(errorCode, message) from a Salesforce error body (array or object), or ("", "")."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200].strip()
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict):
        code = body.get("errorCode") or body.get("statusCode") or body.get("error") or ""
        message = body.get("message") or body.get("error_description") or ""
        return str(code), str(message)
    return "", ""


class Transport:
    """Sends requests for one ``SalesforceSession`` against one API version."""

    def __init__(
        self,
        session: SalesforceSession,
        *,
        api_version: str,
        timeout: float,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.session = session
        self.api_version = api_version
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.api_usage: tuple[int, int] | None = None
        self.calls = 0

    @property
    def base_url(self) -> str:
        """``{instance}/services/data/vXX.X`` without a trailing slash."""
        return f"{self.session.instance_url}/services/data/v{self.api_version}"

    def simple_salesforce(self) -> Salesforce:
        """A simple-salesforce client sharing our HTTP session and the current token (no retries)."""
        return Salesforce(
            instance_url=self.session.instance_url,
            session_id=self.session.access_token,
            session=self.session.http,
            version=self.api_version,
        )

    def url(self, path: str) -> str:
        """Absolute URL for ``path``: absolute URLs pass, ``/services/...`` joins the instance, else the
        API base."""
        if path.startswith("https://") or path.startswith("http://"):
            return path
        if path.startswith("/services/"):
            return self.session.instance_url + path
        return f"{self.base_url}/{path.lstrip('/')}"

    def json(self, method: str, path: str, *, cancel: CancelToken | None = None, **kwargs: Any) -> Any:
        """The decoded JSON answer of a request (None for an empty body)."""
        response = self.request(method, path, cancel=cancel, **kwargs)
        return response.json() if response.content else None

    def request(
        self,
        method: str,
        path: str,
        *,
        cancel: CancelToken | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """The response of a successful (< 300) request, after renewals and retries; raises our errors."""
        url = self.url(path)
        renewed = False
        attempt = 0
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            token = self.session.access_token
            sent = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
            try:
                self.calls += 1
                response = self.session.http.request(
                    method, url, headers=sent, timeout=self.timeout, verify=self.session.verify, **kwargs
                )
            except requests.exceptions.SSLError:
                raise ApiRequestFailed(f"The certificate of {self.session.instance_url} is not trusted.") from None
            except _TRANSIENT_ERRORS as error:
                if method.upper() in ("PATCH", "PUT", "DELETE"): raise WriteOutcomeUnknown(f"Salesforce did not answer a {method} ({type(error).__name__}); it is read back before any retry.") from None  # noqa: E501,E701
                attempt += 1
                self._backoff(attempt, f"connection problem ({type(error).__name__})", cancel)
                continue
            self._note_usage(response)
            if response.status_code < 300:
                return response
            code, message = error_details(response)
            if response.status_code == 401 and not renewed:
                renewed = True
                self.session.renew(expired_token=token)
                continue
            if response.status_code in _TRANSIENT_STATUS:
                attempt += 1
                self._backoff(attempt, f"HTTP {response.status_code}", cancel)
                continue
            raise self._error(response.status_code, code, message, method, url)

    def _backoff(self, attempt: int, what: str, cancel: CancelToken | None) -> None:
        if attempt >= self.retry.attempts:
            raise TransientFailure(
                f"Salesforce kept failing ({what}) after {attempt} attempts; try again in a few minutes."
            )
        delay = self.retry.delay(attempt)
        log.info("Salesforce call failed (%s); retry %d in %.1f s", what, attempt, delay)
        if cancel is not None:
            if cancel.wait(delay):
                raise Cancelled("cancelled by the user")
        else:
            CancelToken().wait(delay)

    def _note_usage(self, response: requests.Response) -> None:
        info = response.headers.get("Sforce-Limit-Info")
        if not info:
            return
        usage = Salesforce.parse_api_usage(info).get("api-usage")
        if usage is not None:
            self.api_usage = (int(usage.used), int(usage.total))

    def _error(self, status: int, code: str, message: str, method: str, url: str) -> Exception:
        where = url.split("?", 1)[0].removeprefix(self.session.instance_url)
        if status == 401:
            return SessionExpired(
                f"Salesforce no longer accepts this login ({code or 'HTTP 401'}); log in again.",
                code=code,
                status=status,
            )
        if code == "REQUEST_LIMIT_EXCEEDED":
            return RequestLimitExceeded(
                "The org has used up its daily API requests, so Crosslink stopped. Nothing more was sent; "
                "try again after the 24-hour window frees requests (Setup > Company Information shows "
                "usage).",
                code=code,
                status=status,
            )
        if code == "API_DISABLED_FOR_ORG":
            return ApiDisabled(f"API access is not enabled: {message}", code=code, status=status)
        return ApiRequestFailed(
            f"Salesforce refused {method} {where}: {message or 'HTTP ' + str(status)}" + (f" ({code})" if code else ""),
            code=code,
            status=status,
        )
