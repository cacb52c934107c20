"""Which Salesforce login hosts Crosslink accepts, and how a user may name them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from desktop_app.salesforce.errors import LoginError

PRODUCTION = "https://login.salesforce.com"
SANDBOX = "https://test.salesforce.com"
_ALIASES = {"production": PRODUCTION, "login": PRODUCTION, "sandbox": SANDBOX, "test": SANDBOX}
# My Domain: acme.my.salesforce.com, acme--uat.sandbox.my.salesforce.com (labels: letters, digits, -).
_MY_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?(?:\.sandbox)?\.my\.salesforce\.com")
_LOOPBACK = re.compile(r"127\.0\.0\.1:\d{1,5}")


def resolve_login_host(value: str, *, allow_local: bool = False) -> str:
    """The canonical ``https://`` login host for ``value``, or ``LoginError`` saying what is accepted.

    Accepts ``production``/``sandbox`` (and ``login``/``test``), ``https://login.salesforce.com``,
    ``https://test.salesforce.com``, a My Domain (``https://<name>.my.salesforce.com`` or
    ``https://<name>--<sandbox>.sandbox.my.salesforce.com``, the scheme may be omitted) and, only
    when ``allow_local`` is set, the local sandbox org at ``https://127.0.0.1:<port>``.
    """
    text = value.strip()
    if text.lower() in _ALIASES:
        return _ALIASES[text.lower()]
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    netloc = parts.netloc.lower()
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in netloc:
        raise LoginError(
            f"The login host '{value}' must be a bare host name such as https://acme.my.salesforce.com, without a path."
        )
    if parts.scheme != "https":
        raise LoginError(f"The login host '{value}' must use https://.")
    if netloc in ("login.salesforce.com", "test.salesforce.com") or _MY_DOMAIN.fullmatch(netloc):
        return f"https://{netloc}"
    if _LOOPBACK.fullmatch(netloc):
        if allow_local:
            return f"https://{netloc}"
        raise LoginError(
            "Logging in to a local server (127.0.0.1) is only allowed for the Crosslink "
            "sandbox org; pass it explicitly as the sandbox login host."
        )
    raise LoginError(
        f"'{value}' is not a Salesforce login host. Use production (login.salesforce.com), sandbox "
        "(test.salesforce.com) or your My Domain, e.g. https://acme.my.salesforce.com."
    )

