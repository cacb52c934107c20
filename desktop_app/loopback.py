"""The one-shot loopback listener that receives an OAuth redirect (RFC 8252, section 7.3), and PKCE.

Shared by every browser login (Salesforce, and billing systems that sign in with OAuth 2.0), so it
names no system of its own: the caller says which one, for the pages and messages.

It listens on 127.0.0.1 only, answers the browser with a short page saying whether the login
worked, and hands the query parameters of the redirect that carries the login's own ``state`` to the
waiting login. Any other request to the redirect path (another local process, a stale browser tab, a
forged ``error=``) is answered "not completed" and ignored: the listener keeps waiting for the
genuine redirect until the timeout (RFC 8252, section 8.9).
"""

from __future__ import annotations

import base64
import errno
import hashlib
import html
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from desktop_app.core.progress import Cancelled, CancelToken

REDIRECT_PATH = "/OauthRedirect"

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Crosslink</title>
<style>body{{font-family:system-ui,sans-serif;margin:4em auto;max-width:34em;color:#222}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>"""


class LoopbackError(Exception):
    """The login's redirect did not arrive (timed out); the message says what to do."""


class LoopbackPortBusy(LoopbackError):
    """The loopback port is used by another program."""


def new_pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge) pair: 43-128 URL-safe characters, no padding."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(48)).rstrip(b"=").decode("ascii")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


@dataclass(frozen=True)
class Redirect:
    """The query parameters of the redirect (first value of each)."""

    params: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _OneShotServer
    # The server answers one request at a time: a local program that connects and sends nothing
    # must not hold the genuine redirect back for long.
    timeout = 10

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != REDIRECT_PATH or self.server.received is not None:
            self._answer(404, "Not found", "This address is only used once, by the Crosslink login.")
            return
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        # The state is checked before anything else is read: an error or a code without the login's
        # own state proves nothing and must not end the login in progress.
        if not secrets.compare_digest(params.get("state", "").encode(), self.server.expected_state.encode()):
            self.server.strays += 1
            self._answer(
                400,
                "Login not completed",
                "This answer does not belong to the login Crosslink is waiting for, so it was ignored.",
            )
            return
        if "error" in params:
            title, text = "Login not completed", "Crosslink was not given access. You can close this tab."
        else:
            title, text = "Connected", f"Crosslink is connected to {self.server.system_name}. You can close this tab."
        self._answer(200, title, text)
        self.server.received = Redirect(params)
        self.server.arrived.set()

    def _answer(self, status: int, title: str, text: str) -> None:
        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # The request line holds the authorization code: never log it.
        return


class _OneShotServer(HTTPServer):
    expected_state: str
    system_name: str
    received: Redirect | None
    arrived: threading.Event
    strays: int  # redirects ignored because they did not carry the expected state


class LoopbackListener:
    """Listens on ``127.0.0.1:<port>`` for one OAuth redirect; use as a context manager."""

    def __init__(self, port: int, *, expected_state: str, redirect_host: str = "localhost",
                 system_name: str = "Salesforce") -> None:
        try:
            self._server = _OneShotServer(("127.0.0.1", port), _Handler)
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise LoopbackPortBusy(
                    f"Port {port} on this computer is used by another program, so Crosslink cannot "
                    f"receive the {system_name} login there."
                ) from None
            raise
        self._server.expected_state = expected_state
        self._server.system_name = system_name
        self._server.received = None
        self._server.strays = 0
        self._server.arrived = threading.Event()
        self._redirect_host = redirect_host
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="oauth-loopback",
            daemon=True,
        )

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        """The redirect URI to register and to send in the authorize request."""
        return f"http://{self._redirect_host}:{self.port}{REDIRECT_PATH}"

    def __enter__(self) -> LoopbackListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()

    def wait(self, *, timeout: float, cancel: CancelToken | None = None) -> Redirect:
        """The parameters of the redirect carrying the expected state; ``LoopbackError`` after
        ``timeout`` s, ``Cancelled`` on cancel. Redirects with another state never end the wait."""
        waited = 0.0
        step = 0.1
        while not self._server.arrived.wait(step):
            if cancel is not None and cancel.cancelled:
                raise Cancelled("login cancelled")
            waited += step
            if waited >= timeout:
                ignored = self._server.strays
                note = (
                    f" {ignored} answer(s) that did not belong to this login were ignored "
                    "(an old browser tab or another program)."
                    if ignored
                    else ""
                )
                raise LoopbackError(
                    f"No answer from the {self._server.system_name} login page within {int(timeout)} seconds.{note}"
                )
        assert self._server.received is not None
        return self._server.received
