"""Every billing system Crosslink knows, in one list: the CLI (``--system``/``--billing``), the
wizard's Connect billing page, demo mode, ``desktop-app sandbox`` and the docs read it from here.

An entry says how the system is reached (authentication and the credentials it takes), where it
keeps the Salesforce Account id, what it requires of a customer before it accepts a write, its
batch size and documented rate limits, what an admin sets up first, and which sandbox serves it.
Adding a system is one adapter module, one sandbox package and one entry in ``SYSTEMS``.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from desktop_app.billing import customer_rules
from desktop_app.billing.base import BillingAuthError, BillingError, BillingSystem
from desktop_app.billing.credentials import DEFAULT_PROFILE, credential_env_var, load_credential, save_credential
from desktop_app.billing.oauth_login import QUICKBOOKS_OAUTH, XERO_OAUTH, OAuthEndpoints
from desktop_app.billing.pool import RateLimit, RequestPool
from desktop_app.core.billing_rules import CustomerRequirement

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

AuthKind = Literal["api_key", "basic", "oauth_pkce", "client_credentials", "file"]


class UnknownSystem(BillingError):
    """A system name that is not in the registry."""


@dataclass(frozen=True)
class CredentialField:
    """One value the adapter needs to connect; ``secret`` values only ever live in the keychain."""

    name: str
    label: str
    secret: bool = True
    required: bool = True  # False: the adapter can do without (e.g. a site name when a URL is given)
    shown: bool = True  # False: kept by 'billing-login' for renewing tokens, not typed in the wizard


@dataclass(frozen=True)
class ConnectOptions:
    """Everything an adapter is opened with (credentials already resolved)."""

    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    base_url: str = ""
    ca_cert: str = ""
    link_key: str = ""
    file: str = ""
    preset: str | None = None
    sheet: str | None = None
    run_id: str | None = None
    profile: str = DEFAULT_PROFILE  # where a renewed refresh token is saved back
    rate_limit: RateLimit | None = None  # None: the system's documented limits


Opener = Callable[[ConnectOptions], BillingSystem]


@dataclass(frozen=True)
class SystemEntry:
    """One billing system as the rest of the app sees it before connecting."""

    key: str
    name: str
    auth: AuthKind
    credentials: tuple[CredentialField, ...]
    link_location: str
    link_key_meaning: str
    default_link_key: str
    batch_size: int
    rate_limits: str  # the documented limits as the user reads them
    admin_setup: str
    opener: Opener
    # The same limits as data, for the request pool: requests/s (None: not published) and how many
    # requests may be in flight at once.
    requests_per_second: float | None = None
    max_concurrent: int = 1
    sandbox: str | None = None  # "module:function" starting its sandbox (see sandbox.billing_sandbox)
    reads_back: bool = True
    oauth: OAuthEndpoints | None = None  # browser sign-in ('desktop-app billing-login')
    company_credential: str = ""  # the credential the sign-in's company (realm/tenant) id fills
    # What the system requires of a customer before it takes a link (billing.customer_rules).
    customer_rules: tuple[CustomerRequirement, ...] = ()

    @property
    def requirements(self) -> tuple[str, ...]:
        """The customer rules in words, then what only the write can tell (derived, never typed twice)."""
        described = tuple(rule.describe() for rule in self.customer_rules)
        return (*described, *customer_rules.NOT_CHECKED_BEFORE.get(self.key, ()))

    def rate_limit(self) -> RateLimit:
        """The documented limits the adapter's request pool keeps to."""
        return RateLimit(self.requests_per_second, self.max_concurrent)

    def env_vars(self) -> list[str]:
        """The environment variables that can hold this system's credentials."""
        return [credential_env_var(self.key, f.name) for f in self.credentials]

    def resolve_credentials(self, typed: Mapping[str, str] | None = None,
                            profile: str = DEFAULT_PROFILE) -> dict[str, str]:
        """Each credential from what was typed, else the environment, else the keychain.

        Raises ``BillingAuthError`` naming the variables to set when one is missing.
        """
        typed = typed or {}
        values: dict[str, str] = {}
        missing: list[CredentialField] = []
        for credential in self.credentials:
            value = (typed.get(credential.name) or "").strip()
            try:
                value = value or (load_credential(self.key, credential.name, profile) or "")
            except BillingAuthError:
                if credential.required:  # no keychain: only a missing required value is a problem
                    raise
            if value:
                values[credential.name] = value
            elif credential.required:
                missing.append(credential)
        if missing:
            names = " and ".join(credential_env_var(self.key, f.name) for f in missing)
            labels = ", ".join(f.label for f in missing)
            raise BillingAuthError(
                f"No {self.name} {labels}: set {names}, or save them in Crosslink (profile {profile!r})."
            )
        return values

    def save_credentials(self, typed: Mapping[str, str], profile: str = DEFAULT_PROFILE) -> None:
        """Store the typed-in credentials in the keychain (``SecretStoreUnavailable`` without one)."""
        for credential in self.credentials:
            value = (typed.get(credential.name) or "").strip()
            if value:
                save_credential(self.key, credential.name, value, profile)

    def open(self, options: ConnectOptions) -> BillingSystem:
        """The adapter, connected with ``options`` (its requests keep to this system's documented limits
        unless ``options.rate_limit`` says otherwise)."""
        return self.opener(options)

    def sandbox_starter(self) -> Callable[..., object] | None:
        """The function that starts this system's sandbox, or None when it has none."""
        if self.sandbox is None:
            return None
        module, _, function = self.sandbox.partition(":")
        starter: Callable[..., object] = getattr(importlib.import_module(module), function)
        return starter


