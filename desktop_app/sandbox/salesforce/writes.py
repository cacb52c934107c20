"""Record writes with the org's rules, shared by sObject Collections, single-record PATCH and Bulk.

Every update passes the same checks Salesforce applies — id shape, existence, field-level security,
value types and lengths, record locks (at the scenario's rate, deterministic per seed), required
fields, active validation rules, unique values — and fails per record with Salesforce's
``statusCode``/message/fields. Values arrive from JSON (typed) or CSV (text) and are converted here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from desktop_app.core.ids import normalize_id
from desktop_app.sandbox.salesforce.address_picklists import settle as settle_addresses
from desktop_app.sandbox.salesforce.org import DemoUser, OrgState, now_text
from desktop_app.sandbox.salesforce.schema import FieldDef
from desktop_app.sandbox.salesforce.table import Table

_FLS = (
    "Unable to create/update fields: {fields}. Please check the security settings of this field and verify "
    "that it is read/write for your profile or permission set."
)


@dataclass(frozen=True)
class RecordError:
    """One per-record failure as Salesforce reports it."""

    status_code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The ``errors[]`` entry of a Collections result."""
        return {"statusCode": self.status_code, "message": self.message, "fields": list(self.fields)}

    def as_rest_error(self) -> dict[str, Any]:
        """The entry of a REST error array (single-record calls use ``errorCode``)."""
        return {"errorCode": self.status_code, "message": self.message, "fields": list(self.fields)}

    def as_bulk_text(self) -> str:
        """The ``sf__Error`` cell of a Bulk failed-results row."""
        return f"{self.status_code}:{self.message}:{','.join(self.fields)} --"


class RequestError(Exception):
    """A whole request rejected (HTTP 400), e.g. an unknown field or an unreadable value in JSON."""

    def __init__(self, error_code: str, message: str):
        super().__init__(message)
        self.error_code = error_code
        self.message = message


@dataclass
class PreparedWrite:
    """A write that passed every check: apply it with ``apply``."""

    table: Table
    row: int | None  # None: a new record
    changes: dict[str, Any]
    record_id: str
    derived: frozenset[str] = frozenset()  # fields Salesforce set itself (a picklist's text), not counted


def _label(definition: FieldDef) -> str:
    return definition.label or definition.name


def convert_value(definition: FieldDef, raw: Any, *, from_csv: bool) -> Any | RecordError:
    """``raw`` as the field's stored type, or the per-record error; raises ``RequestError`` for JSON values
    Salesforce cannot deserialize (a word sent for a Number field)."""
    if raw is None or raw == "":
        return None
    if definition.is_number:
        if isinstance(raw, bool):
            raw = str(raw)
        try:
            return float(raw)
        except (TypeError, ValueError):
            if from_csv:
                return RecordError(
                    "INVALID_TYPE_ON_FIELD_IN_RECORD",
                    f"{_label(definition)}: value not of required type: {raw}",
                    (definition.name,),
                )
            raise RequestError(
                "JSON_PARSER_ERROR",
                f"Cannot deserialize instance of double from VALUE_STRING "
                f"value {raw} or request may be missing a required field",
            ) from None
    if definition.type == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        return RecordError(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            f"{_label(definition)}: value not of required type: {raw}",
            (definition.name,),
        )
    text = raw if isinstance(raw, str) else str(raw)
    if definition.is_id:
        canonical = normalize_id(text)
        if canonical is None:
            return RecordError(
                "MALFORMED_ID",
                f"{_label(definition)}: id value of incorrect type: {text}",
                (definition.name,),
            )
        return canonical
    if definition.type == "picklist" and definition.picklist and definition.controller is None \
            and not definition.name.endswith("CountryCode"):  # address picklists: see settle_addresses
        active = {value for value, is_active in definition.picklist if is_active}
        if text not in active:
            return RecordError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{_label(definition)}: bad value for restricted picklist field: {text}",
                (definition.name,),
            )
    if definition.length and len(text) > definition.length:
        return RecordError(
            "STRING_TOO_LONG",
            f"{_label(definition)}: data value too large: {text} (max length={definition.length})",
            (definition.name,),
        )
    return text


def _locked(org: OrgState, record_id: str) -> bool:
    rate = org.scenario.lock_rate
    if rate <= 0:
        return False
    attempt = org.lock_attempts[record_id]
    org.lock_attempts[record_id] += 1
    digest = hashlib.sha256(f"{org.seed}:{record_id}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def prepare_update(
    org: OrgState,
    user: DemoUser,
    object_name: str,
    record_id: Any,
    values: dict[str, Any],
    *,
    from_csv: bool = False,
) -> PreparedWrite | RecordError:
    """Check an update of ``record_id`` with ``values`` (field name → raw value); caller holds ``org.lock``.
    Raises ``RequestError`` for unknown fields or undeserializable JSON."""
    table = org.tables[object_name]
    prefix = table.obj.key_prefix or ""
    text_id = record_id if isinstance(record_id, str) else str(record_id)
    canonical = normalize_id(text_id.strip()) if text_id else None
    if canonical is None or not canonical.startswith(prefix):
        return RecordError("MALFORMED_ID", f"{object_name} ID: id value of incorrect type: {text_id}", ("Id",))
    row = table.row_for(canonical)
    if row is None:
        return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if table.columns["IsDeleted"][row]:
        return RecordError("ENTITY_IS_DELETED", "entity is deleted")
    return _check(org, user, table, row, canonical, values, from_csv)


