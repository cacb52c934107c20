"""A server that echoes the request in its error answer (as some proxies and frameworks do) must not
get the request's secrets into an error message: each client that sends credentials blanks them out
of the answer first. Each test talks to a real HTTPS echo server."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from sweep_systems import EchoServer

from desktop_app.billing.base import BillingAuthError, BillingError
from desktop_app.billing.chargebee_adapter import ChargebeeBilling
from desktop_app.billing.http11 import Headers
from desktop_app.billing.oauth_login import XERO_OAUTH, moved_to, refresh_tokens
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.billing.sequence_records import error_text
from desktop_app.billing.stripe_adapter import StripeBilling
from desktop_app.billing.transport import Answer
from desktop_app.billing.upflow_adapter import UpflowBilling
from desktop_app.billing.zuora_adapter import ZuoraBilling
from desktop_app.salesforce import oauth
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import LoginError, SalesforceError
from desktop_app.salesforce.session import SalesforceSession
from desktop_app.salesforce.tokens import TokenSet

SECRET = "s3cret+Echo/Value=="  # characters that URL-encoding and JSON change


def _spellings(value: str) -> list[str]:
    return [value, quote(value, safe=""), quote_plus(value), base64.b64encode(value.encode()).decode()]


def _assert_no_secret(text: str, *values: str) -> None:
    for value in values:
        for spelling in _spellings(value):
            assert spelling not in text, f"{spelling!r} in {text!r}"


@pytest.fixture
def echo(tmp_path: Path) -> Iterator[EchoServer]:
    server = EchoServer(tmp_path)
    yield server
    server.stop()


@pytest.mark.parametrize("as_text", [False, True])
def test_a_billing_error_answer_echoing_basic_auth_is_quoted_without_it(echo: EchoServer, as_text: bool) -> None:
    echo.as_text = as_text
    with (SequenceBilling("client-id-echo", SECRET, base_url=echo.url, ca_cert=echo.ca_cert) as adapter,
          pytest.raises(BillingError) as raised):
        list(adapter.iter_customers())
    message = str(raised.value)
    assert "Authorization: Basic [redacted]" in message  # the echo is quoted, its credentials are not
    _assert_no_secret(message, SECRET, f"client-id-echo:{SECRET}")


def test_a_billing_api_key_echoed_in_an_error_is_blanked(echo: EchoServer) -> None:
    with (ChargebeeBilling(SECRET, base_url=echo.url, ca_cert=echo.ca_cert) as adapter,
          pytest.raises(BillingError) as raised):
        list(adapter.iter_customers())
    _assert_no_secret(str(raised.value), SECRET, f"{SECRET}:")


@pytest.mark.parametrize("as_text", [False, True])
def test_api_key_headers_and_a_client_credentials_form_echoed_in_errors_are_blanked(
    echo: EchoServer, as_text: bool
) -> None:
    echo.as_text = as_text
    messages = []
    for adapter in (UpflowBilling(f"key-{SECRET}", f"secret-{SECRET}", base_url=echo.url, ca_cert=echo.ca_cert),
                    ZuoraBilling("zuora-client-echo", f"zuora-{SECRET}", base_url=echo.url, ca_cert=echo.ca_cert)):
        with adapter, pytest.raises(BillingError) as raised:
            list(adapter.iter_customers())
        messages.append(str(raised.value))
    assert "X-Api-Key: [redacted]" in messages[0]  # Upflow quotes the echo (Zuora names only the status)
    _assert_no_secret(" ".join(messages), f"key-{SECRET}", f"secret-{SECRET}", f"zuora-{SECRET}")


def test_a_stripe_error_answer_echoing_the_api_key_is_quoted_without_it(tmp_path: Path) -> None:
    echo = EchoServer(tmp_path, https=False)  # the Stripe adapter has no CA option; localstripe is HTTP too
    key = f"sk_test_{SECRET.replace('+', 'x').replace('/', 'y').replace('=', 'z')}"
    try:
        with StripeBilling(key, base_url=echo.url) as adapter, pytest.raises(BillingError) as raised:
            list(adapter.iter_customers())
    finally:
        echo.stop()
    message = str(raised.value)
    assert message.startswith("Stripe could not list customers (HTTP 400): Authorization: [redacted]")
    _assert_no_secret(message, key)


def test_a_sequence_error_whose_error_is_text_reads_as_that_text() -> None:
    body = json.dumps({"error": "Customer limit reached"}).encode()
    answer = Answer(400, Headers([("Content-Type", "application/json")]), body, "https://example.test/customers")
    assert error_text(answer) == ("http_400", "Customer limit reached")
    odd_fields = json.dumps({"error": {"message": "Bad", "fields": "not a list"}}).encode()
    assert error_text(Answer(422, Headers([]), odd_fields, ""))[1] == "Bad"


def test_a_salesforce_error_answer_echoing_the_bearer_token_is_quoted_without_it(echo: EchoServer) -> None:
    token = f"00D000000000001!{SECRET}"
    session = SalesforceSession(TokenSet(access_token=token, instance_url=echo.url, identity_url=""),
                                verify=str(echo.ca_cert))
    with pytest.raises(SalesforceError) as raised:
        SalesforceClient(session).describe("Account")
    message = str(raised.value)
    assert "Authorization: [redacted]" in message
    _assert_no_secret(message, token)


def test_a_salesforce_token_endpoint_echoing_the_form_is_quoted_without_the_secret(echo: EchoServer) -> None:
    app = oauth.OAuthApp(login_host=echo.url, consumer_key="consumer-key-echo", client_secret=SECRET,
                         verify=str(echo.ca_cert))
    with pytest.raises(LoginError) as raised:
        oauth.client_credentials_login(app)
    message = str(raised.value)
    assert "client_secret=[redacted]" in message
    _assert_no_secret(message, SECRET)
    with pytest.raises(LoginError) as refreshed:
        oauth.refresh_access_token(app, f"5Aep861{SECRET}")
    _assert_no_secret(str(refreshed.value), SECRET, f"5Aep861{SECRET}")


def test_a_billing_sign_in_server_echoing_the_refresh_request_is_quoted_without_its_secrets(
    echo: EchoServer,
) -> None:
    with pytest.raises(BillingAuthError) as raised:
        refresh_tokens(moved_to(XERO_OAUTH, echo.url), "xero-client-echo", f"refresh-{SECRET}",
                       client_secret=f"app-{SECRET}", verify=str(echo.ca_cert))
    message = str(raised.value)
    assert "[redacted]" in message
    _assert_no_secret(message, f"refresh-{SECRET}", f"app-{SECRET}", f"xero-client-echo:app-{SECRET}")
