"""A local Salesforce org over HTTPS for demo mode and tests.

One server is both login host and instance. It speaks OAuth 2.0 (web-server flow with PKCE and a
login/consent page, refresh, client credentials, revoke, identity URL, userinfo), REST (versions,
resources, limits, describe, records, SOQL query/queryAll with paging, Tooling query, sObject
Collections, external-id get/upsert) and Bulk API 2.0 (ingest and query jobs with a background worker),
with Salesforce's response and error shapes.

    with start_salesforce_sandbox(scenario="healthy", accounts=2000) as sf:
        session = requests.Session(); session.verify = str(sf.ca_cert); session.trust_env = False
        client = simple_salesforce.Salesforce(instance_url=sf.instance_url, session_id=sf.access_token,
                                              session=session)

(``trust_env = False``: with ``REQUESTS_CA_BUNDLE`` set, requests ignores a session's ``verify``.)

Demo users (password ``demo``): ``admin@crosslink.demo`` (the running user; its permissions follow the
scenario), ``noapi@crosslink.demo`` (no API Enabled), ``readonly@crosslink.demo`` (link field read-only).
Registered apps: ``Scenario.consumer_key`` (with ``client_secret``; callbacks ``Scenario.callback_urls``,
by default ``http://localhost:7171/OauthRedirect`` and its 127.0.0.1 form) and ``PlatformCLI`` (no
secret; callback ``http://localhost:1717/OauthRedirect``).

Scenarios (``SCENARIOS``; combine knobs with ``with_knobs``): healthy, single-currency, no-api,
number-link-field, readonly-link-field, validation-rule, required-field, api-limits-low, faults,
deleted-records, picklist-addresses (State and Country/Territory picklists, see address_picklists.py),
app-not-installed, user-not-preauthorized (see app_policy.py). Tests read and
arrange state through ``RunningSalesforceSandbox.org`` (``OrgState``): records, API calls by kind and
per-record field write counts.
"""

from desktop_app.sandbox.salesforce.org import ApiCounters, DemoUser, OrgState
from desktop_app.sandbox.salesforce.scenario import SCENARIOS, Currency, Scenario, scenario_named, with_knobs
from desktop_app.sandbox.salesforce.server import RunningSalesforceSandbox, ready_info, start_salesforce_sandbox

__all__ = [
    "SCENARIOS",
    "ApiCounters",
    "Currency",
    "DemoUser",
    "OrgState",
    "RunningSalesforceSandbox",
    "Scenario",
    "ready_info",
    "scenario_named",
    "start_salesforce_sandbox",
    "with_knobs",
]
