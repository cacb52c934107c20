"""The lean HTTPS transport (``billing.transport``) and ``JsonApiClient`` on it, against the Sequence
sandbox over real TLS: keep-alive reuse, a connection the server hung up on (a read goes again, a
write is not sent twice), 429 + Retry-After, an untrusted certificate, proxies from the environment, and no
credentials in any error text."""

from __future__ import annotations

import base64
import traceback
from pathlib import Path

import pytest
from billing_support import ACCOUNT_A, FAST_RETRY

from desktop_app.billing.base import (
    BillingConnectionError,
    BillingUnreachable,
    BillingWriteOutcomeUnknown,
)
from desktop_app.billing.http import JsonApiClient, ThrottledTooLong
from desktop_app.billing.pool import RateLimit, RequestPool
from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.billing.sequence_records import put_body
from desktop_app.billing.transport import (
    ConnectFailed,
    ConnectionDropped,
    LeanTransport,
    ReadTimeout,
    TLSFailure,
)
from desktop_app.sandbox.sequence import RunningSequenceSandbox, start_sequence_sandbox

TIMEOUT = (5.0, 5.0)
NEVER_CHECK = 3600.0  # an idle connection is used without looking for a hang-up first


def _transport(sandbox: RunningSequenceSandbox, **options: object) -> LeanTransport:
    return LeanTransport(sandbox.url, auth=(sandbox.client_id, sandbox.client_secret),
                         headers={"Sequence-Version": "2024-07-30"}, ca_cert=sandbox.ca_cert, **options)  # type: ignore[arg-type]


def _client(sandbox: RunningSequenceSandbox, **options: object) -> JsonApiClient:
    return JsonApiClient(sandbox.url, system_name="Sequence", auth=(sandbox.client_id, sandbox.client_secret),
                         headers={"Sequence-Version": "2024-07-30"}, ca_cert=sandbox.ca_cert, lean=True,
                         pool=RequestPool(RateLimit(None, 1)), **options)  # type: ignore[arg-type]


def _hang_up_idle_connections(sandbox: RunningSequenceSandbox) -> None:
    """The sandbox closes every client connection, as a server does with idle keep-alive ones."""
    sandbox._server._server.close_open_connections()


def _put_body() -> dict[str, object]:
    return {"legalName": "Acme", "integrationIds": [{"service": "Salesforce", "id": ACCOUNT_A}]}


def test_requests_reuse_one_kept_alive_connection(sequence_sandbox: RunningSequenceSandbox) -> None:
    transport = _transport(sequence_sandbox)
    try:
        answers = [transport.send("GET", f"{sequence_sandbox.url}/customers/cust-{i:04d}", timeout=TIMEOUT)
                   for i in range(5)]
        listed = transport.send("GET", f"{sequence_sandbox.url}/customers", params={"limit": 3}, timeout=TIMEOUT)
    finally:
        transport.close()
    assert [a.status_code for a in answers] == [200] * 5
    assert answers[2].json()["id"] == "cust-0002"
    assert answers[2].ok
    assert len(listed.json()["items"]) == 3
    assert listed.headers.get("content-type", "").startswith("application/json")
    assert transport.connections_made == 1


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_a_connection_the_server_hung_up_on_is_replaced_before_anything_is_sent(
        sequence_sandbox: RunningSequenceSandbox, method: str) -> None:
    transport = _transport(sequence_sandbox)
    url = f"{sequence_sandbox.url}/customers/cust-0001"
    try:
        customer = transport.send("GET", url, timeout=TIMEOUT).json()
        _hang_up_idle_connections(sequence_sandbox)
        answer = transport.send(method, url, json_body=put_body(customer) if method == "PUT" else None,
                                headers={"Idempotency-Key": "k-2"}, timeout=TIMEOUT)
    finally:
        transport.close()
    assert answer.status_code == 200
    assert transport.connections_made == 2
    assert sequence_sandbox.counters.requests[method] == (2 if method == "GET" else 1)


