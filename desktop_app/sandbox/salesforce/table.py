"""Columnar record storage for one sObject type: one Python list per field plus an id → row index.

Columns keep a million Accounts in memory cheaply (constant columns share one object) and let them be
built straight from DataFrame columns. Blank text is stored as ``None``, as Salesforce does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from desktop_app.core.ids import normalize_id
from desktop_app.sandbox.salesforce.schema import ObjectDef


class Table:
    """The records of one object. Rows are never removed (deleted records keep ``IsDeleted=True``)."""

    def __init__(self, obj: ObjectDef, columns: dict[str, list[Any]] | None = None):
        self.obj = obj
        columns = columns or {}
        length = len(next(iter(columns.values()))) if columns else 0
        self.columns: dict[str, list[Any]] = {}
        for definition in obj.fields:
            values = columns.get(definition.name)
            # Columns are taken over, not copied: callers hand in fresh lists (a million rows each).
            self.columns[definition.name] = values if values is not None else [None] * length
        self.index: dict[str, int] = {}
        self._reindex()

    def _reindex(self) -> None:
        ids = self.columns.get("Id")
        self.index = {} if ids is None else {value: row for row, value in enumerate(ids) if value}

    def __len__(self) -> int:
        ids = self.columns.get("Id")
        return len(ids) if ids is not None else len(next(iter(self.columns.values()), []))

    def rows(self) -> Iterator[int]:
        """Every row number."""
        return iter(range(len(self)))

    def value(self, row: int, field: str) -> Any:
        """The stored value of canonical ``field`` in ``row``."""
        return self.columns[field][row]

    def row_for(self, record_id: str | None) -> int | None:
        """The row of the record with id ``record_id`` (15 or 18 characters), or None."""
        if not record_id:
            return None
        row = self.index.get(record_id)
        if row is None and len(record_id) in (15, 18):
            canonical = normalize_id(record_id)
            row = self.index.get(canonical) if canonical else None
        return row

    def append(self, values: dict[str, Any]) -> int:
        """Add a record (missing fields are None) and return its row."""
        row = len(self)
        for name, column in self.columns.items():
            column.append(values.get(name))
        record_id = values.get("Id")
        if record_id:
            self.index[record_id] = row
        return row

    def extend(self, records: Iterable[dict[str, Any]]) -> None:
        """Add several records."""
        for record in records:
            self.append(record)

    def set(self, row: int, field: str, value: Any) -> None:
        """Store ``value`` in canonical ``field`` of ``row`` (no rules applied)."""
        self.columns[field][row] = value

    def record(self, row: int) -> dict[str, Any]:
        """The record in ``row`` as a dict of canonical field → value."""
        return {name: column[row] for name, column in self.columns.items()}
