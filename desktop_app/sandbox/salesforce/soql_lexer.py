"""The SOQL tokenizer and the error type with Salesforce's layout (query line, caret, row and column)."""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYWORDS = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "LIMIT",
        "OFFSET",
        "NULL",
        "TRUE",
        "FALSE",
        "COUNT",
        "GROUP",
        "HAVING",
        "WITH",
    }
)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\dT]))
  | (?P<number>[+-]?\d+(?:\.\d+)?(?![\w]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>')
  | (?P<op><>|!=|<=|>=|=|<|>)
  | (?P<punct>[(),.:])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
LIKE_ESCAPED = {"_": "\x00_", "%": "\x00%"}  # kept distinguishable from wildcards inside LIKE patterns


@dataclass(frozen=True)
class Token:
    kind: str  # ws, datetime, date, number, name, string, op, punct, eof
    text: str
    offset: int
    value: str = ""


class SoqlError(Exception):
    """A query Salesforce would reject: ``code`` (MALFORMED_QUERY, INVALID_FIELD, ...) and a message
    formatted like Salesforce's (the query line, a caret and ``ERROR at Row:r:Column:c``)."""

    def __init__(self, code: str, detail: str, text: str, offset: int | None):
        self.code = code
        self.detail = detail
        super().__init__(format_error(text, offset, detail))


def format_error(text: str, offset: int | None, detail: str) -> str:
    """Salesforce's layout of a query error, pointing at ``offset`` in ``text``."""
    if offset is None:
        return detail
    row = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    column = offset - line_start + 1
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}"


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (whitespace dropped) ending with an ``eof`` token."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if not found or found.lastgroup is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text[position]}'", text, position)
        kind = found.lastgroup
        if kind == "string":
            value, end = _read_string(text, position)
            tokens.append(Token("string", text[position:end], position, value))
            position = end
            continue
        if kind != "ws":
            tokens.append(Token(kind, found.group(), position, found.group()))
        position = found.end()
    tokens.append(Token("eof", "<EOF>", len(text)))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "'":
            return "".join(out), position + 1
        if char == "\\":
            if position + 1 >= len(text):
                break
            escaped = text[position + 1]
            if escaped in _ESCAPES:
                out.append(_ESCAPES[escaped])
            elif escaped in LIKE_ESCAPED:
                out.append(LIKE_ESCAPED[escaped])
            else:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    f"Invalid string literal '{text[start : position + 2]}'. "
                    "Illegal character sequence '\\" + escaped + "' in string literal.",
                    text,
                    start,
                )
            position += 2
            continue
        out.append(char)
        position += 1
    raise SoqlError("MALFORMED_QUERY", "unexpected token: <EOF>", text, len(text))
