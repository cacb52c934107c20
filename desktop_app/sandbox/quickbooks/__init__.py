"""A local QuickBooks Online Accounting API over HTTPS for tests, benchmarks and demo mode.

One company (realm) of Customers seeded from the shared demo data, served under
``https://127.0.0.1:PORT/v3/company/{realmId}/`` with a Bearer access token (what Intuit's OAuth
2.0 flow yields), rate limiting, ``requestid`` replays and injectable faults. Shapes follow
Intuit's Accounting API reference; see ``api`` for the details it follows.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.sandbox.billing_sandbox import BillingSandbox
from desktop_app.sandbox.httpserver import Response, Router, SandboxServer
from desktop_app.sandbox.oauth_codes import OAuthClient, add_oauth_routes
from desktop_app.sandbox.quickbooks.api import build_router
from desktop_app.sandbox.quickbooks.store import (
    DEFAULT_DEFINITION,
    QuickBooksCounters,
    QuickBooksFaults,
    QuickBooksStore,
    customers_from_rows,
)
from desktop_app.sandbox.sequence.api import RateLimiter
from desktop_app.sandbox.tls import create_tls_files

__all__ = [
    "DEFAULT_DEFINITION",
    "QuickBooksCounters",
    "QuickBooksFaults",
    "QuickBooksStore",
    "RunningQuickBooksSandbox",
    "customers_from_rows",
    "demo_sandbox",
    "start_quickbooks_sandbox",
]


@dataclass
class RunningQuickBooksSandbox:
    """A started sandbox: ``url`` is the API host (``/v3/company/…`` follows); trust ``ca_cert``.

    The same host signs in an app (``oauth.client_id``/``client_secret``) at ``/connect/oauth2`` and
    ``/oauth2/v1/tokens/bearer``, as Intuit's authorisation server does, with ``realmId`` in the redirect,
    and serves Intuit's discovery document at ``/.well-known/openid_sandbox_configuration``.
    """

    url: str
    ca_cert: Path
    realm_id: str
    access_token: str
    store: QuickBooksStore
    oauth: OAuthClient
    _server: SandboxServer
    _tempdir: tempfile.TemporaryDirectory[str] | None

    def __repr__(self) -> str:  # never show the token
        return f"RunningQuickBooksSandbox(url={self.url!r}, realm_id={self.realm_id!r}, customers={len(self.store)})"

    def stop(self) -> None:
        """Stop serving and remove the temporary certificate directory."""
        self._server.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> RunningQuickBooksSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_quickbooks_sandbox(
    customers: Sequence[dict[str, Any]], *, custom_field: Mapping[str, str] | None = DEFAULT_DEFINITION,
    workdir: Path | None = None, port: int = 0, rate_limit_per_second: float | None = None, latency_ms: float = 0.0,
    faults: QuickBooksFaults | None = None, realm_id: str = "9341453050298", access_token: str | None = None,
) -> RunningQuickBooksSandbox:
    """Serve ``customers`` (QBO Customer payloads) on 127.0.0.1. ``custom_field`` None = a plan
    without customer custom fields (Simple Start, Essentials, Plus)."""
    tempdir = None
    if workdir is None:
        tempdir = tempfile.TemporaryDirectory(prefix="crosslink-quickbooks-")
        workdir = Path(tempdir.name)
    tls = create_tls_files(Path(workdir) / "tls")
    store = QuickBooksStore([dict(c) for c in customers], custom_field=custom_field, faults=faults)
    token = access_token or f"eyJsandbox.{secrets.token_urlsafe(32)}"
    oauth = OAuthClient(f"AB{secrets.token_hex(16)}", secrets.token_urlsafe(24), token, {"realmId": realm_id},
                        token_fields={"token_type": "bearer", "x_refresh_token_expires_in": 8_726_400})
    router = build_router(store, realm_id=realm_id, token_ok=oauth.valid,
                          rate_limiter=RateLimiter(rate_limit_per_second))
    add_oauth_routes(router, oauth, authorize_path="/connect/oauth2", token_path="/oauth2/v1/tokens/bearer")
    server = SandboxServer(router.dispatch, tls=tls, port=port, latency_seconds=latency_ms / 1000)
    add_discovery_route(router, server.url)
    server.start()
    return RunningQuickBooksSandbox(server.url, tls.ca_cert, realm_id, token, store, oauth, server, tempdir)


def add_discovery_route(router: Router, host: str) -> None:
    """Intuit's OpenID discovery document, which ``intuit-oauth``'s ``AuthClient`` reads first (its
    ``environment`` may be this document's URL): where to authorize, exchange and revoke tokens."""
    document = {
        "issuer": f"{host}/op/v1", "authorization_endpoint": f"{host}/connect/oauth2",
        "token_endpoint": f"{host}/oauth2/v1/tokens/bearer", "revocation_endpoint": f"{host}/oauth2/v1/tokens/revoke",
        "userinfo_endpoint": f"{host}/v1/openid_connect/userinfo", "jwks_uri": f"{host}/op/v1/jwks",
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "email", "profile",
                                                                                  "com.intuit.quickbooks.accounting"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
    }
    for name in ("openid_sandbox_configuration", "openid_configuration"):
        router.add("GET", rf"/\.well-known/{name}", lambda _request: Response.json(document))


def demo_sandbox(rows: Iterable[Mapping[str, Any]], *, workdir: Path | None = None,
                 rate_limit_per_second: float | None = None, latency_ms: float = 0.0) -> BillingSandbox:
    """A QuickBooks Online sandbox (an Advanced company) seeded from canonical customers rows."""
    sandbox = start_quickbooks_sandbox(customers_from_rows(rows), workdir=workdir,
        rate_limit_per_second=rate_limit_per_second, latency_ms=latency_ms)
    return BillingSandbox("quickbooks", sandbox.url, sandbox.ca_cert,
                          {"access_token": sandbox.access_token, "realm_id": sandbox.realm_id,
                           "client_id": sandbox.oauth.client_id, "client_secret": sandbox.oauth.client_secret},
                          sandbox.store, sandbox.stop)
