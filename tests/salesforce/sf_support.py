"""Helpers the Salesforce tests import: the sandbox org's app, admin sessions and clients, the login walk.

(Kept out of conftest.py: a test that imports from ``conftest`` gets whichever conftest module was
imported first, and tests/sandbox has one too.)
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from desktop_app.salesforce import oauth
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.session import SalesforceSession
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.salesforce.transport import RetryPolicy

FAST_RETRY = RetryPolicy(attempts=6, first_delay=0.01, max_delay=0.05)


def sandbox_app(sandbox: Any) -> oauth.OAuthApp:
    """The sandbox's External Client App, trusting its CA."""
    return oauth.OAuthApp(
        login_host=sandbox.login_url,
        consumer_key=sandbox.consumer_key,
        client_secret=sandbox.client_secret,
        verify=str(sandbox.ca_cert),
    )


def admin_session(sandbox: Any, *, renewable: bool = True) -> SalesforceSession:
    """A session on the sandbox's admin token; renews through the client-credentials flow."""
    app = sandbox_app(sandbox)
    tokens = TokenSet(access_token=sandbox.access_token, instance_url=sandbox.instance_url, identity_url="")

    def renewer(http: Any) -> TokenSet:
        return oauth.client_credentials_login(app, http=http)

    return SalesforceSession(tokens, verify=str(sandbox.ca_cert), renewer=renewer if renewable else None)


def admin_client(sandbox: Any, **kwargs: Any) -> SalesforceClient:
    """A client on the sandbox's admin token, with fast retries so fault tests stay quick."""
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("timeout", 20)
    return SalesforceClient(admin_session(sandbox), **kwargs)


def walk_sandbox_login(
    sandbox: Any, authorize_url: str, *, username: str = "admin@crosslink.demo", decision: str = "allow"
) -> str:
    """What a person does in the browser, over plain HTTPS: open the authorize page, type the
    credentials, press Allow (or Deny). Returns the redirect address Salesforce sends the browser to."""
    web = requests.Session()
    web.verify, web.trust_env = str(sandbox.ca_cert), False
    page = web.get(authorize_url, timeout=10)
    pending = re.search(r'name="pending" value="([^"]+)"', page.text)
    assert pending is not None, page.text
    answer = web.post(
        f"{sandbox.login_url}/services/oauth2/authorize/login",
        data={"pending": pending.group(1), "username": username, "pw": "demo"},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:
        answer = web.post(
            f"{sandbox.login_url}/services/oauth2/authorize/consent",
            data={"pending": pending.group(1), "decision": decision},
            allow_redirects=False,
            timeout=10,
        )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"].replace("//localhost:", "//127.0.0.1:")


def query_of(url: str) -> dict[str, str]:
    """The first value of each query parameter of ``url``."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def registered_login(start_sandbox: Callable[..., Any], scenario: Any = "healthy", **kwargs: Any) -> tuple[Any, int]:
    """A sandbox whose External Client App registers the callback of a free local port, and that port
    (Salesforce refuses a redirect_uri it does not list)."""
    from desktop_app.sandbox.salesforce import with_knobs

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    callbacks = (f"http://localhost:{port}/OauthRedirect",)
    return start_sandbox(scenario=with_knobs(scenario, callback_urls=callbacks), **kwargs), port
