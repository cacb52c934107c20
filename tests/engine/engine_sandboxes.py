"""Both real sandboxes (Salesforce org, Sequence) seeded from the same demo data, for engine tests.

Sequence customers are seeded with complete addresses so that every planned link *can* be written;
what is tested is the engine, not the demo data's mess (other tests cover that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd
import pycountry

from desktop_app.billing.pool import RateLimit
from desktop_app.billing.retry import RetryPolicy
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.core.plan import Plan
from desktop_app.salesforce import oauth
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.session import SalesforceSession
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.salesforce.transport import RetryPolicy as SalesforceRetry
from desktop_app.sandbox.demo_data import DemoData, generate
from desktop_app.sandbox.salesforce import RunningSalesforceSandbox, Scenario, start_salesforce_sandbox, with_knobs
from desktop_app.sandbox.sequence import RunningSequenceSandbox, SequenceFaults, start_sequence_sandbox
from desktop_app.sandbox.sequence.seed import customers_from_rows
from desktop_app.workflow.link_sides import BillingSide, LinkSide, SalesforceSide, close_sides

LINK_FIELD = "Billing_Customer_ID__c"


def _alpha2(country: str) -> str:
    if len(country) == 2:
        return country.upper()
    try:
        return str(pycountry.countries.lookup(country).alpha_2)
    except LookupError:
        return "US"


def clean_customers(data: DemoData) -> list[dict[str, Any]]:
    """Sequence payloads for the demo customers with every field Sequence requires filled."""
    rows: list[dict[str, Any]] = []
    for n, record in enumerate(data.customers.to_dict("records")):
        row = {str(k): v for k, v in record.items()}
        row["email"] = row["email"] or f"billing{n}@example.com"
        row["street"] = row["street"] or f"{n} Main Street"
        row["city"] = row["city"] or "Springfield"
        row["postcode"] = row["postcode"] or "10001"
        row["country"] = _alpha2(str(row["country"] or "US"))
        rows.append(row)
    return customers_from_rows(rows, messy=False)


class _Stoppable(Protocol):
    def stop(self) -> None: ...


def close_then_stop(opened: list[dict[str, LinkSide]], *servers: _Stoppable) -> None:
    """Close every side opened on the sandboxes, then stop them (in or out of this process)."""
    for sides in opened:
        close_sides(sides)
    for server in servers:
        server.stop()


@dataclass
class Systems:
    """Running sandboxes and the data they were seeded with."""

    data: DemoData
    sf: RunningSalesforceSandbox
    seq: RunningSequenceSandbox
    opened: list[dict[str, LinkSide]] = field(default_factory=list)

    def stop(self) -> None:
        """Close every side opened on these systems, then stop both servers."""
        close_then_stop(self.opened, self.sf, self.seq)

    def account_values(self) -> dict[str, str]:
        """Every Account's link field, straight from the org's table."""
        with self.sf.org.lock:
            table = self.sf.org.tables["Account"]
            return {str(i): str(v or "") for i, v in zip(table.columns["Id"], table.columns[LINK_FIELD], strict=True)}

    def customer_values(self) -> dict[str, str]:
        """Every customer's stored Account id, straight from the store."""
        with self.seq.store.lock:
            ids = [str(c["id"]) for c in self.seq.store.page(None, 10**9)[0]]
        return {cid: self.seq.store.link_of(cid, "Salesforce") or "" for cid in ids}

    def set_customer_link(self, customer_id: str, value: str) -> None:
        """Arrange a customer's stored Account id directly (no counters, no rules)."""
        with self.seq.store.lock:
            customer = self.seq.store._customers[customer_id]
            kept = [e for e in customer.get("integrationIds") or [] if e.get("service") != "Salesforce"]
            customer["integrationIds"] = [*kept, {"service": "Salesforce", "id": value}]


def start_systems(
    n: int,
    *,
    scenario: str | Scenario = "healthy",
    faults: SequenceFaults | None = None,
    token_lifetime_seconds: float = 7200,
    rate_limit: float | None = None,
    latency_ms: float = 0.0,
) -> Systems:
    """Both sandboxes on ``n`` demo Accounts; the Sequence one enforces ``rate_limit`` (requests/s)
    and answers ``latency_ms`` late, as over a real network."""
    data = generate(n, seed=7)
    sf = start_salesforce_sandbox(
        scenario=with_knobs(scenario, daily_api_max=10**8), data=data, token_lifetime_seconds=token_lifetime_seconds
    )
    seq = start_sequence_sandbox(customers=clean_customers(data), faults=faults, rate_limit_per_second=rate_limit,
                                 latency_ms=latency_ms)
    return Systems(data, sf, seq)


def salesforce_side(
    sf: RunningSalesforceSandbox, *, renewable: bool = True, fast_retries: bool = True
) -> SalesforceSide:
    """The Account side on the sandbox org; the session renews itself through client credentials."""
    tokens = TokenSet(
        access_token=sf.access_token,
        instance_url=sf.instance_url,
        identity_url=f"{sf.instance_url}/id/00D000000000001AAA/005000000000001AAA",
    )
    app = oauth.OAuthApp(
        login_host=sf.login_url, consumer_key=sf.consumer_key, client_secret=sf.client_secret, verify=str(sf.ca_cert)
    )

    def renewer(http: Any) -> TokenSet:
        return oauth.client_credentials_login(app, http=http)

    session = SalesforceSession(tokens, verify=str(sf.ca_cert), renewer=renewer if renewable else None)
    retry = SalesforceRetry(attempts=6, first_delay=0.01, max_delay=0.05) if fast_retries else None
    return SalesforceSide(SalesforceClient(session, retry=retry), LINK_FIELD)


def make_sides(
    systems: Systems, *, run_id: str = "", renewable: bool = True, fast_retries: bool = True,
    rate_limit: RateLimit | None = None,
) -> dict[str, LinkSide]:
    """Both sides on the running sandboxes (short retry delays unless ``fast_retries`` is off; the
    billing side keeps to ``rate_limit``, Sequence's registry limits when None)."""
    billing = SequenceBilling(
        systems.seq.client_id,
        systems.seq.client_secret,
        base_url=systems.seq.url,
        ca_cert=systems.seq.ca_cert,
        run_id=run_id or None,
        rate_limit=rate_limit,
        retry=RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, give_up_after=1.0,
                          throttle_budget=2.0) if fast_retries else None,
    )
    return {
        "account": salesforce_side(systems.sf, renewable=renewable, fast_retries=fast_retries),
        "customer": BillingSide(billing),
    }


def truth_matches(systems: Systems) -> pd.DataFrame:
    """The true pairs as a reviewed matches frame."""
    return systems.data.truth.assign(status="matched").astype(object)


def expected_after(
    plan: Plan, accounts: dict[str, str], customers: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Both systems' values once ``plan`` is fully applied to the given starting values."""
    accounts, customers = dict(accounts), dict(customers)
    for link in plan.links:
        if link.account.action == "set":
            accounts[link.account_id] = link.account.after
        if link.customer.action == "set":
            customers[link.customer_id] = link.customer.after
    return accounts, customers
