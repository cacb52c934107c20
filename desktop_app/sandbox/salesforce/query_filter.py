"""Compiles a SOQL WHERE expression into a predicate over row numbers, with SOQL's semantics:
case-insensitive text comparison, ``!=`` and ``NOT IN`` keeping nulls, ``LIKE`` wildcards and escapes,
ids accepted in 15 or 18 characters, typed literals checked against the field's type."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from desktop_app.core.ids import normalize_id
from desktop_app.sandbox.salesforce.query_paths import Predicate, TableLookup, bind_path
from desktop_app.sandbox.salesforce.schema import FieldDef
from desktop_app.sandbox.salesforce.soql import BoolOp, Condition, CountCall, Expr, Literal, Not, Query, SoqlError
from desktop_app.sandbox.salesforce.soql_dates import day_range
from desktop_app.sandbox.salesforce.table import Table


def text_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _identity(value: Any) -> Any:
    return value


def _datetime_key(value: Any) -> Any:
    return None if value is None else str(value)[:19]


class WhereCompiler:
    """Turns WHERE expressions into predicates; ``run_subquery`` answers semi-join sub-selects."""

    def __init__(self, table: Table, lookup: TableLookup, text: str, run_subquery: Callable[[Query], set[Any]]):
        self.table = table
        self.lookup = lookup
        self.text = text
        self.run_subquery = run_subquery

    def compile(self, expr: Expr) -> Predicate:
        if isinstance(expr, BoolOp):
            parts = [self.compile(item) for item in expr.items]
            if expr.op == "AND":
                return lambda row: all(p(row) for p in parts)
            return lambda row: any(p(row) for p in parts)
        if isinstance(expr, Not):
            inner = self.compile(expr.expr)
            return lambda row: not inner(row)
        return self.condition(expr)

    def literal(self, definition: FieldDef, literal: Literal) -> Any:
        if literal.kind == "null":
            return None
        kind = definition.type
        wrong = (
            f"value of filter criterion for field '{definition.name}' must be of type {kind} "
            "and should not be enclosed in quotes"
        )
        if definition.is_number:
            if literal.kind != "number":
                raise SoqlError("INVALID_FIELD", wrong, self.text, literal.offset)
            return float(literal.value)  # type: ignore[arg-type]
        if kind == "boolean":
            if literal.kind != "boolean":
                raise SoqlError("INVALID_FIELD", wrong, self.text, literal.offset)
            return literal.value
        if kind in ("date", "datetime") and literal.kind == "daterange":
            assert isinstance(literal.value, tuple)
            days = day_range(*literal.value)
            time = "T00:00:00" if kind == "datetime" else ""
            return (days.start.isoformat() + time, days.end.isoformat() + time)
        if kind in ("date", "datetime"):
            if literal.kind not in ("date", "datetime"):
                raise SoqlError(
                    "INVALID_FIELD",
                    f"value of filter criterion for field '{definition.name}' must "
                    f"be of type {kind} and should not be enclosed in quotes",
                    self.text,
                    literal.offset,
                )
            return _datetime_key(literal.value)
        if literal.kind != "string":
            raise SoqlError(
                "INVALID_FIELD",
                f"value of filter criterion for field '{definition.name}' must be "
                f"of type {kind} and should be enclosed in quotes",
                self.text,
                literal.offset,
            )
        value = str(literal.value)
        if definition.is_id and self._validates_ids(definition):
            canonical = normalize_id(value) if len(value) in (15, 18) else None
            if canonical is None:
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {value}", self.text, literal.offset
                )
            return canonical
        return value.replace("\x00", "").casefold()

    def _validates_ids(self, definition: FieldDef) -> bool:
        if definition.type == "id":
            return self.table.obj.key_prefix is not None
        target = self.lookup(definition.reference_to[0]) if definition.reference_to else None
        return target is not None and target.obj.key_prefix is not None

    def condition(self, cond: Condition) -> Predicate:
        """The predicate of one comparison (also used for HAVING on grouped fields)."""
        if isinstance(cond.field, CountCall):
            raise SoqlError(
                "MALFORMED_QUERY", "Aggregate functions are only allowed in HAVING", self.text, cond.field.offset
            )
        bound = bind_path(self.table, cond.field, self.lookup, self.text)
        definition = bound.field
        get = bound.getter
        if definition.type in ("date", "datetime"):
            key: Callable[[Any], Any] = _datetime_key
        elif definition.is_id and self._validates_ids(definition):
            key = _identity
        else:
            key = text_key
        if cond.op in ("IN", "NOT IN"):
            if isinstance(cond.value, Query):
                allowed = {key(v) for v in self.run_subquery(cond.value)}
            else:
                values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
                allowed = {self.literal(definition, v) for v in values}
            if cond.op == "IN":
                return lambda row: key(get(row)) in allowed
            return lambda row: key(get(row)) not in allowed
        assert isinstance(cond.value, Literal)
        if cond.op == "LIKE":
            if cond.value.kind != "string" or definition.is_number or definition.type == "boolean":
                raise SoqlError(
                    "INVALID_FIELD",
                    f"invalid operator on field: {definition.name}",
                    self.text,
                    cond.field.offset,
                )
            pattern = _like_regex(str(cond.value.value))
            return lambda row: (value := get(row)) is not None and pattern.fullmatch(str(value)) is not None
        wanted = self.literal(definition, cond.value)
        if cond.value.kind == "daterange":
            return self._in_days(get, key, cond.op, wanted)
        if cond.op == "=":
            return lambda row: key(get(row)) == wanted
        if cond.op == "!=":
            return lambda row: key(get(row)) != wanted
        if wanted is None:
            return lambda row: False
        compare: Callable[[Any], bool] = {
            "<": lambda a: bool(a < wanted),
            "<=": lambda a: bool(a <= wanted),
            ">": lambda a: bool(a > wanted),
            ">=": lambda a: bool(a >= wanted),
        }[cond.op]
        return lambda row: (value := key(get(row))) is not None and compare(value)


    @staticmethod
    def _in_days(get: Callable[[int], Any], key: Callable[[Any], Any], op: str, days: tuple[str, str]) -> Predicate:
        """A comparison with a date literal: ``=`` inside [start, end), ``<`` before it, ``>`` after it."""
        start, end = days
        inside: Callable[[str], bool] = {
            "=": lambda v: start <= v < end,
            "!=": lambda v: not start <= v < end,
            "<": lambda v: v < start,
            "<=": lambda v: v < end,
            ">": lambda v: v >= end,
            ">=": lambda v: v >= start,
        }[op]
        return lambda row: (value := key(get(row))) is not None and inside(value)


def _like_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\x00" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)
