"""A request's own secrets blanked out of what the server answered.

Some servers, proxies and web frameworks answer an error with the request echoed back: its
``Authorization`` header, its form (``client_secret=…``, ``refresh_token=…``). Error messages are
built from those answers and reach the screen, the results file, the journal and the logs, so the
code that sent a request blanks that request's secrets out of an error answer before anyone reads
it. The secrets are known exactly (they were just sent), so nothing is guessed from patterns.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

BLANKED = "[redacted]"
# Shorter values (a "0", an empty password) would blank ordinary words of a message.
SHORTEST_SECRET = 8
# Words of header and form field names whose values are credentials (``Authorization``,
# ``X-Api-Key``, ``client_secret``, ``refresh_token``, ``code_verifier`` …); not ``Accept-Encoding``.
_SECRET_WORDS = frozenset({"authorization", "auth", "token", "secret", "key", "apikey", "session", "cookie",
                           "signature", "password", "code", "verifier", "assertion"})


def is_secret_name(name: str) -> bool:
    """True when a header or form field called ``name`` carries a credential."""
    return any(word in _SECRET_WORDS for word in re.split(r"[-_.\s]+", name.lower()))


def spellings(secret: str) -> set[str]:
    """``secret`` as an echo could spell it: as sent, URL-encoded (path and form style), JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    return {form for form in forms if len(form) >= SHORTEST_SECRET}


def credential_parts(value: str) -> list[str]:
    """The secrets in one credential header value: the value, the credentials after its scheme
    (``Bearer``, ``Basic`` …) and, for ``Basic``, the decoded ``id:secret`` and the secret alone."""
    parts = [value]
    scheme, _, credentials = value.strip().partition(" ")
    credentials = credentials.strip()
    if not credentials:
        return parts
    parts.append(credentials)
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return parts
        parts += [decoded, decoded.partition(":")[2]]
    return parts


def basic_auth_parts(user: str, secret: str) -> list[str]:
    """The secrets of HTTP Basic credentials: the secret, ``user:secret`` and its base64."""
    pair = f"{user}:{secret}"
    return [secret, pair, base64.b64encode(pair.encode("utf-8")).decode("ascii")]


def request_secrets(
    headers: Mapping[str, str] | None = None,
    form: Mapping[str, str] | None = None,
    basic_auth: tuple[str, str] | None = None,
) -> list[str]:
    """Every secret a request carried in its credential headers, its credential form fields and its
    Basic credentials."""
    secrets: list[str] = []
    for name, value in (headers or {}).items():
        if is_secret_name(name) and isinstance(value, str):
            secrets += credential_parts(value)
    for name, value in (form or {}).items():
        if is_secret_name(name) and isinstance(value, str):
            secrets.append(value)
    if basic_auth is not None:
        secrets += basic_auth_parts(*basic_auth)
    return secrets


def blank_secrets(data: bytes, secrets: Iterable[str]) -> bytes:
    """``data`` with every spelling of each secret replaced by ``[redacted]`` (longest first, so a
    whole ``Basic …`` value goes before the parts it contains)."""
    every = {spelling for secret in secrets if secret for spelling in spellings(secret)}
    for spelling in sorted(every, key=len, reverse=True):
        data = data.replace(spelling.encode("utf-8"), BLANKED.encode("ascii"))
    return data
