"""The loopback half of the OAuth login: what happens when the browser comes back (or does not)."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sf_support import query_of, registered_login, sandbox_app, walk_sandbox_login

from desktop_app.core.progress import Cancelled, CancelToken
from desktop_app.salesforce.errors import LoginCancelled, LoginError, PortBusy
from desktop_app.salesforce.oauth import OAuthApp, fetch_identity, login

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


def visit(url: str) -> tuple[int, str]:
    """One real HTTP GET to the listener, as a browser tab or another local program would send it."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def strays_then(genuine: dict[str, str] | None, strays: list[dict[str, str]], answers: list[tuple[int, str]]):
    """A browser stand-in: sends every stray redirect, then the genuine one with the login's own state
    (none when ``genuine`` is None), each answered by the listener's thread before the next is sent."""

    def open_browser(url: str) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        base = query["redirect_uri"].replace("localhost", "127.0.0.1")
        for stray in strays:
            answers.append(visit(f"{base}?{urlencode(stray)}"))
        if genuine is not None:
            answers.append(visit(f"{base}?{urlencode({**genuine, 'state': query['state']})}"))

    return open_browser


FORGED = [
    {"error": "access_denied", "error_description": "forged"},  # no state at all
    {"error": "invalid_request", "state": "stale-tab"},
    {"code": "aPrxstolen", "state": "stale-tab"},
    {"code": "aPrxnostate"},
]


def test_stray_redirects_are_answered_not_completed_and_the_login_keeps_waiting() -> None:
    answers: list[tuple[int, str]] = []
    opener = strays_then({"error": "access_denied", "error_description": "end-user denied"}, FORGED, answers)
    with pytest.raises(LoginCancelled, match="refused"):
        login(APP, port=free_port(), open_browser=opener, timeout=10)
    assert len(answers) == len(FORGED) + 1
    for status, page in answers[:-1]:
        assert status == 400
        assert "Login not completed" in page
        assert "does not belong" in page
    assert answers[-1][0] == 200  # only the redirect with the right state ended the login


def test_only_stray_redirects_end_in_the_timeout_without_any_token_request() -> None:
    answers: list[tuple[int, str]] = []
    opener = strays_then(None, FORGED, answers)
    # The login host is the real one: a token request would fail with "Could not reach", not time out.
    with pytest.raises(LoginError, match=r"No answer.*4 answer\(s\) that did not belong"):
        login(APP, port=free_port(), open_browser=opener, timeout=0.5)
    assert [status for status, _ in answers] == [400] * len(FORGED)


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


def test_the_genuine_code_is_exchanged_after_stray_redirects(start_sandbox: Any) -> None:
    """The whole login against the sandbox org: the sandbox's login form and consent page walked over
    HTTPS, stray redirects sent to the listener first, then the sandbox's own redirect."""
    sandbox, port = registered_login(start_sandbox, accounts=5)
    app = sandbox_app(sandbox)
    answers: list[tuple[int, str]] = []

    def browser(url: str) -> None:
        redirect = walk_sandbox_login(sandbox, url)
        strays_then(None, [*FORGED, {"code": query_of(redirect)["code"], "state": "stale-tab"}], answers)(url)
        answers.append(visit(redirect))

    tokens = login(app, port=port, open_browser=browser, timeout=30)
    assert [status for status, _ in answers] == [400] * (len(FORGED) + 1) + [200]
    assert "Crosslink is connected" in answers[-1][1]
    assert fetch_identity(tokens, verify=app.verify)["username"] == "admin@crosslink.demo"
