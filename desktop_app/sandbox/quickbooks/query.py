"""The QuickBooks Online query language, for the sandbox's Customer entity.

``SELECT * | COUNT(*) FROM Customer [WHERE cond {AND cond}] [ORDERBY|ORDER BY field [ASC|DESC] {, …}]
[STARTPOSITION n] [MAXRESULTS m]``, as Intuit's "Query operations and syntax" page and its
developer blog describe it:

- keywords and field names are case-insensitive; values are single-quoted, a quote inside a value
  is written ``\\'`` (backslash escapes the next character); numbers and ``true``/``false`` may be bare;
- operators ``=  <  >  <=  >=  IN (…)  LIKE``, where LIKE knows only the ``%`` wildcard; conditions
  join with AND only (no OR, NOT, parentheses, GROUP BY, JOIN or projections);
- which operators a field takes depends on its type: strings all of them, Id and numbers and
  dates everything but LIKE, booleans ``=`` and ``IN``;
- only the Customer fields QBO documents as filterable are accepted. Without a condition on
  ``Active`` only active customers are answered.

String comparisons ignore case, as QuickBooks names do. A date without a time or offset is read in the
sandbox company's time zone (UTC-8, the offset its ``MetaData`` stamps carry).

A malformed statement is a ``QueryError`` with code 4000 ("Error parsing query", ``QueryParserError``);
a well-formed one on a field or operator QBO does not allow is code 4001 ("Invalid query",
``QueryValidationError``). Both go back as a 400 ``ValidationFault``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_RESULTS = 1000
DEFAULT_RESULTS = 100
COMPANY_ZONE = timezone(timedelta(hours=-8))

_TOKEN = re.compile(r"""\s*(?:(?P<string>'(?:\\.|[^'\\])*')|(?P<number>-?\d+(?:\.\d+)?)(?![\w.])
                    |(?P<word>[A-Za-z_][\w.]*)|(?P<op><=|>=|<>|!=|[=<>(),*]))""", re.VERBOSE | re.DOTALL)
_STRING_OPS = frozenset({"=", "<", ">", "<=", ">=", "IN", "LIKE"})
_ORDERED_OPS = frozenset({"=", "<", ">", "<=", ">=", "IN"})
_BOOLEAN_OPS = frozenset({"=", "IN"})
_RESERVED = frozenset({"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "ORDERBY", "BY",
                       "ASC", "DESC", "STARTPOSITION", "MAXRESULTS"})
_COMPARE = {"=": operator.eq, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


class QueryError(ValueError):
    """A statement QBO would refuse: ``code`` 4000 (cannot be parsed) or 4001 (not allowed)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.message = "Error parsing query" if code == "4000" else "Invalid query"
        self.detail = detail


def _text_of(*path: str, fallback: str = "") -> Callable[[dict[str, Any]], Any]:
    def read(customer: dict[str, Any]) -> Any:
        value: Any = customer
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None and fallback:
            value = customer.get(fallback)
        return None if value is None else str(value)
    return read


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # "id", "string", "boolean", "decimal", "datetime"
    read: Callable[[dict[str, Any]], Any]


# Customer's filterable properties (Intuit's Customer reference, "filterable"); QBO fills
# FullyQualifiedName and PrintOnCheckName from DisplayName and keeps Balance at 0 when nothing is owed.
_FIELDS = {f.name.lower(): f for f in (
    _Field("Id", "id", _text_of("Id")),
    _Field("DisplayName", "string", _text_of("DisplayName")),
    _Field("GivenName", "string", _text_of("GivenName")),
    _Field("MiddleName", "string", _text_of("MiddleName")),
    _Field("FamilyName", "string", _text_of("FamilyName")),
    _Field("Suffix", "string", _text_of("Suffix")),
    _Field("CompanyName", "string", _text_of("CompanyName")),
    _Field("FullyQualifiedName", "string", _text_of("FullyQualifiedName", fallback="DisplayName")),
    _Field("PrintOnCheckName", "string", _text_of("PrintOnCheckName", fallback="DisplayName")),
    _Field("PrimaryEmailAddr", "string", _text_of("PrimaryEmailAddr", "Address")),
    _Field("Active", "boolean", lambda c: bool(c.get("Active", True))),
    _Field("Balance", "decimal", lambda c: c.get("Balance", 0)),
    _Field("BalanceWithJobs", "decimal", lambda c: c.get("BalanceWithJobs", c.get("Balance", 0))),
    _Field("MetaData.CreateTime", "datetime", _text_of("MetaData", "CreateTime")),
    _Field("MetaData.LastUpdatedTime", "datetime", _text_of("MetaData", "LastUpdatedTime")),
)}


