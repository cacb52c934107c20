"""Object and field definitions of the sandbox org, and their describe documents.

Each ``ObjectDef`` lists its fields (``FieldDef``) and parent relationships; SOQL binding, writes and
``/sobjects/<name>/describe`` all read the same definitions, so they cannot disagree. Field lookups
are case-insensitive as in Salesforce; responses use the canonical API names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ADDRESS_COMPONENTS = {  # the keys of a compound address value → the component field's suffix
    "street": "Street", "city": "City", "state": "State", "postalCode": "PostalCode", "country": "Country",
    "stateCode": "StateCode", "countryCode": "CountryCode", "latitude": "Latitude", "longitude": "Longitude",
    "geocodeAccuracy": "GeocodeAccuracy",
}  # fmt: skip
NUMBER_TYPES = frozenset({"double", "int", "currency", "percent"})
ID_TYPES = frozenset({"id", "reference"})

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "address": "urn:address",
}
_APEX_TYPES = {
    "id": "Id",
    "reference": "Id",
    "boolean": "Boolean",
    "double": "Double",
    "currency": "Decimal",
    "percent": "Double",
    "int": "Integer",
    "date": "Date",
    "datetime": "Datetime",
    "address": "Address",
}


@dataclass(frozen=True)
class FieldDef:
    """One field: its API name, type and the flags describe reports (before field-level security)."""

    name: str
    type: str = "string"
    label: str = ""
    length: int = 0
    updateable: bool = True
    createable: bool = True
    nillable: bool = True
    custom: bool = False
    external_id: bool = False
    unique: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[tuple[str, bool], ...] = ()  # (value, active)
    precision: int = 0
    scale: int = 0
    defaulted_on_create: bool = False
    name_field: bool = False
    calculated: bool = False
    controller: str | None = None  # the controlling field of a dependent picklist
    compound: str | None = None  # the compound field this one is a component of (BillingAddress)
    picklist_labels: tuple[str, ...] = ()  # labels of ``picklist`` values when they differ from the values
    picklist_valid_for: tuple[str, ...] = ()  # describe ``validFor`` of each value of a dependent picklist

    @property
    def is_number(self) -> bool:
        """True for numeric field types (compared and written as numbers)."""
        return self.type in NUMBER_TYPES

    @property
    def is_id(self) -> bool:
        """True for id and lookup fields (values are record ids, 15 or 18 characters accepted)."""
        return self.type in ID_TYPES

    def describe(self, *, updateable: bool | None = None) -> dict[str, Any]:
        """The field's entry in a describe document; ``updateable`` overrides for field-level security."""
        can_update = self.updateable if updateable is None else updateable
        return {
            "aggregatable": self.type not in ("textarea", "address"),
            "autoNumber": False,
            "byteLength": self.length * 3 if self.type not in NUMBER_TYPES else 0,
            "calculated": self.calculated,
            "calculatedFormula": None,
            "cascadeDelete": False,
            "caseSensitive": False,
            "compoundFieldName": self.compound,
            "controllerName": self.controller,
            "createable": self.createable and can_update,
            "custom": self.custom,
            "defaultValue": None,
            "defaultValueFormula": None,
            "defaultedOnCreate": self.defaulted_on_create,
            "dependentPicklist": self.controller is not None,
            "deprecatedAndHidden": False,
            "digits": 0,
            "displayLocationInDecimal": False,
            "encrypted": False,
            "externalId": self.external_id,
            "extraTypeInfo": None,
            "filterable": self.type != "textarea",
            "filteredLookupInfo": None,
            "groupable": self.type not in ("textarea", "double", "address"),
            "highScaleNumber": False,
            "htmlFormatted": False,
            "idLookup": self.type == "id" or self.external_id,
            "inlineHelpText": None,
            "label": self.label or self.name,
            "length": self.length,
            "mask": None,
            "maskType": None,
            "name": self.name,
            "nameField": self.name_field,
            "namePointing": False,
            "nillable": self.nillable,
            "permissionable": self.custom and self.nillable,
            "picklistValues": [
                {
                    "active": active,
                    "defaultValue": False,
                    "label": self.picklist_labels[i] if self.picklist_labels else value,
                    "validFor": self.picklist_valid_for[i] if self.picklist_valid_for else None,
                    "value": value,
                }
                for i, (value, active) in enumerate(self.picklist)
            ],
            "polymorphicForeignKey": False,
            "precision": self.precision,
            "queryByDistance": False,
            "referenceTargetField": None,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "relationshipOrder": None,
            "restrictedDelete": False,
            "restrictedPicklist": self.type == "picklist",
            "scale": self.scale,
            "searchPrefilterable": False,
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
            "sortable": self.type != "textarea",
            "type": self.type,
            "unique": self.unique,
            "updateable": can_update,
            "writeRequiresMasterRead": False,
        }

    @property
    def apex_type(self) -> str:
        """The Apex type name (used in query column metadata)."""
        return _APEX_TYPES.get(self.type, "String")


