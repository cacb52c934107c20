"""The ``requests.Session`` simple-salesforce is handed: every request goes through the login's shared
session (its connection pool and proxies), with this client's timeout and the org's CA.

simple-salesforce sets no timeout and passes no ``verify`` on its calls (its Bulk 2.0 calls cannot even
be given one), and ``requests`` lets a machine-wide ``REQUESTS_CA_BUNDLE`` replace a session's
``verify`` for such calls. Here both are put on every request, so the org's CA always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from simple_salesforce.api import Salesforce

from desktop_app.core.secret_text import blank_secrets, request_secrets


def without_sent_secrets(
    response: requests.Response, *, headers: Mapping[str, Any] | None = None, form: Any = None
) -> requests.Response:
    """``response`` with the secrets of the request that got it (credential headers, credential form
    fields) blanked out of its body when it is an error answer: a server or proxy that echoes the
    request would otherwise put the token into the error message simple-salesforce or we build."""
    if response.ok:
        return response
    secrets = request_secrets({k: v for k, v in (headers or {}).items() if isinstance(v, str)},
                              form if isinstance(form, Mapping) else None)
    content = blank_secrets(response.content, secrets)
    if content != response.content:
        response._content = content  # requests keeps the read body here; it has no public setter
    return response


class ClientHttp(requests.Session):
    """A session-shaped view of ``shared`` that adds ``timeout`` and ``verify`` to every request, counts
    the requests sent and remembers the last ``Sforce-Limit-Info`` API usage."""

    def __init__(self, shared: requests.Session, *, timeout: float, verify: str | bool) -> None:
        super().__init__()
        self.shared = shared
        self.timeout = timeout
        self.verify = verify
        self.proxies = shared.proxies
        self.sent = 0
        self.api_usage: tuple[int, int] | None = None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Send through the shared session with our timeout and CA (a caller's own values win)."""
        kwargs.setdefault("timeout", self.timeout)
        if kwargs.get("verify") is None:
            kwargs["verify"] = self.verify
        self.sent += 1
        response = without_sent_secrets(self.shared.request(method, url, *args, **kwargs),
                                        headers={**self.shared.headers, **(kwargs.get("headers") or {})},
                                        form=kwargs.get("data"))
        if response.headers.get("Content-Type", "").startswith("text/csv") and "charset" not in response.headers.get(
            "Content-Type", ""
        ):
            response.encoding = "utf-8"  # Bulk API 2.0 CSV is UTF-8; requests would guess ISO-8859-1
        info = response.headers.get("Sforce-Limit-Info")
        if info:
            usage = Salesforce.parse_api_usage(info).get("api-usage")
            if usage is not None:
                self.api_usage = (int(usage.used), int(usage.total))
        return response

    def close(self) -> None:
        """The shared session belongs to the login; closing a view closes nothing."""
