"""The objects of the sandbox org: Account and Contact (with the scenario's custom fields), the setup
objects org checks query (User, PermissionSet, FieldPermissions, CurrencyType, ...) and the Tooling
objects (ValidationRule, InstalledSubscriberPackage, ...)."""

from __future__ import annotations

from typing import Any

from desktop_app.sandbox.salesforce.address_picklists import code_fields
from desktop_app.sandbox.salesforce.schema import FieldDef, ObjectDef


def _f(name: str, type_: str = "string", length: int = 0, **flags: Any) -> FieldDef:
    if type_ in ("string", "textarea", "url", "phone", "email", "picklist") and not length:
        length = {"textarea": 32000, "phone": 40, "email": 80, "picklist": 255}.get(type_, 255)
    if type_ in ("id", "reference") and not length:
        length = 18
    return FieldDef(name=name, type=type_, length=length, label=flags.pop("label", _label(name)), **flags)


def _label(name: str) -> str:
    base = name.removesuffix("__c").removesuffix("Id") or name
    return base.replace("_", " ")


def _id() -> FieldDef:
    return _f("Id", "id", updateable=False, createable=False, nillable=False, defaulted_on_create=True)


def _audit() -> tuple[FieldDef, ...]:
    ro = {"updateable": False, "createable": False, "defaulted_on_create": True}
    return (
        _f("IsDeleted", "boolean", nillable=False, **ro),
        _f("CreatedDate", "datetime", nillable=False, **ro),
        _f("CreatedById", "reference", reference_to=("User",), relationship_name="CreatedBy", **ro),
        _f("LastModifiedDate", "datetime", nillable=False, **ro),
        _f("LastModifiedById", "reference", reference_to=("User",), relationship_name="LastModifiedBy", **ro),
        _f("SystemModstamp", "datetime", nillable=False, **ro),
    )


_ACCURACY = tuple((v, True) for v in ("Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip", "City"))


def _address(prefix: str) -> tuple[FieldDef, ...]:
    """The components of an address and, read-only, the compound ``<prefix>Address`` field itself."""
    part = f"{prefix}Address"
    return (
        _f(f"{prefix}Street", "textarea", 255, compound=part),
        _f(f"{prefix}City", "string", 40, compound=part),
        _f(f"{prefix}State", "string", 80, compound=part),
        _f(f"{prefix}PostalCode", "string", 20, compound=part),
        _f(f"{prefix}Country", "string", 80, compound=part),
        _f(f"{prefix}Latitude", "double", precision=18, scale=15, compound=part),
        _f(f"{prefix}Longitude", "double", precision=18, scale=15, compound=part),
        _f(f"{prefix}GeocodeAccuracy", "picklist", 40, picklist=_ACCURACY, compound=part),
        _f(f"{prefix}Address", "address", updateable=False, createable=False, label=f"{prefix} Address"),
    )


def account_def(
    custom_fields: tuple[FieldDef, ...], currencies: tuple[tuple[str, bool], ...], *, address_codes: bool = False
) -> ObjectDef:
    """Account with the standard fields the app touches, ``custom_fields``, when ``currencies`` is
    not empty (a multi-currency org) ``CurrencyIsoCode``, and with ``address_codes`` the State and
    Country/Territory picklists."""
    fields: list[FieldDef] = [
        _id(),
        _f("Name", "string", 255, nillable=False, name_field=True, label="Account Name"),
        _f("Type", "picklist", picklist=(("Customer", True), ("Prospect", True), ("Partner", True))),
        _f("ParentId", "reference", reference_to=("Account",), relationship_name="Parent"),
        *_address("Billing"),
        *_address("Shipping"),
        _f("Phone", "phone"),
        _f("Fax", "phone", label="Account Fax"),
        _f("Website", "url"),
        _f("AccountNumber", "string", 40),
        _f("Site", "string", 80, label="Account Site"),
        _f("AccountSource", "picklist", picklist=(("Web", True), ("Phone Inquiry", True), ("Partner Referral", True))),
        _f("AnnualRevenue", "currency", precision=18),
        _f("NumberOfEmployees", "int", label="Employees"),
        _f("Ownership", "picklist", picklist=(("Public", True), ("Private", True), ("Subsidiary", True))),
        _f("Rating", "picklist", label="Account Rating", picklist=(("Hot", True), ("Warm", True), ("Cold", True))),
        _f("TickerSymbol", "string", 20),
        _f("Sic", "string", 20, label="SIC Code"),
        _f("LastActivityDate", "date", updateable=False, createable=False),
        _f("MasterRecordId", "reference", reference_to=("Account",), relationship_name="MasterRecord",
           updateable=False, createable=False),
        _f("Industry", "picklist", picklist=(("Technology", True), ("Retail", True), ("Finance", True))),
        _f("Description", "textarea"),
        _f(
            "OwnerId",
            "reference",
            reference_to=("User",),
            relationship_name="Owner",
            nillable=False,
            defaulted_on_create=True,
        ),
    ]
    if address_codes:
        fields.extend((*code_fields("Billing"), *code_fields("Shipping")))
    if currencies:
        fields.append(
            _f(
                "CurrencyIsoCode",
                "picklist",
                3,
                picklist=currencies,
                label="Account Currency",
                defaulted_on_create=True,
            )
        )
    fields.extend(_audit())
    fields.extend(custom_fields)
    return ObjectDef("Account", "001", tuple(fields), label="Account", updateable=True)


