"""The ``where`` and ``searchTerm`` filters of Xero's ``GET /Contacts`` that the sandbox applies.

``where`` takes clauses ``Field=="text"``, ``Field!="text"``, ``Field.StartsWith("text")`` and
``Field.Contains("text")`` on a contact's text fields, joined by ``AND`` or ``&&`` (xero-python passes
the string as written). ``searchTerm`` matches Name, FirstName, LastName, ContactNumber and
EmailAddress ignoring case, as Xero documents. Anything else is refused with Xero's 400
``QueryParseException`` instead of being ignored, so a script never takes every contact for the
filtered few.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

TEXT_FIELDS = ("ContactID", "ContactNumber", "Name", "FirstName", "LastName", "EmailAddress", "ContactStatus",
               "AccountNumber", "TaxNumber")
SEARCHED = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
_CLAUSE = re.compile(r'^(?P<field>\w+)\s*(?:(?P<op>==|!=)\s*"(?P<value>[^"]*)"'
                     r'|\.(?P<method>StartsWith|Contains)\("(?P<argument>[^"]*)"\))$')
_JOIN = re.compile(r"\s+AND\s+|\s*&&\s*", re.IGNORECASE)
Keep = Callable[[Mapping[str, Any]], bool]


class QueryRefused(ValueError):
    """A ``where`` the sandbox cannot apply."""


def _clause(text: str) -> Keep:
    found = _CLAUSE.match(text.strip())
    if found is None or found["field"] not in TEXT_FIELDS:
        raise QueryRefused(f"The where clause {text.strip()!r} is not understood by this sandbox: use Field==\"text\", "
                           f"Field!=\"text\", Field.StartsWith(\"text\") or Field.Contains(\"text\") on "
                           f"{', '.join(TEXT_FIELDS)}.")
    field = found["field"]
    if found["op"] == "==":
        return lambda contact: str(contact.get(field) or "") == found["value"]
    if found["op"] == "!=":
        return lambda contact: str(contact.get(field) or "") != found["value"]
    if found["method"] == "StartsWith":
        return lambda contact: str(contact.get(field) or "").startswith(found["argument"])
    return lambda contact: found["argument"] in str(contact.get(field) or "")


def contact_filter(where: str, search_term: str) -> Keep | None:
    """The test a contact must pass, None when there is no filter; ``QueryRefused`` for a bad ``where``."""
    tests = [_clause(part) for part in _JOIN.split(where) if part.strip()] if where.strip() else []
    term = search_term.strip().casefold()
    if term:
        tests.append(lambda contact: any(term in str(contact.get(f) or "").casefold() for f in SEARCHED))
    if not tests:
        return None
    return lambda contact: all(test(contact) for test in tests)
