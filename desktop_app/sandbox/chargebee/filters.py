"""The list filters and sort order of Chargebee's ``GET /customers`` that the sandbox applies.

Chargebee's reference writes them as ``<field>[<operator>]=value`` (``email[is]=…``,
``id[in]=["a","b"]``, ``company[starts_with]=…``) and ``sort_by[asc|desc]=created_at|updated_at``;
the ``chargebee`` SDK sends a list as Python's ``['a', 'b']``, which Chargebee takes too. A filter
the sandbox does not apply is refused (400) rather than ignored, so a script never reads an
unfiltered list as a filtered one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

TEXT_FIELDS = ("id", "email", "company", "first_name", "last_name", "phone")
SORTABLE = ("created_at", "updated_at")
_PARAM = re.compile(r"^(?P<field>[a-z_]+)\[(?P<operator>[a-z_]+)\]$")
_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "is": lambda value, wanted: value == wanted,
    "is_not": lambda value, wanted: value != wanted,
    "starts_with": lambda value, wanted: value.startswith(wanted),
    "in": lambda value, wanted: value in _listed(wanted),
    "not_in": lambda value, wanted: value not in _listed(wanted),
}
Keep = Callable[[Mapping[str, Any]], bool]


def _listed(text: str) -> set[str]:
    return {part.strip().strip("'\"") for part in text.strip().strip("[]").split(",") if part.strip()}


class FilterRefused(ValueError):
    """A filter or sort the sandbox does not apply; ``param`` names it."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


def list_filter(query: Mapping[str, list[str]]) -> tuple[Keep, str, bool]:
    """(keep, sort field or "", descending) from a list request's query; ``FilterRefused`` otherwise."""
    tests: list[tuple[str, Callable[[str, str], bool], str]] = []
    sort_field, descending = "", False
    for name, values in query.items():
        found = _PARAM.match(name)
        if found is None:
            continue  # limit, offset, include_deleted and the like
        field, operator = found["field"], found["operator"]
        if field == "sort_by" and operator in ("asc", "desc") and values[0] in SORTABLE:
            sort_field, descending = values[0], operator == "desc"
        elif field in TEXT_FIELDS and operator in _OPERATORS:
            tests.append((field, _OPERATORS[operator], values[0]))
        else:
            raise FilterRefused(f"{name} : this sandbox filters {', '.join(TEXT_FIELDS)} with "
                                f"{', '.join(_OPERATORS)} and sorts by {' or '.join(SORTABLE)} only", name)

    def keep(customer: Mapping[str, Any]) -> bool:
        return all(test(str(customer.get(field) or ""), wanted) for field, test, wanted in tests)

    return keep, sort_field, descending
