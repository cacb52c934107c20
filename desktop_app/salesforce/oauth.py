"""OAuth 2.0 for a desktop app: web-server flow with PKCE over a loopback redirect (RFC 8252),
refresh, revoke, and the client-credentials flow for unattended command-line runs.

Nothing here logs or raises with a token, code, verifier or client secret in the text.
"""

from __future__ import annotations

import secrets
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests

from desktop_app.core.progress import CancelToken
from desktop_app.loopback import LoopbackError, LoopbackListener, LoopbackPortBusy, new_pkce_pair
from desktop_app.salesforce.errors import LoginCancelled, LoginError, PortBusy
from desktop_app.salesforce.http import without_sent_secrets
from desktop_app.salesforce.login_errors import explain_login_error
from desktop_app.salesforce.tokens import TokenSet, parse_token_response

# Data Loader's registered port: admins recognise it, it is outside the ephemeral range, and it
# does not collide with the Salesforce CLI (1717), which developers often have mid-login.
DEFAULT_PORT = 7171
SCOPE = "api refresh_token"
CONSUMER_KEY_ENV = "CROSSLINK_CONSUMER_KEY"  # the External Client App's consumer key, for every login
LOGIN_TIMEOUT_SECONDS = 300.0

BrowserOpener = Callable[[str], object]


@dataclass(frozen=True)
class OAuthApp:
    """The External Client App to log in through, and the host to log in at."""

    login_host: str
    consumer_key: str
    client_secret: str | None = field(default=None, repr=False)
    verify: str | bool = True  # CA bundle for requests (the local sandbox's CA), True = system CAs
    timeout: float = 30.0


def authorize_url(
    app: OAuthApp, *, redirect_uri: str, code_challenge: str, state: str, prompt: str | None = "login"
) -> str:
    """The URL of Salesforce's login and consent page for this app (opened in the browser)."""
    params = {
        "response_type": "code",
        "client_id": app.consumer_key,
        "redirect_uri": redirect_uri,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        "state": state,
        "scope": SCOPE,
    }
    if prompt:
        params["prompt"] = prompt
    return f"{app.login_host}/services/oauth2/authorize?{urlencode(params)}"


def login(
    app: OAuthApp,
    *,
    port: int = DEFAULT_PORT,
    redirect_host: str = "localhost",
    open_browser: BrowserOpener = webbrowser.open,
    timeout: float = LOGIN_TIMEOUT_SECONDS,
    cancel: CancelToken | None = None,
    http: requests.Session | None = None,
) -> TokenSet:
    """Log in through the system browser and return the tokens.

    Listens on 127.0.0.1:``port`` (``PortBusy`` when taken), opens the authorize page with a PKCE
    challenge and a random state, waits up to ``timeout`` s for the redirect carrying that state
    (``Cancelled`` on cancel; redirects with another state are ignored, so a stray request cannot end
    the login), and exchanges the code. A refusal raises ``LoginCancelled``.
    """
    verifier, challenge = new_pkce_pair()
    state = secrets.token_urlsafe(24)
    try:
        with LoopbackListener(port, expected_state=state, redirect_host=redirect_host) as listener:
            url = authorize_url(app, redirect_uri=listener.redirect_uri, code_challenge=challenge, state=state)
            open_browser(url)
            redirect = listener.wait(timeout=timeout, cancel=cancel)
            redirect_uri = listener.redirect_uri
    except LoopbackPortBusy as busy:
        raise PortBusy(
            f"{busy} Close the other program (another login in progress, Data Loader, the Salesforce CLI) or "
            "choose another port with --port and add http://localhost:<port>/OauthRedirect to your External "
            "Client App's callback URLs."
        ) from None
    except LoopbackError as failure:
        raise LoginError(f"{failure} Finish the login in the browser window Crosslink opened, or start again.") \
            from None
    params = redirect.params
    # The listener only hands over a redirect with our state; checked again here, before the error
    # or the code is believed.
    if not secrets.compare_digest(params.get("state", ""), state):
        raise LoginError(
            "The login answer did not carry the state Crosslink sent, so it was ignored. Start the login again."
        )
    if params.get("error"):
        if params["error"] == "access_denied":
            raise LoginCancelled("Access was refused on the Salesforce consent page; nothing was connected.")
        detail = params.get("error_description") or params["error"]
        explained = explain_login_error(params["error"], params.get("error_description", ""))
        raise LoginError(explained or f"Salesforce did not complete the login: {detail}.", code=params["error"])
    code = params.get("code")
    if not code:
        raise LoginError("Salesforce redirected back without an authorization code.")
    return exchange_code(app, code=code, code_verifier=verifier, redirect_uri=redirect_uri, http=http)


