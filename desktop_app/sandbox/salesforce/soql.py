"""A tokenizer and recursive-descent parser for the subset of SOQL the sandbox answers.

Grammar (keywords case-insensitive)::

    query     := SELECT items FROM name [WHERE expr] [GROUP BY path {, path} [HAVING expr]]
                 [ORDER BY order {, order}] [LIMIT n] [OFFSET n]
    items     := item {, item}
    item      := path | COUNT '(' [path] ')' [alias]
    path      := name {'.' name}
    expr      := term {AND term} | term {OR term}          (mixing AND/OR needs parentheses)
    term      := NOT term | '(' expr ')' | condition
    condition := lhs op literal | lhs [NOT] IN '(' (literal {, literal} | query) ')'
    lhs       := path | COUNT '(' [path] ')'                 (COUNT only in HAVING)
    op        := = | != | <> | < | <= | > | >= | LIKE
    literal   := 'string' | number | TRUE | FALSE | NULL | date | datetime | TODAY | LAST_N_DAYS:n ...
    order     := lhs [ASC|DESC] [NULLS (FIRST|LAST)]

Syntax errors raise ``SoqlError`` with code ``MALFORMED_QUERY`` and the position Salesforce reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.sandbox.salesforce.soql_dates import FIXED, WITH_N
from desktop_app.sandbox.salesforce.soql_lexer import KEYWORDS, SoqlError, Token, format_error, tokenize

__all__ = ["SoqlError", "format_error", "parse", "tokenize"]


@dataclass(frozen=True)
class FieldPath:
    parts: tuple[str, ...]
    offset: int

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class CountCall:
    field: FieldPath | None
    alias: str | None
    offset: int


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, boolean, null, date, datetime, daterange (a date literal: name and n)
    value: str | float | bool | tuple[str, int | None] | None
    offset: int


@dataclass(frozen=True)
class Condition:
    field: FieldPath | CountCall  # COUNT(...) only in HAVING
    op: str  # =, !=, <, <=, >, >=, LIKE, IN, NOT IN
    value: Literal | tuple[Literal, ...] | Query


@dataclass(frozen=True)
class Not:
    expr: Expr


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND or OR
    items: tuple[Expr, ...]


Expr = Condition | Not | BoolOp


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath | CountCall  # COUNT(...) only with GROUP BY
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class Query:
    select: tuple[FieldPath | CountCall, ...]
    from_name: str
    from_offset: int
    where: Expr | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    text: str
    group_by: tuple[FieldPath, ...] = ()
    having: Expr | None = None

    @property
    def is_count(self) -> bool:
        """True for ``SELECT COUNT() FROM ...`` (the answer is only ``totalSize``)."""
        return (
            len(self.select) == 1
            and isinstance(self.select[0], CountCall)
            and self.select[0].field is None
            and not self.group_by
        )


def parse(text: str) -> Query:
    """Parse one SOQL statement; raises ``SoqlError`` (MALFORMED_QUERY) on bad syntax."""
    parser = _Parser(text)
    query = parser.query()
    parser.expect_eof()
    return query


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def fail(self, token: Token | None = None) -> SoqlError:
        token = token or self.current
        return SoqlError("MALFORMED_QUERY", f"unexpected token: {token.text}", self.text, token.offset)

    def is_keyword(self, *words: str) -> bool:
        return self.current.kind == "name" and self.current.text.upper() in words

    def keyword(self, word: str) -> Token:
        if not self.is_keyword(word):
            raise self.fail()
        return self.advance()

    def punct(self, char: str) -> Token:
        if self.current.kind != "punct" or self.current.text != char:
            raise self.fail()
        return self.advance()

    def at_punct(self, char: str) -> bool:
        return self.current.kind == "punct" and self.current.text == char

    def expect_eof(self) -> None:
        if self.current.kind != "eof":
            raise self.fail()

    def name(self) -> Token:
        token = self.current
        if token.kind != "name" or token.text.upper() in KEYWORDS:
            raise self.fail()
        return self.advance()

    def path(self) -> FieldPath:
        first = self.name()
        parts = [first.text]
        while self.at_punct("."):
            self.advance()
            parts.append(self.name().text)
        return FieldPath(tuple(parts), first.offset)

    def query(self) -> Query:
        self.keyword("SELECT")
        items: list[FieldPath | CountCall] = [self.select_item()]
        while self.at_punct(","):
            self.advance()
            items.append(self.select_item())
        self.keyword("FROM")
        source = self.name()
        where = None
        if self.is_keyword("WHERE"):
            self.advance()
            where = self.expr()
        group_by: list[FieldPath] = []
        having = None
        if self.is_keyword("GROUP"):
            self.advance()
            self.keyword("BY")
            group_by.append(self.path())
            while self.at_punct(","):
                self.advance()
                group_by.append(self.path())
            if self.is_keyword("HAVING"):
                self.advance()
                having = self.expr()
        order: list[OrderItem] = []
        if self.is_keyword("ORDER"):
            self.advance()
            self.keyword("BY")
            order.append(self.order_item())
            while self.at_punct(","):
                self.advance()
                order.append(self.order_item())
        limit = self.count_clause("LIMIT")
        offset = self.count_clause("OFFSET")
        return Query(
            tuple(items),
            source.text,
            source.offset,
            where,
            tuple(order),
            limit,
            offset,
            self.text,
            tuple(group_by),
            having,
        )

    def count_clause(self, word: str) -> int | None:
        if not self.is_keyword(word):
            return None
        self.advance()
        token = self.current
        if token.kind != "number" or not token.text.isdigit():
            raise self.fail()
        self.advance()
        return int(token.text)

    def select_item(self) -> FieldPath | CountCall:
        if self.is_keyword("COUNT"):
            start = self.advance()
            self.punct("(")
            counted = None if self.at_punct(")") else self.path()
            self.punct(")")
            alias = None
            if self.current.kind == "name" and self.current.text.upper() not in KEYWORDS:
                alias = self.advance().text
            return CountCall(counted, alias, start.offset)
        return self.path()

    def order_item(self) -> OrderItem:
        path: FieldPath | CountCall = self.select_item() if self.is_keyword("COUNT") else self.path()
        descending = False
        if self.is_keyword("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        nulls_last = descending
        if self.is_keyword("NULLS"):
            self.advance()
            if not self.is_keyword("FIRST", "LAST"):
                raise self.fail()
            nulls_last = self.advance().text.upper() == "LAST"
        return OrderItem(path, descending, nulls_last)

    def expr(self) -> Expr:
        first = self.term()
        if not self.is_keyword("AND", "OR"):
            return first
        op = self.current.text.upper()
        items = [first]
        while self.is_keyword("AND", "OR"):
            if self.current.text.upper() != op:
                raise self.fail()  # SOQL needs parentheses to mix AND and OR
            self.advance()
            items.append(self.term())
        return BoolOp(op, tuple(items))

    def term(self) -> Expr:
        if self.is_keyword("NOT"):
            self.advance()
            return Not(self.term())
        if self.at_punct("("):
            self.advance()
            inner = self.expr()
            self.punct(")")
            return inner
        return self.condition()

    def condition(self) -> Condition:
        path: FieldPath | CountCall = self.select_item() if self.is_keyword("COUNT") else self.path()
        token = self.current
        if token.kind == "op":
            self.advance()
            op = "!=" if token.text == "<>" else token.text
            return Condition(path, op, self.literal())
        if self.is_keyword("LIKE"):
            self.advance()
            return Condition(path, "LIKE", self.literal())
        negated = False
        if self.is_keyword("NOT"):
            self.advance()
            negated = True
            if not self.is_keyword("IN"):
                raise self.fail()
        if self.is_keyword("IN"):
            self.advance()
            self.punct("(")
            if self.is_keyword("SELECT"):
                sub: Query | tuple[Literal, ...] = self.query()
            else:
                values = [self.literal()]
                while self.at_punct(","):
                    self.advance()
                    values.append(self.literal())
                sub = tuple(values)
            self.punct(")")
            return Condition(path, "NOT IN" if negated else "IN", sub)
        raise self.fail()

    def literal(self) -> Literal:
        token = self.current
        if token.kind == "string":
            self.advance()
            return Literal("string", token.value, token.offset)
        if token.kind == "number":
            self.advance()
            return Literal("number", float(token.text), token.offset)
        if token.kind in ("date", "datetime"):
            self.advance()
            return Literal(token.kind, token.text, token.offset)
        if token.kind == "name" and token.text.upper() in FIXED | WITH_N:
            name = token.text.upper()
            self.advance()
            if name not in WITH_N:
                return Literal("daterange", (name, None), token.offset)
            self.punct(":")
            count = self.current
            if count.kind != "number" or not count.text.isdigit():
                raise self.fail()
            self.advance()
            return Literal("daterange", (name, int(count.text)), token.offset)
        if token.kind == "name" and token.text.upper() in ("TRUE", "FALSE"):
            self.advance()
            return Literal("boolean", token.text.upper() == "TRUE", token.offset)
        if token.kind == "name" and token.text.upper() == "NULL":
            self.advance()
            return Literal("null", None, token.offset)
        raise self.fail()
