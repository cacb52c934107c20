"""Builds an ``OrgState`` for a scenario from the demo-data frames (Accounts, Contacts) plus the setup
records every org has: users, profiles, permission sets, currencies, validation rules, packages."""

from __future__ import annotations

from typing import Any

import pandas as pd

from desktop_app.sandbox.salesforce.address_picklists import countries, country_code, state_code, states
from desktop_app.sandbox.salesforce.created_dates import audit_dates
from desktop_app.sandbox.salesforce.org import DemoUser, OrgState, ValidationRuleDef, make_id
from desktop_app.sandbox.salesforce.scenario import Scenario
from desktop_app.sandbox.salesforce.schema import FieldDef, ObjectDef
from desktop_app.sandbox.salesforce.schema_objects import (
    account_def,
    contact_def,
    link_field_def,
    setup_defs,
    tooling_defs,
)
from desktop_app.sandbox.salesforce.table import Table

DEMO_PASSWORD = "demo"


def _text(frame: pd.DataFrame, column: str) -> list[Any]:
    if column not in frame.columns:
        return [None] * len(frame)
    values = frame[column].to_numpy(dtype=object, copy=True)  # demo frames hold text, "" when missing
    values[values == ""] = None
    return list(values.tolist())


def _currency_picklist(scenario: Scenario) -> tuple[tuple[str, bool], ...]:
    if not scenario.multi_currency:
        return ()
    return tuple((c.iso_code, c.active) for c in scenario.currencies)


def _users(scenario: Scenario, ps_admin: str, ps_standard: str) -> list[DemoUser]:
    admin_profile = "System Administrator" if scenario.api_enabled else "Minimum Access - Salesforce"
    return [
        DemoUser(
            make_id("005", 1),
            "admin@crosslink.demo",
            DEMO_PASSWORD,
            "Ada Admin",
            "admin@crosslink.demo",
            admin_profile,
            ps_admin,
            scenario.api_enabled,
            scenario.modify_all_data,
            scenario.link_field_editable,
        ),
        DemoUser(
            make_id("005", 2),
            "noapi@crosslink.demo",
            DEMO_PASSWORD,
            "Nora Noapi",
            "noapi@crosslink.demo",
            "Standard User",
            ps_standard,
            False,
            False,
            True,
        ),
        DemoUser(
            make_id("005", 3),
            "readonly@crosslink.demo",
            DEMO_PASSWORD,
            "Rey Readonly",
            "readonly@crosslink.demo",
            "Standard User",
            ps_standard,
            True,
            False,
            False,
        ),
    ]


def build_org(
    scenario: Scenario, accounts: pd.DataFrame, contacts: pd.DataFrame, *, link_field: str, seed: int
) -> OrgState:
    """A complete org for ``scenario`` holding ``accounts`` and ``contacts`` (demo-data frames)."""
    currencies = _currency_picklist(scenario)
    custom: list[FieldDef] = [
        link_field_def(
            link_field,
            number=scenario.link_field_type == "double",
            external_id=scenario.link_field_external_id,
            unique=scenario.link_field_unique,
        )
    ]
    if scenario.required_field:
        custom.append(FieldDef(scenario.required_field, "string", "Account Tier", 40, nillable=False, custom=True))
    setup = setup_defs()
    ps_admin, ps_standard = make_id("0PS", 1), make_id("0PS", 2)
    users = _users(scenario, ps_admin, ps_standard)
    owner = users[0].user_id
    tables: dict[str, Table] = {
        "Account": _accounts(
            account_def(tuple(custom), currencies, address_codes=scenario.state_country_picklists),
            accounts,
            scenario,
            link_field,
            owner,
        ),
        "Contact": _contacts(
            contact_def(currencies, address_codes=scenario.state_country_picklists), contacts, owner, scenario
        ),
    }
    tables.update(_setup_tables(setup, scenario, users, ps_admin, ps_standard, link_field))
    rules = [
        ValidationRuleDef(
            make_id("03d", 1),
            "Billing_Country_ISO_Code",
            "Billing Country must be a 2-letter ISO country code (for example US, DE, GB).",
            "BillingCountry",
            "OR(ISBLANK(BillingCountry), LEN(BillingCountry) <> 2)",
            lambda record: not (isinstance(c := record.get("BillingCountry"), str) and len(c) == 2 and c.isalpha()),
            active=scenario.country_validation_rule,
        )
    ]
    org = OrgState(
        org_id=make_id("00D", 42, "5g00"),
        scenario=scenario,
        link_field=link_field,
        tables=tables,
        tooling_tables=_tooling_tables(rules),
        users={u.user_id: u for u in users},
        default_user_id=owner,
        validation_rules=rules,
        seed=seed,
        api_used=scenario.daily_api_used,
    )
    tables["Organization"].append(
        {
            "Id": org.org_id,
            "Name": "Crosslink Demo Org",
            "OrganizationType": scenario.edition,
            "IsSandbox": False,
            "InstanceName": "LOCAL1",
            "TrialExpirationDate": None,
            "NamespacePrefix": None,
            "DefaultLocaleSidKey": "en_US",
            "LanguageLocaleKey": "en_US",
            "TimeZoneSidKey": "America/Los_Angeles",
            "DefaultCurrencyIsoCode": "USD",
            "Country": "US",
        }
    )
    return org