def test_a_write_whose_connection_drops_after_it_left_is_not_sent_again(
        sequence_sandbox: RunningSequenceSandbox) -> None:
    # Without the check before reuse, the PUT goes out on the dead connection: the hang-up the
    # check would have caught now shows after the request left, as a drop in flight does.
    transport = _transport(sequence_sandbox, check_idle_after=NEVER_CHECK)
    try:
        transport.send("GET", f"{sequence_sandbox.url}/customers/cust-0001", timeout=TIMEOUT)
        _hang_up_idle_connections(sequence_sandbox)
        with pytest.raises(ConnectionDropped) as dropped:
            transport.send("PUT", f"{sequence_sandbox.url}/customers/cust-0001", json_body=_put_body(),
                           headers={"Idempotency-Key": "k-1"}, timeout=TIMEOUT)
    finally:
        transport.close()
    assert not dropped.value.never_sent  # it might have reached the server: the caller reads back
    assert transport.connections_made == 1


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_the_client_retries_a_dropped_read_and_never_resends_a_dropped_write(
        sequence_sandbox: RunningSequenceSandbox, method: str) -> None:
    client = _client(sequence_sandbox, retry=FAST_RETRY)
    assert client._lean is not None
    client._lean.check_idle_after = NEVER_CHECK  # the hang-up shows once the request left
    try:
        client.request("GET", "customers/cust-0001")
        _hang_up_idle_connections(sequence_sandbox)
        if method == "GET":
            assert client.request("GET", "customers/cust-0002").json()["id"] == "cust-0002"
        else:
            with pytest.raises(BillingWriteOutcomeUnknown, match="ConnectionDropped"):
                client.request("PUT", "customers/cust-0001", json=_put_body(), headers={"Idempotency-Key": "k-4"})
    finally:
        client.close()
    assert sequence_sandbox.counters.requests["GET"] == (2 if method == "GET" else 1)
    assert sequence_sandbox.counters.put_attempts["cust-0001"] == 0


def test_a_write_whose_connection_dropped_is_an_unknown_outcome_sent_once(
        sequence_sandbox: RunningSequenceSandbox) -> None:
    client = _client(sequence_sandbox, retry=FAST_RETRY)
    sequence_sandbox.faults.drop_before_write = {"cust-0001"}
    try:
        with pytest.raises(BillingWriteOutcomeUnknown, match="ConnectionDropped"):
            client.request("PUT", "customers/cust-0001", json=_put_body(), headers={"Idempotency-Key": "k-3"})
    finally:
        client.close()
    assert client.transport == "lean"
    assert sequence_sandbox.counters.put_attempts["cust-0001"] == 1


def test_retry_after_is_honoured_on_the_lean_transport(sequence_sandbox: RunningSequenceSandbox) -> None:
    # A throttle budget below the 1 s asked: honoured, the request gives up at once (without reading
    # the header it would retry after its own 10 ms and get through).
    client = _client(sequence_sandbox, retry=RetryPolicy(base_delay=0.01, throttle_budget=0.5))
    sequence_sandbox.faults.retry_after_seconds = 1
    sequence_sandbox.faults.storm_requests = 1
    try:
        with pytest.raises(ThrottledTooLong) as throttled:
            client.request("GET", "customers/cust-0001")
    finally:
        client.close()
    assert throttled.value.response.status_code == 429
    assert throttled.value.response.headers.get("Retry-After") == "1"
    assert sequence_sandbox.counters.statuses[429] == 1


def test_an_untrusted_certificate_is_an_error(sequence_sandbox: RunningSequenceSandbox) -> None:
    transport = LeanTransport(sequence_sandbox.url)  # the default trust (certifi) knows no sandbox CA
    with pytest.raises(TLSFailure, match="CERTIFICATE_VERIFY_FAILED"):
        transport.send("GET", f"{sequence_sandbox.url}/customers", timeout=TIMEOUT)
    client = JsonApiClient(sequence_sandbox.url, system_name="Sequence", lean=True, retry=FAST_RETRY,
                           auth=(sequence_sandbox.client_id, sequence_sandbox.client_secret))
    with pytest.raises(BillingConnectionError, match="TLSFailure"):
        client.request("GET", "customers")
    assert sequence_sandbox.counters.requests["GET"] == 0


