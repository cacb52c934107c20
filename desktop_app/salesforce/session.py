"""A live, authenticated connection to one org: the access token, how to renew it, and the
``requests.Session`` (CA, keep-alive) every call goes through."""

from __future__ import annotations

import threading
from collections.abc import Callable

import requests

from desktop_app.salesforce import oauth
from desktop_app.salesforce.errors import LoginError, SalesforceError, SessionExpired
from desktop_app.salesforce.profiles import (
    CLIENT_SECRET_KIND,
    REFRESH_TOKEN_KIND,
    ConnectionProfile,
    delete_profile,
    get_profile,
    load_profiles,
    save_profile,
)
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.secrets import delete_secret, load_secret, save_secret

Renewer = Callable[[requests.Session], TokenSet]


class SalesforceSession:
    """The current tokens of one login plus the HTTP session; ``renew()`` gets a fresh access token."""

    def __init__(
        self,
        tokens: TokenSet,
        *,
        verify: str | bool = True,
        renewer: Renewer | None = None,
        http: requests.Session | None = None,
    ) -> None:
        self._tokens = tokens
        self._renewer = renewer
        self._lock = threading.Lock()
        self.http = http or requests.Session()
        self.http.verify = verify
        # Passed on every request too: requests lets $REQUESTS_CA_BUNDLE override a session's verify.
        self.verify = verify

    def __repr__(self) -> str:
        return f"SalesforceSession(instance_url={self.instance_url!r})"

    def close(self) -> None:
        """Close the HTTP connections (the tokens stay valid)."""
        self.http.close()

    def __enter__(self) -> SalesforceSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def instance_url(self) -> str:
        """The org's API host, e.g. ``https://acme.my.salesforce.com``."""
        return self._tokens.instance_url

    @property
    def access_token(self) -> str:
        """The current access token (only ever sent in an Authorization header)."""
        return self._tokens.access_token

    @property
    def tokens(self) -> TokenSet:
        """The current token set."""
        return self._tokens

    def renew(self, expired_token: str | None = None) -> None:
        """Replace the access token; ``SessionExpired`` when that is impossible.

        With ``expired_token`` given, renews only if no other thread already did.
        """
        with self._lock:
            if expired_token is not None and expired_token != self._tokens.access_token:
                return
            if self._renewer is None:
                raise SessionExpired("The Salesforce session expired and cannot be renewed here; log in again.")
            try:
                fresh = self._renewer(self.http)
            except LoginError as error:
                raise SessionExpired(
                    f"The Salesforce session expired and could not be renewed ({error}). Run 'desktop-app login' again."
                ) from None
            self._tokens = self._tokens.with_refreshed(fresh)


def app_for_profile(profile: ConnectionProfile, client_secret: str | None = None) -> oauth.OAuthApp:
    """The OAuth app settings a profile was saved with."""
    return oauth.OAuthApp(
        login_host=profile.login_host,
        consumer_key=profile.consumer_key,
        client_secret=client_secret,
        verify=profile.ca_bundle or True,
    )


def open_session(profile_name: str) -> SalesforceSession:
    """A session for a saved profile: reads its secret from the keychain and gets an access token."""
    profile = get_profile(profile_name)
    verify: str | bool = profile.ca_bundle or True
    http = requests.Session()
    http.verify = verify
    if profile.auth == "client-credentials":
        secret = load_secret(CLIENT_SECRET_KIND, profile.secret_account)
        if not secret:
            raise SessionExpired(f"The client secret for '{profile.name}' is not in the keychain; log in again.")
        app = app_for_profile(profile, secret)

        def renewer(session: requests.Session) -> TokenSet:
            return oauth.client_credentials_login(app, http=session)
    else:
        refresh_token = load_secret(REFRESH_TOKEN_KIND, profile.secret_account)
        if not refresh_token:
            raise SessionExpired(
                f"No saved login for '{profile.name}' in the keychain; run "
                f"'desktop-app login --profile {profile.name}'."
            )
        app = app_for_profile(profile)

        def renewer(session: requests.Session) -> TokenSet:
            return oauth.refresh_access_token(app, refresh_token, http=session)

    first = renewer(http)
    tokens = (
        first
        if first.refresh_token
        else TokenSet(
            access_token=first.access_token,
            instance_url=first.instance_url,
            identity_url=first.identity_url or f"{profile.login_host}/id/{profile.org_id}/{profile.user_id}",
            scope=first.scope,
            issued_at_ms=first.issued_at_ms,
        )
    )
    return SalesforceSession(tokens, verify=verify, renewer=renewer, http=http)


def save_login(
    name: str, app: oauth.OAuthApp, tokens: TokenSet, *, auth: str = "web", redirect_port: int | None = None
) -> ConnectionProfile:
    """Remember a completed login as profile ``name``: the secret to the keychain, the rest to the file."""
    identity: dict[str, object] = {}
    try:
        identity = oauth.fetch_identity(tokens, verify=app.verify, timeout=app.timeout)
    except SalesforceError:
        identity = {}
    profile = ConnectionProfile(
        name=name,
        login_host=app.login_host,
        consumer_key=app.consumer_key,
        instance_url=tokens.instance_url,
        org_id=tokens.org_id,
        user_id=tokens.user_id,
        username=str(identity.get("username", "")),
        ca_bundle=app.verify if isinstance(app.verify, str) else None,
        auth=auth,
        redirect_port=redirect_port,
    )
    if auth == "client-credentials":
        assert app.client_secret
        save_secret(CLIENT_SECRET_KIND, profile.secret_account, app.client_secret)
    else:
        if not tokens.refresh_token:
            raise LoginError(
                "Salesforce gave no refresh token. In the External Client App, add the "
                "'refresh_token, offline_access' OAuth scope and log in again."
            )
        save_secret(REFRESH_TOKEN_KIND, profile.secret_account, tokens.refresh_token)
    save_profile(profile)
    return profile


def forget_login(profile_name: str) -> ConnectionProfile:
    """Log out: revoke the refresh token at Salesforce, delete it from the keychain and the profile.

    When another profile uses the same org and user (and so the same keychain entry), only this
    profile is removed. The keychain entry and profile are removed even when Salesforce cannot be
    reached; that failure is raised afterwards so the user knows the token may still be valid.
    """
    profile = get_profile(profile_name)
    kind = CLIENT_SECRET_KIND if profile.auth == "client-credentials" else REFRESH_TOKEN_KIND
    shared = any(
        other.name != profile.name and other.secret_account == profile.secret_account and other.auth == profile.auth
        for other in load_profiles().values()
    )
    if shared:
        delete_profile(profile.name)
        return profile
    secret = load_secret(kind, profile.secret_account)
    problem: LoginError | None = None
    if secret and kind == REFRESH_TOKEN_KIND:
        try:
            oauth.revoke_token(app_for_profile(profile), secret)
        except LoginError as error:
            problem = error
    delete_secret(kind, profile.secret_account)
    delete_profile(profile.name)
    if problem is not None:
        raise LoginError(f"The connection '{profile.name}' was removed from this computer, but {problem}")
    return profile
