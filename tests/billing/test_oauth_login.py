"""Browser sign-in (authorisation code + PKCE on the loopback listener) to the QuickBooks Online and
Xero sandboxes, token refresh, and the billing-login command saving the tokens in the keychain."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Any

import pytest
import requests

from desktop_app.billing.base import BillingAuthError
from desktop_app.billing.credentials import load_credential
from desktop_app.billing.oauth_login import QUICKBOOKS_OAUTH, XERO_OAUTH, browser_login, moved_to, refresh_tokens
from desktop_app.billing.quickbooks_adapter import QuickBooksBilling
from desktop_app.billing.xero_adapter import XeroBilling
from desktop_app.cli import main
from desktop_app.sandbox.quickbooks import customers_from_rows, start_quickbooks_sandbox
from desktop_app.sandbox.xero import contacts_from_rows, start_xero_sandbox

ROWS = [{"customer_id": f"c{i}", "name": f"Company {i}", "country": "US"} for i in range(3)]


def _browser(ca_cert: Path) -> Any:
    """What the person's browser does: open the page, consent (the sandbox does at once), follow the
    redirect to the loopback listener."""
    return lambda url: requests.get(url, verify=str(ca_cert), timeout=10)


def test_quickbooks_sign_in_gives_the_token_and_realm_and_refresh_rotates(tmp_path: Path) -> None:
    with start_quickbooks_sandbox(customers_from_rows(ROWS, messy=False), workdir=tmp_path) as sandbox:
        endpoints = moved_to(QUICKBOOKS_OAUTH, sandbox.url)
        tokens = browser_login(endpoints, sandbox.oauth.client_id, client_secret=sandbox.oauth.client_secret,
                               port=0, open_browser=_browser(sandbox.ca_cert), verify=str(sandbox.ca_cert))
        assert tokens.company_id == sandbox.realm_id
        with QuickBooksBilling(tokens.access_token, tokens.company_id, base_url=sandbox.url,
                               ca_cert=sandbox.ca_cert) as adapter:
            assert len(list(adapter.iter_customers())) == 3
        renewed = refresh_tokens(endpoints, sandbox.oauth.client_id, tokens.refresh_token,
                                 client_secret=sandbox.oauth.client_secret, verify=str(sandbox.ca_cert))
        assert renewed.access_token
        assert renewed.refresh_token != tokens.refresh_token
        with pytest.raises(BillingAuthError, match="QuickBooks Online refused the sign-in"):
            refresh_tokens(endpoints, sandbox.oauth.client_id, tokens.refresh_token,
                           client_secret=sandbox.oauth.client_secret, verify=str(sandbox.ca_cert))
        with pytest.raises(BillingAuthError, match="refused the sign-in") as raised:
            browser_login(endpoints, sandbox.oauth.client_id, client_secret="wrong-secret", port=0,
                          open_browser=_browser(sandbox.ca_cert), verify=str(sandbox.ca_cert))
        assert "wrong-secret" not in str(raised.value)


def test_xero_sign_in_takes_the_tenant_from_connections(tmp_path: Path) -> None:
    with start_xero_sandbox(contacts_from_rows(ROWS, messy=False), workdir=tmp_path) as sandbox:
        host = sandbox.url.removesuffix("/api.xro/2.0")
        tokens = browser_login(moved_to(XERO_OAUTH, host), sandbox.oauth.client_id, port=0,
                               open_browser=_browser(sandbox.ca_cert), verify=str(sandbox.ca_cert))
        assert tokens.company_id == sandbox.tenant_id
        with XeroBilling(tokens.access_token, tokens.company_id, base_url=sandbox.url,
                         ca_cert=sandbox.ca_cert) as adapter:
            assert len(list(adapter.iter_customers())) == 3


def test_billing_login_saves_the_tokens_then_customers_uses_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("ACCESS_TOKEN", "REALM_ID", "REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "AUTH_HOST"):
        monkeypatch.delenv(f"CROSSLINK_QUICKBOOKS_{name}", raising=False)
    with start_quickbooks_sandbox(customers_from_rows(ROWS, messy=False), workdir=tmp_path) as sandbox:
        monkeypatch.setenv("CROSSLINK_BILLING_CLIENT_SECRET", sandbox.oauth.client_secret)
        monkeypatch.setattr(webbrowser, "open", _browser(sandbox.ca_cert))
        profile = "crosslink-test-billing-login"
        assert main(["billing-login", "--system", "quickbooks", "--client-id", sandbox.oauth.client_id,
                     "--profile", profile, "--port", "0", "--auth-host", sandbox.url,
                     "--ca-cert", str(sandbox.ca_cert)]) == 0
        said = capsys.readouterr().out
        assert sandbox.access_token not in said
        assert load_credential("quickbooks", "realm_id", profile) == sandbox.realm_id
        first_refresh = load_credential("quickbooks", "refresh_token", profile)
        sandbox.oauth.expire_access_tokens()  # an hour later: the saved access token is refused
        out = tmp_path / "customers.csv"
        assert main(["customers", "--system", "quickbooks", "--profile", profile, "--base-url", sandbox.url,
                     "--ca-cert", str(sandbox.ca_cert), "--out", str(out)]) == 0
        assert len(out.read_text(encoding="utf-8").splitlines()) == 4
        assert load_credential("quickbooks", "refresh_token", profile) not in (None, first_refresh)
