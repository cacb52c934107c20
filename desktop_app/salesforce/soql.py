"""Putting values into SOQL safely: quoted literals, checked ids and checked field names.

A value from a user's file must never change the shape of a query, so every literal goes through
``soql_quote`` and every id through ``soql_id`` (which only lets a real Salesforce id through).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from simple_salesforce.format import quote_soql_value

from desktop_app.core.ids import normalize_id, object_for_id
from desktop_app.salesforce.errors import UnsafeSoqlValue

_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")


def soql_quote(value: str) -> str:
    """``value`` as a single-quoted SOQL string literal with every special character escaped
    (simple-salesforce's quoting of Salesforce's "Quoted String Escape Sequences")."""
    return quote_soql_value(str(value))


def soql_id(value: str, *, sobject: str | None = None) -> str:
    """A quoted 18-character id literal; ``UnsafeSoqlValue`` unless ``value`` is an id (of ``sobject``)."""
    canonical = normalize_id(value)
    if canonical is None:
        raise UnsafeSoqlValue(f"'{value[:40]}' is not a Salesforce record id.")
    if sobject is not None and object_for_id(canonical) not in (sobject, None):
        raise UnsafeSoqlValue(f"'{canonical}' is not the id of a {sobject} record.")
    return f"'{canonical}'"


def soql_id_list(values: Iterable[str], *, sobject: str | None = None) -> str:
    """``('id1','id2',...)`` for an IN clause, each id checked by ``soql_id``."""
    return "(" + ",".join(soql_id(v, sobject=sobject) for v in values) + ")"


def soql_field(name: str) -> str:
    """``name`` unchanged if it is a plain (optionally dotted) API name, else ``UnsafeSoqlValue``."""
    if not _FIELD.fullmatch(name):
        raise UnsafeSoqlValue(f"'{name[:60]}' is not a Salesforce field name (letters, digits and _ only).")
    return name
