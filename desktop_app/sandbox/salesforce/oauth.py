"""OAuth 2.0 of the sandbox org: web-server flow with PKCE (login form, consent, loopback redirect),
refresh, client credentials, revoke, the identity URL and userinfo — with Salesforce's token shapes
(``00D<org>!<opaque>`` access tokens, ``issued_at`` in ms, HMAC ``signature``, no ``expires_in``)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from desktop_app.sandbox.httpserver import Request, Response, Router
from desktop_app.sandbox.salesforce import app_policy, pages
from desktop_app.sandbox.salesforce.identity import identity_document, userinfo_document
from desktop_app.sandbox.salesforce.org import DemoUser, OrgState
from desktop_app.sandbox.salesforce.scenario import PLATFORM_CLI_CALLBACK

KNOWN_SCOPES = ("api", "refresh_token", "offline_access", "web", "full", "id", "openid", "profile", "email")
APP_NAME = "Crosslink"


@dataclass
class AccessSession:
    """What an access token stands for."""

    user_id: str
    client_id: str
    scope: str
    expires_at: float
    refresh_token: str | None = field(repr=False)


@dataclass
class _Code:
    user_id: str
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    expires_at: float
    used: bool = False


def _token_error(error: str, description: str, status: int = 400) -> Response:
    return Response.json({"error": error, "error_description": description}, status)


class OAuthService:
    """Issues and checks tokens for one org. ``base_url`` is set once the server knows its port."""

    def __init__(
        self,
        org: OrgState,
        *,
        consumer_key: str,
        client_secret: str,
        token_lifetime_seconds: float,
        code_lifetime_seconds: float = 900,
        public_clients: tuple[str, ...] = (),
    ):
        self.org = org
        self.consumer_key = consumer_key
        # Other registered apps without a secret (e.g. the Salesforce CLI's "PlatformCLI").
        self.client_ids = frozenset({consumer_key, *public_clients})
        self.client_secret = client_secret
        self.token_lifetime_seconds = token_lifetime_seconds
        self.code_lifetime_seconds = code_lifetime_seconds
        self.base_url = ""
        self._lock = threading.Lock()
        self._sessions: dict[str, AccessSession] = {}
        self._refresh: dict[str, tuple[str, str, str]] = {}  # refresh token → (user id, client id, scope)
        self._codes: dict[str, _Code] = {}
        self._pending: dict[str, dict[str, Any]] = {}

    def callbacks(self, client_id: str) -> tuple[str, ...]:
        """The callback URLs registered for ``client_id`` (the scenario's for our app)."""
        if client_id == self.consumer_key:
            return self.org.scenario.callback_urls
        return (PLATFORM_CLI_CALLBACK,)

    # ----- tokens -----
    def identity_url(self, user_id: str) -> str:
        """The ``id`` of a token response for ``user_id``."""
        return f"{self.base_url}/id/{self.org.org_id}/{user_id}"

    def issue(
        self,
        user: DemoUser,
        client_id: str,
        scope: str,
        *,
        with_refresh: bool,
        refresh_token: str | None = None,
    ) -> dict[str, Any]:
        """A new access token (and refresh token when asked) as the token endpoint's JSON."""
        access = f"{self.org.org_id15}!{secrets.token_urlsafe(72)}"
        with self._lock:
            if with_refresh and refresh_token is None:
                refresh_token = "5Aep861" + secrets.token_urlsafe(60)
                self._refresh[refresh_token] = (user.user_id, client_id, scope)
            self._sessions[access] = AccessSession(
                user.user_id, client_id, scope, time.monotonic() + self.token_lifetime_seconds, refresh_token
            )
        issued_at = str(int(time.time() * 1000))
        identity = self.identity_url(user.user_id)
        signature = base64.b64encode(
            hmac.new(self.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
        ).decode()
        body: dict[str, Any] = {"access_token": access}
        if with_refresh and refresh_token:
            body["refresh_token"] = refresh_token
        body.update(
            {
                "signature": signature,
                "scope": scope,
                "instance_url": self.base_url,
                "id": identity,
                "token_type": "Bearer",
                "issued_at": issued_at,
            }
        )
        return body

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now, as after its lifetime (refresh tokens stay
        good): what a session left open for hours meets, without a test waiting for it."""
        with self._lock:
            for token, session in self._sessions.items():
                self._sessions[token] = dataclasses.replace(session, expires_at=0.0)

    def session_for(self, token: str | None) -> AccessSession | None:
        """The live session of an access token, or None (unknown, revoked or expired)."""
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if time.monotonic() >= session.expires_at:
                del self._sessions[token]
                return None
            return session

    @staticmethod
    def bearer(request: Request) -> str | None:
        """The token of an ``Authorization: Bearer`` (or ``OAuth``) header."""
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() in ("bearer", "oauth") and token.strip() else None

    # ----- routes -----
    def register(self, router: Router) -> None:
        """Add the OAuth and identity routes."""
        router.add("GET", r"/services/oauth2/authorize", self.authorize)
        router.add("POST", r"/services/oauth2/authorize/login", self.login)
        router.add("POST", r"/services/oauth2/authorize/consent", self.consent)
        router.add("POST", r"/services/oauth2/token", self.token)
        router.add("POST", r"/services/oauth2/revoke", self.revoke)
        router.add("GET", r"/services/oauth2/revoke", self.revoke)
        router.add("GET", r"/services/oauth2/userinfo", self.userinfo)
        router.add("GET", r"/id/(?P<org>\w+)/(?P<user>\w+)", self.identity)

    def authorize(self, request: Request) -> Response:
        """Check the authorize parameters and show the login form."""
        params = {k: v[0] for k, v in request.query.items()}
        client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
        if client_id not in self.client_ids:
            return Response.html(pages.error_page("invalid_client_id", "client identifier invalid"), 400)
        if redirect_uri not in self.callbacks(client_id):
            return Response.html(
                pages.error_page("redirect_uri_mismatch", "redirect_uri must match configuration"), 400
            )
        state = params.get("state")

        def back(error: str, description: str) -> Response:
            query = {"error": error, "error_description": description, **({"state": state} if state else {})}
            return Response.redirect(f"{redirect_uri}?{urlencode(query)}")

        if params.get("response_type") != "code":
            return back("unsupported_response_type", "response type not supported")
        if not params.get("code_challenge"):
            return back("invalid_request", "missing required code challenge")
        if params.get("code_challenge_method", "S256") != "S256":
            return back("invalid_request", "unsupported code challenge method")
        pending_id = secrets.token_urlsafe(24)
        with self._lock:
            self._pending[pending_id] = {"params": params, "user_id": None}
        return Response.html(pages.login_page(pending_id, username=params.get("login_hint", "")))

    def login(self, request: Request) -> Response:
        """Check the credentials typed into the login form; show the consent page."""
        form = request.form()
        pending = self._pending.get(form.get("pending", ""))
        if pending is None:
            return Response.html(pages.error_page("invalid_request", "login session expired; start again"), 400)
        user = self.org.user_by_username(form.get("username", ""))
        if user is None or not hmac.compare_digest(user.password, form.get("pw", "")):
            return Response.html(
                pages.login_page(
                    form["pending"],
                    username=form.get("username", ""),
                    error=(
                        "Please check your username and password. If you still can't log in, "
                        "contact your Salesforce "
                        "administrator."
                    ),
                )
            )
        refusal = (
            app_policy.login_refusal(self.org.scenario, user.profile_name)
            if pending["params"]["client_id"] == self.consumer_key
            else None
        )
        if refusal is not None:
            with self._lock:
                self._pending.pop(form["pending"], None)
            params = pending["params"]
            query = {"error": refusal[0], "error_description": refusal[1]}
            if params.get("state"):
                query["state"] = params["state"]
            return Response.redirect(f"{params['redirect_uri']}?{urlencode(query)}")
        pending["user_id"] = user.user_id
        return Response.html(
            pages.consent_page(
                form["pending"],
                app_name=APP_NAME,
                username=user.username,
                scopes=self._scope(pending["params"].get("scope")).split(),
            )
        )

    def consent(self, request: Request) -> Response:
        """Allow → redirect with a code; Deny → redirect with ``error=access_denied``."""
        form = request.form()
        with self._lock:
            pending = self._pending.pop(form.get("pending", ""), None)
        if pending is None or pending["user_id"] is None:
            return Response.html(pages.error_page("invalid_request", "login session expired; start again"), 400)
        params = pending["params"]
        state = {"state": params["state"]} if params.get("state") else {}
        if form.get("decision") != "allow":
            query = {"error": "access_denied", "error_description": "end-user denied authorization", **state}
            return Response.redirect(f"{params['redirect_uri']}?{urlencode(query)}")
        code = "aPrx" + secrets.token_urlsafe(40)
        with self._lock:
            self._codes[code] = _Code(
                pending["user_id"],
                params["client_id"],
                params["redirect_uri"],
                params["code_challenge"],
                self._scope(params.get("scope")),
                time.monotonic() + self.code_lifetime_seconds,
            )
        return Response.redirect(f"{params['redirect_uri']}?{urlencode({'code': code, **state})}")

    @staticmethod
    def _scope(requested: str | None) -> str:
        if not requested:
            return "refresh_token api"
        return " ".join(s for s in requested.split() if s in KNOWN_SCOPES) or "api"

    def token(self, request: Request) -> Response:
        """The token endpoint: authorization_code, refresh_token, client_credentials."""
        self.org.counters.count_call("oauth.token")
        form = request.form()
        basic = request.header("Authorization") or ""
        if basic.lower().startswith("basic "):
            decoded = base64.b64decode(basic[6:]).decode("utf-8", "replace")
            form.setdefault("client_id", decoded.partition(":")[0])
            form.setdefault("client_secret", decoded.partition(":")[2])
        grant = form.get("grant_type", "")
        if grant not in ("authorization_code", "refresh_token", "client_credentials"):
            return _token_error("unsupported_grant_type", "grant type not supported")
        client_id = form.get("client_id", "")
        if client_id not in self.client_ids:
            return _token_error("invalid_client_id", "client identifier invalid")
        has_secret = client_id == self.consumer_key
        if "client_secret" in form and not (
            has_secret and hmac.compare_digest(form["client_secret"], self.client_secret)
        ):
            return _token_error("invalid_client", "invalid client credentials")
        if grant == "authorization_code":
            return self._code_grant(form)
        if grant == "refresh_token":
            found = self._refresh.get(form.get("refresh_token", ""))
            if found is None:
                return _token_error("invalid_grant", "expired access/refresh token")
            user_id, issued_to, scope = found
            if issued_to != client_id:
                return _token_error("invalid_grant", "expired access/refresh token")
            user = self.org.users[user_id]
            refusal = app_policy.refresh_refusal(self.org.scenario, user.profile_name)
            if refusal is not None and client_id == self.consumer_key:
                return _token_error(*refusal)
            body = self.issue(
                user,
                client_id,
                scope,
                with_refresh=False,
                refresh_token=form["refresh_token"],
            )
            return Response.json(body)
        if "client_secret" not in form:
            return _token_error("invalid_client", "invalid client credentials")
        return Response.json(self.issue(self.org.default_user, form["client_id"], "api", with_refresh=False))

    def _code_grant(self, form: dict[str, str]) -> Response:
        with self._lock:
            code = self._codes.get(form.get("code", ""))
            if code is None or code.used or code.client_id != form.get("client_id"):
                return _token_error("invalid_grant", "invalid authorization code")
            if time.monotonic() >= code.expires_at:
                return _token_error("invalid_grant", "expired authorization code")
            if form.get("redirect_uri") != code.redirect_uri:
                return _token_error("redirect_uri_mismatch", "redirect_uri must match configuration")
            verifier = form.get("code_verifier")
            if not verifier:
                return _token_error("invalid_request", "code_verifier must be provided")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if not hmac.compare_digest(digest, code.challenge):
                return _token_error("invalid_grant", "invalid code verifier")
            code.used = True
        body = self.issue(
            self.org.users[code.user_id],
            code.client_id,
            code.scope,
            with_refresh="refresh_token" in code.scope.split() or "offline_access" in code.scope,
        )
        return Response.json(body)

    def revoke(self, request: Request) -> Response:
        """Revoke an access token, or a refresh token together with every access token it issued."""
        token = request.form().get("token") if request.method == "POST" else request.arg("token")
        with self._lock:
            if token and token in self._refresh:
                del self._refresh[token]
                for access in [a for a, s in self._sessions.items() if s.refresh_token == token]:
                    del self._sessions[access]
                return Response(200)
            if token and self._sessions.pop(token, None) is not None:
                return Response(200)
        return _token_error("unsupported_token_type", "this token type is not supported")

    def _user_of(self, request: Request) -> DemoUser | None:
        session = self.session_for(self.bearer(request) or request.arg("oauth_token"))
        return None if session is None else self.org.users[session.user_id]

    def identity(self, request: Request) -> Response:
        """The identity URL document (urls carry a literal ``{version}``)."""
        user = self._user_of(request)
        if user is None:
            return Response.text("Bad_OAuth_Token", 403)
        if request.params["user"] != user.user_id or request.params["org"] not in (self.org.org_id, self.org.org_id15):
            return Response.text("Bad_Id", 403)
        return Response.json(identity_document(self.base_url, self.org.org_id, user))

    def userinfo(self, request: Request) -> Response:
        """The OpenID Connect userinfo document."""
        user = self._user_of(request)
        if user is None:
            return Response.text("Bad_OAuth_Token", 403)
        return Response.json(userinfo_document(self.base_url, self.org.org_id, user))
