"""Named org set-ups (``healthy``, ``no-api``, ``faults``, ...) as one dataclass of knobs.

Tests combine knobs freely: ``replace(scenario_named("faults"), lock_rate=0.5)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Currency:
    """A CurrencyType row of a multi-currency org."""

    iso_code: str
    conversion_rate: float
    active: bool = True
    corporate: bool = False
    decimal_places: int = 2


DEFAULT_CURRENCIES = (
    Currency("USD", 1.0, corporate=True),
    Currency("EUR", 0.92),
    Currency("GBP", 0.79),
    Currency("CAD", 1.36),
    Currency("AUD", 1.52),
    Currency("JPY", 149.5, active=False, decimal_places=0),
)
DEMO_CALLBACKS = ("http://localhost:7171/OauthRedirect", "http://127.0.0.1:7171/OauthRedirect")
PLATFORM_CLI_CALLBACK = "http://localhost:1717/OauthRedirect"  # the Salesforce CLI's registered callback
DEMO_CONSUMER_KEY = "3MVG9CrosslinkSandboxDemoConsumerKey.LocalOnly0000000000000000000000000000000"


@dataclass(frozen=True)
class Scenario:
    """Every knob of the sandbox org. Rates are probabilities per request (faults) or per record (locks)."""

    name: str = "healthy"
    edition: str = "Enterprise Edition"
    multi_currency: bool = True
    currencies: tuple[Currency, ...] = DEFAULT_CURRENCIES
    # The running (demo) user's permissions.
    api_enabled: bool = True
    modify_all_data: bool = True
    link_field_editable: bool = True
    # The link field on Account.
    link_field_type: str = "string"  # "string" or "double"
    link_field_external_id: bool = True
    link_field_unique: bool = False
    # Org rules.
    country_validation_rule: bool = False  # rejects updates when BillingCountry is not a 2-letter code
    required_field: str | None = None  # a required custom text field, blank on every 7th Account
    state_country_picklists: bool = False  # <P>CountryCode/<P>StateCode beside the text fields
    deleted_accounts: int = 0  # the last N seeded Accounts are in the recycle bin
    # Limits.
    daily_api_max: int = 15000
    daily_api_used: int = 0
    # Faults.
    lock_rate: float = 0.0
    fault_503_rate: float = 0.0
    fault_drop_rate: float = 0.0
    fault_slow_rate: float = 0.0
    fault_drop_after_rate: float = 0.0  # the request is processed, then the connection drops unanswered
    slow_seconds: float = 1.5
    fault_kinds: tuple[str, ...] = ()  # only calls of these kinds (e.g. "bulk.ingest.upload") fault; () = all
    # Bulk jobs take this long in InProgress, so polling is real.
    bulk_processing_seconds: float = 0.3
    bulk_ingest_seconds: float | None = None  # ingest jobs take this long instead (None: as above)
    # Bulk ingest runs a job's internal batches of 10,000 records in parallel: an update of a child
    # whose parent another internal batch of the job already holds fails with UNABLE_TO_LOCK_ROW.
    bulk_parent_locks: bool = False
    # OAuth.
    consumer_key: str = DEMO_CONSUMER_KEY
    # The External Client App's registered callback URLs; an authorize request with any other
    # redirect_uri is refused (redirect_uri_mismatch), compared whole as Salesforce does.
    callback_urls: tuple[str, ...] = DEMO_CALLBACKS
    # Registered apps without a secret that may also log in (the Salesforce CLI's web login).
    public_clients: tuple[str, ...] = ("PlatformCLI",)
    client_secret: str | None = field(default=None, repr=False)  # None: a random secret per start
    # The External Client App's standing in the org (see app_policy.py).
    app_installed: bool = True
    user_may_approve_uninstalled_apps: bool = False  # the permission that bypasses "not installed"
    admin_approved_users_only: bool = False  # Permitted Users = "Admin approved users are pre-authorized"
    preauthorized_profiles: tuple[str, ...] = ()  # profiles the app's policy lists
    query_batch_size: int = 2000


SCENARIOS: dict[str, Scenario] = {
    "healthy": Scenario(),
    "single-currency": Scenario(name="single-currency", multi_currency=False, currencies=()),
    "no-api": Scenario(name="no-api", api_enabled=False, modify_all_data=False),
    "number-link-field": Scenario(name="number-link-field", link_field_type="double"),
    "readonly-link-field": Scenario(name="readonly-link-field", link_field_editable=False),
    "validation-rule": Scenario(name="validation-rule", country_validation_rule=True),
    "required-field": Scenario(name="required-field", required_field="Account_Tier__c"),
    "api-limits-low": Scenario(name="api-limits-low", daily_api_used=14980),
    "faults": Scenario(name="faults", lock_rate=0.05, fault_503_rate=0.05, fault_drop_rate=0.02, fault_slow_rate=0.05),
    "deleted-records": Scenario(name="deleted-records", deleted_accounts=5),
    "picklist-addresses": Scenario(name="picklist-addresses", state_country_picklists=True),
    "app-not-installed": Scenario(name="app-not-installed", app_installed=False),
    "user-not-preauthorized": Scenario(name="user-not-preauthorized", admin_approved_users_only=True),
    "professional-edition": Scenario(
        name="professional-edition", edition="Professional Edition", api_enabled=False, modify_all_data=True
    ),
}


def scenario_named(name: str | Scenario) -> Scenario:
    """The scenario called ``name`` (a ``Scenario`` passes through); ValueError lists the known names."""
    if isinstance(name, Scenario):
        return name
    try:
        return SCENARIOS[name]
    except KeyError:
        known = ", ".join(sorted(SCENARIOS))
        raise ValueError(f"unknown sandbox scenario {name!r}; choose one of: {known}") from None


def with_knobs(base: str | Scenario, **knobs: object) -> Scenario:
    """``base`` with some knobs changed."""
    return replace(scenario_named(base), **knobs)  # type: ignore[arg-type]