@dataclass(frozen=True)
class Condition:
    """``field op value(s)``; values already converted to the field's type."""

    field: _Field
    op: str
    values: tuple[Any, ...]

    def holds(self, customer: dict[str, Any]) -> bool:
        actual = _typed(self.field, customer)
        if actual is None:
            return False
        if self.op == "IN":
            return actual in self.values
        if self.op == "LIKE":
            return bool(self.values[0].fullmatch(actual))
        return bool(_COMPARE[self.op](actual, self.values[0]))


@dataclass(frozen=True)
class CustomerQuery:
    """A parsed Customer query; ``page`` answers it from the company's customers."""

    count: bool
    conditions: tuple[Condition, ...]  # those that can exclude a customer (not "Active IN (true, false)")
    order: tuple[tuple[_Field, bool], ...]  # (field, descending)
    start: int
    limit: int
    only_active: bool  # no condition names Active

    def matches(self, customer: dict[str, Any]) -> bool:
        if self.only_active and not customer.get("Active", True):
            return False
        return all(condition.holds(customer) for condition in self.conditions)

    def page(self, customers: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The matching customers in order (Id unless ORDERBY says otherwise), from 1-based ``start``."""
        chosen = sorted((c for c in customers if self.matches(c)), key=lambda c: int(c["Id"]))
        for field, descending in reversed(self.order):  # stable sorts, last key first
            chosen = _sorted_by(chosen, field, descending)
        return chosen[self.start - 1 : self.start - 1 + self.limit]


def _sorted_by(customers: list[dict[str, Any]], field: _Field, descending: bool) -> list[dict[str, Any]]:
    """Stable sort on one field; customers without a value come last either way."""
    keyed = [(_typed(field, c), c) for c in customers]
    present = sorted((pair for pair in keyed if pair[0] is not None), key=lambda pair: pair[0], reverse=descending)
    return [c for _, c in present] + [c for value, c in keyed if value is None]


def parse_customer_query(text: str) -> CustomerQuery:
    """The query ``text`` or a ``QueryError`` saying what QBO would answer."""
    tokens = _Tokens(text or "")
    tokens.keyword("SELECT")
    count = tokens.take_keyword("COUNT")
    if count:
        tokens.symbol("(")
        tokens.symbol("*")
        tokens.symbol(")")
    else:
        tokens.symbol("*")
    tokens.keyword("FROM")
    entity = tokens.word("an entity name")
    if entity.lower() != "customer":
        raise QueryError("4001", f"QueryValidationError: this sandbox serves the Customer entity only, not {entity!r}.")
    conditions: list[Condition] = []
    if tokens.take_keyword("WHERE"):
        conditions.append(_condition(tokens))
        while tokens.take_keyword("AND"):
            conditions.append(_condition(tokens))
    order: list[tuple[_Field, bool]] = []
    if tokens.take_keyword("ORDERBY") or (tokens.take_keyword("ORDER") and tokens.keyword("BY")):
        while True:
            field = _field(tokens.word("a property name"))
            descending = tokens.take_keyword("DESC")
            if not descending:
                tokens.take_keyword("ASC")
            order.append((field, descending))
            if not tokens.take_symbol(","):
                break
    start = int(tokens.number("STARTPOSITION")) if tokens.take_keyword("STARTPOSITION") else 1
    limit = int(tokens.number("MAXRESULTS")) if tokens.take_keyword("MAXRESULTS") else DEFAULT_RESULTS
    tokens.end()
    if start < 1 or not 1 <= limit <= MAX_RESULTS:
        raise QueryError("4001", f"QueryValidationError: STARTPOSITION must be at least 1 and MAXRESULTS between "
                                 f"1 and {MAX_RESULTS}; got {start} and {limit}.")
    while order and order[-1][0].name == "Id" and not order[-1][1]:
        order.pop()  # the customers are in Id order before ORDERBY applies: a last "Id ASC" changes nothing
    only_active = not any(c.field.name == "Active" for c in conditions)
    # "Active IN (true, false)" (how every full listing asks for inactive customers too) excludes no one
    narrowing = tuple(c for c in conditions if not (c.field.kind == "boolean" and set(c.values) == {True, False}))
    return CustomerQuery(count, narrowing, tuple(order), start, limit, only_active)


def _condition(tokens: _Tokens) -> Condition:
    field = _field(tokens.word("a property name"))
    if tokens.take_keyword("IN"):
        op = "IN"
        tokens.symbol("(")
        literals = [tokens.literal()]
        while tokens.take_symbol(","):
            literals.append(tokens.literal())
        tokens.symbol(")")
    elif tokens.take_keyword("LIKE"):
        op, literals = "LIKE", [tokens.literal()]
    else:
        op = tokens.comparison()
        literals = [tokens.literal()]
    allowed = {"string": _STRING_OPS, "boolean": _BOOLEAN_OPS}.get(field.kind, _ORDERED_OPS)
    if op not in allowed:
        raise QueryError("4001", f"QueryValidationError: operator {op} is not supported for property "
                                 f"'{field.name}' (it takes {', '.join(sorted(allowed))}).")
    if op == "LIKE":
        pattern = ".*".join(re.escape(part) for part in str(literals[0]).casefold().split("%"))
        return Condition(field, op, (re.compile(pattern, re.IGNORECASE | re.DOTALL),))
    return Condition(field, op, tuple(_convert(field, literal) for literal in literals))


def _field(name: str) -> _Field:
    found = _FIELDS.get(name.lower())
    if found is None:
        raise QueryError("4001", f"QueryValidationError: property '{name}' is not queryable")
    return found


def _typed(field: _Field, customer: dict[str, Any]) -> Any:
    raw = field.read(customer)
    return None if raw is None else _convert(field, raw)


def _convert(field: _Field, value: Any) -> Any:
    """``value`` (a literal or a stored value) as the comparable form of ``field``'s type."""
    text = str(value).strip()
    try:
        if field.kind == "boolean":
            if isinstance(value, bool):
                return value
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if field.kind == "id":
            return (0, int(text), "") if text.isdigit() else (1, 0, text)
        if field.kind == "decimal":
            return Decimal(text)
        if field.kind == "datetime":
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=COMPANY_ZONE)
    except (ValueError, InvalidOperation):
        raise QueryError("4001", f"QueryValidationError: value {text!r} is not a valid {field.kind} for property "
                                 f"'{field.name}'.") from None
    return text.casefold()


