"""The individual preflight checks. Each reads what it needs through ``OrgFacts`` and returns a
``Found``; ``run_preflight`` turns that into a ``CheckResult``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from desktop_app.salesforce.errors import ApiRequestFailed
from desktop_app.salesforce.soql import soql_quote

if TYPE_CHECKING:
    from desktop_app.salesforce.preflight import OrgFacts, PreflightInput

API_SETUP_URL = "/lightning/setup/Profiles/home"
API_REMEDY = (
    "In Setup > Users > Profiles (or a permission set), tick 'API Enabled' for the user who logs in. "
    "Professional Edition needs the API add-on from Salesforce; Enterprise, Unlimited, Performance "
    "and Developer Edition include it."
)
FIELDS_URL = "/lightning/setup/ObjectManager/Account/FieldsAndRelationships/view"
TEXT_TYPES = frozenset({"string", "textarea", "reference", "email", "url", "phone"})
NUMBER_TYPES = frozenset({"double", "int", "long", "currency", "percent"})


@dataclass(frozen=True)
class Found:
    """A check's outcome before it is named."""

    status: Literal["pass", "warn", "fail", "not_checked"]
    explanation: str
    remedy: str = ""
    setup_url: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _not_checked(missing: str, wanted: PreflightInput, details: dict[str, Any] | None = None) -> Found:
    """A check whose input is not known yet: it says so and when it will run, and never passes."""
    return Found("not_checked", f"Not checked yet: {missing} is not known yet. {wanted.later}", "", None,
                 details or {})


def _missing_field(wanted: PreflightInput) -> Found:
    return Found(
        "fail",
        f"Account has no field called {wanted.link_field}, so nothing can be written.",
        f"In Setup > Object Manager > Account > Fields & Relationships, create a Text field "
        f"{wanted.link_field} (length 255, Unique, External ID).",
        FIELDS_URL,
    )


