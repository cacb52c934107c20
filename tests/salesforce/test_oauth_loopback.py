"""The loopback half of the OAuth login: what happens when the browser comes back (or does not)."""

from __future__ import annotations

import socket
import threading
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from desktop_app.core.progress import Cancelled, CancelToken
from desktop_app.salesforce.errors import LoginCancelled, LoginError, PortBusy
from desktop_app.salesforce.oauth import OAuthApp, login

APP = OAuthApp(login_host="https://login.salesforce.com", consumer_key="3MVGkey")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def browser_returning(extra: dict[str, str], *, keep_state: bool = True, pages: list[str] | None = None):
    """A stand-in for the user's browser: reads the authorize URL and follows the redirect with ``extra``."""

    def open_browser(url: str) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        params = dict(extra)
        if keep_state:
            params["state"] = query["state"]
        target = query["redirect_uri"].replace("localhost", "127.0.0.1") + "?" + urlencode(params)

        def visit() -> None:
            with urllib.request.urlopen(target, timeout=5) as response:
                if pages is not None:
                    pages.append(response.read().decode())

        visitor = threading.Thread(target=visit, daemon=True)
        visitors.append(visitor)
        visitor.start()

    return open_browser


visitors: list[threading.Thread] = []


def test_refusal_on_the_consent_page_is_a_clean_cancel() -> None:
    pages: list[str] = []
    opener = browser_returning({"error": "access_denied", "error_description": "end-user denied"}, pages=pages)
    with pytest.raises(LoginCancelled, match="refused"):
        login(APP, port=free_port(), open_browser=opener, timeout=10)
    visitors.pop().join(5)
    assert "You can close this tab" in pages[0]


def test_redirect_with_a_foreign_state_is_rejected_before_any_token_request() -> None:
    opener = browser_returning({"code": "aPrxcode", "state": "forged"}, keep_state=False)
    with pytest.raises(LoginError, match="state"):
        login(APP, port=free_port(), open_browser=opener, timeout=10)


def test_busy_port_gives_a_clear_message() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(PortBusy, match=f"Port {port}.*--port"):
            login(APP, port=port, open_browser=lambda url: None, timeout=1)


def test_no_answer_times_out_and_frees_the_port() -> None:
    port = free_port()
    with pytest.raises(LoginError, match="No answer"):
        login(APP, port=port, open_browser=lambda url: None, timeout=0.3)
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # the listener let go of the port


def test_cancel_stops_the_wait() -> None:
    cancel = CancelToken()

    def open_then_cancel(url: str) -> None:
        threading.Timer(0.2, cancel.cancel).start()

    with pytest.raises(Cancelled):
        login(APP, port=free_port(), open_browser=open_then_cancel, timeout=30, cancel=cancel)


def test_listener_only_listens_on_loopback_and_sends_pkce() -> None:
    seen: dict[str, str] = {}

    def inspect(url: str) -> None:
        seen.update({k: v[0] for k, v in parse_qs(urlsplit(url).query).items()})
        browser_returning({"error": "access_denied"})(url)

    port = free_port()
    with pytest.raises(LoginCancelled):
        login(APP, port=port, open_browser=inspect, timeout=10)
    assert seen["redirect_uri"] == f"http://localhost:{port}/OauthRedirect"
    assert seen["code_challenge_method"] == "S256"
    assert len(seen["code_challenge"]) == 43
    assert seen["scope"] == "api refresh_token"
