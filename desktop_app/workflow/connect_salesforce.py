"""The wizard's login to a real org: where to log in, the browser login, saved connections, log out.

The browser login is ``salesforce.oauth.login`` (PKCE over a loopback redirect); the refresh token
goes to the keychain through ``save_login`` and the connection (host, consumer key, who) to the
profiles file. Nothing here keeps a token anywhere else, and no message carries one.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.salesforce import oauth
from desktop_app.salesforce.errors import LoginError, PortBusy, SalesforceError
from desktop_app.salesforce.hosts import PRODUCTION, SANDBOX, resolve_login_host
from desktop_app.salesforce.profiles import ConnectionProfile, load_profiles, profiles_file
from desktop_app.salesforce.session import SalesforceSession, forget_login, open_session, save_login
from desktop_app.secrets import SecretStoreUnavailable

Environment = Literal["production", "sandbox", "my_domain"]
ENVIRONMENT_NAMES: dict[Environment, str] = {
    "production": "Production (login.salesforce.com)",
    "sandbox": "Sandbox (test.salesforce.com)",
    "my_domain": "My Domain",
}

# The function that shows the authorize page to the person: the system browser. It is called from a
# background thread, so it must not touch Qt (``webbrowser`` does not).
open_browser: Callable[[str], object] = webbrowser.open


@dataclass(frozen=True)
class LoginLink(Progress):
    """Progress of a browser login that could not open a browser: ``url`` is the login page to open by hand."""

    url: str = ""


class LoginProblem(ValueError):
    """The login could not be done as asked; the text is one sentence saying what to do."""


@dataclass(frozen=True)
class LoginChoice:
    """What the Connect Salesforce page asks for a new login (no secret: PKCE needs none)."""

    environment: Environment
    consumer_key: str
    my_domain: str = ""
    port: int = oauth.DEFAULT_PORT
    ca_cert: str = ""  # a CA file to trust (a company proxy, or Crosslink's local sandbox org)
    profile: str = ""  # the name to save the connection under ("" = one made from the host)

    def login_host(self) -> str:
        """The canonical login host, or ``LoginProblem`` saying what is accepted."""
        if self.environment == "production":
            return PRODUCTION
        if self.environment == "sandbox":
            return SANDBOX
        if not self.my_domain.strip():
            raise LoginProblem("Type your My Domain address, e.g. https://acme.my.salesforce.com.")
        try:
            # Typing a 127.0.0.1 address by hand is the explicit choice the local sandbox org needs.
            return resolve_login_host(self.my_domain, allow_local=True)
        except LoginError as error:
            raise LoginProblem(str(error)) from None

    def oauth_app(self) -> oauth.OAuthApp:
        """The External Client App to log in through, checked before anything is opened."""
        host = self.login_host()
        if not self.consumer_key.strip():
            raise LoginProblem("Type the consumer key of your org's External Client App (under Advanced); "
                               "'How to create the External Client App…' there says how an admin creates one.")
        if not (self.port == 0 or 1024 <= self.port <= 65535):  # 0: any free port (only a local org allows it)
            raise LoginProblem(f"The callback port {self.port} must be between 1024 and 65535, as in the "
                               "External Client App's callback URL.")
        verify: str | bool = True
        if self.ca_cert.strip():
            if not Path(self.ca_cert.strip()).is_file():
                raise LoginProblem(f"The certificate file {self.ca_cert.strip()} does not exist; choose the CA file "
                                   "to trust or leave the field empty.")
            verify = self.ca_cert.strip()
        return oauth.OAuthApp(login_host=host, consumer_key=self.consumer_key.strip(), verify=verify)

    def profile_name(self) -> str:
        """The saved connection's name: the one typed, else the host's first label (``acme``)."""
        if self.profile.strip():
            return self.profile.strip()
        host = urlsplit(self.login_host()).hostname or "default"
        if host in ("login.salesforce.com", "test.salesforce.com"):
            return "production" if self.environment == "production" else "sandbox"
        return host.split(".")[0].replace("--", "-")


@dataclass
class LiveLogin:
    """An open session on a real org and the saved connection it came from."""

    profile: ConnectionProfile
    session: SalesforceSession


def saved_connections() -> list[ConnectionProfile]:
    """The connections saved on this computer that log in through the browser, by name.

    An unreadable profiles file is a ``LoginProblem`` naming it."""
    try:
        profiles = load_profiles()
    except (OSError, ValueError, TypeError, AttributeError) as error:
        raise LoginProblem(f"The saved connections in {profiles_file()} cannot be read ({type(error).__name__}); "
                           "fix or delete that file, then log in again.") from None
    return sorted((p for p in profiles.values() if p.auth == "web"), key=lambda p: p.name)


def browser_login(choice: LoginChoice, *, progress: ProgressCallback = ignore_progress,
                  cancel: CancelToken | None = None, timeout: float = oauth.LOGIN_TIMEOUT_SECONDS) -> LiveLogin:
    """Log in through the system browser, save the connection (refresh token to the keychain), and
    open a session on it. Every failure is a ``LoginProblem`` sentence; cancel ends the wait."""
    app = choice.oauth_app()
    name = choice.profile_name()
    host = urlsplit(app.login_host).hostname

    def show(url: str) -> None:  # the first report of the login (the link must not be thinned out)
        if open_browser(url):
            progress(Progress(0, 3, f"Log in at {host} in the browser window that opened"))
        else:  # the wait goes on: the person can open the link by hand
            progress(LoginLink(0, 3, "No browser could be started: open the login link below in a browser", url))

    try:
        tokens = oauth.login(app, port=choice.port, open_browser=show, timeout=timeout, cancel=cancel)
        progress(Progress(1, 3, "Saving the login in the system keychain"))
        profile = save_login(name, app, tokens, redirect_port=choice.port or None)
        progress(Progress(2, 3, "Opening the connection"))
        session = open_session(profile.name)
    except PortBusy:
        raise LoginProblem(f"Another program uses the callback port {choice.port}. Close it, or choose "
                           "another port under Advanced (it must match the External Client App's "
                           "callback URL).") from None
    except SecretStoreUnavailable as error:
        raise LoginProblem(f"{error} Crosslink keeps the login only there, so it cannot save it.") from None
    except SalesforceError as error:
        raise LoginProblem(_sentence(error)) from None
    progress(Progress(3, 3, "Connected"))
    return LiveLogin(profile, session)


def reconnect(profile: ConnectionProfile, *, cancel: CancelToken | None = None) -> LiveLogin:
    """Open a session on a saved connection with the refresh token in the keychain."""
    if cancel is not None:
        cancel.raise_if_cancelled()
    try:
        return LiveLogin(profile, open_session(profile.name))
    except SecretStoreUnavailable as error:
        raise LoginProblem(str(error)) from None
    except SalesforceError as error:
        raise LoginProblem(f"The saved connection '{profile.name}' could not be opened: {_sentence(error)} "
                           "Log in with the browser again.") from None


def log_out(profile_name: str) -> str:
    """Revoke the saved login at Salesforce and forget it here; returns what happened, as a sentence."""
    try:
        profile = forget_login(profile_name)
    except (SalesforceError, SecretStoreUnavailable) as error:
        return str(error)
    return f"Logged out of {profile.instance_url}: the login was revoked and removed from this computer."


def _sentence(error: SalesforceError) -> str:
    text = str(error).strip()
    return text if text.endswith(".") else f"{text}."
