"""``GROUP BY`` / ``HAVING`` / ``COUNT`` for the sandbox's SOQL: groups rows by the grouped fields
(case-insensitively, as Salesforce does for text), filters groups with HAVING, orders them by grouped
fields or counts and renders ``AggregateResult`` records (unaliased aggregates are ``expr0``, ``expr1``...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop_app.sandbox.salesforce.query_filter import WhereCompiler, text_key
from desktop_app.sandbox.salesforce.query_paths import BoundPath, Getter, TableLookup, bind_path
from desktop_app.sandbox.salesforce.soql import BoolOp, Condition, CountCall, Expr, FieldPath, Not, Query, SoqlError
from desktop_app.sandbox.salesforce.table import Table

GroupPredicate = Callable[[list[int]], bool]
Aggregate = Callable[[list[int]], int]


def count_of(getter: Getter | None) -> Aggregate:
    """COUNT() counts rows; COUNT(field) counts rows where the field is not null."""
    if getter is None:
        return len
    return lambda rows: sum(1 for row in rows if getter(row) is not None)


@dataclass
class Grouping:
    """The grouped part of a query, bound to its table."""

    paths: list[BoundPath]
    select: list[tuple[str, BoundPath | Aggregate]]  # output name → grouped path or aggregate
    having: GroupPredicate | None
    order: list[tuple[Callable[[list[int]], Any], bool, bool]]  # key of a group, descending, nulls last
    offset: int
    limit: int | None

    def records(self, rows: list[int]) -> list[dict[str, Any]]:
        """The AggregateResult records of the groups of ``rows``."""
        groups: dict[tuple[Any, ...], list[int]] = {}
        for row in rows:
            key = tuple(text_key(path.getter(row)) for path in self.paths)
            groups.setdefault(key, []).append(row)
        kept = [members for members in groups.values() if self.having is None or self.having(members)]
        for key_of, descending, nulls_last in reversed(self.order):
            rank = int(nulls_last) ^ int(descending)
            keys = [_rank(key_of(members), rank) for members in kept]
            positions = sorted(range(len(kept)), key=keys.__getitem__, reverse=descending)
            kept = [kept[i] for i in positions]
        end = None if self.limit is None else self.offset + self.limit
        out = []
        for members in kept[self.offset : end]:
            record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
            for name, source in self.select:
                record[name] = source.getter(members[0]) if isinstance(source, BoundPath) else source(members)
            out.append(record)
        return out


def _first_row(getter: Getter) -> Callable[[list[int]], Any]:
    return lambda members: getter(members[0])


def _rank(value: Any, null_rank: int) -> tuple[int, Any]:
    if value is None:
        return (null_rank, "")
    return (1 - null_rank, value.casefold() if isinstance(value, str) else value)


def bind_grouping(query: Query, table: Table, lookup: TableLookup, where: WhereCompiler) -> Grouping:
    """Check and compile the GROUP BY part of ``query``."""
    text = query.text
    paths = [bind_path(table, path, lookup, text) for path in query.group_by]
    grouped = {path.names: path for path in paths}

    def grouped_path(item: FieldPath) -> BoundPath:
        bound = bind_path(table, item, lookup, text)
        if bound.names not in grouped:
            raise SoqlError(
                "MALFORMED_QUERY", f"Field must be grouped or aggregated: {bound.field.name}", text, item.offset
            )
        return bound

    def aggregate(item: CountCall) -> Aggregate:
        return count_of(None if item.field is None else bind_path(table, item.field, lookup, text).getter)

    select: list[tuple[str, BoundPath | Aggregate]] = []
    unnamed = 0
    for item in query.select:
        if isinstance(item, CountCall):
            name = item.alias or f"expr{unnamed}"
            unnamed += item.alias is None
            select.append((name, aggregate(item)))
        else:
            bound = grouped_path(item)
            select.append((bound.field.name, bound))
    order: list[tuple[Callable[[list[int]], Any], bool, bool]] = []
    for order_item in query.order_by:
        if isinstance(order_item.field, CountCall):
            order.append((aggregate(order_item.field), order_item.descending, order_item.nulls_last))
        else:
            order.append(
                (_first_row(grouped_path(order_item.field).getter), order_item.descending, order_item.nulls_last)
            )
    having = None if query.having is None else _having(query.having, where, aggregate, text)
    return Grouping(paths, select, having, order, query.offset or 0, query.limit)


def _having(expr: Expr, where: WhereCompiler, aggregate: Callable[[CountCall], Aggregate], text: str) -> GroupPredicate:
    if isinstance(expr, BoolOp):
        parts = [_having(item, where, aggregate, text) for item in expr.items]
        if expr.op == "AND":
            return lambda members: all(p(members) for p in parts)
        return lambda members: any(p(members) for p in parts)
    if isinstance(expr, Not):
        inner = _having(expr.expr, where, aggregate, text)
        return lambda members: not inner(members)
    if isinstance(expr.field, FieldPath):
        on_row = where.condition(expr)
        return lambda members: on_row(members[0])
    return _count_condition(expr, aggregate(expr.field), text)


def _count_condition(cond: Condition, count: Aggregate, text: str) -> GroupPredicate:
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    numbers: list[float] = []
    for literal in values:
        if isinstance(literal, Query) or literal.kind != "number":
            offset = cond.field.offset if isinstance(literal, Query) else literal.offset
            raise SoqlError("MALFORMED_QUERY", "COUNT can only be compared with a number", text, offset)
        numbers.append(float(literal.value))  # type: ignore[arg-type]
    wanted = numbers[0]
    checks: dict[str, Callable[[int], bool]] = {
        "=": lambda n: n == wanted,
        "!=": lambda n: n != wanted,
        "<": lambda n: n < wanted,
        "<=": lambda n: n <= wanted,
        ">": lambda n: n > wanted,
        ">=": lambda n: n >= wanted,
        "IN": lambda n: n in numbers,
        "NOT IN": lambda n: n not in numbers,
    }
    if cond.op not in checks:
        raise SoqlError("MALFORMED_QUERY", f"invalid operator on COUNT: {cond.op}", text, cond.field.offset)
    check = checks[cond.op]
    return lambda members: check(count(members))
