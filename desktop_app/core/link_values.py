"""What a link field holds, as every comparison in the app sees it.

A link field holds the other side's id: the Account's field a customer id, the customer's field an
Account id. Two values are the same link when they name the same record — for Account ids that is
``account_key`` (15, 18 and case-damaged 18 characters are one Account); customer ids compare as
written (trimmed). A placeholder people type when they have nothing to type (``NA``, ``N/A``,
``#N/A``, ``null``, ``none``, ``-``, ``0``, ``TBD`` …, letter case and spaces ignored) holds nothing:
it is matched and planned like an empty field. The raw value is never rewritten by this module, so
undo can put a placeholder back exactly as it was. Whether a write landed is a stricter question,
answered on the text itself (``holds_text``).
"""

from __future__ import annotations

import re

import pandas as pd

from desktop_app.core.ids import account_key
from desktop_app.core.intake_types import TableIssue

PLACEHOLDER_PROBLEM = "placeholder value in the link field"
LINK_PLACEHOLDERS = frozenset({
    "na", "n/a", "n.a.", "n.a", "#n/a", "#na", "n/d", "null", "#null!", "nil", "none", "nothing",
    "-", "--", "---", ".", "?", "??", "x", "xx", "xxx", "0", "tbd", "tba", "tbc", "todo", "unknown",
    "notavailable", "notapplicable", "notset", "empty", "blank", "missing",
})
_SPACES = re.compile(r"\s+")


def placeholder_form(value: str) -> str:
    """``value`` as placeholders are compared: casefolded, every space removed."""
    return _SPACES.sub("", value).casefold()


def is_placeholder(value: str) -> bool:
    """True when ``value`` is a stand-in for "no id" (``N/A``, ``null``, ``0``, ``TBD`` …)."""
    return bool(value.strip()) and placeholder_form(value) in LINK_PLACEHOLDERS


# ``link_key`` answers kept: a 100,000-link run asks for the same few hundred thousand values some
# millions of times (plan, apply's comparisons, the results file, verify, the run's figures), each
# answer ~1.5-4 µs to work out. Emptied whole when full, so it stays bounded in a long session.
_LINK_KEYS: dict[tuple[str, str], str] = {}
_LINK_KEYS_MAX = 1 << 19


def link_key(value: str, side: str) -> str:
    """The identity of the value in ``side``'s link field: ``""`` when it holds nothing (empty or a
    placeholder), the Account's 18-character id on the ``customer`` side (its field holds an Account
    id), the trimmed customer id on the ``account`` side."""
    known = _LINK_KEYS.get((value, side))
    if known is not None:
        return known
    text = value.strip()
    key = "" if not text or is_placeholder(text) else account_key(text) if side == "customer" else text
    if len(_LINK_KEYS) >= _LINK_KEYS_MAX:
        _LINK_KEYS.clear()
    _LINK_KEYS[(value, side)] = key
    return key


def same_link(a: str, b: str, side: str) -> bool:
    """True when two values of ``side``'s link field name the same record (or both hold nothing)."""
    return link_key(a, side) == link_key(b, side)


def is_form_rewrite(before: str, after: str, side: str) -> bool:
    """True when ``after`` replaces ``before`` with another form of the same id (15 → 18 characters,
    letter case repaired): the link does not change, only how it is written."""
    return bool(link_key(before, side)) and before != after and same_link(before, after, side)


def holds_text(current: str, target: str) -> bool:
    """True when a link field holding ``current`` holds ``target``'s very text.

    Values are read exactly as stored (so an undo can put back '  cus_1  ' with its spaces); stray
    spaces around a stored value do not make it another link, unless the target itself has them.
    Stricter than ``holds_target``: another form of the same record (15 ↔ 18 characters, letter case)
    does not count. It answers whether a write landed (the read-back after a lost answer,
    verification), not whether one is needed.
    """
    return current == target or (target == target.strip() and current.strip() == target)


def holds_target(value: str, target: str, side: str, *, planned_before: str, exact: bool = False) -> bool:
    """True when a field holding ``value`` already holds ``target`` as far as a write is concerned.

    The same record in another form counts, unless the write is itself a form rewrite (the plan
    chose to write the 18-character form) or ``exact`` is asked for (an undo puts back the very text:
    then only ``value == target`` counts, stricter still than ``holds_text``).
    """
    if value == target:
        return True
    if exact or is_form_rewrite(planned_before, target, side):
        return False
    return bool(link_key(target, side)) and same_link(value, target, side)


LINK_ROLES = {"accounts": "link_customer_id", "customers": "sf_account_id"}


def placeholder_issues(frame: pd.DataFrame, role: str, header: str) -> list[TableIssue]:
    """One issue per row of a canonical ``frame`` whose ``role`` column (the link field, read from
    ``header``) holds a placeholder: it is matched and planned as empty, and said so with its row."""
    if role not in frame.columns or not header:
        return []
    values = frame[role].tolist()
    rows = frame["source_row"].tolist() if "source_row" in frame.columns else list(range(2, len(values) + 2))
    return [
        TableIssue(int(row), header, "link_placeholder",
                   f"column '{header}': {PLACEHOLDER_PROBLEM} ('{str(value).strip()}'): it means no id, so it is "
                   "treated as empty (matched by name, written over); undo puts it back as it was.", str(value))
        for value, row in zip(values, rows, strict=True)
        if isinstance(value, str) and is_placeholder(value)
    ]
