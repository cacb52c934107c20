"""OAuth of the sandbox org through plain HTTP: authorize (login form, consent) → token with PKCE,
refresh, revoke, expiry, client credentials, identity URL and userinfo."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from simple_salesforce.exceptions import SalesforceExpiredSession

CALLBACK = "http://localhost:7171/OauthRedirect"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(
    session,
    sandbox,
    challenge: str,
    *,
    redirect_uri: str = CALLBACK,
    state: str = "st-1",
    username: str = "admin@crosslink.demo",
    password: str = "demo",
    decision: str = "allow",
    **extra: str,
):
    """Walk the browser part of the flow; returns the final redirect's query (or the failing response)."""
    params = {
        "response_type": "code",
        "client_id": sandbox.consumer_key,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        "scope": "api refresh_token",
        **extra,
    }
    page = session.get(
        f"{sandbox.login_url}/services/oauth2/authorize", params=params, allow_redirects=False, timeout=10
    )
    if page.status_code != 200:
        return page
    pending = re.search(r'name="pending" value="([^"]+)"', page.text).group(1)
    consent = session.post(
        f"{sandbox.login_url}/services/oauth2/authorize/login",
        data={"pending": pending, "username": username, "pw": password},
        timeout=10,
    )
    if 'id="oaapprove"' not in consent.text:
        return consent
    back = session.post(
        f"{sandbox.login_url}/services/oauth2/authorize/consent",
        data={"pending": pending, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def exchange(session, sandbox, code: str, verifier: str | None, redirect_uri: str = CALLBACK):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": sandbox.consumer_key,
        "redirect_uri": redirect_uri,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    return session.post(f"{sandbox.login_url}/services/oauth2/token", data=form, timeout=10)


def test_web_server_flow_with_pkce_issues_salesforce_shaped_tokens(sandbox, trusted, raw_api) -> None:
    session = trusted(sandbox)
    verifier, challenge = pkce_pair()
    callback = authorize(session, sandbox, challenge)
    assert callback["state"] == "st-1"
    assert callback["code"]
    answer = exchange(session, sandbox, callback["code"], verifier)
    assert answer.status_code == 200
    token = answer.json()
    assert set(token) == {
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert token["access_token"].startswith(sandbox.org.org_id15 + "!")
    assert token["instance_url"] == sandbox.instance_url
    assert token["token_type"] == "Bearer"
    assert token["issued_at"].isdigit()
    assert abs(int(token["issued_at"]) / 1000 - time.time()) < 60
    assert token["id"] == f"{sandbox.login_url}/id/{sandbox.org.org_id}/{sandbox.org.default_user.user_id}"
    expected = base64.b64encode(
        hmac.new(sandbox.client_secret.encode(), (token["id"] + token["issued_at"]).encode(), hashlib.sha256).digest()
    ).decode()
    assert token["signature"] == expected
    query = raw_api(sandbox, token["access_token"]).get("query", params={"q": "SELECT COUNT() FROM Account"})
    assert query.json()["totalSize"] == 300
    again = exchange(session, sandbox, callback["code"], verifier)  # codes are single-use
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_pkce_and_redirect_mismatches_are_rejected(sandbox, trusted) -> None:
    session = trusted(sandbox)
    verifier, challenge = pkce_pair()
    code = authorize(session, sandbox, challenge)["code"]
    wrong = exchange(session, sandbox, code, "not-the-verifier")
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "invalid code verifier",
    }
    missing = exchange(session, sandbox, code, None)
    assert missing.json()["error"] == "invalid_request"
    elsewhere = exchange(session, sandbox, code, verifier, redirect_uri="http://localhost:9999/OauthRedirect")
    assert elsewhere.json()["error"] == "redirect_uri_mismatch"
    assert exchange(session, sandbox, code, verifier).status_code == 200  # the failures did not use the code up


def test_authorize_validates_client_callback_and_challenge(sandbox, trusted) -> None:
    session = trusted(sandbox)
    _, challenge = pkce_pair()
    unknown = authorize(session, sandbox, challenge, client_id="3MVG9unknown")
    assert unknown.status_code == 400
    assert "invalid_client_id" in unknown.text
    foreign = authorize(session, sandbox, challenge, redirect_uri="https://evil.example/OauthRedirect")
    assert foreign.status_code == 400
    assert "redirect_uri_mismatch" in foreign.text
    assert "code" in authorize(session, sandbox, challenge, redirect_uri="http://127.0.0.1:7171/OauthRedirect")
    # Only the registered callbacks: another loopback port is refused as Salesforce does.
    other_port = authorize(session, sandbox, challenge, redirect_uri="http://localhost:7172/OauthRedirect")
    assert other_port.status_code == 400
    assert "redirect_uri_mismatch" in other_port.text
    hinted = session.get(
        f"{sandbox.login_url}/services/oauth2/authorize",
        timeout=10,
        params={
            "response_type": "code",
            "client_id": sandbox.consumer_key,
            "redirect_uri": CALLBACK,
            "code_challenge": challenge,
            "login_hint": "readonly@crosslink.demo",
        },
    )
    assert 'value="readonly@crosslink.demo"' in hinted.text
    no_pkce = session.get(
        f"{sandbox.login_url}/services/oauth2/authorize",
        allow_redirects=False,
        timeout=10,
        params={"response_type": "code", "client_id": sandbox.consumer_key, "redirect_uri": CALLBACK, "state": "s"},
    )
    assert no_pkce.status_code == 302
    assert parse_qs(urlsplit(no_pkce.headers["Location"]).query)["error"] == ["invalid_request"]


def test_wrong_password_shows_the_form_again_and_deny_redirects_with_access_denied(sandbox, trusted) -> None:
    session = trusted(sandbox)
    _, challenge = pkce_pair()
    retry = authorize(session, sandbox, challenge, password="wrong")
    assert retry.status_code == 200
    assert 'id="username"' in retry.text
    assert "check your username" in retry.text
    denied = authorize(session, sandbox, challenge, decision="deny", state="keep-me")
    assert denied["error"] == "access_denied"
    assert denied["state"] == "keep-me"
    assert "code" not in denied


def test_refresh_and_revoke(sandbox, trusted, raw_api) -> None:
    session = trusted(sandbox)
    verifier, challenge = pkce_pair()
    token = exchange(session, sandbox, authorize(session, sandbox, challenge)["code"], verifier).json()
    refreshed = session.post(
        f"{sandbox.login_url}/services/oauth2/token",
        timeout=10,
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": sandbox.consumer_key,
        },
    )
    body = refreshed.json()
    assert refreshed.status_code == 200
    assert "refresh_token" not in body
    assert body["access_token"] != token["access_token"]
    assert body["id"] == token["id"]
    api = raw_api(sandbox, body["access_token"])
    assert api.get("limits").status_code == 200
    revoked = session.post(
        f"{sandbox.login_url}/services/oauth2/revoke", data={"token": token["refresh_token"]}, timeout=10
    )
    assert revoked.status_code == 200
    assert revoked.content == b""
    dead = api.get("limits")
    assert dead.status_code == 401
    assert dead.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    again = session.post(
        f"{sandbox.login_url}/services/oauth2/token",
        timeout=10,
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": sandbox.consumer_key,
        },
    )
    assert again.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}


