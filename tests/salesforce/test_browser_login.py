"""The whole OAuth login in a real headless Chromium: our loopback listener, the sandbox's login and
consent pages, the token exchange, the refresh token in the real Secret Service keyring.

Chromium trusts the sandbox through ``--ignore-certificate-errors-spki-list`` set to the SHA-256 of the
sandbox server certificate's public key: that pins exactly this one certificate (every other TLS
error still fails) and needs no NSS tools, whereas ``--ignore-certificate-errors`` would accept any
certificate and hide real mistakes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import keyring
import pytest
from conftest import sandbox_app
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop_app.salesforce import oauth
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import LoginCancelled
from desktop_app.salesforce.profiles import REFRESH_TOKEN_KIND, profiles_file
from desktop_app.salesforce.session import forget_login, open_session, save_login
from desktop_app.secrets import SERVICE_PREFIX

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.keyring,
    pytest.mark.skipif(
        not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)),
        reason="Chromium is not installed; run scripts/bootstrap.sh",
    ),
]


def spki_pin(host: str, port: int) -> str:
    """Base64 SHA-256 of the SubjectPublicKeyInfo of the certificate the server presents."""
    pem = ssl.get_server_certificate((host, port))
    public_key = x509.load_pem_x509_certificate(pem.encode()).public_key()
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture
def browser_for(tmp_path: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers: list[Any] = []

    def start(pin: str) -> Any:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium'}",
            f"--ignore-certificate-errors-spki-list={pin}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(30)
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.quit()


def user_at_browser(driver: Any, *, decision: str, seen: list[str]) -> oauth.BrowserOpener:
    """An opener that plays the user: log in as the demo admin, then Allow or Deny."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def open_browser(url: str) -> None:
        driver.get(url)
        wait = WebDriverWait(driver, 20)
        wait.until(expected_conditions.presence_of_element_located((By.ID, "username"))).clear()
        driver.find_element(By.ID, "username").send_keys("admin@crosslink.demo")
        driver.find_element(By.ID, "password").send_keys("demo")
        driver.find_element(By.ID, "Login").click()
        button = "oaapprove" if decision == "allow" else "oadeny"
        wait.until(expected_conditions.element_to_be_clickable((By.ID, button))).click()
        wait.until(lambda d: "OauthRedirect" in d.current_url and "close this tab" in d.page_source)
        seen.append(driver.page_source)

    return open_browser


def test_browser_login_saves_the_refresh_token_in_the_keyring_only(
    start_sandbox: Any, browser_for: Any, private_config_dir: Path
) -> None:
    sandbox = start_sandbox(scenario="healthy")
    parts = urlsplit(sandbox.login_url)
    driver = browser_for(spki_pin(parts.hostname or "127.0.0.1", parts.port or 443))
    app = sandbox_app(sandbox)
    app = oauth.OAuthApp(login_host=app.login_host, consumer_key=app.consumer_key, verify=app.verify)  # PKCE only
    pages: list[str] = []
    tokens = oauth.login(app, port=0, open_browser=user_at_browser(driver, decision="allow", seen=pages), timeout=60)
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
    sandbox = start_sandbox(scenario="healthy")
    parts = urlsplit(sandbox.login_url)
    driver = browser_for(spki_pin(parts.hostname or "127.0.0.1", parts.port or 443))
    app = sandbox_app(sandbox)
    with pytest.raises(LoginCancelled):
        oauth.login(app, port=0, open_browser=user_at_browser(driver, decision="deny", seen=[]), timeout=60)


def test_chromium_trusts_only_the_pinned_sandbox_certificate(start_sandbox: Any, browser_for: Any) -> None:
    sandbox = start_sandbox(scenario="healthy", accounts=10)
    driver = browser_for("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")  # a pin of some other key
    driver.get(f"{sandbox.instance_url}/services/data/")
    assert "ERR_CERT" in driver.page_source or "not private" in driver.page_source
    assert "Summer" not in driver.page_source