def _accounts(obj: ObjectDef, frame: pd.DataFrame, scenario: Scenario, link_field: str, owner: str) -> Table:
    n = len(frame)
    created, modified = audit_dates(n, seed=1)
    links = _text(frame, "link_customer_id")
    if scenario.link_field_type == "double":
        links = [float(v) if v is not None and v.isdigit() else None for v in links]
    columns: dict[str, list[Any]] = {
        "Id": frame["account_id"].tolist(),
        "Name": _text(frame, "name"),
        "Website": _text(frame, "website"),
        "Phone": _text(frame, "phone"),
        "BillingStreet": _text(frame, "street"),
        "BillingCity": _text(frame, "city"),
        "BillingState": _text(frame, "state"),
        "BillingPostalCode": _text(frame, "postcode"),
        "BillingCountry": _text(frame, "country"),
        "OwnerId": [owner] * n,
        "IsDeleted": [False] * n,
        "CreatedDate": created,
        "CreatedById": [owner] * n,
        "LastModifiedDate": modified,
        "LastModifiedById": [owner] * n,
        "SystemModstamp": modified,
        "Type": ["Customer"] * n,
        link_field: links,
    }
    if scenario.multi_currency:
        known = {c.iso_code for c in scenario.currencies}
        corporate = next((c.iso_code for c in scenario.currencies if c.corporate), "USD")
        columns["CurrencyIsoCode"] = [v if v in known else corporate for v in _text(frame, "currency")]
    if scenario.state_country_picklists:
        _address_codes(columns, "Billing")
    if scenario.required_field:
        tiers = ("Gold", "Silver", "Bronze")
        columns[scenario.required_field] = [None if i % 7 == 3 else tiers[i % 3] for i in range(n)]
    if scenario.deleted_accounts:
        for row in range(max(0, n - scenario.deleted_accounts), n):
            columns["IsDeleted"][row] = True
    return Table(obj, columns)


def _contacts(obj: ObjectDef, frame: pd.DataFrame, owner: str, scenario: Scenario) -> Table:
    n = len(frame)
    created, modified = audit_dates(n, seed=2)
    names = _text(frame, "name")
    first = [v.split(" ", 1)[0] if v and " " in v else None for v in names]
    last = [v.split(" ", 1)[1] if v and " " in v else v or "Unknown" for v in names]
    columns: dict[str, list[Any]] = {
        "Id": frame["contact_id"].tolist(),
        "AccountId": _text(frame, "account_id"),
        "FirstName": first,
        "LastName": last,
        "Name": [v or "Unknown" for v in names],
        "Email": _text(frame, "email"),
        "MailingStreet": _text(frame, "street"),
        "MailingCity": _text(frame, "city"),
        "MailingState": _text(frame, "state"),
        "MailingPostalCode": _text(frame, "postcode"),
        "MailingCountry": _text(frame, "country"),
        "OwnerId": [owner] * n,
        "IsDeleted": [False] * n,
        "CreatedDate": created,
        "CreatedById": [owner] * n,
        "LastModifiedDate": modified,
        "LastModifiedById": [owner] * n,
        "SystemModstamp": modified,
    }
    if scenario.multi_currency:
        columns["CurrencyIsoCode"] = ["USD"] * n
    if scenario.state_country_picklists:
        _address_codes(columns, "Mailing")
    return Table(obj, columns)


def _address_codes(columns: dict[str, list[Any]], prefix: str) -> None:
    """Codes for the addresses the picklists' conversion could read; the rest keep text without a code
    (as in an org that turned the picklists on after its data was entered)."""
    codes = [country_code(v) for v in columns[f"{prefix}Country"]]
    names = dict(countries())
    columns[f"{prefix}CountryCode"] = codes
    texts = columns[f"{prefix}Country"]
    columns[f"{prefix}Country"] = [names[c] if c else v for c, v in zip(codes, texts, strict=True)]
    state_codes = [state_code(c, v) for c, v in zip(codes, columns[f"{prefix}State"], strict=True)]
    columns[f"{prefix}StateCode"] = state_codes
    columns[f"{prefix}State"] = [
        dict(states().get(c or "", ())).get(s, v) if s else v
        for c, s, v in zip(codes, state_codes, columns[f"{prefix}State"], strict=True)
    ]


