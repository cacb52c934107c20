"""A lean HTTPS transport for the billing request path: HTTP/1.1 on kept-alive TLS connections.

``requests`` costs about 1 ms of CPU per keep-alive request (preparing, merging settings, hooks,
adapters, urllib3's pool); ``http.client`` on the same connection about a third of that, and
``billing.http11`` (one write per request, the answer's headers split once instead of parsed by
the ``email`` package) less again. With tens of thousands of requests per run from several
threads sharing the interpreter lock, that difference is most of a run's time. This module sends
one request on a connection lent from an idle stack (one per thread in flight) and answers with a
small ``Answer`` carrying what the adapters read: ``status_code``, ``ok``, ``headers``,
``content``, ``text``, ``json()``.

TLS is verified as ``requests`` verifies it: the CA file or directory given, else the bundle
``requests`` uses (certifi), host names checked, TLS 1.2 at least. No proxy support: the client
uses ``requests`` when the environment names a proxy for the system (``JsonApiClient``).

A kept-alive connection is checked for a hang-up by the server before it is used again (as urllib3
does): one the server closed while idle is replaced by a new one before anything is sent on it.
Nothing is ever sent twice here: a request whose connection drops after it left raises
``ConnectionDropped``, and ``billing.http`` decides (a read is retried there; a write's outcome is
unknown and the journal reads it back). Failures of the line become ``LineFailure`` subclasses,
which ``billing.http`` maps as it maps the ``requests`` ones. The request's headers (credentials)
never appear in an exception.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.utils import DEFAULT_CA_BUNDLE_PATH
from urllib3.util import wait_for_read

from desktop_app.billing.http11 import Headers, MalformedAnswer, ServerClosed, Wire, request_bytes

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A connection idle at least this long is checked for a hang-up by the server before it is used
# again (0: always; one poll() per request, no measurable cost).
CHECK_IDLE_AFTER = 0.0
USER_AGENT = "crosslink (python)"
# ``json.dumps``' defaults (separators included), NaN and infinity refused; made once, not per request.
_JSON = json.JSONEncoder(allow_nan=False)


class LineFailure(Exception):
    """The request got no complete answer. ``never_sent``: surely not received by the server;
    ``timed_out``: the server did not answer in time."""

    never_sent = False
    timed_out = False


class ConnectFailed(LineFailure):
    """No connection could be made (refused, unreachable, name unknown): nothing was sent."""

    never_sent = True


class ConnectTimeout(ConnectFailed):
    """The connection was not made in time: nothing was sent."""

    timed_out = True


class TLSFailure(LineFailure):
    """The TLS handshake failed (an untrusted or wrong certificate)."""


class ReadTimeout(LineFailure):
    """The server did not answer within the read timeout."""

    timed_out = True


class ConnectionDropped(LineFailure):
    """The connection closed or broke before or during the answer."""


class Answer:
    """An HTTP answer, read whole: what the billing adapters use of ``requests.Response``."""

    __slots__ = ("content", "headers", "status_code", "url")

    def __init__(self, status_code: int, headers: Headers, content: bytes, url: str) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive ``get``
        self.content = content
        self.url = url

    def __repr__(self) -> str:
        return f"<Answer [{self.status_code}]>"

    @property
    def ok(self) -> bool:
        """True for statuses below 400 (as ``requests``)."""
        return self.status_code < 400

    @property
    def text(self) -> str:
        """The body decoded by the charset the server named (UTF-8 otherwise)."""
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON raises ``requests``' ``JSONDecodeError`` (a
        ``ValueError`` and a ``RequestException``), so the adapters' handling of an unreadable answer
        is the same on both transports."""
        try:
            return json.loads(self.content)
        except json.JSONDecodeError as failure:
            raise requests.exceptions.JSONDecodeError(failure.msg, failure.doc, failure.pos) from None
        except UnicodeDecodeError as failure:
            raise requests.exceptions.JSONDecodeError(str(failure.reason), "", 0) from None


