"""Every call to the org goes through simple-salesforce here, wrapped in what it lacks: our timeouts
and CA (``ClientHttp``), one token renewal on ``INVALID_SESSION_ID``, exponential backoff on transient
failures, request counting, and our own exception types.

Waiting between attempts goes through the caller's ``CancelToken`` so a user can always stop. A write
whose answer was lost after it may have reached Salesforce is never sent again from here: it raises
``WriteOutcomeUnknown`` so the caller re-reads the records first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import urllib3.exceptions
from simple_salesforce.api import Salesforce
from simple_salesforce.bulk2 import _Bulk2Client
from simple_salesforce.exceptions import SalesforceError as LibraryError
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceOperationError

from desktop_app.core.progress import Cancelled, CancelToken
from desktop_app.salesforce.errors import (
    ApiDisabled,
    ApiRequestFailed,
    RequestLimitExceeded,
    SessionExpired,
    TransientFailure,
    WriteOutcomeUnknown,
)
from desktop_app.salesforce.http import ClientHttp
from desktop_app.salesforce.session import SalesforceSession

log = logging.getLogger(__name__)

T = TypeVar("T")
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


def error_details(content: Any) -> tuple[str, str]:
    """(errorCode, message) from a Salesforce error body (array or object, decoded or text)."""
    body = content
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict):
        code = body.get("errorCode") or body.get("statusCode") or body.get("error") or ""
        message = body.get("message") or body.get("error_description") or ""
        return str(code), str(message)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return "", str(body or "")[:200].strip()


def _never_sent(error: Exception) -> bool:
    """True when the request provably did not reach the server (no connection was made)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class Transport:
    """Calls simple-salesforce for one ``SalesforceSession`` against one API version."""

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
        self.http = ClientHttp(session.http, timeout=timeout, verify=session.verify)
        self._salesforce: Salesforce | None = None

    @property
    def calls(self) -> int:
        """HTTP requests sent so far (retries included)."""
        return self.http.sent

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) daily API requests from the last ``Sforce-Limit-Info`` header, if any."""
        return self.http.api_usage

    def salesforce(self) -> Salesforce:
        """simple-salesforce on our HTTP view and the session's current token (rebuilt after a renewal)."""
        token = self.session.access_token
        if self._salesforce is None or self._salesforce.session_id != token:
            self._salesforce = Salesforce(
                instance_url=self.session.instance_url,
                session_id=token,
                session=self.http,
                version=self.api_version,
                object_pairs_hook=dict,
            )
        return self._salesforce

    def bulk2(self, sf: Salesforce, sobject: str = "") -> _Bulk2Client:
        """simple-salesforce's Bulk 2.0 job calls for ``sobject`` (its sleeping ``wait_for_job`` is not used)."""
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {sf.session_id}"}
        return _Bulk2Client(sobject, sf.bulk2_url, headers, self.http)

    def call(
        self,
        operation: Callable[..., T],
        *args: Any,
        what: str,
        write: bool = False,
        cancel: CancelToken | None = None,
    ) -> T:
        """The result of ``operation(sf, *args)`` after renewals and retries; raises our errors.

        ``write`` marks a request that changes data (POST/PATCH/DELETE, a Bulk upload): when its answer
        is lost after it may have reached Salesforce, it raises ``WriteOutcomeUnknown`` instead of
        sending it again. ``what`` names the call in messages ("reading Accounts").
        """
        renewed = False
        attempt = 0
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            token = self.session.access_token
            sf = self.salesforce()
            try:
                return operation(sf, *args)
            except requests.exceptions.SSLError:
                raise ApiRequestFailed(f"The certificate of {self.session.instance_url} is not trusted.") from None
            except _TRANSIENT_ERRORS as error:
                if write and not _never_sent(error):
                    raise WriteOutcomeUnknown(
                        f"The connection to Salesforce was lost while {what} ({type(error).__name__}), after the "
                        "request may have arrived. It was not sent again; re-read the records to see whether "
                        "it was applied."
                    ) from None
                attempt += 1
                self._backoff(attempt, f"connection problem ({type(error).__name__})", cancel)
            except SalesforceExpiredSession as error:
                if renewed:
                    raise self._error(error, what) from None
                renewed = True
                self.session.renew(expired_token=token)
            except LibraryError as error:
                if error.status not in _TRANSIENT_STATUS:
                    raise self._error(error, what) from None
                if write and error.status != 503:  # 503: Salesforce did not take the request
                    raise WriteOutcomeUnknown(
                        f"Salesforce answered HTTP {error.status} while {what}; the change may or may not have "
                        "been applied. It was not sent again; re-read the records to see.",
                        status=error.status,
                    ) from None
                attempt += 1
                self._backoff(attempt, f"HTTP {error.status}", cancel)
            except SalesforceOperationError as error:
                raise ApiRequestFailed(f"Salesforce refused {what}: {str(error)[:300]}") from None

    def _backoff(self, attempt: int, what: str, cancel: CancelToken | None) -> None:
        if attempt >= self.retry.attempts:
            raise TransientFailure(
                f"Salesforce kept failing ({what}) after {attempt} attempts; try again in a few minutes."
            )
        delay = self.retry.delay(attempt)
        log.info("Salesforce call failed (%s); retry %d in %.1f s", what, attempt, delay)
        if (cancel or CancelToken()).wait(delay):
            raise Cancelled("cancelled by the user")

    def _error(self, error: LibraryError, what: str) -> Exception:
        status = error.status
        code, message = error_details(error.content)
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
            f"Salesforce refused {what}: {message or 'HTTP ' + str(status)}" + (f" ({code})" if code else ""),
            code=code,
            status=status,
        )
