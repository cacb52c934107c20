"""Real headless Chromium for the OAuth browser step, shared by the login tests (CLI-level and wizard).

Chromium trusts a sandbox through ``--ignore-certificate-errors-spki-list`` set to the SHA-256 of the
sandbox server certificate's public key: that pins exactly this one certificate (every other TLS
error still fails) and needs no NSS tools, whereas ``--ignore-certificate-errors`` would accept any
certificate and hide real mistakes.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

needs_chromium = pytest.mark.skipif(
    not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)),
    reason="Chromium is not installed; run scripts/bootstrap.sh",
)


def spki_pin(host: str, port: int) -> str:
    """Base64 SHA-256 of the SubjectPublicKeyInfo of the certificate the server presents."""
    pem = ssl.get_server_certificate((host, port))
    public_key = x509.load_pem_x509_certificate(pem.encode()).public_key()
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def pin_for(url: str) -> str:
    """``spki_pin`` of the server at ``url``."""
    parts = urlsplit(url)
    return spki_pin(parts.hostname or "127.0.0.1", parts.port or 443)


@contextmanager
def chromium(profile_dir: Path) -> Iterator[Callable[[str], Any]]:
    """``start(pin)`` → a WebDriver for a headless Chromium trusting only the pinned certificate;
    every browser started is quit on exit."""
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
            f"--user-data-dir={profile_dir / f'chromium-{len(drivers)}'}",
            f"--ignore-certificate-errors-spki-list={pin}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(30)
        drivers.append(driver)
        return driver

    try:
        yield start
    finally:
        for driver in drivers:
            driver.quit()


def user_at_browser(driver: Any, *, decision: str, seen: list[str]) -> Callable[[str], bool]:
    """A browser opener that plays the user on the sandbox's pages: log in as the demo admin, then
    Allow or Deny; the final page's source is appended to ``seen``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def open_browser(url: str) -> bool:
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
        return True

    return open_browser
