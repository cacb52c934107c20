"""Resolving SOQL field paths (``Name``, ``Account.Owner.Name``) against the org's tables.

A ``BoundPath`` knows the relationship hops and the final field, and reads a row's value through them.
Unknown objects, fields and relationships raise ``SoqlError`` with Salesforce's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop_app.sandbox.salesforce.schema import ADDRESS_COMPONENTS, FieldDef
from desktop_app.sandbox.salesforce.soql import FieldPath, SoqlError
from desktop_app.sandbox.salesforce.table import Table

TableLookup = Callable[[str], Table | None]
Getter = Callable[[int], Any]
Predicate = Callable[[int], bool]

_NO_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, be sure "
    "to append the '__c' after the custom field name. Please reference your WSDL or the describe call "
    "for the appropriate names."
)
_NO_RELATION = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
    "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
    "your WSDL or the describe call for the appropriate names."
)
_NO_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to "
    "append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)


@dataclass(frozen=True)
class BoundPath:
    """A select/filter path resolved to its hops (relationship fields and tables) and final field."""

    hops: tuple[tuple[FieldDef, Table], ...]  # (lookup field on the previous table, the table it points to)
    field: FieldDef
    names: tuple[str, ...]  # canonical names: relationship names then the field name
    getter: Getter


def bind_table(name: str, lookup: TableLookup, text: str, offset: int) -> Table:
    """The table for sObject ``name`` or ``INVALID_TYPE``."""
    table = lookup(name)
    if table is None:
        raise SoqlError("INVALID_TYPE", _NO_TYPE.format(name=name), text, offset)
    return table


def bind_path(table: Table, path: FieldPath, lookup: TableLookup, text: str) -> BoundPath:
    """Resolve ``path`` on ``table`` (``Account.Name`` from Contact, ``Owner.Name``)."""
    parts = list(path.parts)
    if (
        len(parts) > 1
        and parts[0].lower() == table.obj.name.lower()
        and table.obj.field(parts[0]) is None
        and table.obj.relationship(parts[0]) is None
    ):
        parts = parts[1:]  # "Account.Name" on Account: the object name used as an alias
    current = table
    hops: list[tuple[FieldDef, Table]] = []
    names: list[str] = []
    for part in parts[:-1]:
        reference = current.obj.relationship(part)
        target = lookup(reference.reference_to[0]) if reference is not None and reference.reference_to else None
        if reference is None or target is None or reference.relationship_name is None:
            raise SoqlError("INVALID_FIELD", _NO_RELATION.format(name=part), text, path.offset)
        hops.append((reference, target))
        names.append(reference.relationship_name)
        current = target
    definition = current.obj.field(parts[-1])
    if definition is None:
        raise SoqlError("INVALID_FIELD", _NO_COLUMN.format(name=path.dotted, entity=table.obj.name), text, path.offset)
    names.append(definition.name)
    if definition.type == "address":  # a compound address reads as one structure of its components
        getter = _address_getter(table, current, tuple(hops), definition.name)
        return BoundPath(tuple(hops), definition, tuple(names), getter)
    return BoundPath(tuple(hops), definition, tuple(names), _make_getter(table, tuple(hops), definition.name))


def _address_getter(start: Table, final: Table, hops: tuple[tuple[FieldDef, Table], ...], name: str) -> Getter:
    prefix = name.removesuffix("Address")
    getters = {
        key: _make_getter(start, hops, prefix + suffix)
        for key, suffix in ADDRESS_COMPONENTS.items()
        if final.obj.field(prefix + suffix) is not None
    }

    def value(row: int) -> dict[str, Any] | None:
        parts = {key: get(row) for key, get in getters.items()}
        return parts if any(v is not None for v in parts.values()) else None

    return value


def _make_getter(table: Table, hops: tuple[tuple[FieldDef, Table], ...], name: str) -> Getter:
    if not hops:
        column = table.columns[name]
        return column.__getitem__

    def follow(row: int) -> Any:
        source: Table = table
        current: int | None = row
        for reference, target in hops:
            assert current is not None
            current = target.row_for(source.columns[reference.name][current])
            if current is None:
                return None
            source = target
        assert current is not None
        return source.columns[name][current]

    return follow