def exchange_code(
    app: OAuthApp, *, code: str, code_verifier: str, redirect_uri: str, http: requests.Session | None = None
) -> TokenSet:
    """Trade an authorization code (plus its PKCE verifier) for tokens."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.consumer_key,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    return parse_token_response(_token_request(app, form, http))


def refresh_access_token(app: OAuthApp, refresh_token: str, *, http: requests.Session | None = None) -> TokenSet:
    """A new access token from a refresh token (the answer usually carries no new refresh token)."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": app.consumer_key}
    return parse_token_response(_token_request(app, form, http))


def client_credentials_login(app: OAuthApp, *, http: requests.Session | None = None) -> TokenSet:
    """Tokens for the External Client App's run-as user, without a browser (needs the client secret
    and, on real Salesforce, the org's My Domain as login host)."""
    if not app.client_secret:
        raise LoginError("The client-credentials login needs the External Client App's consumer secret.")
    return parse_token_response(
        _token_request(app, {"grant_type": "client_credentials", "client_id": app.consumer_key}, http)
    )


def revoke_token(app: OAuthApp, token: str, *, http: requests.Session | None = None) -> None:
    """Revoke a refresh (or access) token; revoking a refresh token ends its access tokens too.

    A token Salesforce no longer knows counts as revoked.
    """
    session = http or _one_off_session()
    try:
        response = session.post(
            f"{app.login_host}/services/oauth2/revoke",
            data={"token": token},
            timeout=app.timeout,
            verify=app.verify,
        )
    except requests.RequestException as error:
        raise LoginError(f"Could not reach {app.login_host} to revoke the login ({type(error).__name__}).") from None
    if response.status_code == 400 and _oauth_error(response)[0] in (
        "invalid_token",
        "unsupported_token_type",
    ):
        return
    if response.status_code >= 300:
        raise LoginError(
            f"Salesforce refused to revoke the login (HTTP {response.status_code}).",
            status=response.status_code,
        )


def fetch_identity(
    tokens: TokenSet,
    *,
    verify: str | bool = True,
    timeout: float = 30.0,
    http: requests.Session | None = None,
) -> dict[str, Any]:
    """The identity document (user_id, organization_id, username, display_name, urls ...)."""
    session = http or _one_off_session()
    try:
        response = session.get(
            tokens.identity_url,
            headers={"Authorization": f"Bearer {tokens.access_token}"},
            params={"format": "json"},
            timeout=timeout,
            verify=verify,
        )
    except requests.RequestException as error:
        raise LoginError(f"Could not read who logged in ({type(error).__name__}).") from None
    if response.status_code != 200:
        raise LoginError(
            f"Salesforce did not say who logged in (HTTP {response.status_code}).",
            status=response.status_code,
        )
    document: dict[str, Any] = response.json()
    return document


def _one_off_session() -> requests.Session:
    """A session for one call; it closes its connection when the call is done (no keep-alive)."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


def _oauth_error(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error", "")), str(body.get("error_description", ""))


def _token_request(app: OAuthApp, form: dict[str, str], http: requests.Session | None) -> dict[str, Any]:
    if app.client_secret:
        form = {**form, "client_secret": app.client_secret}
    session = http or _one_off_session()
    try:
        response = session.post(
            f"{app.login_host}/services/oauth2/token",
            data=form,
            headers={"Accept": "application/json"},
            timeout=app.timeout,
            verify=app.verify,
        )
    except requests.exceptions.SSLError:
        raise LoginError(f"The certificate of {app.login_host} is not trusted.") from None
    except requests.RequestException as error:
        raise LoginError(f"Could not reach {app.login_host} ({type(error).__name__}).") from None
    if response.status_code != 200:
        oauth_error, description = _oauth_error(without_sent_secrets(response, form=form))
        hint = {
            "invalid_client_id": " Check the consumer key of your External Client App.",
            "invalid_client": " Check the consumer key and secret of your External Client App.",
            "invalid_grant": " Log in again.",
        }.get(oauth_error, "")
        explained = explain_login_error(oauth_error, description)
        raise LoginError(
            explained or f"Salesforce refused the login: {description or oauth_error or response.status_code}.{hint}",
            code=oauth_error,
            status=response.status_code,
        )
    body: dict[str, Any] = response.json()
    return body
