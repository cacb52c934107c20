"""SOQL escaping, id/field checks, login host validation and token handling."""

from __future__ import annotations

import pytest

from desktop_app.loopback import new_pkce_pair
from desktop_app.salesforce.bulk import parse_bulk_error
from desktop_app.salesforce.errors import LoginError, UnsafeSoqlValue
from desktop_app.salesforce.hosts import PRODUCTION, SANDBOX, resolve_login_host
from desktop_app.salesforce.oauth import OAuthApp, authorize_url
from desktop_app.salesforce.soql import soql_field, soql_id, soql_id_list, soql_quote
from desktop_app.salesforce.tokens import parse_token_response


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        ("Acme", "'Acme'"),
        ("O'Brien", "'O\\'Brien'"),
        ("x' OR Name != '", "'x\\' OR Name != \\''"),
        ("back\\slash", "'back\\\\slash'"),
        ("line\nbreak\ttab", "'line\\nbreak\\ttab'"),
        ('say "hi"', "'say \\\"hi\\\"'"),
    ],
)
def test_soql_quote_escapes_every_special_character(raw: str, quoted: str) -> None:
    assert soql_quote(raw) == quoted


def test_soql_id_accepts_15_and_18_and_rejects_anything_else() -> None:
    assert soql_id("0015g00000ABCde") == "'0015g00000ABCdeAAH'"
    assert soql_id("0015G00000ABCDEAAH", sobject="Account") == "'0015g00000ABCdeAAH'"
    with pytest.raises(UnsafeSoqlValue):
        soql_id("001' OR Id != '")
    with pytest.raises(UnsafeSoqlValue, match="not the id of a Account"):
        soql_id("0035g00000ABCdeAAH", sobject="Account")
    assert soql_id_list(["0015g00000ABCde", "001A0000006Vm9r"]) == "('0015g00000ABCdeAAH','001A0000006Vm9rIAC')"


def test_soql_field_only_passes_api_names() -> None:
    assert soql_field("Billing_Customer_ID__c") == "Billing_Customer_ID__c"
    assert soql_field("Account.Owner.Name") == "Account.Owner.Name"
    for bad in ("Name FROM User --", "Id,Name", "", "1Field", "Name)"):
        with pytest.raises(UnsafeSoqlValue):
            soql_field(bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("production", PRODUCTION),
        ("sandbox", SANDBOX),
        ("https://login.salesforce.com/", PRODUCTION),
        ("acme.my.salesforce.com", "https://acme.my.salesforce.com"),
        ("https://Acme--UAT.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com"),
    ],
)
def test_login_hosts_that_are_accepted(given: str, expected: str) -> None:
    assert resolve_login_host(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "http://login.salesforce.com",
        "https://evil.example.com",
        "https://acme.my.salesforce.com.evil.com",
        "https://login.salesforce.com/services/oauth2",
        "https://user@login.salesforce.com",
        "https://127.0.0.1:8443",
    ],
)
def test_login_hosts_that_are_refused(given: str) -> None:
    with pytest.raises(LoginError):
        resolve_login_host(given)


def test_local_sandbox_host_only_when_allowed() -> None:
    assert resolve_login_host("https://127.0.0.1:8443", allow_local=True) == "https://127.0.0.1:8443"


def test_token_set_repr_hides_tokens_and_reads_ids() -> None:
    tokens = parse_token_response(
        {
            "access_token": "00D5g000004XyZa!AQ8AQsecretpart",
            "refresh_token": "5Aep861secretrefresh",
            "instance_url": "https://acme.my.salesforce.com/",
            "issued_at": "1708058728442",
            "id": "https://login.salesforce.com/id/00D5g000004XyZaEAK/0055g00000AbCdEAAV",
            "scope": "api refresh_token",
        }
    )
    shown = repr(tokens) + str(tokens)
    assert "secret" not in shown
    assert tokens.org_id == "00D5g000004XyZaEAK"
    assert tokens.user_id == "0055g00000AbCdEAAV"
    assert tokens.instance_url == "https://acme.my.salesforce.com"
    assert tokens.issued_at_ms == 1708058728442


def test_pkce_pair_and_authorize_url() -> None:
    import base64
    import hashlib

    verifier, challenge = new_pkce_pair()
    assert 43 <= len(verifier) <= 128
    assert challenge == base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    app = OAuthApp(login_host=PRODUCTION, consumer_key="3MVGkey", client_secret="s3cret")
    url = authorize_url(app, redirect_uri="http://localhost:7171/OauthRedirect", code_challenge=challenge, state="st")
    assert url.startswith("https://login.salesforce.com/services/oauth2/authorize?response_type=code")
    assert "code_challenge_method=S256" in url
    assert "scope=api+refresh_token" in url
    assert "state=st" in url
    assert "s3cret" not in url
    assert "s3cret" not in repr(app)


def test_bulk_error_cells_are_split_into_code_and_message() -> None:
    assert parse_bulk_error("FIELD_CUSTOM_VALIDATION_EXCEPTION:Country must be 2 letters:BillingCountry --") == (
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Country must be 2 letters",
    )
    assert parse_bulk_error("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--") == (
        "UNABLE_TO_LOCK_ROW",
        "unable to obtain exclusive access to this record",
    )
    assert parse_bulk_error("MALFORMED_ID:Account ID: id value of incorrect type: 001xx:Id --")[0] == "MALFORMED_ID"