# --- openers (adapters are imported only when used) ----------------------------------------------


def _open_stripe(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.stripe_adapter import DEFAULT_LINK_KEY, StripeBilling

    return StripeBilling(options.credentials["api_key"], base_url=options.base_url or None,
                         link_key=options.link_key or DEFAULT_LINK_KEY, rate_limit=options.rate_limit,
                         run_id=options.run_id)


def sequence_storage(text: str) -> object:
    """Sequence link storage from ``NAME``, ``integration:NAME`` or ``property:KEY``."""
    from desktop_app.billing.sequence_records import SequenceLinkStorage

    kind, sep, name = text.partition(":")
    if not sep:
        return SequenceLinkStorage(name=text.strip())
    if kind not in ("integration", "property") or not name.strip():
        raise ValueError(f"Sequence link {text!r} must look like NAME, integration:NAME or property:KEY.")
    return SequenceLinkStorage("integration_id" if kind == "integration" else "custom_property", name.strip())


def _open_sequence(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.sequence_adapter import DEFAULT_BASE_URL, SequenceBilling
    from desktop_app.billing.sequence_records import SequenceLinkStorage

    storage = sequence_storage(options.link_key) if options.link_key else SequenceLinkStorage()
    assert isinstance(storage, SequenceLinkStorage)
    return SequenceBilling(options.credentials["client_id"], options.credentials["client_secret"],
                           base_url=options.base_url or DEFAULT_BASE_URL, ca_cert=options.ca_cert or None,
                           link_storage=storage,
                            rate_limit=options.rate_limit, run_id=options.run_id)


# Kept by 'desktop-app billing-login' so an expired access token can be renewed during a run.
RENEWAL_CREDENTIALS = (
    CredentialField("refresh_token", "refresh token", required=False, shown=False),
    CredentialField("client_id", "app client id (to sign in)", secret=False, required=False),
    CredentialField("client_secret", "app client secret (to sign in)", required=False),
    CredentialField("auth_host", "sign-in host", secret=False, required=False, shown=False),
)


def _renewer(key: str, endpoints: OAuthEndpoints, options: ConnectOptions) -> Callable[[], str] | None:
    """A function giving a fresh access token from the saved refresh token (None without one)."""
    from desktop_app.billing.oauth_login import moved_to, refresh_tokens
    from desktop_app.secrets import SecretStoreUnavailable

    creds = options.credentials
    if not creds.get("refresh_token") or not creds.get("client_id"):
        return None
    where = moved_to(endpoints, creds["auth_host"]) if creds.get("auth_host") else endpoints
    current = {"refresh_token": creds["refresh_token"]}

    def renew() -> str:
        tokens = refresh_tokens(where, creds["client_id"], current["refresh_token"],
                                client_secret=creds.get("client_secret", ""), verify=options.ca_cert or True)
        current["refresh_token"] = tokens.refresh_token or current["refresh_token"]
        try:  # the old refresh token is spent: keep the new one for the next run
            save_credential(key, "refresh_token", current["refresh_token"], options.profile)
            save_credential(key, "access_token", tokens.access_token, options.profile)
        except SecretStoreUnavailable:
            pass  # this run goes on with the new token; the next one signs in again
        return tokens.access_token

    return renew


def _open_quickbooks(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.quickbooks_adapter import DEFAULT_BASE_URL, QuickBooksBilling, QuickBooksLinkStorage

    storage = QuickBooksLinkStorage.parse(options.link_key) if options.link_key else QuickBooksLinkStorage()
    return QuickBooksBilling(options.credentials["access_token"], options.credentials["realm_id"],
                             base_url=options.base_url or DEFAULT_BASE_URL, ca_cert=options.ca_cert or None,
                             link_storage=storage, rate_limit=options.rate_limit, run_id=options.run_id,
                             renew=_renewer("quickbooks", QUICKBOOKS_OAUTH, options))


def _open_chargebee(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.chargebee_adapter import ChargebeeBilling, ChargebeeLinkStorage, site_url

    storage = ChargebeeLinkStorage.parse(options.link_key) if options.link_key else ChargebeeLinkStorage()
    site = options.credentials.get("site", "")
    if not site and not options.base_url:
        raise BillingError("Chargebee needs the site name (the 'acme' of acme.chargebee.com) or an API address.")
    return ChargebeeBilling(options.credentials["api_key"], base_url=options.base_url or site_url(site),
                            ca_cert=options.ca_cert or None, link_storage=storage,
                            rate_limit=options.rate_limit, run_id=options.run_id)


def _open_xero(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.xero_adapter import DEFAULT_BASE_URL, XeroBilling

    if options.link_key and options.link_key != "ContactNumber":
        raise ValueError("Xero keeps the Salesforce Account id in ContactNumber only; leave the link key empty.")
    return XeroBilling(options.credentials["access_token"], options.credentials["tenant_id"],
                       base_url=options.base_url or DEFAULT_BASE_URL, ca_cert=options.ca_cert or None,
                       rate_limit=options.rate_limit, run_id=options.run_id,
                       renew=_renewer("xero", XERO_OAUTH, options))


def _open_zuora(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.zuora_adapter import DEFAULT_BASE_URL, ZuoraBilling

    if options.link_key and options.link_key != "CrmId":
        raise ValueError("Zuora keeps the Salesforce Account id in the account's CrmId only; leave the link key empty.")
    return ZuoraBilling(options.credentials["client_id"], options.credentials["client_secret"],
                        base_url=options.base_url or DEFAULT_BASE_URL, ca_cert=options.ca_cert or None,
                        rate_limit=options.rate_limit, run_id=options.run_id)


def _open_upflow(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.upflow_adapter import DEFAULT_BASE_URL, DEFAULT_FIELD, UpflowBilling

    return UpflowBilling(options.credentials["api_key"], options.credentials["api_secret"],
                         base_url=options.base_url or DEFAULT_BASE_URL, ca_cert=options.ca_cert or None,
                         field=options.link_key or DEFAULT_FIELD, rate_limit=options.rate_limit, run_id=options.run_id)


def _open_file(options: ConnectOptions) -> BillingSystem:
    from desktop_app.billing.file_adapter import FileBilling

    if not options.file:
        raise BillingError("Choose the billing system's customer export file first.")
    return FileBilling(Path(options.file), preset=options.preset, sheet=options.sheet)


SYSTEMS: tuple[SystemEntry, ...] = (
    SystemEntry(
        key="stripe", customer_rules=customer_rules.STRIPE, name="Stripe", auth="api_key",
        credentials=(CredentialField("api_key", "API key"),),
        link_location="customer metadata key (default salesforce_account_id)",
        link_key_meaning="metadata key", default_link_key="salesforce_account_id",
        batch_size=1, rate_limits="100 requests/s live, 25/s in test mode",
        requests_per_second=100, max_concurrent=20,
        admin_setup="Create a restricted key that may read and write customers.",
        opener=_open_stripe, sandbox="desktop_app.sandbox.localstripe_runner:demo_sandbox",
    ),
    SystemEntry(
        key="sequence", customer_rules=customer_rules.SEQUENCE, name="Sequence", auth="basic",
        credentials=(CredentialField("client_id", "client id", secret=False),
                     CredentialField("client_secret", "client secret")),
        link_location='integrationIds entry (default service "Salesforce") or a custom property',
        link_key_meaning="integration id service (or property:KEY)", default_link_key="Salesforce",
        batch_size=1, rate_limits="not published; 429 past the limit", requests_per_second=None, max_concurrent=8,
        admin_setup="Create API credentials (client id and secret) in Sequence's settings.",
        opener=_open_sequence, sandbox="desktop_app.sandbox.sequence:demo_sandbox",
    ),
    SystemEntry(
        key="quickbooks", customer_rules=customer_rules.QUICKBOOKS, name="QuickBooks Online", auth="oauth_pkce",
        credentials=(CredentialField("access_token", "OAuth access token"),
                     CredentialField("realm_id", "company (realm) id", secret=False), *RENEWAL_CREDENTIALS),
        link_location="Advanced: a customer custom field (custom_field:DEFINITION_ID); Simple Start, Essentials "
                      "and Plus have none in the API: a 'Salesforce Account: …' line in Notes (default), or "
                      "only the Salesforce side holds the link",
        link_key_meaning="notes or custom_field:DEFINITION_ID", default_link_key="notes",
        batch_size=30, rate_limits="500 requests/min and 10 concurrent per company (realm); 40 batch requests/min",
        requests_per_second=40 / 60, max_concurrent=10,
        admin_setup="Connect the Crosslink app to the company (OAuth, scope com.intuit.quickbooks.accounting); "
                    "on Advanced create a Customer text custom field and note its DefinitionId.",
        opener=_open_quickbooks, sandbox="desktop_app.sandbox.quickbooks:demo_sandbox",
        oauth=QUICKBOOKS_OAUTH, company_credential="realm_id",
    ),
    SystemEntry(
        key="chargebee", customer_rules=customer_rules.CHARGEBEE, name="Chargebee", auth="api_key",
        credentials=(CredentialField("api_key", "API key"), CredentialField("site", "site name", secret=False,
                                                                          required=False)),
        link_location="customer custom field cf_salesforce_account_id (configurable: cf_NAME) or meta_data:KEY",
        link_key_meaning="custom field cf_NAME or meta_data:KEY", default_link_key="cf_salesforce_account_id",
        batch_size=1, rate_limits="test sites 150 requests/min; live 150, 1,000 or 3,500/min by plan; 429 "
                                  "api_request_limit_exceeded",
        requests_per_second=150 / 60, max_concurrent=4,
        admin_setup="Create a full-access API key for the site; create a single-line text custom field for "
                    "Customers (e.g. cf_salesforce_account_id) under Settings → Configure Chargebee → Custom fields.",
        opener=_open_chargebee, sandbox="desktop_app.sandbox.chargebee:demo_sandbox",
    ),
    SystemEntry(
        key="xero", customer_rules=customer_rules.XERO, name="Xero", auth="oauth_pkce",
        credentials=(CredentialField("access_token", "OAuth access token"),
                     CredentialField("tenant_id", "tenant (organisation) id", secret=False), *RENEWAL_CREDENTIALS),
        link_location='ContactNumber ("Contact Code"; settable only through the API, at most 50 characters)',
        link_key_meaning="", default_link_key="ContactNumber",
        batch_size=50, rate_limits="60 calls/min, 5,000/day and 5 concurrent per organisation; 429 with "
                                   "Retry-After and X-Rate-Limit-Problem",
        requests_per_second=60 / 60, max_concurrent=5,
        admin_setup="Connect the Crosslink app to the organisation (OAuth, scope accounting.contacts); "
                    "nothing to create: ContactNumber exists on every contact.",
        opener=_open_xero, sandbox="desktop_app.sandbox.xero:demo_sandbox",
        oauth=XERO_OAUTH, company_credential="tenant_id",
    ),
    SystemEntry(
        key="zuora", customer_rules=customer_rules.ZUORA, name="Zuora", auth="client_credentials",
        credentials=(CredentialField("client_id", "client id", secret=False),
                     CredentialField("client_secret", "client secret")),
        link_location="the account's built-in CrmId (at most 100 characters; read by Zuora 360)",
        link_key_meaning="", default_link_key="CrmId",
        batch_size=50, rate_limits="50,000 requests/min and 200 concurrent per tenant (by contract); 429 with "
                                   "RateLimit-* headers",
        requests_per_second=50_000 / 60, max_concurrent=200,
        admin_setup="Create an OAuth client (Settings → Administration → Manage Users → the API user → "
                    "OAuth Clients) for an API user allowed to edit accounts; use your tenant's REST host.",
        opener=_open_zuora, sandbox="desktop_app.sandbox.zuora:demo_sandbox",
    ),
    SystemEntry(
        key="upflow", customer_rules=customer_rules.UPFLOW, name="Upflow", auth="api_key",
        credentials=(CredentialField("api_key", "API key", secret=False), CredentialField("api_secret", "API secret")),
        link_location="the shared identifier: a customer custom field (default salesforce_account_id) holding the "
                      "18-character Account id as text, the same value as on the Salesforce Account",
        link_key_meaning="custom field name", default_link_key="salesforce_account_id",
        batch_size=1, rate_limits="600 requests/min", requests_per_second=600 / 60, max_concurrent=4,
        admin_setup="Create an API key and secret in Upflow; create the text custom field for the shared identifier "
                    "and choose the same field in Upflow's Salesforce settings.",
        opener=_open_upflow, sandbox="desktop_app.sandbox.upflow:demo_sandbox",
    ),
    SystemEntry(
        key="file", name="From a file", auth="file", credentials=(),
        link_location="a re-import file and a filled copy of the export (imported by hand)",
        link_key_meaning="", default_link_key="",
        batch_size=0, rate_limits="none",
        admin_setup="Export the customers (CSV or XLSX) from the billing system.",
        opener=_open_file, reads_back=False,
    ),
)


def system_keys() -> list[str]:
    """Every registered system's key, in display order."""
    return [entry.key for entry in SYSTEMS]


def api_system_keys() -> list[str]:
    """The systems a run can write to and read back (every one but the file route)."""
    return [entry.key for entry in SYSTEMS if entry.reads_back]


def system(key: str) -> SystemEntry:
    """The entry for ``key``; ``UnknownSystem`` names the known ones otherwise."""
    for entry in SYSTEMS:
        if entry.key == key:
            return entry
    raise UnknownSystem(f"Unknown billing system {key!r}; choose one of: {', '.join(system_keys())}.")


def open_system(key: str, options: ConnectOptions, *, typed: Mapping[str, str] | None = None,
                profile: str = DEFAULT_PROFILE) -> BillingSystem:
    """Open system ``key``: credentials typed, else from the environment, else the keychain."""
    entry = system(key)
    credentials = entry.resolve_credentials(typed, profile)
    return entry.open(dataclasses.replace(options, credentials=credentials, profile=profile))


def request_pool(key: str, rate_limit: RateLimit | None = None, base_url: str | None = None) -> RequestPool:
    """A request pool keeping to ``rate_limit``, else to system ``key``'s documented limits.

    The documented rate is the vendor's: a sandbox on this machine (a loopback ``base_url``) is not
    paced to it but keeps the concurrency, and tells its own limit, if it has one, with 429s."""
    if rate_limit is None:
        rate_limit = system(key).rate_limit()
        if base_url and urlsplit(base_url).hostname in LOOPBACK_HOSTS:
            rate_limit = dataclasses.replace(rate_limit, requests_per_second=None)
    return RequestPool(rate_limit)
