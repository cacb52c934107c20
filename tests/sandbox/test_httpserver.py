"""The sandbox HTTP base: real TLS on loopback, routing, keep-alive and injected faults."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from desktop_app.sandbox.httpserver import Request, Response, Router, SandboxServer
from desktop_app.sandbox.tls import create_tls_files


@pytest.fixture
def served(tmp_path: Path):
    router = Router()
    router.add("GET", r"/hello/(?P<name>\w+)", lambda r: Response.json({"hello": r.params["name"]}))
    router.add("POST", r"/echo", lambda r: Response.json({"got": r.json(), "q": r.arg("q")}))
    router.add("GET", r"/drop", lambda r: Response.dropped())
    tls = create_tls_files(tmp_path / "tls")
    with SandboxServer(router.dispatch, tls=tls) as server:
        yield server, tls


def test_serves_https_trusted_only_through_the_generated_ca(served) -> None:
    server, tls = served
    assert server.url.startswith("https://127.0.0.1:")
    with requests.Session() as session:
        answer = session.get(f"{server.url}/hello/world/", verify=str(tls.ca_cert), timeout=5)
        assert answer.json() == {"hello": "world"}
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{server.url}/hello/x", verify=True, timeout=5)


def test_routes_methods_and_bodies(served) -> None:
    server, tls = served
    answer = requests.post(f"{server.url}/echo?q=1", json={"a": [1, 2]}, verify=str(tls.ca_cert), timeout=5)
    assert answer.json() == {"got": {"a": [1, 2]}, "q": "1"}
    assert requests.get(f"{server.url}/echo", verify=str(tls.ca_cert), timeout=5).status_code == 405
    assert requests.get(f"{server.url}/nope", verify=str(tls.ca_cert), timeout=5).status_code == 404


def test_dropped_connection_surfaces_as_a_connection_error(served) -> None:
    server, tls = served
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{server.url}/drop", verify=str(tls.ca_cert), timeout=5)


def test_request_helpers_parse_forms() -> None:
    from email.message import Message

    request = Request("POST", "/", {}, Message(), b"a=1&b=&a=2")
    assert request.form() == {"a": "1", "b": ""}
    assert request.form_multi()["a"] == ["1", "2"]


def test_chunked_request_bodies_are_read_whole(served) -> None:
    server, tls = served
    parts = iter([b'{"a": ', b"[1, 2]}"])  # a generator makes requests send the body chunked
    answer = requests.post(f"{server.url}/echo", data=parts, verify=str(tls.ca_cert), timeout=5,
                           headers={"Content-Type": "application/json"})
    assert answer.json() == {"got": {"a": [1, 2]}, "q": None}


def test_token_values_never_reach_the_log() -> None:
    from desktop_app.sandbox.httpserver import redact_query_secrets

    line = '"GET /id/00D/005?format=json&oauth_token=00Dxx!secret HTTP/1.1" 200'
    assert "secret" not in redact_query_secrets(line)
    assert "format=json" in redact_query_secrets(line)


@pytest.mark.parametrize("body_start", [
    b"Content-Length: 40\r\n\r\n" + b'{"a": ',  # the headers and part of the body, then the client is gone
    b"Transfer-Encoding: chunked\r\n\r\n" + b"28\r\n" + b'{"a": ',
])
def test_a_request_whose_client_hangs_up_mid_body_never_reaches_a_handler(
        tmp_path: Path, body_start: bytes) -> None:
    # A client killed between sending its headers and its body (kill -9 during a write) left a PUT
    # that a handler took as a second, empty attempt; a real server discards such a request.
    import socket
    import ssl

    handled: list[bytes] = []
    router = Router()
    router.add("POST", r"/record", lambda r: handled.append(r.body) or Response.json({}))
    tls = create_tls_files(tmp_path / "tls")
    with SandboxServer(router.dispatch, tls=tls) as server:
        host, port = server.url.removeprefix("https://").split(":")
        context = ssl.create_default_context(cafile=str(tls.ca_cert))
        with socket.create_connection((host, int(port)), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname=host) as connection:
            connection.sendall(b"POST /record HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               + body_start)
        answer = requests.post(f"{server.url}/record", json={"a": 1}, verify=str(tls.ca_cert), timeout=5)
        assert answer.status_code == 200
    assert handled == [b'{"a": 1}']
