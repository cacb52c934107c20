"""The one-shot loopback listener that receives the OAuth redirect (RFC 8252, section 7.3).

It listens on 127.0.0.1 only, answers the browser with a short page saying whether the login
worked, and hands the query parameters of the first redirect to the waiting login.
"""

from __future__ import annotations

import errno
import html
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from desktop_app.core.progress import Cancelled, CancelToken
from desktop_app.salesforce.errors import LoginError, PortBusy

REDIRECT_PATH = "/OauthRedirect"

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Crosslink</title>
<style>body{{font-family:system-ui,sans-serif;margin:4em auto;max-width:34em;color:#222}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>"""


@dataclass(frozen=True)
class Redirect:
    """The query parameters of the redirect (first value of each)."""

    params: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _OneShotServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != REDIRECT_PATH or self.server.received is not None:
            self._answer(404, "Not found", "This address is only used once, by the Crosslink login.")
            return
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if "error" in params:
            title, text = "Login not completed", "Crosslink was not given access. You can close this tab."
        elif params.get("state") != self.server.expected_state:
            title, text = "Login not completed", "This answer does not belong to the login Crosslink started."
        else:
            title, text = "Connected", "Crosslink is connected to Salesforce. You can close this tab."
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
    received: Redirect | None
    arrived: threading.Event


class LoopbackListener:
    """Listens on ``127.0.0.1:<port>`` for one OAuth redirect; use as a context manager."""

    def __init__(self, port: int, *, expected_state: str, redirect_host: str = "localhost") -> None:
        try:
            self._server = _OneShotServer(("127.0.0.1", port), _Handler)
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortBusy(
                    f"Port {port} on this computer is used by another program, so Crosslink cannot "
                    "receive the Salesforce login there. Close the other program (another login in "
                    "progress, Data Loader, the Salesforce CLI) or choose another port with --port and "
                    "add http://localhost:<port>/OauthRedirect to your External Client App's callback URLs."
                ) from None
            raise
        self._server.expected_state = expected_state
        self._server.received = None
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
        """The redirect's parameters; ``LoginError`` after ``timeout`` s, ``Cancelled`` on cancel."""
        waited = 0.0
        step = 0.1
        while not self._server.arrived.wait(step):
            if cancel is not None and cancel.cancelled:
                raise Cancelled("login cancelled")
            waited += step
            if waited >= timeout:
                raise LoginError(
                    f"No answer from the Salesforce login page within {int(timeout)} seconds. "
                    "Finish the login in the browser window Crosslink opened, or start again."
                )
        assert self._server.received is not None
        return self._server.received
