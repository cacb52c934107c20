"""Starting and stopping the sandbox org: one HTTPS server that is both login host and instance."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.sandbox.httpserver import Router, SandboxServer
from desktop_app.sandbox.salesforce.bulk import BulkApi
from desktop_app.sandbox.salesforce.gate import ApiGate
from desktop_app.sandbox.salesforce.oauth import OAuthService
from desktop_app.sandbox.salesforce.org import OrgState
from desktop_app.sandbox.salesforce.rest import RestApi
from desktop_app.sandbox.salesforce.rest_create import CreateApi
from desktop_app.sandbox.salesforce.rest_external import ExternalIdApi
from desktop_app.sandbox.salesforce.scenario import Scenario, scenario_named
from desktop_app.sandbox.salesforce.seed import DEMO_PASSWORD, build_org
from desktop_app.sandbox.tls import create_tls_files


class SeedData(Protocol):
    """What the org is seeded from (``demo_data.DemoData`` fits): Account and Contact frames."""

    @property
    def accounts(self) -> pd.DataFrame: ...

    @property
    def contacts(self) -> pd.DataFrame: ...


@dataclass
class RunningSalesforceSandbox:
    """A sandbox org being served. ``access_token`` belongs to the demo admin (``username``/``password``)
    and lives ``token_lifetime_seconds``; ``org`` gives tests the records and counters."""

    instance_url: str
    login_url: str
    ca_cert: Path
    access_token: str = field(repr=False)
    consumer_key: str
    client_secret: str = field(repr=False)
    username: str
    password: str = field(repr=False)
    org: OrgState = field(repr=False)
    oauth: OAuthService = field(repr=False)
    _server: SandboxServer = field(repr=False)
    _bulk: BulkApi = field(repr=False)
    _workdir: Path | None = field(default=None, repr=False)

    @property
    def bulk(self) -> BulkApi:
        """The Bulk API 2.0 jobs (``bulk.jobs`` by id), for tests that check what a client left there."""
        return self._bulk

    def token_for(self, username: str) -> str:
        """A fresh access token for another demo user (``noapi@crosslink.demo``, ...)."""
        user = self.org.user_by_username(username)
        if user is None:
            raise KeyError(f"no demo user {username!r}")
        return str(self.oauth.issue(user, self.consumer_key, "api", with_refresh=False)["access_token"])

    def stop(self) -> None:
        """Stop serving and processing; remove the working directory this call created."""
        self._bulk.stop()
        self._server.stop()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> RunningSalesforceSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _demo_data(accounts: int, seed: int) -> SeedData:
    from desktop_app.sandbox.demo_data import generate

    return generate(accounts, seed=seed)


def start_salesforce_sandbox(
    *,
    scenario: str | Scenario = "healthy",
    accounts: int = 2000,
    seed: int = 7,
    port: int = 0,
    ca_cert: Path | None = None,
    workdir: Path | None = None,
    token_lifetime_seconds: float = 7200,
    link_field: str = DEFAULT_LINK_FIELD,
    data: SeedData | None = None,
) -> RunningSalesforceSandbox:
    """Serve a sandbox org over HTTPS on 127.0.0.1 (``port`` 0 = any free port) and return it running.

    The org holds ``accounts`` demo Accounts (``demo_data.generate(accounts, seed=seed)``, or ``data``)
    and behaves as ``scenario`` says. The CA certificate clients must trust is written to ``ca_cert``
    (or into ``workdir``); nothing secret is written anywhere.
    """
    chosen = scenario_named(scenario)
    seeded = data if data is not None else _demo_data(accounts, seed)
    org = build_org(chosen, seeded.accounts, seeded.contacts, link_field=link_field, seed=seed)
    created_dir = None
    if workdir is None:
        created_dir = workdir = Path(tempfile.mkdtemp(prefix="crosslink-sf-sandbox-"))
    tls = create_tls_files(workdir / "tls", ca_cert=ca_cert)
    oauth = OAuthService(
        org,
        consumer_key=chosen.consumer_key,
        client_secret=chosen.client_secret or secrets.token_hex(32),
        token_lifetime_seconds=token_lifetime_seconds,
        public_clients=chosen.public_clients,
    )
    gate = ApiGate(org, oauth)
    bulk = BulkApi(org, gate)
    router = Router()
    oauth.register(router)
    RestApi(org, gate).register(router)
    ExternalIdApi(org, gate).register(router)
    CreateApi(org, gate).register(router)
    bulk.register(router)
    server = SandboxServer(router.dispatch, tls=tls, port=port)
    oauth.base_url = server.url
    server.start()
    bulk.start()
    admin = org.default_user
    token = oauth.issue(admin, chosen.consumer_key, "refresh_token api", with_refresh=False)["access_token"]
    return RunningSalesforceSandbox(
        instance_url=server.url,
        login_url=server.url,
        ca_cert=ca_cert or tls.ca_cert,
        access_token=str(token),
        consumer_key=chosen.consumer_key,
        client_secret=oauth.client_secret,
        username=admin.username,
        password=DEMO_PASSWORD,
        org=org,
        oauth=oauth,
        _server=server,
        _bulk=bulk,
        _workdir=created_dir,
    )


def ready_info(sandbox: RunningSalesforceSandbox) -> dict[str, Any]:
    """The one-line JSON the ``sandbox`` command prints when ready (no secrets but the demo token)."""
    return {
        "instance_url": sandbox.instance_url,
        "login_url": sandbox.login_url,
        "access_token": sandbox.access_token,
        "ca_cert": str(sandbox.ca_cert),
        "consumer_key": sandbox.consumer_key,
        "username": sandbox.username,
    }