class _Connection:
    """One kept-alive TLS connection (``wire`` is None until connected and once closed) and when
    it was last used."""

    __slots__ = ("used_at", "wire")

    def __init__(self) -> None:
        self.wire: Wire | None = None
        self.used_at = 0.0

    @property
    def sock(self) -> socket.socket | None:
        return self.wire.sock if self.wire is not None else None

    def close(self) -> None:
        wire, self.wire = self.wire, None
        if wire is not None:
            wire.sock.close()


class LeanTransport:
    """Sends requests to one HTTPS origin on kept-alive connections; safe to use from many threads."""

    def __init__(self, base_url: str, *, auth: tuple[str, str] | None = None,
                 headers: Mapping[str, str] | None = None, ca_cert: Path | str | None = None,
                 check_idle_after: float = CHECK_IDLE_AFTER) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(f"the lean transport speaks HTTPS only, not {parts.scheme or 'no scheme'}://")
        self.host = parts.hostname
        self.port = parts.port or 443
        name = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address in brackets
        self._host_header = name if self.port == 443 else f"{name}:{self.port}"
        # URLs the client builds on ``base_url`` start with this; their target is taken without urlsplit.
        self._origin = f"https://{parts.netloc}/" if not (parts.username or parts.password) else None
        self.check_idle_after = check_idle_after
        self._ca = str(ca_cert) if ca_cert else DEFAULT_CA_BUNDLE_PATH
        self._context: ssl.SSLContext | None = None
        self._context_lock = threading.Lock()
        self._headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **dict(headers or {})}
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {token}"
        self._idle: queue.LifoQueue[_Connection] = queue.LifoQueue()
        self._open: set[_Connection] = set()
        self._open_lock = threading.Lock()
        # An adapter dropped without ``close`` still closes its connections when collected.
        weakref.finalize(self, _close_all, self._open, self._open_lock)
        self.connections_made = 0  # new connections (keep-alive reuse shows as few of these)

    def __repr__(self) -> str:  # the headers hold credentials; never print them
        return f"LeanTransport({self.host!r}, {self.port})"

    def close(self) -> None:
        """Close every connection."""
        _close_all(self._open, self._open_lock)

    def send(self, method: str, url: str, *, timeout: tuple[float, float], params: Mapping[str, Any] | None = None,
             json_body: Any = None, data: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None) -> Answer:
        """One request, its whole answer read; raises ``LineFailure`` when no complete answer came."""
        target, body, sent_headers = self._prepare(method, url, params, json_body, data, headers)
        connection = self._connection(timeout)
        try:
            answer, reusable = self._exchange(connection, method, target, body, sent_headers, timeout)
        except BaseException:
            self._forget(connection)
            raise
        if reusable:
            connection.used_at = time.monotonic()
            self._idle.put(connection)
        else:  # the server ends it (``Connection: close``, a body read to its end)
            self._forget(connection)
        return answer

    # --- preparing -----------------------------------------------------------------------------

    def _prepare(self, method: str, url: str, params: Mapping[str, Any] | None, json_body: Any,
                 data: Mapping[str, str] | None, headers: Mapping[str, str] | None
                 ) -> tuple[str, bytes | None, dict[str, str]]:
        if self._origin and url.startswith(self._origin) and "#" not in url:
            path, _, url_query = url[len(self._origin) - 1:].partition("?")
        else:
            parts = urlsplit(url)
            if (parts.hostname, parts.port or 443) != (self.host, self.port):
                raise ValueError("the lean transport sends to the origin it was made for only")
            path, url_query = parts.path, parts.query
        target = path or "/"
        query = "&".join(q for q in (url_query, urlencode(params, doseq=True) if params else "") if q)
        if query:
            target = f"{target}?{query}"
        sent = dict(self._headers)
        body: bytes | None = None
        if json_body is not None:
            try:
                body = _JSON.encode(json_body).encode("utf-8")
            except ValueError as failure:  # NaN or infinity: refused as ``requests`` refuses it
                raise requests.exceptions.InvalidJSONError(str(failure)) from None
            sent["Content-Type"] = "application/json"
        elif data is not None:
            body = urlencode(data, doseq=True).encode("utf-8")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if headers:
            sent.update(headers)
        if body is None and method.upper() not in SAFE_METHODS:
            sent["Content-Length"] = "0"
        return target, body, sent

    # --- connections ---------------------------------------------------------------------------

    def _connection(self, timeout: tuple[float, float]) -> _Connection:
        """An idle kept-alive connection the server has not hung up on, else a new one."""
        while True:
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                break
            if connection.sock is None or (time.monotonic() - connection.used_at >= self.check_idle_after
                                           and _hung_up(connection.sock)):
                self._forget(connection)
                continue
            connection.sock.settimeout(timeout[1])
            return connection
        return self._new_connection()

    def _new_connection(self) -> _Connection:
        connection = _Connection()
        with self._open_lock:
            self._open.add(connection)
        return connection

    def _forget(self, connection: _Connection) -> None:
        connection.close()
        with self._open_lock:
            self._open.discard(connection)

    def _ssl_context(self) -> ssl.SSLContext:
        with self._context_lock:
            if self._context is None:
                if not os.path.exists(self._ca):
                    raise OSError(f"Could not find a suitable TLS CA certificate bundle, invalid path: {self._ca}")
                as_dir = os.path.isdir(self._ca)
                context = ssl.create_default_context(cafile=None if as_dir else self._ca,
                                                     capath=self._ca if as_dir else None)
                context.minimum_version = ssl.TLSVersion.TLSv1_2
                self._context = context
            return self._context

    def _connect(self, connection: _Connection, timeout: tuple[float, float]) -> None:
        """Connect (TCP within the connect timeout, then TLS), then wait answers up to the read timeout."""
        context = self._ssl_context()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout[0])
            try:
                # The request goes out in one write; do not hold it back waiting for an ACK.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                tls = context.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        except ssl.SSLError as failure:  # an untrusted or wrong certificate among them
            raise TLSFailure(f"TLS with {self.host}:{self.port} failed: {failure}") from None
        except TimeoutError:
            raise ConnectTimeout(f"no connection to {self.host}:{self.port} within {timeout[0]:g} s") from None
        except OSError as failure:
            raise ConnectFailed(f"no connection to {self.host}:{self.port}: {failure.strerror or failure}") from None
        self.connections_made += 1
        tls.settimeout(timeout[1])
        connection.wire = Wire(tls)

    # --- one exchange --------------------------------------------------------------------------

    def _exchange(self, connection: _Connection, method: str, target: str, body: bytes | None,
                  headers: dict[str, str], timeout: tuple[float, float]) -> tuple[Answer, bool]:
        """The answer, and whether the connection may carry another request."""
        request = request_bytes(method, target, self._host_header, headers, body)
        if connection.wire is None:
            self._connect(connection, timeout)
        wire = connection.wire
        assert wire is not None
        try:
            wire.sock.sendall(request)
            status, answer_headers, content, reusable = wire.read_answer(method)
        except TimeoutError:
            what = "stopped sending its answer" if wire.buffer else "did not answer"
            raise ReadTimeout(f"{self.host}:{self.port} {what} within {timeout[1]:g} s") from None
        except ServerClosed as failure:
            when = "during" if failure.started else "before"
            raise ConnectionDropped(
                f"the connection to {self.host}:{self.port} closed {when} an answer (ServerClosed)") from None
        except (OSError, MalformedAnswer) as failure:
            raise ConnectionDropped(
                f"the connection to {self.host}:{self.port} broke ({type(failure).__name__})") from None
        url = f"https://{self.host}:{self.port}{target}"
        return Answer(status, answer_headers, content, url), reusable


def _close_all(connections: set[_Connection], lock: threading.Lock) -> None:
    with lock:
        closing = list(connections)
        connections.clear()
    for connection in closing:
        connection.close()


def _hung_up(sock: socket.socket) -> bool:
    """True when the server closed an idle connection (it is readable: EOF, or an unasked-for byte)."""
    try:
        return bool(wait_for_read(sock, timeout=0.0))
    except OSError:
        return True
