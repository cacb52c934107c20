"""Runs a bound SOQL query over its table: filter, order, offset/limit, and renders the rows as REST records,
CSV rows or the ``columnMetadata`` document the Salesforce CLI asks for. ``bind`` checks a parsed query
against the schema first (``INVALID_TYPE``, ``INVALID_FIELD``, ``MALFORMED_QUERY``)."""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from desktop_app.sandbox.salesforce.query_filter import WhereCompiler
from desktop_app.sandbox.salesforce.query_groups import Grouping, bind_grouping
from desktop_app.sandbox.salesforce.query_paths import BoundPath, Getter, Predicate, TableLookup, bind_path, bind_table
from desktop_app.sandbox.salesforce.schema import FieldDef
from desktop_app.sandbox.salesforce.soql import CountCall, FieldPath, Query, SoqlError
from desktop_app.sandbox.salesforce.table import Table

MAX_OFFSET = 2000
# Rows per ``zip`` when the CSV rows are put together: one ``list(zip(...))`` over 100,000 rows is a
# single C call holding the GIL for 50-140 ms (other threads — the app's UI thread in demo mode — wait);
# between chunks of 5,000 (a few ms each) the interpreter can hand the GIL over.
ZIP_CHUNK_ROWS = 5_000


@dataclass
class BoundQuery:
    """A query checked against the schema, ready to run over its table."""

    query: Query
    table: Table
    paths: list[BoundPath]
    counts: list[CountCall]
    count_getters: list[Getter | None]
    predicate: Predicate | None
    order: list[tuple[BoundPath, bool, bool]]
    grouping: Grouping | None = None

    @property
    def is_aggregate(self) -> bool:
        """True when the query selects COUNT(...) or groups rows (answers are AggregateResult records)."""
        return bool(self.counts) or self.grouping is not None

    def filtered_rows(self, *, include_deleted: bool = False) -> list[int]:
        """Rows passing WHERE, in storage order."""
        table = self.table
        deleted = table.columns.get("IsDeleted")
        predicate = self.predicate
        return [
            row
            for row in range(len(table))
            if (include_deleted or deleted is None or not deleted[row]) and (predicate is None or predicate(row))
        ]

    def aggregate_records(self, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """The AggregateResult records of a COUNT(field) or GROUP BY query."""
        rows = self.filtered_rows(include_deleted=include_deleted)
        if self.grouping is not None:
            return self.grouping.records(rows)
        return [self.aggregate_record(rows)]

    def matching_rows(self, *, include_deleted: bool = False) -> list[int]:
        """Rows passing WHERE, ordered, after OFFSET and LIMIT."""
        table = self.table
        rows = self.filtered_rows(include_deleted=include_deleted)
        for path, descending, nulls_last in reversed(self.order):
            values = [path.getter(row) for row in rows] if path.hops else _pick(table.columns[path.field.name], rows)
            rows = _sorted_rows(rows, values, descending=descending, nulls_last=nulls_last)
        start = self.query.offset or 0
        end = None if self.query.limit is None else start + self.query.limit
        return rows[start:end]

    def aggregate_record(self, rows: list[int]) -> dict[str, Any]:
        """The one AggregateResult row of a COUNT(field) query."""
        record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        for number, (count, getter) in enumerate(zip(self.counts, self.count_getters, strict=True)):
            value = len(rows) if getter is None else sum(1 for row in rows if getter(row) is not None)
            record[count.alias or f"expr{number}"] = value
        return record

    def record(self, row: int, base: str) -> dict[str, Any]:
        """The REST JSON form of ``row``: ``attributes`` then the selected fields, parents nested."""
        out = _attributes(self.table, row, base)
        for path in self.paths:
            node = out
            source: Table = self.table
            current: int | None = row
            for (reference, target), name in zip(path.hops, path.names, strict=False):
                if current is None:
                    break
                if name not in node:
                    target_row = target.row_for(source.columns[reference.name][current])
                    node[name] = None if target_row is None else _attributes(target, target_row, base)
                child = node[name]
                if child is None:
                    current = None
                    break
                current = target.row_for(source.columns[reference.name][current])
                node, source = child, target
            if current is not None:
                if path.field.type == "address":  # computed from its components
                    node[path.field.name] = path.getter(row)
                else:
                    node[path.field.name] = _json_value(path.field, source.columns[path.field.name][current])
        return out

    def csv_header(self) -> list[str]:
        """Column names of the CSV form (dotted canonical paths)."""
        return [".".join(path.names) for path in self.paths]

    def csv_row(self, row: int) -> list[str]:
        """The CSV cells of ``row``."""
        return [csv_text(path.field, path.getter(row)) for path in self.paths]

    def csv_rows(self, rows: list[int]) -> list[tuple[str, ...]]:
        """The CSV cells of many rows, built column by column (fast for a million rows)."""
        columns: list[list[str]] = []
        for path in self.paths:
            if path.hops:
                values = [path.getter(row) for row in rows]
            else:
                values = _pick(self.table.columns[path.field.name], rows)
            if path.field.type in ("boolean", "double", "int", "currency", "percent"):
                columns.append([csv_text(path.field, value) for value in values])
            else:  # text, ids and dates are stored as str
                columns.append(["" if value is None else value for value in values])
        out: list[tuple[str, ...]] = []
        for start in range(0, len(rows), ZIP_CHUNK_ROWS):
            out.extend(zip(*(column[start : start + ZIP_CHUNK_ROWS] for column in columns), strict=True))
        return out

    def column_metadata(self) -> dict[str, Any]:
        """The ``columns=true`` document (``columnMetadata`` tree)."""
        columns: list[dict[str, Any]] = []
        for path in self.paths:
            level = columns
            for name in path.names[:-1]:
                parent = next(
                    (
                        c
                        for c in level
                        if c["columnName"] == name and c["joinColumns"] is not None and c["foreignKeyName"] is not None
                    ),
                    None,
                )
                if parent is None:
                    parent = _column(name, None, foreign_key=name)
                    level.append(parent)
                level = parent["joinColumns"]
            level.append(_column(path.names[-1], path.field))
        for number, count in enumerate(self.counts):
            column = _column(count.alias or f"expr{number}", None)
            column.update(
                aggregate=True,
                apexType="Integer",
                numberType=True,
                displayName=f"COUNT({'' if count.field is None else count.field.dotted})",
            )
            columns.append(column)
        return {
            "columnMetadata": columns,
            "entityName": self.table.obj.name,
            "groupBy": False,
            "idSelected": any(p.names == ("Id",) for p in self.paths),
            "keyPrefix": self.table.obj.key_prefix,
        }


def _pick(column: list[Any], rows: list[int]) -> list[Any]:
    if len(rows) < 2:
        return [column[row] for row in rows]
    return list(itemgetter(*rows)(column))


def _column(name: str, definition: FieldDef | None, foreign_key: str | None = None) -> dict[str, Any]:
    numeric = definition is not None and definition.is_number
    return {
        "aggregate": False,
        "apexType": definition.apex_type if definition else None,
        "booleanType": definition is not None and definition.type == "boolean",
        "columnName": name,
        "custom": definition is not None and definition.custom,
        "displayName": name,
        "foreignKeyName": foreign_key,
        "insertable": definition is not None and definition.createable,
        "joinColumns": [],
        "numberType": numeric,
        "textType": definition is not None and not numeric and definition.type not in ("boolean", "id"),
        "updatable": definition is not None and definition.updateable,
    }


def _attributes(table: Table, row: int, base: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {"type": table.obj.name}
    record_id = table.columns["Id"][row] if "Id" in table.columns else None
    if record_id:
        root = f"{base}/tooling" if table.obj.tooling else base
        attributes["url"] = f"{root}/sobjects/{table.obj.name}/{record_id}"
    return {"attributes": attributes}


def _sorted_rows(rows: list[int], values: list[Any], *, descending: bool, nulls_last: bool) -> list[int]:
    """``rows`` stably sorted by ``values`` (text case-insensitively), nulls first or last."""
    present = [i for i, value in enumerate(values) if value is not None]
    missing = [rows[i] for i, value in enumerate(values) if value is None]
    keys = [value.casefold() if isinstance(value, str) else value for value in (values[i] for i in present)]
    # Plain keys (not tuples) keep a million-row sort fast; sorting positions keeps it stable.
    order = sorted(range(len(present)), key=keys.__getitem__, reverse=descending)
    ordered = [rows[present[i]] for i in order]
    return ordered + missing if nulls_last else missing + ordered


def _json_value(definition: FieldDef, value: Any) -> Any:
    if value is not None and definition.type == "int":
        return int(value)
    return value


def csv_text(definition: FieldDef, value: Any) -> str:
    """A value as Bulk API CSV text ("" for null; whole numbers without ``.0``; booleans lower case)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def bind(query: Query, lookup: TableLookup) -> BoundQuery:
    """Check ``query`` against the tables ``lookup`` knows and compile it."""
    table = bind_table(query.from_name, lookup, query.text, query.from_offset)
    paths: list[BoundPath] = []
    counts: list[CountCall] = []
    count_getters: list[Getter | None] = []
    for item in query.select:
        if isinstance(item, CountCall):
            count_getters.append(
                None if item.field is None else bind_path(table, item.field, lookup, query.text).getter
            )
            counts.append(item)
        else:
            paths.append(bind_path(table, item, lookup, query.text))
    seen: set[tuple[str, ...]] = set()
    for item, path in zip((i for i in query.select if isinstance(i, FieldPath)), paths, strict=True):
        if path.names in seen:
            raise SoqlError("MALFORMED_QUERY", f"duplicate field selected: {path.field.name}", query.text, item.offset)
        seen.add(path.names)
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}", query.text, None)
    if counts and paths and not query.group_by:
        raise SoqlError(
            "MALFORMED_QUERY",
            f"Field must be grouped or aggregated: {paths[0].field.name}",
            query.text,
            next(i for i in query.select if isinstance(i, FieldPath)).offset,
        )

    def run_subquery(sub: Query) -> set[Any]:
        inner = bind(sub, lookup)
        if len(inner.paths) != 1:
            raise SoqlError(
                "MALFORMED_QUERY",
                "semi join sub-selects can only select one field",
                query.text,
                sub.from_offset,
            )
        return {inner.paths[0].getter(row) for row in inner.matching_rows()}

    compiler = WhereCompiler(table, lookup, query.text, run_subquery)
    predicate = None if query.where is None else compiler.compile(query.where)
    if query.group_by:
        grouping = bind_grouping(query, table, lookup, compiler)
        return BoundQuery(query, table, paths, counts, count_getters, predicate, [], grouping)
    if query.having is not None:
        raise SoqlError("MALFORMED_QUERY", "HAVING needs GROUP BY", query.text, query.from_offset)
    order: list[tuple[BoundPath, bool, bool]] = []
    for ordering in query.order_by:
        if isinstance(ordering.field, CountCall):
            raise SoqlError("MALFORMED_QUERY", "ORDER BY COUNT needs GROUP BY", query.text, ordering.field.offset)
        bound_order = bind_path(table, ordering.field, lookup, query.text)
        order.append((bound_order, ordering.descending, ordering.nulls_last))
    return BoundQuery(query, table, paths, counts, count_getters, predicate, order)
