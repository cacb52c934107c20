"""A JSON API client whose OAuth access token is renewed once when the system refuses it.

Access tokens from QuickBooks Online (an hour) and Xero (30 minutes) expire in the middle of a long
run; with a ``renew`` function (a refresh-token grant) the refused call gets a new token and is sent
again once. Without one, the refusal stays one ``BillingAuthError``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from desktop_app.billing.base import BillingAuthError
from desktop_app.billing.http import HttpAnswer, JsonApiClient
from desktop_app.billing.pool import RequestPool

Renew = Callable[[], str]


class BearerApi:
    """``JsonApiClient.request`` with ``Authorization: Bearer`` and one renewal on 401/403."""

    def __init__(self, api: JsonApiClient, access_token: str, renew: Renew | None = None) -> None:
        self._api = api
        self._token = access_token
        self._renew = renew
        self._renewing = threading.Lock()

    def __repr__(self) -> str:  # never show the token
        return f"BearerApi({self._api.base_url!r})"

    @property
    def base_url(self) -> str:
        """The API base URL."""
        return self._api.base_url

    @property
    def pool(self) -> RequestPool:
        """The request pool every request goes through."""
        return self._api.pool

    def close(self) -> None:
        """Close pooled connections."""
        self._api.close()

    def forget_outage(self) -> None:
        """Forget that the system went silent (``JsonApiClient.forget_outage``)."""
        self._api.forget_outage()

    def request(self, method: str, path: str, *, headers: Mapping[str, str] | None = None,
                **options: Any) -> HttpAnswer:
        """Send the request with the current token; renew it once if it is refused."""
        for attempt in (0, 1):
            token = self._token
            try:
                return self._api.request(method, path, headers={**(headers or {}),
                                                                "Authorization": f"Bearer {token}"}, **options)
            except BillingAuthError:
                if attempt or self._renew is None:
                    raise
                with self._renewing:  # requests in flight on other threads: one renewal (refresh tokens rotate)
                    if self._token == token:
                        self._token = self._renew()
        raise AssertionError("unreachable")
