"""Blanking a request's own secrets out of an answer: which names are credentials, which spellings
are blanked, and that ordinary text is left alone."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

from desktop_app.core.secret_text import BLANKED, blank_secrets, is_secret_name, request_secrets

SECRET = "tok+en/with=odd chars"


def test_credential_names_are_recognised_and_ordinary_headers_are_not() -> None:
    for name in ("Authorization", "X-Api-Key", "client_secret", "refresh_token", "code", "code_verifier",
                 "Proxy-Authorization", "Cookie", "password"):
        assert is_secret_name(name), name
    for name in ("Accept-Encoding", "Content-Type", "User-Agent", "Host", "grant_type", "client_id"):
        assert not is_secret_name(name), name


def test_every_spelling_of_every_secret_of_a_request_is_blanked() -> None:
    pair = base64.b64encode(f"the-id:{SECRET}".encode()).decode()
    secrets = request_secrets({"Authorization": f"Basic {pair}", "Accept": "application/json"},
                              {"refresh_token": "refresh-123456", "grant_type": "refresh_token"})
    assert f"the-id:{SECRET}" in secrets
    assert SECRET in secrets
    assert "application/json" not in secrets
    for spelled in (SECRET, quote(SECRET, safe=""), quote_plus(SECRET), json.dumps(SECRET)[1:-1], pair,
                    "refresh-123456"):
        blanked = blank_secrets(f"echo: {spelled}; Accept: application/json".encode(), secrets).decode()
        assert spelled not in blanked
        assert blanked.endswith("; Accept: application/json")
        assert BLANKED in blanked
    assert blank_secrets(b"Authorization: Basic " + pair.encode(), secrets) == b"Authorization: [redacted]"


def test_basic_credentials_and_short_values() -> None:
    secrets = request_secrets(basic_auth=("user", "longer-secret"))
    text = f"u={base64.b64encode(b'user:longer-secret').decode()} s=longer-secret".encode()
    assert blank_secrets(text, secrets) == b"u=[redacted] s=[redacted]"
    assert blank_secrets(b"code 0 and 1234", request_secrets(form={"code": "0", "pin_code": "1234"})) == (
        b"code 0 and 1234")  # too short to blank without eating ordinary words