def test_expired_access_token_gives_invalid_session_id(start_sandbox, client, raw_api) -> None:
    sandbox = start_sandbox()
    sandbox.oauth.expire_access_tokens()
    answer = raw_api(sandbox).get("query", params={"q": "SELECT Id FROM Account LIMIT 1"})
    assert answer.status_code == 401
    assert answer.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    with pytest.raises(SalesforceExpiredSession):
        client(sandbox).query("SELECT Id FROM Account LIMIT 1")


def test_client_credentials_for_unattended_runs(sandbox, trusted) -> None:
    session = trusted(sandbox)
    url = f"{sandbox.login_url}/services/oauth2/token"
    good = session.post(
        url,
        timeout=10,
        data={
            "grant_type": "client_credentials",
            "client_id": sandbox.consumer_key,
            "client_secret": sandbox.client_secret,
        },
    )
    assert good.status_code == 200
    assert "refresh_token" not in good.json()
    assert good.json()["id"].endswith(sandbox.org.default_user.user_id)
    basic = session.post(
        url, data={"grant_type": "client_credentials"}, timeout=10, auth=(sandbox.consumer_key, sandbox.client_secret)
    )
    assert basic.status_code == 200
    bad = session.post(
        url,
        timeout=10,
        data={"grant_type": "client_credentials", "client_id": sandbox.consumer_key, "client_secret": "nope"},
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_client"
    odd = session.post(url, data={"grant_type": "password", "client_id": sandbox.consumer_key}, timeout=10)
    assert odd.json()["error"] == "unsupported_grant_type"


def test_identity_url_and_userinfo(sandbox, trusted) -> None:
    session = trusted(sandbox)
    identity_url = f"{sandbox.login_url}/id/{sandbox.org.org_id}/{sandbox.org.default_user.user_id}"
    by_header = session.get(identity_url, headers={"Authorization": f"Bearer {sandbox.access_token}"}, timeout=10)
    by_param = session.get(identity_url, params={"format": "json", "oauth_token": sandbox.access_token}, timeout=10)
    assert by_header.json() == by_param.json()
    identity = by_header.json()
    assert identity["username"] == "admin@crosslink.demo"
    assert identity["organization_id"] == sandbox.org.org_id
    assert identity["urls"]["rest"] == f"{sandbox.instance_url}/services/data/v{{version}}/"
    assert "{version}" in identity["urls"]["tooling_rest"]
    assert session.get(identity_url, timeout=10).status_code == 403
    info = session.get(
        f"{sandbox.instance_url}/services/oauth2/userinfo",
        headers={"Authorization": f"Bearer {sandbox.access_token}"},
        timeout=10,
    ).json()
    assert info["preferred_username"] == "admin@crosslink.demo"
    assert info["sub"] == identity_url


def test_salesforce_cli_public_client_can_log_in_without_a_secret(sandbox, trusted) -> None:
    session = trusted(sandbox)
    verifier, challenge = pkce_pair()
    cli_callback = "http://localhost:1717/OauthRedirect"
    callback = authorize(session, sandbox, challenge, client_id="PlatformCLI", redirect_uri=cli_callback)
    form = {
        "grant_type": "authorization_code",
        "code": callback["code"],
        "client_id": "PlatformCLI",
        "redirect_uri": cli_callback,
        "code_verifier": verifier,
    }
    stolen = session.post(
        f"{sandbox.login_url}/services/oauth2/token", timeout=10, data={**form, "client_id": sandbox.consumer_key}
    )
    assert stolen.json()["error"] == "invalid_grant"  # a code only works for the app it was issued to
    token = session.post(f"{sandbox.login_url}/services/oauth2/token", data=form, timeout=10)
    assert token.status_code == 200
    assert token.json()["access_token"].startswith(sandbox.org.org_id15 + "!")


def test_the_apps_registered_callbacks_are_configurable(start_sandbox, trusted) -> None:
    from desktop_app.sandbox.salesforce import with_knobs

    registered = "http://localhost:8484/OauthRedirect"
    sandbox = start_sandbox(with_knobs("healthy", callback_urls=(registered,)), accounts=5)
    _, challenge = pkce_pair()
    session = trusted(sandbox)
    assert "code" in authorize(session, sandbox, challenge, redirect_uri=registered)
    refused = authorize(session, sandbox, challenge, redirect_uri=CALLBACK)  # no longer registered
    assert refused.status_code == 400
    assert "redirect_uri_mismatch" in refused.text