def contact_def(currencies: tuple[tuple[str, bool], ...], *, address_codes: bool = False) -> ObjectDef:
    """Contact with the fields billing contacts use (and the address picklists with ``address_codes``)."""
    fields: list[FieldDef] = [
        _id(),
        _f("AccountId", "reference", reference_to=("Account",), relationship_name="Account"),
        _f("FirstName", "string", 40),
        _f("LastName", "string", 80, nillable=False),
        _f("Name", "string", 121, updateable=False, createable=False, name_field=True, label="Full Name"),
        _f("Email", "email"),
        _f("Phone", "phone"),
        *_address("Mailing"),
        _f(
            "OwnerId",
            "reference",
            reference_to=("User",),
            relationship_name="Owner",
            nillable=False,
            defaulted_on_create=True,
        ),
    ]
    if address_codes:
        fields.extend(code_fields("Mailing"))
    if currencies:
        fields.append(_f("CurrencyIsoCode", "picklist", 3, picklist=currencies, defaulted_on_create=True))
    fields.extend(_audit())
    return ObjectDef("Contact", "003", tuple(fields), label="Contact", updateable=True)


def _readonly(name: str, type_: str = "string", **flags: Any) -> FieldDef:
    return _f(name, type_, updateable=False, createable=False, **flags)


