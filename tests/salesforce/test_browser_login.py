"""The whole OAuth login in a real headless Chromium: our loopback listener, the sandbox's login and
consent pages, the token exchange, the refresh token in the real Secret Service keyring.
(How Chromium trusts the sandbox's certificate: tests/browser_support.py.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from browser_support import chromium, needs_chromium, pin_for, user_at_browser
from sf_support import registered_login, sandbox_app

from desktop_app.salesforce import oauth
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import LoginCancelled
from desktop_app.salesforce.profiles import REFRESH_TOKEN_KIND, profiles_file
from desktop_app.salesforce.session import forget_login, open_session, save_login
from desktop_app.secrets import SERVICE_PREFIX

pytestmark = [pytest.mark.browser, pytest.mark.keyring, needs_chromium]


@pytest.fixture
def browser_for(tmp_path: Path) -> Iterator[Any]:
    with chromium(tmp_path) as start:
        yield start


def test_browser_login_saves_the_refresh_token_in_the_keyring_only(
    start_sandbox: Any, browser_for: Any, private_config_dir: Path
) -> None:
    sandbox, port = registered_login(start_sandbox)
    driver = browser_for(pin_for(sandbox.login_url))
    app = sandbox_app(sandbox)
    app = oauth.OAuthApp(login_host=app.login_host, consumer_key=app.consumer_key, verify=app.verify)  # PKCE only
    pages: list[str] = []
    tokens = oauth.login(app, port=port, open_browser=user_at_browser(driver, decision="allow", seen=pages), timeout=60)
    assert "Crosslink is connected" in pages[0]
    assert tokens.refresh_token
    assert tokens.instance_url == sandbox.instance_url

    profile = save_login("demo", app, tokens)
    stored = keyring.get_password(f"{SERVICE_PREFIX}:{REFRESH_TOKEN_KIND}", profile.secret_account)
    assert stored == tokens.refresh_token
    assert profile.username == "admin@crosslink.demo"
    text = profiles_file().read_text()
    assert profiles_file().parent == private_config_dir
    assert tokens.refresh_token not in text
    assert tokens.access_token not in text
    assert sandbox.client_secret not in text
    assert "token" not in json.loads(text)["profiles"]["demo"]

    client = SalesforceClient(open_session("demo"))  # a later command: refresh token → access token
    assert client.count_accounts() == 300

    forget_login("demo")
    assert keyring.get_password(f"{SERVICE_PREFIX}:{REFRESH_TOKEN_KIND}", profile.secret_account) is None
    assert "demo" not in json.loads(profiles_file().read_text())["profiles"]
    with pytest.raises(oauth.LoginError):  # revoked at the org, so it can no longer be used
        oauth.refresh_access_token(app, tokens.refresh_token)


def test_denying_access_in_the_browser_is_a_clean_cancel(start_sandbox: Any, browser_for: Any) -> None:
    sandbox, port = registered_login(start_sandbox)
    driver = browser_for(pin_for(sandbox.login_url))
    app = sandbox_app(sandbox)
    with pytest.raises(LoginCancelled):
        oauth.login(app, port=port, open_browser=user_at_browser(driver, decision="deny", seen=[]), timeout=60)


def test_chromium_trusts_only_the_pinned_sandbox_certificate(start_sandbox: Any, browser_for: Any) -> None:
    sandbox = start_sandbox(scenario="healthy", accounts=10)
    driver = browser_for("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")  # a pin of some other key
    driver.get(f"{sandbox.instance_url}/services/data/")
    assert "ERR_CERT" in driver.page_source or "not private" in driver.page_source
    assert "Summer" not in driver.page_source