def api_access(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """The org's edition allows the API and the running user has 'API Enabled'."""
    org = facts.client.query("SELECT Name, OrganizationType, IsSandbox, NamespacePrefix FROM Organization")
    perms = facts.client.query("SELECT PermissionsApiEnabled, PermissionsModifyAllData FROM UserPermissionAccess")
    edition = org.iloc[0]["OrganizationType"] if len(org) else ""
    api_enabled = len(perms) > 0 and perms.iloc[0]["PermissionsApiEnabled"] == "true"
    details = {
        "edition": edition,
        "org_name": org.iloc[0]["Name"] if len(org) else "",
        "modify_all_data": len(perms) > 0 and perms.iloc[0]["PermissionsModifyAllData"] == "true",
    }
    if not api_enabled:
        return Found(
            "fail",
            "The user Crosslink logged in as does not have the 'API Enabled' permission.",
            API_REMEDY,
            API_SETUP_URL,
            details,
        )
    return Found("pass", f"The API is available ({edition or 'edition unknown'}).", "", None, details)


def link_field_exists(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """The link field is on Account."""
    entry = facts.account_field(wanted.link_field)
    if entry is None:
        return _missing_field(wanted)
    return Found(
        "pass",
        f"Account has the field {entry['name']} ({entry.get('label', '')}).",
        "",
        None,
        {"type": entry.get("type"), "length": entry.get("length")},
    )


def link_field_type(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """The link field is text-like (a number field would mangle ids like cus_123 or 0012…)."""
    entry = facts.account_field(wanted.link_field)
    if entry is None:
        return _missing_field(wanted)
    kind = str(entry.get("type", ""))
    if kind in TEXT_TYPES:
        return Found("pass", f"{entry['name']} is a {kind} field and can hold billing ids.", "", None, {"type": kind})
    remedy = (
        "Create a new Text field (length 255, Unique, External ID) in Setup > Object Manager > Account > "
        f"Fields & Relationships and use it instead of {entry['name']}; changing a field's type can lose "
        "data."
    )
    if kind in NUMBER_TYPES:
        return Found(
            "fail",
            f"{entry['name']} is a {kind} field. Upflow and Sequence cannot use a number field: "
            "billing ids contain letters and leading zeros would be lost.",
            remedy,
            FIELDS_URL,
            {"type": kind},
        )
    return Found(
        "fail",
        f"{entry['name']} is a {kind} field, which cannot hold a billing id.",
        remedy,
        FIELDS_URL,
        {"type": kind},
    )


def link_field_length(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """The link field holds the longest billing id."""
    entry = facts.account_field(wanted.link_field)
    if entry is None:
        return _missing_field(wanted)
    length = int(entry.get("length") or 0)
    details = {"length": length, "longest_billing_id": wanted.longest_billing_id}
    if wanted.longest_billing_id is None:
        return _not_checked(f"{entry['name']} holds {length or 'any number of'} characters, but the longest "
                            "billing id", wanted, details)
    if str(entry.get("type")) in TEXT_TYPES - {"reference"} and 0 < length < wanted.longest_billing_id:
        return Found(
            "fail",
            f"{entry['name']} holds {length} characters but the longest billing id has "
            f"{wanted.longest_billing_id}; longer ids would be rejected.",
            f"In Setup > Object Manager > Account > Fields & Relationships > {entry['name']}, click Edit "
            f"and raise the length to at least {wanted.longest_billing_id} (255 is safe).",
            FIELDS_URL,
            details,
        )
    return Found("pass", f"{entry['name']} is long enough ({length or 'no limit'} characters).", "", None, details)


def link_field_editable(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """The running user can edit the link field (field-level security)."""
    entry = facts.account_field(wanted.link_field)
    if entry is None:
        return _missing_field(wanted)
    perms = facts.client.query("SELECT PermissionsModifyAllData FROM UserPermissionAccess")
    modify_all = len(perms) > 0 and perms.iloc[0]["PermissionsModifyAllData"] == "true"
    details = {"updateable": bool(entry.get("updateable")), "modify_all_data": modify_all}
    if not entry.get("updateable"):
        return Found(
            "fail",
            f"You cannot edit {entry['name']}: field-level security makes it read-only for you"
            + (" (even with Modify All Data, field-level security applies)." if modify_all else "."),
            f"In Setup > Object Manager > Account > Fields & Relationships > {entry['name']} > Set "
            "Field-Level Security, tick Visible and clear Read-Only for your profile.",
            FIELDS_URL,
            details,
        )
    note = " You have Modify All Data, so record sharing will not block writes." if modify_all else ""
    return Found("pass", f"You can edit {entry['name']}.{note}", "", None, details)


def link_field_unique(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """The link field is unique / an external id (recommended, not required)."""
    entry = facts.account_field(wanted.link_field)
    if entry is None:
        return _missing_field(wanted)
    details = {"unique": bool(entry.get("unique")), "external_id": bool(entry.get("externalId"))}
    if entry.get("unique") and entry.get("externalId"):
        return Found("pass", f"{entry['name']} is unique and an External ID.", "", None, details)
    missing = [label for label, flag in (("Unique", "unique"), ("External ID", "externalId")) if not entry.get(flag)]
    consequence = {
        "Unique": "two Accounts could hold the same billing customer",
        "External ID": "looking Accounts up by billing id is slow and upserts cannot use it",
    }
    return Found(
        "warn",
        f"{entry['name']} is not marked {' or '.join(missing)}, so {' and '.join(consequence[m] for m in missing)}.",
        f"In Setup > Object Manager > Account > Fields & Relationships > {entry['name']} > Edit, tick "
        f"{' and '.join(repr(m) for m in missing)}.",
        FIELDS_URL,
        details,
    )


def currencies(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """Multi-currency is on and every billing currency is active in the org."""
    url = "/lightning/setup/CompanyCurrency/home"
    billing = wanted.billing_system or "the billing system"  # its name, when known ("Sequence")
    if wanted.billing_currencies is None:
        return _not_checked("which currencies the billing customers use", wanted)
    if not wanted.billing_currencies:  # known, and empty: nothing to compare the org's currencies with
        return Found("not_checked", "Not checked: the billing customers carry no currency, so there is nothing to "
                     "compare the org's currencies with.",
                     "Check by hand that every currency the billing system bills in is active in the org (Setup > "
                     "Company Information > Currencies), or load customers with their currency.", url,
                     {"billing_currencies": []})
    try:
        rows = facts.client.query("SELECT IsoCode, IsActive, IsCorporate FROM CurrencyType")
    except ApiRequestFailed as error:
        if error.code != "INVALID_TYPE":
            raise
        org = facts.client.query("SELECT DefaultCurrencyIsoCode FROM Organization")
        home = org.iloc[0]["DefaultCurrencyIsoCode"] if len(org) and "DefaultCurrencyIsoCode" in org else ""
        others = [c for c in wanted.billing_currencies if c != home]
        details = {
            "multi_currency": False,
            "org_currency": home,
            "billing_currencies": list(wanted.billing_currencies),
        }
        if not others:
            return Found(
                "pass",
                f"The org uses one currency{f' ({home})' if home else ''}, matching {billing}.",
                "",
                None,
                details,
            )
        return Found(
            "warn",
            f"The org uses a single currency{f' ({home})' if home else ''} but {billing} bills in "
            f"{', '.join(others)}; Accounts cannot record those currencies.",
            "In Setup > Company Information, click Edit and enable 'Activate Multiple Currencies' "
            "(irreversible; ask Salesforce support first), then add the currencies.",
            url,
            details,
        )
    active = sorted(rows.loc[rows["IsActive"] == "true", "IsoCode"]) if len(rows) else []
    missing = [c for c in wanted.billing_currencies if c not in active]
    details = {"multi_currency": True, "active": active, "missing": missing}
    if missing:
        return Found(
            "warn",
            f"{billing[:1].upper()}{billing[1:]} bills in {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} "
            "not an active currency in the org.",
            "In Setup > Company Information > Currencies, click New (or Activate) for each missing currency.",
            url,
            details,
        )
    return Found("pass", f"Multi-currency is on with {', '.join(active)} active.", "", None, details)


def validation_rules(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """Active validation rules on Account that could reject writes."""
    rules = facts.client.tooling_query(
        "SELECT Id, ValidationName, Active, ErrorDisplayField, ErrorMessage FROM ValidationRule "
        f"WHERE EntityDefinition.QualifiedApiName = {soql_quote('Account')}"
    )
    active = rules[rules["Active"] == "true"] if len(rules) else rules
    listed = [
        {"name": r["ValidationName"], "message": r["ErrorMessage"], "field": r["ErrorDisplayField"]}
        for _, r in active.iterrows()
    ]
    if not listed:
        return Found("pass", "No active validation rules on Account.", "", None, {"rules": []})
    names = "; ".join(f'{r["name"]} ("{r["message"]}")' for r in listed)
    return Found(
        "warn",
        f"{len(listed)} active validation rule(s) on Account may reject some writes: {names}. "
        "Writing the link saves the whole Account, so every rule is evaluated.",
        "Review them in Setup > Object Manager > Account > Validation Rules; deactivate the ones that "
        "would block the link during the run, or fix the records they name.",
        "/lightning/setup/ObjectManager/Account/ValidationRules/view",
        {"rules": listed},
    )


def required_fields(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """Custom fields that are required without a default: Accounts missing them cannot be saved."""
    found = [
        f["name"]
        for f in facts.account().get("fields", [])
        if f.get("custom")
        and not f.get("nillable", True)
        and not f.get("defaultedOnCreate")
        and f.get("createable")
        and f.get("type") != "boolean"
    ]
    if not found:
        return Found("pass", "No required custom fields without a default on Account.", "", None, {"fields": []})
    return Found(
        "warn",
        f"Account has required field(s) {', '.join(found)}; any Account where they are empty will refuse the link.",
        "Fill them on those Accounts first, or make the field(s) not required "
        "in Setup > Object Manager > Account > Fields & Relationships.",
        FIELDS_URL,
        {"fields": found},
    )


def planned_usage(planned_writes: int, bulk_threshold: int) -> tuple[int, int]:
    """(API requests, Bulk batches) writing ``planned_writes`` records will roughly use."""
    if planned_writes <= 0:
        return 20, 0
    if planned_writes > bulk_threshold:
        return 20 + math.ceil(planned_writes / 5_000_000) * 40, math.ceil(planned_writes / 10_000)
    return 20 + math.ceil(planned_writes / 200), 0


def api_limits(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """Enough daily API requests and Bulk batches remain for the planned job."""
    limits = facts.client.limits()
    requests_left = int(limits.get("DailyApiRequests", {}).get("Remaining", 0))
    requests_max = int(limits.get("DailyApiRequests", {}).get("Max", 0))
    batches_left = int(limits.get("DailyBulkApiBatches", {}).get("Remaining", 0))
    need_requests, need_batches = planned_usage(wanted.planned_writes or 0, wanted.bulk_threshold)
    details = {
        "requests_remaining": requests_left,
        "requests_max": requests_max,
        "batches_remaining": batches_left,
        "requests_needed": need_requests,
        "batches_needed": need_batches,
    }
    url = "/lightning/setup/CompanyProfileInfo/home"
    if requests_left < need_requests or batches_left < need_batches:
        short = (
            f"{requests_left:,} API requests left today, about {need_requests:,} needed"
            if requests_left < need_requests
            else f"{batches_left:,} Bulk batches left today, {need_batches:,} needed"
        )
        return Found(
            "fail",
            f"Not enough left for this job: {short}.",
            "Wait for the rolling 24-hour window to free requests (Setup > Company Information shows "
            "usage), pause other integrations, or ask Salesforce for a higher limit.",
            url,
            details,
        )
    if wanted.planned_writes is None:
        return _not_checked(f"{requests_left:,} of {requests_max:,} API requests are left today, but how many "
                            "the job needs", wanted, details)
    return Found(
        "pass",
        f"{requests_left:,} of {requests_max:,} API requests left today; this job needs about {need_requests:,}.",
        "",
        None,
        details,
    )


def managed_package(facts: OrgFacts, wanted: PreflightInput) -> Found:
    """The billing vendor's managed package is installed, when one is expected."""
    namespace = wanted.expected_package_namespace
    if not namespace:
        if not wanted.billing_system:
            return _not_checked("the billing system (and so whether its vendor package is needed)", wanted)
        return Found("pass", f"No {wanted.billing_system} package is needed in Salesforce: Crosslink writes the "
                     "links through the API.", "", None, {})
    rows = facts.client.tooling_query(
        "SELECT SubscriberPackage.NamespacePrefix, SubscriberPackage.Name, SubscriberPackageVersion.Name "
        "FROM InstalledSubscriberPackage"
    )
    installed = (
        {r["SubscriberPackage.NamespacePrefix"]: r["SubscriberPackage.Name"] for _, r in rows.iterrows()}
        if len(rows)
        else {}
    )
    if namespace in installed:
        return Found(
            "pass",
            f"The package {installed[namespace]} ({namespace}) is installed.",
            "",
            None,
            {"installed": sorted(installed)},
        )
    return Found(
        "fail",
        f"The billing vendor's managed package (namespace '{namespace}') is not installed.",
        "Install it from the vendor's AppExchange listing, then run the checks again.",
        "/lightning/setup/ImportedPackage/home",
        {"installed": sorted(installed)},
    )