@dataclass(frozen=True)
class ObjectDef:
    """An sObject type: name, key prefix and fields (in describe order)."""

    name: str
    key_prefix: str | None
    fields: tuple[FieldDef, ...]
    label: str = ""
    tooling: bool = False
    updateable: bool = False
    _by_lower: dict[str, FieldDef] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_lower.update({f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> FieldDef | None:
        """The field named ``name`` (case-insensitive), or None."""
        return self._by_lower.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        """The lookup field whose relationship name is ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        for candidate in self.fields:
            if candidate.relationship_name and candidate.relationship_name.lower() == lowered:
                return candidate
        return None

    def describe(self, base: str, field_updateable: dict[str, bool]) -> dict[str, Any]:
        """The ``/sobjects/<name>/describe`` document; ``field_updateable`` applies field-level security."""
        url = f"{base}/sobjects/{self.name}"
        return {
            "actionOverrides": [],
            "activateable": False,
            "childRelationships": [],
            "compactLayoutable": True,
            "createable": self.updateable,
            "custom": False,
            "customSetting": False,
            "deepCloneable": False,
            "defaultImplementation": None,
            "deletable": self.updateable,
            "deprecatedAndHidden": False,
            "extendedBy": None,
            "extendsInterfaces": None,
            "feedEnabled": False,
            "fields": [f.describe(updateable=field_updateable.get(f.name)) for f in self.fields],
            "hasSubtypes": False,
            "implementedBy": None,
            "implementsInterfaces": None,
            "isInterface": False,
            "isSubtype": False,
            "keyPrefix": self.key_prefix,
            "label": self.label or self.name,
            "labelPlural": (self.label or self.name) + "s",
            "layoutable": True,
            "listviewable": None,
            "lookupLayoutable": None,
            "mergeable": self.updateable,
            "mruEnabled": True,
            "name": self.name,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "queryable": True,
            "recordTypeInfos": [],
            "replicateable": True,
            "retrieveable": True,
            "searchLayoutable": True,
            "searchable": True,
            "sobjectDescribeOption": "FULL",
            "supportedScopes": [{"label": "All accounts", "name": "everything"}],
            "triggerable": True,
            "undeletable": self.updateable,
            "updateable": self.updateable,
            "urls": {
                "compactLayouts": f"{url}/describe/compactLayouts",
                "rowTemplate": f"{url}/{{ID}}",
                "describe": f"{url}/describe",
                "layouts": f"{url}/describe/layouts",
                "sobject": url,
            },
        }

    def summary(self, base: str) -> dict[str, Any]:
        """This object's entry in the global describe (``/sobjects``)."""
        url = f"{base}/sobjects/{self.name}"
        return {
            "activateable": False,
            "createable": self.updateable,
            "custom": False,
            "customSetting": False,
            "deletable": self.updateable,
            "deprecatedAndHidden": False,
            "feedEnabled": False,
            "keyPrefix": self.key_prefix,
            "label": self.label or self.name,
            "labelPlural": (self.label or self.name) + "s",
            "layoutable": True,
            "mergeable": False,
            "mruEnabled": True,
            "name": self.name,
            "queryable": True,
            "replicateable": True,
            "retrieveable": True,
            "searchable": True,
            "triggerable": True,
            "undeletable": False,
            "updateable": self.updateable,
            "urls": {"sobject": url, "describe": f"{url}/describe", "rowTemplate": f"{url}/{{ID}}"},
        }
