"""The lean transport's HTTP/1.1 (``billing.http11``) against a TLS server that answers exactly the
bytes a test scripts: chunked and length-less bodies, ``Connection: close``, interim 1xx answers,
folded and repeated headers looked up case-insensitively, a malformed answer, bytes nobody asked for,
and a header that would split the request. The sandbox-backed behaviour (keep-alive, hang-ups,
Retry-After, errors) is in ``test_lean_transport.py``."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop_app.billing.transport import ConnectionDropped, LeanTransport
from desktop_app.sandbox.tls import create_tls_files

TIMEOUT = (5.0, 5.0)


@dataclass
class ScriptedServer:
    """Answers the n-th request on any connection with ``answers[n]`` and records every request;
    hangs up after the answers numbered in ``hang_up_after`` (else waits for the next request)."""

    url: str
    ca_cert: Path
    answers: list[bytes]
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    hang_up_after: set[int] = field(default_factory=set)


def _read_request(stream: ssl.SSLSocket, pending: bytearray) -> bytes | None:
    while b"\r\n\r\n" not in pending:
        chunk = stream.recv(65536)
        if not chunk:
            return None
        pending += chunk
    end = pending.index(b"\r\n\r\n") + 4
    head = bytes(pending[:end])
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(pending) < end + length:
        pending += stream.recv(65536)
    request = bytes(pending[:end + length])
    del pending[:end + length]
    return request


@pytest.fixture
def scripted(tmp_path: Path) -> Iterator[ScriptedServer]:
    tls = create_tls_files(tmp_path / "tls")
    context = tls.server_context()
    listener = socket.create_server(("127.0.0.1", 0))
    server = ScriptedServer(f"https://127.0.0.1:{listener.getsockname()[1]}", tls.ca_cert, [])

    def serve_connection(raw: socket.socket) -> None:
        with context.wrap_socket(raw, server_side=True) as stream:
            pending = bytearray()
            while (request := _read_request(stream, pending)) is not None:
                server.requests.append(request)
                number = len(server.requests) - 1
                answer = server.answers[number]
                stream.sendall(answer)
                if number in server.hang_up_after:
                    return

    stop = threading.Event()
    threads: list[threading.Thread] = []

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            raw.settimeout(10.0)
            server.connections += 1
            threads.append(threading.Thread(target=_quietly, args=(serve_connection, raw), daemon=True))
            threads[-1].start()

    threads.append(threading.Thread(target=accept, daemon=True))
    threads[-1].start()
    yield server
    stop.set()
    for thread in threads:
        thread.join(10.0)
    listener.close()


def _quietly(serve: object, raw: socket.socket) -> None:
    with contextlib.suppress(OSError, IndexError):
        serve(raw)  # type: ignore[operator]


def _transport(server: ScriptedServer) -> LeanTransport:
    return LeanTransport(server.url, auth=("id", "secret"), ca_cert=server.ca_cert)


OK_JSON = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a": true}'


def test_a_request_goes_out_whole_with_host_length_and_the_credentials(scripted: ScriptedServer) -> None:
    scripted.answers = [OK_JSON]
    transport = _transport(scripted)
    answer = transport.send("PUT", f"{scripted.url}/customers/c%201", json_body={"x": 1}, params={"q": "a b"},
                            headers={"Idempotency-Key": "k-1"}, timeout=TIMEOUT)
    transport.close()
    assert answer.json() == {"a": True}
    head, _, body = scripted.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "PUT /customers/c%201?q=a+b HTTP/1.1"
    assert f"Host: 127.0.0.1:{scripted.url.rsplit(':', 1)[1]}" in lines
    assert "Content-Type: application/json" in lines
    assert "Idempotency-Key: k-1" in lines
    assert "Authorization: Basic aWQ6c2VjcmV0" in lines
    assert "Content-Length: 8" in lines
    assert body == b'{"x": 1}'


def test_a_chunked_answer_is_read_whole_and_the_connection_kept(scripted: ScriptedServer) -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
               b"5;ext=1\r\n{\"a\":\r\n6\r\n [1,2]\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n")
    scripted.answers = [chunked, OK_JSON]
    transport = _transport(scripted)
    first = transport.send("GET", f"{scripted.url}/x", timeout=TIMEOUT)
    second = transport.send("GET", f"{scripted.url}/y", timeout=TIMEOUT)
    transport.close()
    assert first.json() == {"a": [1, 2]}
    assert second.json() == {"a": True}
    assert transport.connections_made == 1


@pytest.mark.parametrize(("answer", "hang_up"), [
    (b"HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 11\r\n\r\n{\"a\": true}", False),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\n{\"a\": true}", False),  # HTTP/1.0 without keep-alive
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\": true}", True),  # no length: to the end
])
def test_a_connection_the_server_ends_is_not_used_again(scripted: ScriptedServer, answer: bytes,
                                                        hang_up: bool) -> None:
    # The server would answer a second request on it, but said it would not: the client believes it.
    scripted.answers = [answer, OK_JSON]
    scripted.hang_up_after = {0} if hang_up else set()
    transport = _transport(scripted)
    first = transport.send("GET", f"{scripted.url}/x", timeout=TIMEOUT)
    second = transport.send("GET", f"{scripted.url}/y", timeout=TIMEOUT)
    transport.close()
    assert first.json() == second.json() == {"a": True}
    assert transport.connections_made == 2


def test_interim_answers_are_skipped_and_headers_read_case_insensitively(scripted: ScriptedServer) -> None:
    scripted.answers = [b"HTTP/1.1 100 Continue\r\n\r\n"
                        b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\nRetry-After: 9\r\n"
                        b"X-Folded: one\r\n\ttwo\r\nContent-Type: text/plain; charset=\"ISO-8859-1\"\r\n"
                        b"Content-Length: 2\r\n\r\n\xe9!"]
    transport = _transport(scripted)
    answer = transport.send("GET", f"{scripted.url}/x", timeout=TIMEOUT)
    transport.close()
    assert answer.status_code == 429
    assert not answer.ok
    assert answer.headers.get("Retry-After") == answer.headers.get("RETRY-AFTER") == "7"  # the first, as before
    assert answer.headers.get("x-folded") == "one two"
    assert answer.headers.get("Absent", "none") == "none"
    assert answer.text == "é!"


def test_a_head_answer_and_a_204_have_no_body(scripted: ScriptedServer) -> None:
    scripted.answers = [b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", b"HTTP/1.1 204 No Content\r\n\r\n", OK_JSON]
    transport = _transport(scripted)
    head = transport.send("HEAD", f"{scripted.url}/x", timeout=TIMEOUT)
    empty = transport.send("DELETE", f"{scripted.url}/x", timeout=TIMEOUT)
    last = transport.send("GET", f"{scripted.url}/x", timeout=TIMEOUT)
    transport.close()
    assert (head.content, empty.status_code, empty.content) == (b"", 204, b"")
    assert last.json() == {"a": True}
    assert transport.connections_made == 1
    assert b"Content-Length: 0" in scripted.requests[1]  # a write without a body says so


@pytest.mark.parametrize("answer", [
    b"SMTP ready\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"cut\": ",  # the server hangs up mid-body
])
def test_a_broken_answer_is_a_dropped_connection(scripted: ScriptedServer, answer: bytes) -> None:
    scripted.answers = [answer]
    scripted.hang_up_after = {0}
    transport = _transport(scripted)
    with pytest.raises(ConnectionDropped) as dropped:
        transport.send("PUT", f"{scripted.url}/x", json_body={}, timeout=TIMEOUT)
    transport.close()
    assert not dropped.value.never_sent


def test_bytes_after_the_answer_retire_the_connection(scripted: ScriptedServer) -> None:
    scripted.answers = [OK_JSON + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", OK_JSON]
    transport = _transport(scripted)
    first = transport.send("GET", f"{scripted.url}/x", timeout=TIMEOUT)
    second = transport.send("GET", f"{scripted.url}/y", timeout=TIMEOUT)
    transport.close()
    assert first.json() == second.json() == {"a": True}  # not the stray answer
    assert transport.connections_made == 2


def test_a_header_that_would_split_the_request_is_refused_before_sending(scripted: ScriptedServer) -> None:
    scripted.answers = [OK_JSON]
    transport = _transport(scripted)
    with pytest.raises(ValueError, match="Idempotency-Key"):
        transport.send("PUT", f"{scripted.url}/x", json_body={}, headers={"Idempotency-Key": "k\r\nX-Evil: 1"},
                       timeout=TIMEOUT)
    transport.close()
    assert scripted.requests == []


def test_a_url_of_another_origin_is_refused(scripted: ScriptedServer) -> None:
    transport = _transport(scripted)
    port = int(scripted.url.rsplit(":", 1)[1])
    for url in (f"https://127.0.0.1:{port + 1}/x", f"https://127.0.0.2:{port}/x",
                f"https://127.0.0.1:{port}@127.0.0.2/x"):
        with pytest.raises(ValueError, match="origin it was made for"):
            transport.send("GET", url, timeout=TIMEOUT)
    transport.close()
    assert scripted.requests == []
