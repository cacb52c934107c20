"""The wizard's live connections (no Qt): the demo mode's sandboxes, and closing what was opened.

Demo mode serves Crosslink's built-in sandbox org on 127.0.0.1 (same demo data as the demo files) and
connects to it with its demo administrator's token, so preflight checks run against a real API. No
secret is stored: the token lives in memory for this run only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import requests

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.gui.demo_files import DEMO_ACCOUNTS
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError, SessionExpired
from desktop_app.salesforce.oauth import SCOPE, OAuthApp, refresh_access_token
from desktop_app.salesforce.session import Renewer, SalesforceSession
from desktop_app.salesforce.tokens import TokenSet, parse_token_response
from desktop_app.workflow.apply import AddressWork
from desktop_app.workflow.apply_addresses import address_writers
from desktop_app.workflow.connect_billing import BillingChoice, BillingConnection
from desktop_app.workflow.connect_salesforce import LiveLogin, LoginProblem
from desktop_app.workflow.demo import DemoSystems, start_demo_systems
from desktop_app.workflow.link_sides import BillingSide, LinkSide, SalesforceSide

if TYPE_CHECKING:
    from desktop_app.sandbox.salesforce.server import RunningSalesforceSandbox


@dataclass
class SalesforceConnection:
    """An open connection to an org and what to show about it."""

    client: SalesforceClient
    instance_url: str
    username: str
    org_name: str
    edition: str
    is_sandbox_org: bool
    demo_server: RunningSalesforceSandbox | None = field(default=None, repr=False)
    profile: str | None = None  # the saved connection a real org was opened from (Disconnect logs it out)

    def describe(self) -> str:
        """One line: who is connected to which org."""
        if self.demo_server is not None:
            kind = "Crosslink's built-in sandbox org"
        else:
            kind = f"{self.org_name or 'the org'}{' — a sandbox' if self.is_sandbox_org else ''}"
        return f"{self.username} on {kind} ({self.edition or 'edition unknown'}) at {self.instance_url}"

    def close(self) -> None:
        """Close the HTTP session and stop the demo org if this connection started it."""
        self.client.session.close()
        if self.demo_server is not None:
            self.demo_server.stop()
            self.demo_server = None


def org_facts(client: SalesforceClient, cancel: CancelToken | None = None) -> tuple[str, str, bool]:
    """The org's name, edition and whether it is a sandbox, read through the API."""
    org = client.query("SELECT Name, OrganizationType, IsSandbox FROM Organization", cancel=cancel)
    if not len(org):
        return "", "", False
    first = org.iloc[0]
    return str(first["Name"]), str(first["OrganizationType"]), str(first["IsSandbox"]).lower() == "true"


def connect_demo(*, accounts: int = DEMO_ACCOUNTS, progress: ProgressCallback = ignore_progress,
                 cancel: CancelToken | None = None) -> tuple[SalesforceConnection, DemoSystems]:
    """Start both sandboxes with ``accounts`` demo companies and connect to the org as its administrator.

    The connection owns the sandbox org (Disconnect stops it); the returned ``DemoSystems`` keeps the
    Sequence sandbox for the session."""
    systems = start_demo_systems(accounts, progress=lambda p: progress(Progress(p.done, 5, p.message)),
                                 cancel=cancel)
    server, systems.salesforce = systems.salesforce, None
    assert server is not None
    try:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(Progress(3, 5, "Logging in as the demo administrator"))
        admin = server.org.default_user
        tokens = parse_token_response(server.oauth.issue(admin, server.consumer_key, SCOPE, with_refresh=True))
        client = SalesforceClient(SalesforceSession(tokens, verify=str(server.ca_cert),
                                                    renewer=_demo_renewer(server, tokens.refresh_token)))
        progress(Progress(4, 5, "Reading the org"))
        name, edition, is_sandbox = org_facts(client, cancel)
        progress(Progress(5, 5, "Connected"))
        return (SalesforceConnection(client, tokens.instance_url, server.username, name, edition, is_sandbox,
                                     demo_server=server), systems)
    except BaseException:
        server.stop()
        systems.stop()
        raise


def connect_live(login: LiveLogin, *, cancel: CancelToken | None = None) -> SalesforceConnection:
    """The wizard's connection to a real org on a session opened by ``wizard_login``."""
    client = SalesforceClient(login.session)
    try:
        name, edition, is_sandbox = org_facts(client, cancel)
    except SalesforceError as error:
        login.session.close()
        raise LoginProblem(f"Logged in, but the org could not be read: {error}") from None
    except BaseException:
        login.session.close()
        raise
    profile = login.profile
    return SalesforceConnection(client, login.session.instance_url, profile.username or profile.user_id, name,
                                edition, is_sandbox, profile=profile.name)


def _demo_renewer(server: RunningSalesforceSandbox, refresh_token: str | None) -> Renewer:
    """Renew the demo administrator's access token the way a real login does (the refresh-token
    flow), so a demo left open past the token's lifetime goes on working."""
    app = OAuthApp(login_host=server.login_url, consumer_key=server.consumer_key, verify=str(server.ca_cert))

    def renew(http: requests.Session) -> TokenSet:
        if not refresh_token:
            raise SessionExpired("The sandbox gave no refresh token; connect again.")
        return refresh_access_token(app, refresh_token, http=http)

    return renew


def demo_billing_choice(systems: DemoSystems, kind: str = "sequence") -> BillingChoice:
    """The Connect billing page's choice for demo mode: system ``kind``'s sandbox with its own credentials
    (any system but Sequence must have been started with ``demo_billing_sandbox`` first)."""
    if kind == "sequence":
        sandbox = systems.sequence
        if sandbox is None:
            raise ValueError("The Sequence sandbox is not running; go Back to Connect Salesforce and connect again.")
        return BillingChoice("sequence", base_url=sandbox.url, ca_cert=str(sandbox.ca_cert),
                             credentials={"client_id": sandbox.client_id, "client_secret": sandbox.client_secret})
    running = systems.billing.get(kind)
    if running is None:
        raise ValueError(f"The {kind} sandbox is not running; choose the system again to start it.")
    return BillingChoice(kind, base_url=running.url, ca_cert=str(running.ca_cert or ""),
                         credentials=dict(running.credentials))


def live_sides(salesforce: SalesforceConnection, billing: BillingConnection, link_field: str) -> dict[str, LinkSide]:
    """Both sides of the link on the open connections (closing the connections closes them)."""
    return {"account": SalesforceSide(salesforce.client, link_field), "customer": BillingSide(billing.system)}


def live_address_writers(salesforce: SalesforceConnection, billing: BillingConnection) -> AddressWork:
    """Where accepted address fixes can be written: the org, and the billing system when its API can."""
    return AddressWork(address_writers(salesforce.client, billing.system))


def run_settings(salesforce: SalesforceConnection, billing: BillingConnection, link_field: str) -> dict[str, str]:
    """The non-secret settings kept with a run: which org, which billing system, which fields."""
    return {"instance_url": salesforce.instance_url, "link_field": link_field, **billing.choice.settings()}
