"""A small threaded HTTP(S) server and router the sandboxes are built on (standard library only).

Each sandbox is a ``Router`` of handlers ``(Request) -> Response``; ``SandboxServer`` serves it on
127.0.0.1 over TLS in a background thread (tests, demo mode) or in the foreground (CLI). HTTP/1.1
keep-alive is supported so clients that reuse connections behave as they do against the real APIs.
A response can ask to drop the connection or to answer late, which is how faults are injected; a
server-wide ``latency_seconds`` adds a network round trip to every answer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from desktop_app.sandbox.tls import TlsFiles

log = logging.getLogger(__name__)


MAX_BODY = 200 * 1024 * 1024  # Bulk 2.0 accepts 150 MB per upload; a little headroom
_SECRET_PARAMS = re.compile(r"((?:oauth_token|access_token|refresh_token|code|code_verifier|client_secret)=)[^&\s]+")


def redact_query_secrets(text: str) -> str:
    """``text`` with the values of token-like query parameters blanked (for logs)."""
    return _SECRET_PARAMS.sub(r"\1***", text)


def read_chunked(stream: Any) -> bytes:
    """The body of a ``Transfer-Encoding: chunked`` request read from ``stream`` (trailers skipped)."""
    body = bytearray()
    while True:
        size_line = stream.readline(65537)
        if not size_line:
            raise ConnectionError("connection closed inside a chunked body")
        try:
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        except ValueError:
            raise ValueError("malformed chunk size in a chunked body") from None
        if size == 0:
            while stream.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # trailer fields
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise ValueError("chunked request body is over the sandbox's limit")
        body += stream.read(size)
        stream.readline(65537)  # the CRLF that ends each chunk


@dataclass
class Request:
    """One HTTP request as a handler sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str | None:
        """A request header (case-insensitive), or None."""
        value = self.headers.get(name)
        return None if value is None else str(value)

    def json(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` on a malformed body."""
        return json.loads(self.body.decode("utf-8") or "null")

    def form(self) -> dict[str, str]:
        """The body parsed as ``application/x-www-form-urlencoded`` (first value per key)."""
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def form_multi(self) -> dict[str, list[str]]:
        """The form body with every value per key (``a[]=1&a[]=2``)."""
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass
class Response:
    """What a handler answers. ``drop`` closes the connection without answering (a fault)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay_seconds: float = 0.0

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        """A JSON response."""
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})})

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain;charset=UTF-8",
             headers: dict[str, str] | None = None) -> Response:
        """A text response (also used for CSV and HTML)."""
        return cls(status, text.encode("utf-8"), {"Content-Type": content_type, **(headers or {})})

    @classmethod
    def html(cls, html: str, status: int = 200) -> Response:
        """An HTML page."""
        return cls.text(html, status, "text/html;charset=UTF-8")

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        """A redirect to ``location``."""
        return cls(status, b"", {"Location": location})

    @classmethod
    def dropped(cls) -> Response:
        """Close the connection without an answer (a dropped connection)."""
        return cls(drop=True)


Handler = Callable[[Request], Response]


class Router:
    """Maps (method, path regex) to handlers. Paths match whole, with an optional trailing slash."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Route ``method`` requests whose path fully matches ``pattern`` (named groups → params)."""
        self._routes.append((method.upper(), re.compile(pattern.rstrip("/") + "/?"), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator form of ``add``."""

        def register(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return register

    def dispatch(self, request: Request) -> Response:
        """Call the handler for ``request``; 404 when no path matches, 405 for a wrong method."""
        path_matched = False
        for method, pattern, handler in self._routes:
            found = pattern.fullmatch(request.path)
            if not found:
                continue
            path_matched = True
            if method != request.method:
                continue
            request.params = {k: v for k, v in found.groupdict().items() if v is not None}
            return handler(request)
        if path_matched:
            return Response.json([{"errorCode": "METHOD_NOT_ALLOWED", "message": "method not allowed"}], 405)
        return Response.json([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], 404)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # an idle keep-alive connection's thread ends after this many seconds
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive client waits
    # for a delayed ACK (~40 ms) on every answer.
    disable_nagle_algorithm = True
    server: _Server

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return read_chunked(self.rfile)  # jsforce streams Bulk uploads this way
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError(f"request body of {length} bytes is over the sandbox's limit")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The client went away mid-request (killed after sending its headers): a real server
            # never hands such a request to the application, so neither does the sandbox.
            raise ConnectionError(f"connection closed after {len(body)} of {length} body bytes")
        return body

    def _handle(self) -> None:
        split = urlsplit(self.path)
        try:
            body = self._read_body()
        except ValueError as error:
            self.close_connection = True
            self.send_error(413, str(error))
            return
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
        )
        try:
            response = self.server.dispatch(request)
        except Exception:  # a sandbox bug must show as a 500, not kill the connection thread
            log.exception("sandbox handler failed for %s %s", self.command, split.path)
            response = Response.json([{"errorCode": "UNKNOWN_EXCEPTION", "message": "sandbox error"}], 500)
        delay = max(response.delay_seconds, self.server.latency_seconds)
        if delay:
            time.sleep(delay)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def handle(self) -> None:
        # Clients that hang up mid-request are normal (tests cancel, browsers close tabs).
        with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
            super().handle()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Connections wait here while every handler thread is busy (the default 5 refuses a burst of
    # concurrent clients with "connection refused").
    request_queue_size = 128
    dispatch: Handler
    latency_seconds = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Hang up on every client still connected (idle keep-alive, stalled handshakes)."""
        with self._open_lock:
            open_now = list(self._open)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error from %s", client_address, exc_info=True)


class SandboxServer:
    """Serves a handler on 127.0.0.1 (HTTPS when ``tls`` is given) in a background thread."""

    def __init__(self, handler: Handler, *, tls: TlsFiles | None, host: str = "127.0.0.1", port: int = 0,
                 latency_seconds: float = 0.0):
        self._server = _Server((host, port), _RequestHandler, bind_and_activate=True)
        self._server.dispatch = handler
        # Every answer is held back this long, as from a laptop to a vendor's cloud (a thread per
        # connection, so concurrent clients overlap their waits as they would on a real network).
        self._server.latency_seconds = max(0.0, latency_seconds)
        self._tls = tls
        if tls is not None:
            context = tls.server_context()
            # The handshake happens in the connection's own thread, so one slow client cannot
            # stall the accept loop.
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. ``https://127.0.0.1:8443``."""
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns self."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.close_open_connections()
        self._server.server_close()  # joins the connection threads, which the hang-up unblocked

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
