"""The authorisation-code-with-PKCE half of a billing sandbox (QuickBooks Online, Xero): an authorize
page that consents at once and redirects back with a code, and a token endpoint that checks the
code, the redirect URI and the PKCE verifier (RFC 7636, S256; an app with a client secret may sign in
without PKCE and send the secret instead, as Intuit allows) and issues a new access token with a
rotating refresh token. The sandbox's API accepts the first access token and every one issued since,
until ``expire_access_tokens`` (an hour passing, in tests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from desktop_app.sandbox.httpserver import Request, Response, Router


@dataclass
class OAuthClient:
    """The one app registered with the sandbox and what it has been issued."""

    client_id: str
    client_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    extra_redirect_params: dict[str, str] = field(default_factory=dict)
    # Fields of the vendor's token answer beyond the access and refresh tokens, e.g. Xero's
    # expires_in 1800 and the granted scope (xero-python needs it), Intuit's x_refresh_token_expires_in.
    answer_scope: bool = False
    token_fields: dict[str, object] = field(default_factory=dict)
    # code → (PKCE challenge, redirect URI, scope asked for)
    codes: dict[str, tuple[str, str, str]] = field(default_factory=dict, repr=False)
    refresh_tokens: dict[str, str] = field(default_factory=dict, repr=False)  # refresh token → granted scope
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    issued: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self.issued.add(self.access_token)

    def valid(self, token: str) -> bool:
        """True for an access token the API accepts now."""
        with self.lock:
            return any(hmac.compare_digest(token, known) for known in self.issued)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (refresh tokens still do)."""
        with self.lock:
            self.issued.clear()


def _loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")


def _error(status: int, error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, status)


def add_oauth_routes(router: Router, client: OAuthClient, *, authorize_path: str, token_path: str) -> None:
    """Serve ``authorize_path`` (GET, redirects with ``code``/``state``) and ``token_path`` (POST form)."""

    def authorize(request: Request) -> Response:
        redirect = request.arg("redirect_uri") or ""
        if request.arg("client_id") != client.client_id or not _loopback(redirect):
            return Response.html("<h1>Unknown app or redirect URI</h1>", 400)
        # PKCE is required of public clients only (Xero PKCE apps); an app with a client secret, as
        # intuit-oauth's AuthClient signs in, may leave it out and prove itself with the secret instead.
        pkce = request.arg("code_challenge")
        if request.arg("response_type") != "code" or (pkce and request.arg("code_challenge_method") != "S256") \
                or (not pkce and not client.client_secret):
            refused = {"error": "invalid_request", "state": request.arg("state") or ""}
            return Response.redirect(f"{redirect}?{urlencode(refused)}")
        code = secrets.token_urlsafe(24)
        with client.lock:
            client.codes[code] = (request.arg("code_challenge") or "", redirect, request.arg("scope") or "")
        params = {"code": code, "state": request.arg("state") or "", **client.extra_redirect_params}
        return Response.redirect(f"{redirect}?{urlencode(params)}")

    def token(request: Request) -> Response:
        form = request.form()
        given_id, given_secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = request.header("Authorization") or ""
        if auth.startswith("Basic "):
            given_id, _, given_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if given_id != client.client_id or (given_secret and not hmac.compare_digest(given_secret,
                                                                                       client.client_secret)):
            return _error(401, "invalid_client", "Unknown client or wrong secret.")
        with client.lock:
            if form.get("grant_type") == "authorization_code":
                known = form.get("code", "") in client.codes
                challenge, redirect, scope = client.codes.pop(form.get("code", ""), ("", "", ""))
                digest = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                proven = digest.rstrip(b"=").decode() == challenge if challenge else bool(given_secret)
                if not known or redirect != form.get("redirect_uri") or not proven:
                    return _error(400, "invalid_grant", "The code, redirect URI or PKCE verifier does not match.")
            elif form.get("grant_type") == "refresh_token":
                if form.get("refresh_token", "") not in client.refresh_tokens:
                    return _error(400, "invalid_grant", "Unknown or already used refresh token.")
                scope = client.refresh_tokens.pop(form["refresh_token"])
            else:
                return _error(400, "unsupported_grant_type", "Only authorization_code and refresh_token.")
            refresh, access = secrets.token_urlsafe(32), f"eyJ.{secrets.token_urlsafe(32)}"
            client.refresh_tokens[refresh] = scope
            client.issued.add(access)
        answer: dict[str, object] = {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
                                     "expires_in": 3600, **client.token_fields}
        if client.answer_scope:
            answer["scope"] = scope
        return Response.json(answer)

    router.add("GET", authorize_path, authorize)
    router.add("POST", token_path, token)