def prepare_insert(
    org: OrgState, user: DemoUser, object_name: str, values: dict[str, Any], *, from_csv: bool = False
) -> PreparedWrite | RecordError:
    """Check the creation of a record with ``values``; caller holds ``org.lock``."""
    table = org.tables[object_name]
    new_id = org.new_id(table.obj.key_prefix or "000")
    return _check(org, user, table, None, new_id, values, from_csv)


def _check(
    org: OrgState,
    user: DemoUser,
    table: Table,
    row: int | None,
    record_id: str,
    values: dict[str, Any],
    from_csv: bool,
) -> PreparedWrite | RecordError:
    changes: dict[str, Any] = {}
    forbidden: list[str] = []
    for name, raw in values.items():
        if name.lower() in ("id", "attributes"):
            continue
        definition = table.obj.field(name)
        if definition is None:
            raise RequestError("INVALID_FIELD", f"No such column '{name}' on sobject of type {table.obj.name}")
        if not org.field_updateable(user, table.obj.name, definition.name):
            forbidden.append(definition.name)
            continue
        converted = convert_value(definition, raw, from_csv=from_csv)
        if isinstance(converted, RecordError):
            return converted
        changes[definition.name] = converted
    if forbidden:
        return RecordError(
            "INVALID_FIELD_FOR_INSERT_UPDATE", _FLS.format(fields=", ".join(forbidden)), tuple(forbidden)
        )
    if row is not None and _locked(org, record_id):
        return RecordError(
            "UNABLE_TO_LOCK_ROW",
            f"unable to obtain exclusive access to this record or 1 records: {record_id}",
        )
    merged = table.record(row) if row is not None else {}
    sent = frozenset(changes)
    if org.scenario.state_country_picklists:
        problem = settle_addresses(table.obj.name, merged, changes)
        if problem is not None:
            return RecordError("FIELD_INTEGRITY_EXCEPTION", problem[0], (problem[1],))
    merged.update(changes)
    missing = [
        d.name
        for d in table.obj.fields
        if not d.nillable and d.updateable and not d.defaulted_on_create and merged.get(d.name) in (None, "")
    ]
    if missing:
        return RecordError(
            "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", tuple(missing)
        )
    if table.obj.name == "Account":
        for rule in org.validation_rules:
            if rule.active and rule.rejects(merged):
                fields = (rule.display_field,) if rule.display_field else ()
                return RecordError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.message, fields)
        duplicate = _unique_violation(org, table, record_id, changes)
        if duplicate is not None:
            return duplicate
    return PreparedWrite(table, row, changes, record_id, frozenset(changes) - sent)


def _unique_violation(org: OrgState, table: Table, record_id: str, changes: dict[str, Any]) -> RecordError | None:
    definition = table.obj.field(org.link_field)
    if definition is None or not definition.unique or changes.get(definition.name) is None:
        return None
    others = [
        table.columns["Id"][r] for r in org.link_rows(changes[definition.name]) if table.columns["Id"][r] != record_id
    ]
    if not others:
        return None
    return RecordError(
        "DUPLICATE_VALUE",
        f"duplicate value found: {definition.name} duplicates value on record with id: {others[0]}",
        (definition.name,),
    )


def apply(org: OrgState, user: DemoUser, prepared: PreparedWrite) -> None:
    """Store a checked write and count it; caller holds ``org.lock``."""
    table = prepared.table
    stamp = now_text()
    if prepared.row is None:
        record: dict[str, Any] = {
            "Id": prepared.record_id,
            "IsDeleted": False,
            "OwnerId": user.user_id,
            "CreatedDate": stamp,
            "CreatedById": user.user_id,
            "LastModifiedDate": stamp,
            "LastModifiedById": user.user_id,
            "SystemModstamp": stamp,
        }
        if "CurrencyIsoCode" in table.columns:
            record["CurrencyIsoCode"] = "USD"
        record.update(prepared.changes)
        table.append(record)
    else:
        for name, value in prepared.changes.items():
            table.set(prepared.row, name, value)
        for name, value in (
            ("LastModifiedDate", stamp),
            ("SystemModstamp", stamp),
            ("LastModifiedById", user.user_id),
        ):
            if name in table.columns:
                table.set(prepared.row, name, value)
    org.counters.count_write(prepared.record_id, [f for f in prepared.changes if f not in prepared.derived])


ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)
