"""HTTP/1.1 on the wire for the lean transport: one request written whole, one answer read whole.

``http.client`` parses every answer's headers through the ``email`` package and writes a request's
headers and body in two TLS records; at tens of thousands of requests per run that was ~40% of the
transport's CPU. Here a request is one ``sendall``, and an answer is read from a per-connection
buffer: the header block is split once, the body taken by ``Content-Length``, by chunks
(``Transfer-Encoding: chunked``) or up to the server's hang-up. What is kept from ``http.client``:
interim 1xx answers are skipped, HEAD/204/304 answers have no body, header names are looked up
case-insensitively, ``Connection: close`` (or HTTP/1.0 without keep-alive) ends the connection
after the answer, and header values holding a line break are refused before anything is sent.
A connection that delivered more bytes than its answer is not reused.

Failures: ``ServerClosed`` (the server hung up before the answer was complete) and
``MalformedAnswer`` (not HTTP); socket errors and timeouts pass through to the caller.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator, Mapping
from typing import overload

MAX_HEAD = 256 * 1024  # an answer's status line and headers together
MAX_HEADERS = 100  # as http.client
READ_SIZE = 64 * 1024
NO_BODY_STATUSES = frozenset({204, 304})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TARGET_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")  # as http.client: no spaces or control characters


class ServerClosed(Exception):
    """The connection ended before the answer was complete (``started``: some of it had come)."""

    def __init__(self, started: bool) -> None:
        super().__init__("closed during the answer" if started else "closed before an answer")
        self.started = started


class MalformedAnswer(Exception):
    """What came back is not an HTTP/1.x answer."""


class Headers:
    """An answer's headers; names case-insensitive, the first value of a repeated name (as the
    ``email.message.Message`` that ``http.client`` gave)."""

    __slots__ = ("_fields", "_first")

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields
        self._first: dict[str, str] = {}
        for name, value in fields:
            self._first.setdefault(name.lower(), value)

    def __getitem__(self, name: str) -> str:
        return self._first[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def items(self) -> list[tuple[str, str]]:
        """Every header as received, in order (repeated names included)."""
        return list(self._fields)

    def __repr__(self) -> str:
        return f"Headers({self._fields!r})"

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    def get(self, name: str, default: str | None = None) -> str | None:
        """The header's (first) value, ``default`` when absent."""
        return self._first.get(name.lower(), default)

    def get_content_charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``, lower-cased; None when not given."""
        for parameter in (self.get("content-type") or "").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"').lower() or None
        return None


def request_bytes(method: str, target: str, host: str, headers: Mapping[str, str], body: bytes | None) -> bytes:
    """The whole request: request line, ``Host``, the headers given, ``Content-Length`` for a body."""
    if not _TOKEN.fullmatch(method):
        raise ValueError(f"not an HTTP method: {method!r}")
    if _TARGET_FORBIDDEN.search(target):
        raise ValueError("the request target holds spaces or control characters")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name) or "\r" in value or "\n" in value or "\x00" in value:
            raise ValueError(f"header {name!r} is not a valid HTTP header (a line break in its value?)")
        lines.append(f"{name}: {value}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head


class Wire:
    """One connection's socket and the bytes read from it but not consumed yet."""

    __slots__ = ("buffer", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def _fill(self, started: bool) -> None:
        chunk = self.sock.recv(READ_SIZE)
        if not chunk:
            raise ServerClosed(started)
        self.buffer += chunk

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill(True)
        taken = bytes(self.buffer[:size])
        del self.buffer[:size]
        return taken

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            if len(self.buffer) > MAX_HEAD:
                raise MalformedAnswer("a line of the answer is too long")
            self._fill(True)
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 2]
        return line

    def _head(self) -> tuple[str, int, Headers]:
        """The next final answer's version, status and headers (interim 1xx answers skipped)."""
        while True:
            started = bool(self.buffer)
            while (end := self.buffer.find(b"\r\n\r\n")) < 0:
                if len(self.buffer) > MAX_HEAD:
                    raise MalformedAnswer("the answer's headers are too long")
                self._fill(started)
                started = True
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            del self.buffer[:end + 4]
            status_line = lines[0].split(None, 2)
            if len(status_line) < 2 or not status_line[0].startswith("HTTP/1.") or not (
                    len(status_line[1]) == 3 and status_line[1].isdigit()):
                raise MalformedAnswer("the answer does not start with an HTTP/1.x status line")
            status = int(status_line[1])
            if 100 <= status < 200 and status != 101:
                continue
            if len(lines) - 1 > MAX_HEADERS:
                raise MalformedAnswer(f"the answer has more than {MAX_HEADERS} headers")
            fields: list[tuple[str, str]] = []
            for line in lines[1:]:
                if line[:1] in (" ", "\t") and fields:  # an obsolete folded continuation line
                    name, value = fields[-1]
                    fields[-1] = (name, f"{value} {line.strip()}")
                    continue
                name, colon, value = line.partition(":")
                if not colon or not name or name != name.strip():
                    raise MalformedAnswer("an answer header line is not 'Name: value'")
                fields.append((name, value.strip()))
            return status_line[0], status, Headers(fields)

    def _chunked(self) -> bytes:
        body = bytearray()
        while True:
            size_text = self._line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise MalformedAnswer("a chunk of the answer has no valid size") from None
            if size == 0:
                while self._line():  # trailers, up to the empty line
                    pass
                return bytes(body)
            body += self._take(size)
            if self._take(2) != b"\r\n":
                raise MalformedAnswer("a chunk of the answer does not end where its size says")

    def _to_end(self) -> bytes:
        while True:
            try:
                self._fill(True)
            except ServerClosed:
                body = bytes(self.buffer)
                self.buffer.clear()
                return body

    def read_answer(self, method: str) -> tuple[int, Headers, bytes, bool]:
        """(status, headers, body, whether the connection can carry another request)."""
        version, status, headers = self._head()
        connection = (headers.get("connection") or "").lower()
        keep_alive = ("keep-alive" in connection) if version == "HTTP/1.0" else ("close" not in connection)
        encoding = (headers.get("transfer-encoding") or "").lower()
        length = headers.get("content-length")
        if method == "HEAD" or status in NO_BODY_STATUSES or status < 200:
            body = b""
        elif encoding.rsplit(",", 1)[-1].strip() == "chunked":
            body = self._chunked()
        elif length is not None:
            try:
                size = int(length)
            except ValueError:
                raise MalformedAnswer("the answer's Content-Length is not a number") from None
            if size < 0:
                raise MalformedAnswer("the answer's Content-Length is negative")
            body = self._take(size)
        else:
            body, keep_alive = self._to_end(), False
        if self.buffer:  # bytes nobody asked for: this connection's next answer could not be trusted
            keep_alive = False
        return status, headers, body, keep_alive