class _Tokens:
    """The statement's tokens, read left to right; errors name the column QBO's parser would."""

    def __init__(self, text: str) -> None:
        self._items: list[tuple[str, str, int]] = []  # (kind, text, 1-based column)
        position = 0
        while position < len(text.rstrip()):
            found = _TOKEN.match(text, position)
            if found is None or found.lastgroup is None:
                column = len(text) - len(text[position:].lstrip()) + 1
                raise QueryError("4000", f"QueryParserError: Encountered \"{text[column - 1]}\" at line 1, "
                                         f"column {column}.")
            self._items.append((found.lastgroup, found.group(found.lastgroup), found.start(found.lastgroup) + 1))
            position = found.end()
        self._next = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self._items[self._next] if self._next < len(self._items) else None

    def _fail(self, expected: str) -> QueryError:
        item = self._peek()
        if item is None:
            return QueryError("4000", f"QueryParserError: Encountered \"<EOF>\" at the end of the query. Was "
                                      f"expecting {expected}.")
        return QueryError("4000", f"QueryParserError: Encountered \"{item[1]}\" at line 1, column {item[2]}. Was "
                                  f"expecting {expected}.")

    def take_keyword(self, word: str) -> bool:
        item = self._peek()
        if item is not None and item[0] == "word" and item[1].upper() == word:
            self._next += 1
            return True
        return False

    def keyword(self, word: str) -> bool:
        if not self.take_keyword(word):
            raise self._fail(word)
        return True

    def take_symbol(self, symbol: str) -> bool:
        item = self._peek()
        if item is not None and item[0] == "op" and item[1] == symbol:
            self._next += 1
            return True
        return False

    def symbol(self, symbol: str) -> None:
        if not self.take_symbol(symbol):
            raise self._fail(f'"{symbol}"')

    def word(self, what: str) -> str:
        item = self._peek()
        if item is None or item[0] != "word" or item[1].upper() in _RESERVED:
            raise self._fail(what)
        self._next += 1
        return item[1]

    def comparison(self) -> str:
        item = self._peek()
        if item is None or item[0] != "op" or item[1] not in ("=", "<", ">", "<=", ">="):
            raise self._fail("one of =, <, >, <=, >=, IN, LIKE")
        self._next += 1
        return item[1]

    def literal(self) -> str | bool:
        item = self._peek()
        if item is not None and item[0] == "string":
            self._next += 1
            return re.sub(r"\\(.)", r"\1", item[1][1:-1], flags=re.DOTALL)
        if item is not None and item[0] == "number":
            self._next += 1
            return item[1]
        if item is not None and item[0] == "word" and item[1].lower() in ("true", "false"):
            self._next += 1
            return item[1].lower() == "true"
        raise self._fail("a quoted value, a number, true or false")

    def number(self, after: str) -> str:
        item = self._peek()
        if item is None or item[0] != "number" or not item[1].isdigit():
            raise self._fail(f"a whole number after {after}")
        self._next += 1
        return item[1]

    def end(self) -> None:
        if self._peek() is not None:
            raise self._fail("the end of the query (conditions join with AND only; OR is not supported)")
