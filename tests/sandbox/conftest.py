"""Shared fixtures for the sandbox tests: running Salesforce sandbox orgs and HTTP sessions that trust
their generated CA (and ignore ``REQUESTS_CA_BUNDLE``, which would otherwise override ``verify``)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import requests
from simple_salesforce import Salesforce

from desktop_app.sandbox.salesforce import RunningSalesforceSandbox, Scenario, start_salesforce_sandbox


def trusted_session(sandbox: RunningSalesforceSandbox) -> requests.Session:
    """A requests session that verifies TLS against the sandbox CA only."""
    session = requests.Session()
    session.verify = str(sandbox.ca_cert)
    session.trust_env = False
    return session


def simple_sf(sandbox: RunningSalesforceSandbox, token: str | None = None) -> Salesforce:
    """simple-salesforce, unchanged, pointed at the sandbox."""
    return Salesforce(
        instance_url=sandbox.instance_url, session_id=token or sandbox.access_token, session=trusted_session(sandbox)
    )


class Api:
    """Raw REST calls for error-shape tests: ``api.get("query", params=...)`` → ``requests.Response``."""

    def __init__(self, sandbox: RunningSalesforceSandbox, token: str | None = None, version: str = "59.0"):
        self.sandbox = sandbox
        self.session = trusted_session(sandbox)
        self.session.headers["Authorization"] = f"Bearer {token or sandbox.access_token}"
        self.base = f"{sandbox.instance_url}/services/data/v{version}"

    def url(self, path: str) -> str:
        return path if path.startswith("https://") else f"{self.base}/{path.lstrip('/')}"

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.session.get(self.url(path), timeout=30, **kwargs)  # type: ignore[arg-type]

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        return self.session.request(method, self.url(path), timeout=30, **kwargs)  # type: ignore[arg-type]


SandboxFactory = Callable[..., RunningSalesforceSandbox]


@pytest.fixture
def start_sandbox(tmp_path: Path) -> Iterator[SandboxFactory]:
    """Start sandboxes with any scenario/knobs; all are stopped after the test."""
    started: list[RunningSalesforceSandbox] = []

    def start(scenario: str | Scenario = "healthy", **kwargs: object) -> RunningSalesforceSandbox:
        kwargs.setdefault("accounts", 300)
        sandbox = start_salesforce_sandbox(scenario=scenario, workdir=tmp_path / f"sf{len(started)}", **kwargs)  # type: ignore[arg-type]
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(start_sandbox: SandboxFactory) -> RunningSalesforceSandbox:
    """A healthy org with 300 demo Accounts."""
    return start_sandbox()


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSalesforceSandbox]:
    """A healthy org with 2,500 Accounts shared by the read-only tests of one module."""
    with start_salesforce_sandbox(accounts=2500, workdir=tmp_path_factory.mktemp("shared-sf")) as running:
        yield running


@pytest.fixture(scope="session")
def hand_made() -> type[HandMade]:
    """A few hand-made Accounts and Contacts (for tests that need exact values)."""
    return HandMade


@pytest.fixture
def opened_sessions() -> Iterator[list[requests.Session]]:
    """HTTP sessions a test opened; closed afterwards so no keep-alive connection (thread) outlives it."""
    sessions: list[requests.Session] = []
    yield sessions
    for session in sessions:
        session.close()
    # Responses kept alive by reference cycles (exception tracebacks) hold their sockets open, and with
    # them the server's connection threads; collect them so the suite's thread check sees a clean exit.
    gc.collect()


@pytest.fixture
def trusted(opened_sessions: list[requests.Session]) -> Callable[[RunningSalesforceSandbox], requests.Session]:
    """``trusted(sandbox)`` → a requests session trusting only the sandbox CA."""

    def make(sandbox: RunningSalesforceSandbox) -> requests.Session:
        session = trusted_session(sandbox)
        opened_sessions.append(session)
        return session

    return make


@pytest.fixture
def client(opened_sessions: list[requests.Session]) -> Callable[..., Salesforce]:
    """``client(sandbox, token=None)`` → simple-salesforce pointed at the sandbox."""

    def make(sandbox: RunningSalesforceSandbox, token: str | None = None) -> Salesforce:
        sf = simple_sf(sandbox, token)
        opened_sessions.append(sf.session)
        return sf

    return make


@pytest.fixture
def raw_api(opened_sessions: list[requests.Session]) -> Callable[..., Api]:
    """``raw_api(sandbox, token=None)`` → raw REST calls (``Api``)."""

    def make(sandbox: RunningSalesforceSandbox, token: str | None = None, version: str = "59.0") -> Api:
        api = Api(sandbox, token, version)
        opened_sessions.append(api.session)
        return api

    return make


class HandMade:
    """A few hand-made records (for tests that need exact values)."""

    accounts = pd.DataFrame(
        {
            "account_id": ["001000000000001AAA", "001000000000002AAA", "001000000000003AAA", "001000000000004AAA"],
            "name": ["Acme GmbH", "O'Brien & Co", "acme inc", "Zeta 100%"],
            "website": ["acme.de", "", "acme.com", "zeta.io"],
            "phone": ["", "", "", ""],
            "street": ["Main 1", "", "", ""],
            "city": ["Berlin", "Dublin", "", "Austin"],
            "state": ["", "", "", "TX"],
            "postcode": ["10115", "", "", "73301"],
            "country": ["DE", "Ireland", "", "US"],
            "currency": ["EUR", "EUR", "USD", "JPY"],
            "link_customer_id": ["cus_1", "", "", "42"],
        },
        dtype=object,
    )
    contacts = pd.DataFrame(
        {
            "contact_id": ["003000000000001AAA", "003000000000002AAA"],
            "account_id": ["001000000000001AAA", ""],
            "name": ["Ada Lovelace", "Orphan"],
            "email": ["ada@acme.de", ""],
            "street": ["", ""],
            "city": ["", ""],
            "state": ["", ""],
            "postcode": ["", ""],
            "country": ["", ""],
        },
        dtype=object,
    )
