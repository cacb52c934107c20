"""What the secrets sweep runs against besides the sandboxes themselves: distinctive secret values, a
server that answers every request with the request echoed back, and the browsers of the sandbox
org's and the billing sandboxes' login pages."""

from __future__ import annotations

import itertools
import re
import secrets
import socket
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from desktop_app.sandbox.httpserver import Request, Response, SandboxServer
from desktop_app.sandbox.salesforce import RunningSalesforceSandbox
from desktop_app.sandbox.tls import create_tls_files


def free_port() -> int:
    """A local port nothing listens on now (for the login's loopback redirect)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def distinctive(name: str) -> str:
    """A secret value no file would hold by chance, with characters that change under encoding."""
    return f"{name}+SWEEP/{secrets.token_urlsafe(18)}=!"


def sandbox_browser(sandbox: RunningSalesforceSandbox) -> Callable[[str], bool]:
    """What a person does in the browser ``login`` opens: sign in as the demo admin, allow, and follow
    the redirect back to the app (``urllib``, which logs nothing, so the sweep sees only the app's logs)."""

    def open_page(url: str) -> bool:
        web = requests.Session()
        web.verify, web.trust_env = str(sandbox.ca_cert), False
        page = web.get(url, timeout=10)
        pending = re.search(r'name="pending" value="([^"]+)"', page.text)
        assert pending is not None, page.text
        form = {"pending": pending.group(1)}
        web.post(f"{sandbox.login_url}/services/oauth2/authorize/login",
                 data={**form, "username": sandbox.username, "pw": sandbox.password}, timeout=10)
        answer = web.post(f"{sandbox.login_url}/services/oauth2/authorize/consent",
                          data={**form, "decision": "allow"}, allow_redirects=False, timeout=10)
        redirect = answer.headers["Location"].replace("//localhost:", "//127.0.0.1:")
        with urllib.request.urlopen(redirect, timeout=10) as back:
            back.read()
        return True

    return open_page


def billing_browser(ca_cert: Path) -> Callable[[str], bool]:
    """The browser of a billing sign-in: the sandbox consents at once and redirects to the app (that
    redirect, which carries the code, followed with ``urllib``, which logs nothing)."""

    def open_page(url: str) -> bool:
        answer = requests.get(url, verify=str(ca_cert), timeout=10, allow_redirects=False)
        redirect = answer.headers["Location"].replace("//localhost:", "//127.0.0.1:")
        with urllib.request.urlopen(redirect, timeout=10) as back:
            back.read()
        return True

    return open_page


class EchoServer:
    """A server (HTTPS; HTTP for clients without a CA option, as Stripe's) that answers every request
    with ``status`` and the request echoed back, the way some proxies' and frameworks' error pages do:
    as plain text (``as_text``) or inside the error message of the API's own error shape (an OAuth
    error at the token endpoints, Salesforce's list under ``/services``, else an ``error`` object).
    The headers come first, so the echo survives an error message cut short."""

    def __init__(self, workdir: Path, status: int = 400, *, https: bool = True) -> None:
        self.status = status
        self.as_text = False
        self.tls = create_tls_files(workdir / "echo-tls")
        self._server = SandboxServer(self._echo, tls=self.tls if https else None).start()

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._server.url

    @property
    def ca_cert(self) -> Path:
        """The CA certificate a client must trust."""
        return self.tls.ca_cert

    def _echo(self, request: Request) -> Response:
        headers = sorted(request.headers.items(), key=lambda item: item[0].lower() != "authorization")
        echoed = "; ".join(f"{name}: {value}" for name, value in headers)
        echoed += f"; {request.method} {request.path} {request.body.decode('utf-8', 'replace')}"
        if self.as_text:
            return Response.text(f"Bad request: {echoed}", self.status)
        if request.path.startswith(("/services/oauth2", "/connect", "/oauth")):
            return Response.json({"error": "invalid_request", "error_description": echoed}, self.status)
        if request.path.startswith("/services"):
            return Response.json([{"errorCode": "ECHO", "message": echoed}], self.status)
        return Response.json({"error": {"code": "echo", "message": echoed}, "message": echoed}, self.status)

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()


def expire_mid_command(sandbox: RunningSalesforceSandbox, after_calls: int) -> None:
    """Every access token the org issued expires once ``after_calls`` more API calls have been
    checked: the next command meets an expired session part way through and renews it."""
    service = sandbox.oauth
    checked = service.session_for
    calls = itertools.count(1)

    def session_for(token: str | None) -> Any:
        if next(calls) == after_calls:
            service.expire_access_tokens()
        return checked(token)

    service.session_for = session_for  # type: ignore[method-assign]
