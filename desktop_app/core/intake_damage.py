"""Find ids a spreadsheet damaged: scientific notation, zeroed tails, dates, changed letter case.

Runs over id-like columns only, so prose columns are never flagged. Each value is classified by
one regular-expression pass; checksums are checked in NumPy, so a million-row id column is
scanned in about a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from desktop_app.core import intake_types
from desktop_app.core.ids import (
    SUFFIX_ALPHABET,
    case_insensitive_collisions,
    normalize_id,
    not_salesforce_ids,
    problem_with_id,
)
from desktop_app.core.intake_types import TableIssue

_SCIENTIFIC = r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d{1,3}"
_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-zA-Z]{0,6}"
_DATE = (
    r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}/\d{1,2}/\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}\.\d{1,2}\.\d{2,4}"
    rf"|\d{{1,2}}[- ]{_MONTH}(?:[- ]\d{{2,4}})?"
    rf"|{_MONTH}[- ]\d{{1,4}}"
)
# One pass classifies every value; the first alternative that matches the whole value names it.
_CLASSIFY = re.compile(
    rf"(?P<empty>)|(?P<digits>\d{{16,}})|(?P<sf15>[0-9A-Za-z]{{15}})|(?P<sf18>[0-9A-Za-z]{{18}})"
    rf"|(?P<sci>{_SCIENTIFIC})|(?P<date>{_DATE})"
)
_SALESFORCE_FIRST = frozenset("0aA")  # standard objects start with 0, custom objects with a
_EXCEL_DIGITS = 15
_BIT_WEIGHTS = np.array([1, 2, 4, 8, 16], dtype=np.uint8)
_SUFFIX_BYTES = np.frombuffer(SUFFIX_ALPHABET.encode("ascii"), dtype=np.uint8)

MessageFor = Callable[[str, str], str]
TextArray = npt.NDArray[np.object_]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Classified:
    """Each value of a column stripped, and the name of the shape it has (``other`` if none)."""

    text: TextArray
    kind: TextArray

    def mask(self, *kinds: str) -> Mask:
        result: Mask = np.isin(self.kind, kinds)
        return result


def _classify(values: pd.Series) -> _Classified:
    texts = [str(v).strip() for v in values.tolist()]
    kinds = [(m.lastgroup or "other") if (m := _CLASSIFY.fullmatch(t)) else "other" for t in texts]
    return _Classified(np.array(texts, dtype=object), np.array(kinds, dtype=object))


def _where(row_word: str, row: int, column: str) -> str:
    return f"{row_word} {row}, column '{column}'"


def _issues_for_mask(
    mask: Mask,
    texts: TextArray,
    source_rows: Sequence[int],
    column: str,
    kind: str,
    row_word: str,
    message: MessageFor,
) -> list[TableIssue]:
    """One issue per flagged row up to the cap, then one summary issue for the rest."""
    positions = np.flatnonzero(mask)
    issues: list[TableIssue] = []
    for pos in positions[: intake_types.MAX_ISSUES_PER_KIND]:
        value = str(texts[pos])
        row = int(source_rows[pos])
        issues.append(TableIssue(row, column, kind, message(_where(row_word, row, column), value), value))
    if len(positions) > intake_types.MAX_ISSUES_PER_KIND:
        row = int(source_rows[positions[intake_types.MAX_ISSUES_PER_KIND]])
        rest = len(positions) - intake_types.MAX_ISSUES_PER_KIND
        summary = f"…and {rest} more rows in column '{column}' have the same problem ({kind})."
        issues.append(TableIssue(row, column, kind, summary))
    return issues


def _salesforce_share(classified: _Classified) -> float:
    nonempty = int((classified.kind != "empty").sum())
    if nonempty == 0:
        return 0.0
    shaped = classified.text[classified.mask("sf15", "sf18")]
    return sum(1 for t in shaped if t[0] in _SALESFORCE_FIRST) / nonempty


def looks_like_salesforce_ids(values: pd.Series) -> float:
    """Share (0–1) of the non-empty values shaped like Salesforce record ids."""
    return _salesforce_share(_classify(values))


def looks_scientific(values: pd.Series) -> float:
    """Share (0–1) of the non-empty values written in scientific notation."""
    classified = _classify(values)
    nonempty = int((classified.kind != "empty").sum())
    return float(classified.mask("sci").sum()) / nonempty if nonempty else 0.0


def scan_column(values: pd.Series, source_rows: Sequence[int], column: str, row_word: str) -> list[TableIssue]:
    """Every sign of spreadsheet damage in one id column, one issue per affected row.

    ``row_word`` is "Line" for CSV and "Row" for a sheet, used in the messages.
    """
    c = _classify(values)
    issues = _issues_for_mask(
        c.mask("sci"),
        c.text,
        source_rows,
        column,
        "scientific_notation",
        row_word,
        lambda where, v: (
            f"{where}: {v!r} is an id a spreadsheet turned into scientific notation, so its digits are "
            "lost. Export the ids again and open the file as text (import it, do not double-click it)."
        ),
    )
    zero_tail = c.mask("digits")
    for pos in np.flatnonzero(zero_tail):
        zero_tail[pos] = len(str(c.text[pos]).rstrip("0")) <= _EXCEL_DIGITS
    issues += _issues_for_mask(
        zero_tail,
        c.text,
        source_rows,
        column,
        "precision_lost",
        row_word,
        lambda where, v: (
            f"{where}: {v!r} has more than 15 digits and ends in zeros; Excel keeps only 15 significant "
            "digits, so the id's last digits were probably replaced. Export the ids again as text."
        ),
    )
    issues += _issues_for_mask(
        c.mask("date"),
        c.text,
        source_rows,
        column,
        "became_date",
        row_word,
        lambda where, v: (
            f"{where}: {v!r} looks like a date in an id column; a spreadsheet probably converted the id. "
            "Export the ids again and keep the column as text."
        ),
    )
    if _salesforce_share(c) >= 0.5:
        issues += _salesforce_id_issues(c, source_rows, column, row_word)
    return issues


def _checksum_mismatches(ids18: TextArray) -> Mask:
    """Vectorised: which 18-character ids have a suffix that disagrees with their first 15."""
    if len(ids18) == 0:
        return np.zeros(0, dtype=bool)
    raw = np.frombuffer("".join(ids18.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    upper = ((raw[:, :15] >= ord("A")) & (raw[:, :15] <= ord("Z"))).astype(np.uint8)
    expected = _SUFFIX_BYTES[(upper.reshape(-1, 3, 5) * _BIT_WEIGHTS).sum(axis=2)]
    result: Mask = (expected != raw[:, 15:]).any(axis=1)
    return result


def _salesforce_id_issues(c: _Classified, source_rows: Sequence[int], column: str, row_word: str) -> list[TableIssue]:
    case_changed = np.zeros(len(c.text), dtype=bool)
    invalid = c.mask("other")
    idx18 = np.flatnonzero(c.mask("sf18"))
    for pos in idx18[_checksum_mismatches(c.text[idx18])]:
        if normalize_id(str(c.text[pos])) is not None:
            case_changed[pos] = True
        else:
            invalid[pos] = True
    issues = _issues_for_mask(
        case_changed,
        c.text,
        source_rows,
        column,
        "case_changed_id",
        row_word,
        lambda where, v: (
            f"{where}: the letter case of the 18-character id {v!r} was changed; its checksum restores it "
            f"as {normalize_id(v)!r}. Prefer exports that keep ids unchanged."
        ),
    )
    issues += _issues_for_mask(
        invalid,
        c.text,
        source_rows,
        column,
        "invalid_id",
        row_word,
        lambda where, v: (f"{where}: {v!r} is not a valid Salesforce id ({problem_with_id(v)}), so this row cannot "
                          "be linked by it. Correct the id in the source, or export the ids again as text."),
    )
    idx15 = np.flatnonzero(c.mask("sf15"))
    texts15 = [str(t) for t in c.text[idx15]]
    with_letters = np.zeros(len(c.text), dtype=bool)
    with_letters[idx15] = [any(ch.isalpha() for ch in t) for t in texts15]
    no_lower_anywhere = not any(any(ch.islower() for ch in t) for t in texts15)
    if no_lower_anywhere and int(with_letters.sum()) >= 2:
        return issues + _issues_for_mask(
            with_letters,
            c.text,
            source_rows,
            column,
            "uppercased_id",
            row_word,
            lambda where, v: (
                f"{where}: {v!r} is a 15-character Salesforce id, and no id in this column has a lower-case "
                "letter: they were probably upper-cased, and 15-character ids are case-sensitive. Export "
                "the 18-character ids (CASESAFEID(Id)) instead."
            ),
        )
    return issues + _collision_issues(idx15, texts15, source_rows, column, row_word)


def _collision_issues(
    idx15: npt.NDArray[np.intp], texts15: list[str], source_rows: Sequence[int], column: str, row_word: str
) -> list[TableIssue]:
    groups = case_insensitive_collisions(pd.Series(texts15, dtype=object))
    issues: list[TableIssue] = []
    for ids, rows in zip(groups["ids"], groups["rows"], strict=True):
        listed = " and ".join(repr(i) for i in ids)
        for pos in rows[: intake_types.MAX_ISSUES_PER_KIND]:
            row = int(source_rows[idx15[pos]])
            issues.append(
                TableIssue(
                    row,
                    column,
                    "case_collision",
                    f"{_where(row_word, row, column)}: ids {listed} differ only in letter case; Excel "
                    "lookups and other case-insensitive tools treat them as one record. Use the 18-character "
                    "ids.",
                    texts15[pos],
                )
            )
    return issues


def note_issue(row_word: str, row: int, column: str, kind: str, text: str) -> TableIssue:
    """The issue for a cell an XLSX reader noted (date cell, long number) in an id column."""
    where = _where(row_word, row, column)
    messages = {
        "became_date": (
            f"{where}: the cell is a date ({text}), not an id; a spreadsheet probably converted the id. "
            "Format the column as Text in the source and export again."
        ),
        "precision_lost": (
            f"{where}: the number {text} has more than 15 significant digits; Excel stores only 15, so the "
            "id's last digits may be wrong. Format the column as Text in the source and export again."
        ),
        "stored_as_number": (
            f"{where}: the id {text} is stored as a number (Excel shows it in scientific notation); it was "
            "read back with all its digits. Format the column as Text so a later save cannot damage it."
        ),
    }
    return TableIssue(row, column, kind, messages.get(kind, f"{where}: suspicious cell ({kind})."), text)


# Damage scan_column already reported for a row: the row needs no second issue for the same value.
_DAMAGE_KINDS = frozenset({"scientific_notation", "precision_lost", "became_date", "invalid_id", "stored_as_number"})


def non_salesforce_account_ids(values: pd.Series, source_rows: Sequence[int], column: str, row_word: str,
                               known: Sequence[TableIssue] = ()) -> list[TableIssue]:
    """An issue for every row of the accounts' id column (``column``) whose value is no Salesforce
    id (an id a user chose by hand, a directory's own record numbers): such a row is never linked.
    Rows ``known`` issues already name as damaged in that column are left to them."""
    bad = not_salesforce_ids(values)
    damaged = {issue.row for issue in known if issue.column == column and issue.kind in _DAMAGE_KINDS}
    if damaged:
        bad &= ~np.isin(np.asarray(source_rows, dtype=np.int64), list(damaged))
    texts = np.array([str(v).strip() for v in values.to_numpy(dtype=object)[bad].tolist()], dtype=object)
    all_texts = np.full(len(bad), "", dtype=object)
    all_texts[bad] = texts
    return _issues_for_mask(
        bad,
        all_texts,
        source_rows,
        column,
        "not_salesforce_id",
        row_word,
        lambda where, v: (
            f"{where}: {v!r} is not a Salesforce Account Id ({problem_with_id(v)}), so this row cannot be "
            "linked. Choose the column that holds the Account Id (15 or 18 letters and digits, starting "
            "with 001), or export the accounts again with their Id."
        ),
    )
