"""Request bodies sent with ``Transfer-Encoding: chunked`` (jsforce streams Bulk uploads that way).

The shared ``httpserver`` reads bodies by ``Content-Length`` only; a chunked upload would be read as
empty and its bytes taken for the next request. Until that module reads chunked bodies itself, the
sandbox org's server uses this request handler, which de-chunks the body first.
"""

from __future__ import annotations

import io

from desktop_app.sandbox import httpserver

MAX_BODY = 200 * 1024 * 1024


def read_chunked(stream: io.BufferedIOBase) -> bytes:
    """The body of a chunked HTTP/1.1 message read from ``stream`` (trailers skipped)."""
    body = bytearray()
    while True:
        size_line = stream.readline(65537)
        if not size_line:
            raise ConnectionError("connection closed inside a chunked body")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # trailer fields
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise ValueError("chunked body too large")
        body += stream.read(size)
        stream.readline(65537)  # the CRLF after each chunk


class DechunkingRequestHandler(httpserver._RequestHandler):
    """The shared request handler, plus chunked request bodies."""

    def _handle(self) -> None:
        if "chunked" not in (self.headers.get("Transfer-Encoding") or "").lower():
            super()._handle()
            return
        body = read_chunked(self.rfile)
        del self.headers["Transfer-Encoding"]
        self.headers["Content-Length"] = str(len(body))
        connection_stream = self.rfile
        self.rfile = io.BytesIO(body)
        try:
            super()._handle()
        finally:
            self.rfile = connection_stream

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def accept_chunked_bodies(server: httpserver.SandboxServer) -> None:
    """Make ``server`` read chunked request bodies."""
    server._server.RequestHandlerClass = DechunkingRequestHandler