def _setup_tables(
    defs: dict[str, ObjectDef],
    scenario: Scenario,
    users: list[DemoUser],
    ps_admin: str,
    ps_standard: str,
    link_field: str,
) -> dict[str, Table]:
    tables = {
        name: Table(obj) for name, obj in defs.items() if name not in ("UserPermissionAccess", "UserRecordAccess")
    }
    profile_ids = {
        "System Administrator": make_id("00e", 1),
        "Standard User": make_id("00e", 2),
        "Minimum Access - Salesforce": make_id("00e", 3),
    }
    for name, profile_id in profile_ids.items():
        tables["Profile"].append({"Id": profile_id, "Name": name, "UserType": "Standard"})
    admin_ps = {
        "Id": ps_admin,
        "Name": "X00ex00000018ozT_128_09_04_12_1",
        "Label": users[0].profile_name,
        "IsOwnedByProfile": True,
        "ProfileId": profile_ids[users[0].profile_name],
        "PermissionsApiEnabled": scenario.api_enabled,
        "PermissionsModifyAllData": scenario.modify_all_data,
        "PermissionsViewSetup": True,
    }
    standard_ps = {
        "Id": ps_standard,
        "Name": "X00ex00000018ozT_128_09_04_12_2",
        "Label": "Standard User",
        "IsOwnedByProfile": True,
        "ProfileId": profile_ids["Standard User"],
        "PermissionsApiEnabled": False,
        "PermissionsModifyAllData": False,
        "PermissionsViewSetup": False,
    }
    tables["PermissionSet"].extend([admin_ps, standard_ps])
    api_ps = make_id("0PS", 3)
    tables["PermissionSet"].append(
        {
            "Id": api_ps,
            "Name": "Crosslink_API_Access",
            "Label": "Crosslink API Access",
            "IsOwnedByProfile": False,
            "ProfileId": None,
            "PermissionsApiEnabled": True,
            "PermissionsModifyAllData": False,
            "PermissionsViewSetup": False,
        }
    )
    for number, user in enumerate(users, start=1):
        first, _, last = user.name.partition(" ")
        tables["User"].append(
            {
                "Id": user.user_id,
                "Username": user.username,
                "Name": user.name,
                "FirstName": first,
                "LastName": last,
                "Email": user.email,
                "IsActive": True,
                "UserType": "Standard",
                "ProfileId": profile_ids[user.profile_name],
                "LanguageLocaleKey": "en_US",
                "LocaleSidKey": "en_US",
                "TimeZoneSidKey": "America/Los_Angeles",
                "DefaultCurrencyIsoCode": "USD",
            }
        )
        tables["PermissionSetAssignment"].append(
            {
                "Id": make_id("0Pa", number),
                "AssigneeId": user.user_id,
                "PermissionSetId": user.permission_set_id,
            }
        )
        if user.username == "readonly@crosslink.demo":
            tables["PermissionSetAssignment"].append(
                {"Id": make_id("0Pa", 10 + number), "AssigneeId": user.user_id, "PermissionSetId": api_ps}
            )
    for number, (ps_id, editable) in enumerate(
        ((ps_admin, users[0].link_field_editable), (ps_standard, False), (api_ps, False)), start=1
    ):
        tables["FieldPermissions"].append(
            {
                "Id": make_id("01k", number),
                "ParentId": ps_id,
                "SobjectType": "Account",
                "Field": f"Account.{link_field}",
                "PermissionsRead": True,
                "PermissionsEdit": editable,
            }
        )
    for number, currency in enumerate(scenario.currencies if scenario.multi_currency else (), start=1):
        tables["CurrencyType"].append(
            {
                "Id": make_id("02c", number),
                "IsoCode": currency.iso_code,
                "ConversionRate": currency.conversion_rate,
                "DecimalPlaces": currency.decimal_places,
                "IsActive": currency.active,
                "IsCorporate": currency.corporate,
            }
        )
    if not scenario.multi_currency:
        del tables["CurrencyType"]
    return tables


def _tooling_tables(rules: list[ValidationRuleDef]) -> dict[str, Table]:
    defs = tooling_defs()
    tables = {name: Table(obj) for name, obj in defs.items()}
    for name, prefix in (("Account", "001"), ("Contact", "003")):
        tables["EntityDefinition"].append(
            {
                "Id": name,
                "DurableId": name,
                "QualifiedApiName": name,
                "DeveloperName": name,
                "Label": name,
                "KeyPrefix": prefix,
            }
        )
    for rule in rules:
        tables["ValidationRule"].append(
            {
                "Id": rule.rule_id,
                "ValidationName": rule.name,
                "Active": rule.active,
                "Description": rule.formula,
                "ErrorDisplayField": rule.display_field,
                "ErrorMessage": rule.message,
                "EntityDefinitionId": "Account",
                "NamespacePrefix": None,
            }
        )
    package, version = make_id("033", 1), make_id("04t", 1)
    tables["SubscriberPackage"].append(
        {
            "Id": package,
            "Name": "Salesforce Connected Apps",
            "NamespacePrefix": "sf_com_apps",
            "Description": None,
        }
    )
    tables["SubscriberPackageVersion"].append(
        {"Id": version, "Name": "Winter '16", "MajorVersion": 1, "MinorVersion": 7}
    )
    tables["InstalledSubscriberPackage"].append(
        {"Id": make_id("0A3", 1), "SubscriberPackageId": package, "SubscriberPackageVersionId": version}
    )
    return tables
