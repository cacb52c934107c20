"""Browser sign-in to a billing system by OAuth 2.0 authorisation code with PKCE (QuickBooks Online,
Xero), through the same loopback listener as the Salesforce login, and token refresh.

The answer is the access and refresh tokens plus what the system hands back beside them: QuickBooks
puts the company's ``realmId`` in the redirect, Xero lists the organisations the token may use at
``/connections`` (the first one's ``tenantId`` is taken). Nothing here logs or raises with a code,
verifier, token or client secret in the text.
"""

from __future__ import annotations

import dataclasses
import secrets
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from desktop_app.billing.base import BillingAuthError, BillingError
from desktop_app.core.progress import CancelToken
from desktop_app.core.secret_text import blank_secrets, request_secrets
from desktop_app.loopback import LoopbackError, LoopbackListener, new_pkce_pair

DEFAULT_PORT = 7172  # next to the Salesforce login's 7171, so both can be registered side by side
LOGIN_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class OAuthEndpoints:
    """Where a system's authorisation server lives and what to ask for."""

    system_name: str
    authorize_url: str
    token_url: str
    scope: str
    connections_url: str = ""  # Xero: the organisations a token may use


QUICKBOOKS_OAUTH = OAuthEndpoints(
    "QuickBooks Online", "https://appcenter.intuit.com/connect/oauth2",
    "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer", "com.intuit.quickbooks.accounting",
)
XERO_OAUTH = OAuthEndpoints(
    "Xero", "https://login.xero.com/identity/connect/authorize", "https://identity.xero.com/connect/token",
    "offline_access accounting.contacts", connections_url="https://api.xero.com/connections",
)


@dataclass(frozen=True)
class BillingTokens:
    """Tokens from a sign-in or refresh, and the company (realm) or organisation (tenant) id."""

    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_in: int = 0
    company_id: str = ""


def moved_to(endpoints: OAuthEndpoints, host: str) -> OAuthEndpoints:
    """The same endpoints (the vendor's paths) on another host, e.g. a local sandbox."""
    def move(url: str) -> str:
        return f"{host.rstrip('/')}{urlsplit(url).path}" if url else ""

    return dataclasses.replace(endpoints, authorize_url=move(endpoints.authorize_url),
                               token_url=move(endpoints.token_url), connections_url=move(endpoints.connections_url))


def browser_login(
    endpoints: OAuthEndpoints, client_id: str, *, client_secret: str = "", port: int = DEFAULT_PORT,
    open_browser: Callable[[str], object] | None = None, timeout: float = LOGIN_TIMEOUT_SECONDS,
    cancel: CancelToken | None = None, verify: str | bool = True,
) -> BillingTokens:
    """Sign in through the system browser: PKCE challenge, random state, one loopback redirect, code
    exchange. ``BillingAuthError`` when access is refused or the answer does not fit the request."""
    verifier, challenge = new_pkce_pair()
    state = secrets.token_urlsafe(24)
    try:
        with LoopbackListener(port, expected_state=state, system_name=endpoints.system_name) as listener:
            params = {"response_type": "code", "client_id": client_id, "redirect_uri": listener.redirect_uri,
                      "scope": endpoints.scope, "state": state, "code_challenge": challenge,
                      "code_challenge_method": "S256"}
            (open_browser or webbrowser.open)(f"{endpoints.authorize_url}?{urlencode(params)}")
            answer = listener.wait(timeout=timeout, cancel=cancel).params
            redirect_uri = listener.redirect_uri
    except LoopbackError as failure:
        raise BillingAuthError(f"{endpoints.system_name} sign-in did not complete: {failure} Sign in again.") \
            from None
    if answer.get("error"):
        raise BillingAuthError(f"{endpoints.system_name} did not grant access ({answer['error']}); nothing "
                               "was connected.")
    if not secrets.compare_digest(answer.get("state", ""), state) or not answer.get("code"):
        raise BillingAuthError(f"The {endpoints.system_name} sign-in answer did not match the request Crosslink "
                               "sent, so it was ignored. Sign in again.")
    tokens = _token_request(endpoints, client_id, client_secret, verify, {
        "grant_type": "authorization_code", "code": answer["code"], "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    })
    company = answer.get("realmId", "") or _first_tenant(endpoints, tokens["access_token"], verify)
    return _tokens(tokens, company)


def refresh_tokens(endpoints: OAuthEndpoints, client_id: str, refresh_token: str, *, client_secret: str = "",
                   company_id: str = "", verify: str | bool = True) -> BillingTokens:
    """New tokens from a refresh token (both systems rotate the refresh token: keep the new one)."""
    tokens = _token_request(endpoints, client_id, client_secret, verify,
                            {"grant_type": "refresh_token", "refresh_token": refresh_token})
    return _tokens(tokens, company_id)


def _tokens(payload: dict[str, Any], company_id: str) -> BillingTokens:
    return BillingTokens(str(payload["access_token"]), str(payload.get("refresh_token") or ""),
                         int(payload.get("expires_in") or 0), company_id)


def _token_request(endpoints: OAuthEndpoints, client_id: str, client_secret: str, verify: str | bool,
                   form: dict[str, str]) -> dict[str, Any]:
    auth = (client_id, client_secret) if client_secret else None
    body = form if client_secret else {**form, "client_id": client_id}
    try:
        response = requests.post(endpoints.token_url, data=body, auth=auth, timeout=30, verify=verify,
                                 headers={"Accept": "application/json"})
    except requests.RequestException as error:
        raise BillingError(f"Could not reach {endpoints.system_name}'s sign-in server "
                           f"({type(error).__name__}).") from None
    payload = _json(response)
    if response.status_code != 200 or not payload.get("access_token"):
        reason = str(payload.get("error_description") or payload.get("error") or f"HTTP {response.status_code}")
        # A sign-in server or proxy that echoes the request would put the refresh token or secret here.
        reason = blank_secrets(reason.encode(), request_secrets(form=body, basic_auth=auth)).decode()
        raise BillingAuthError(f"{endpoints.system_name} refused the sign-in: {reason}. Check the app's client id "
                               "(and secret) and sign in again.")
    return payload


def _first_tenant(endpoints: OAuthEndpoints, access_token: str, verify: str | bool) -> str:
    if not endpoints.connections_url:
        return ""
    try:
        response = requests.get(endpoints.connections_url, headers={"Authorization": f"Bearer {access_token}"},
                                timeout=30, verify=verify)
    except requests.RequestException as error:
        raise BillingError(f"Could not list the {endpoints.system_name} organisations "
                           f"({type(error).__name__}).") from None
    connections = _json_list(response)
    if not connections:
        raise BillingAuthError(f"The {endpoints.system_name} sign-in gave access to no organisation; sign in again "
                               "and pick one.")
    return str(connections[0].get("tenantId") or "")


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _json_list(response: requests.Response) -> list[dict[str, Any]]:
    try:
        payload = response.json()
    except ValueError:
        return []
    return [p for p in payload if isinstance(p, dict)] if isinstance(payload, list) and response.ok else []