def test_a_proxy_in_the_environment_keeps_requests(sequence_sandbox: RunningSequenceSandbox,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def adapter() -> SequenceBilling:
        return SequenceBilling(sequence_sandbox.client_id, sequence_sandbox.client_secret,
                               base_url=sequence_sandbox.url, ca_cert=sequence_sandbox.ca_cert, retry=FAST_RETRY)

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with adapter() as proxied:
        assert proxied._api.transport == "requests"
        with pytest.raises(BillingUnreachable):  # the sandbox answers directly: the proxy was used
            proxied.read_links(["cust-0001"])
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with adapter() as direct:
        assert direct._api.transport == "lean"
        assert direct.read_links(["cust-0001"]) == {"cust-0001": None}


def _failures(sandbox: RunningSequenceSandbox, tmp_path: Path) -> list[BaseException]:
    """One failure of each kind, raised by the lean transport and by the client on it."""
    found: list[BaseException] = []

    def catch(call: object) -> None:
        try:
            call()  # type: ignore[operator]
        except Exception as failure:
            found.append(failure)

    untrusted = LeanTransport(sandbox.url, auth=(sandbox.client_id, sandbox.client_secret))
    catch(lambda: untrusted.send("GET", f"{sandbox.url}/customers", timeout=TIMEOUT))
    slow = _transport(sandbox)
    sandbox.faults.slow_seconds = 0.5
    catch(lambda: slow.send("GET", f"{sandbox.url}/customers", timeout=(5.0, 0.1)))
    sandbox.faults.slow_seconds = 0.0
    kept = _transport(sandbox, check_idle_after=NEVER_CHECK)
    kept.send("GET", f"{sandbox.url}/customers/cust-0002", timeout=TIMEOUT)
    _hang_up_idle_connections(sandbox)
    catch(lambda: kept.send("PUT", f"{sandbox.url}/customers/cust-0002", json_body=_put_body(), timeout=TIMEOUT))
    kept.close()
    client = _client(sandbox, retry=FAST_RETRY)
    sandbox.faults.drop_before_write = {"cust-0002"}
    catch(lambda: client.request("PUT", "customers/cust-0002", json=_put_body(), headers={"Idempotency-Key": "k"}))
    sandbox.faults.down = True
    catch(lambda: client.request("GET", "customers/cust-0002"))
    client.close()
    with start_sequence_sandbox(customers=1, workdir=tmp_path / "gone") as gone:
        url = gone.url
    closed = LeanTransport(url, auth=(sandbox.client_id, sandbox.client_secret), ca_cert=sandbox.ca_cert)
    catch(lambda: closed.send("GET", f"{url}/customers", timeout=TIMEOUT))
    return found


def test_no_credentials_in_any_error_text(sequence_sandbox: RunningSequenceSandbox, tmp_path: Path) -> None:
    failures = _failures(sequence_sandbox, tmp_path)
    assert [type(f) for f in failures] == [TLSFailure, ReadTimeout, ConnectionDropped, BillingWriteOutcomeUnknown,
                                           BillingUnreachable, ConnectFailed]
    assert failures[-1].never_sent  # type: ignore[attr-defined]
    secret = sequence_sandbox.client_secret
    token = base64.b64encode(f"{sequence_sandbox.client_id}:{secret}".encode()).decode()
    for failure in failures:
        text = "".join(traceback.format_exception(failure)) + repr(failure)
        inner = failure.__context__  # kept though not shown (``from None``): a log could still print it
        while inner is not None:
            text += "".join(traceback.format_exception(inner)) + repr(inner)
            inner = inner.__context__
        for leaked in (secret, token, "Authorization", "Basic "):
            assert leaked not in text, (type(failure).__name__, leaked)
    assert secret not in repr(_transport(sequence_sandbox))