def setup_defs() -> dict[str, ObjectDef]:
    """Setup and metadata objects queried by org checks (read-only here)."""
    ro = _readonly
    ref = "reference"
    objects = [
        ObjectDef(
            "User",
            "005",
            (
                _id(),
                ro("Username"),
                ro("Name", name_field=True),
                ro("FirstName"),
                ro("LastName"),
                ro("Email", "email"),
                ro("IsActive", "boolean"),
                ro("UserType", "picklist"),
                ro("ProfileId", ref, reference_to=("Profile",), relationship_name="Profile"),
                ro("LanguageLocaleKey"),
                ro("LocaleSidKey"),
                ro("TimeZoneSidKey"),
                ro("DefaultCurrencyIsoCode"),
            ),
            label="User",
        ),
        ObjectDef("Profile", "00e", (_id(), ro("Name", name_field=True), ro("UserType")), label="Profile"),
        ObjectDef(
            "Organization",
            "00D",
            (
                _id(),
                ro("Name", name_field=True),
                ro("OrganizationType", "picklist"),
                ro("IsSandbox", "boolean"),
                ro("InstanceName"),
                ro("TrialExpirationDate", "datetime"),
                ro("NamespacePrefix"),
                ro("DefaultLocaleSidKey"),
                ro("LanguageLocaleKey"),
                ro("TimeZoneSidKey"),
                ro("DefaultCurrencyIsoCode"),
                ro("Country"),
            ),
            label="Organization",
        ),
        ObjectDef(
            "CurrencyType",
            "02c",
            (
                _id(),
                ro("IsoCode", "picklist"),
                ro("ConversionRate", "double", precision=18, scale=6),
                ro("DecimalPlaces", "int"),
                ro("IsActive", "boolean"),
                ro("IsCorporate", "boolean"),
            ),
            label="Currency",
        ),
        ObjectDef(
            "UserPermissionAccess",
            None,
            (
                ro("Id", "id"),
                ro("PermissionsApiEnabled", "boolean"),
                ro("PermissionsModifyAllData", "boolean"),
                ro("PermissionsViewSetup", "boolean"),
                ro("PermissionsViewAllData", "boolean"),
            ),
            label="User Permission Access",
        ),
        ObjectDef(
            "UserRecordAccess",
            None,
            (
                ro("Id", "id"),
                ro("UserId", "reference", reference_to=("User",)),
                ro("RecordId", "reference", reference_to=("Account",)),
                ro("HasReadAccess", "boolean"),
                ro("HasEditAccess", "boolean"),
                ro("HasDeleteAccess", "boolean"),
                ro("MaxAccessLevel", "picklist"),
            ),
            label="User Record Access",
        ),
        ObjectDef(
            "PermissionSet",
            "0PS",
            (
                _id(),
                ro("Name"),
                ro("Label"),
                ro("IsOwnedByProfile", "boolean"),
                ro("ProfileId", ref, reference_to=("Profile",), relationship_name="Profile"),
                ro("PermissionsApiEnabled", "boolean"),
                ro("PermissionsModifyAllData", "boolean"),
                ro("PermissionsViewSetup", "boolean"),
            ),
            label="Permission Set",
        ),
        ObjectDef(
            "PermissionSetAssignment",
            "0Pa",
            (
                _id(),
                ro("AssigneeId", ref, reference_to=("User",), relationship_name="Assignee"),
                ro("PermissionSetId", ref, reference_to=("PermissionSet",), relationship_name="PermissionSet"),
            ),
            label="Permission Set Assignment",
        ),
        ObjectDef(
            "FieldPermissions",
            "01k",
            (
                _id(),
                ro("ParentId", ref, reference_to=("PermissionSet",), relationship_name="Parent"),
                ro("SobjectType"),
                ro("Field"),
                ro("PermissionsRead", "boolean"),
                ro("PermissionsEdit", "boolean"),
            ),
            label="Field Permissions",
        ),
    ]
    return {o.name: o for o in objects}


def tooling_defs() -> dict[str, ObjectDef]:
    """Tooling API objects (``/tooling/query``)."""
    ro = _readonly
    ref = "reference"
    objects = [
        ObjectDef(
            "EntityDefinition",
            None,
            (
                ro("Id", "id"),
                ro("DurableId"),
                ro("QualifiedApiName"),
                ro("DeveloperName"),
                ro("Label"),
                ro("KeyPrefix"),
            ),
            tooling=True,
        ),
        ObjectDef(
            "ValidationRule",
            "03d",
            (
                _id(),
                ro("ValidationName"),
                ro("Active", "boolean"),
                ro("Description"),
                ro("ErrorDisplayField"),
                ro("ErrorMessage"),
                ro(
                    "EntityDefinitionId",
                    ref,
                    reference_to=("EntityDefinition",),
                    relationship_name="EntityDefinition",
                ),
                ro("NamespacePrefix"),
            ),
            tooling=True,
        ),
        ObjectDef(
            "SubscriberPackage",
            "033",
            (_id(), ro("Name"), ro("NamespacePrefix"), ro("Description")),
            tooling=True,
        ),
        ObjectDef(
            "SubscriberPackageVersion",
            "04t",
            (
                _id(),
                ro("Name"),
                ro("MajorVersion", "int"),
                ro("MinorVersion", "int"),
            ),
            tooling=True,
        ),
        ObjectDef(
            "InstalledSubscriberPackage",
            "0A3",
            (
                _id(),
                ro(
                    "SubscriberPackageId",
                    ref,
                    reference_to=("SubscriberPackage",),
                    relationship_name="SubscriberPackage",
                ),
                ro(
                    "SubscriberPackageVersionId",
                    ref,
                    reference_to=("SubscriberPackageVersion",),
                    relationship_name="SubscriberPackageVersion",
                ),
            ),
            tooling=True,
        ),
    ]
    return {o.name: o for o in objects}


def link_field_def(name: str, *, number: bool, external_id: bool, unique: bool) -> FieldDef:
    """The custom field where an Account stores its billing customer's id."""
    if number:
        return _f(name, "double", 0, custom=True, external_id=external_id, unique=unique, precision=18, scale=0)
    return _f(name, "string", 255, custom=True, external_id=external_id, unique=unique)
