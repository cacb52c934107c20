"""Arguments and error handling shared by the commands that read the user's files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from desktop_app.cli.common import TerminalProgress, UsageError, say
from desktop_app.core.progress import Cancelled
from desktop_app.core.roles import ROLES_BY_SIDE
from desktop_app.core.tables import TableError, TableIssue
from desktop_app.workflow.link_column import link_column_text
from desktop_app.workflow.load_files import ColumnOverride, LoadedInput

T = TypeVar("T")
MAX_ISSUES_PRINTED = 20
ROW_SPANS_SHOWN = 6
UNUSED_HEADERS_SHOWN = 12


def add_column_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--column", action="append", default=[], metavar="[SIDE:]ROLE=HEADER",
        help="say which column holds a role when auto-detection guesses wrong, e.g. "
             "--column name='Account Name' or --column customers:sf_account_id=CRM",
    )


def parse_overrides(values: Sequence[str]) -> list[ColumnOverride]:
    """Parse every --column value; a malformed one is a usage error."""
    try:
        return [ColumnOverride.parse(v) for v in values]
    except ValueError as error:
        raise UsageError(str(error)) from None


def check_out_path(out: Path, allowed: tuple[str, ...], inputs: Sequence[Path]) -> None:
    """Refuse an output path with the wrong extension or one that would overwrite an input."""
    if out.suffix.lower() not in allowed:
        raise UsageError(f"--out {out}: use a file ending in {' or '.join(allowed)}.")
    for source in inputs:
        if source.exists() and out.exists() and out.resolve() == source.resolve():
            raise UsageError(f"--out {out} is one of the input files; choose another name so nothing is lost.")


def run_step(step: Callable[[TerminalProgress], T]) -> T:
    """Run a step with terminal progress; bad input becomes a UsageError (exit 2)."""
    progress = TerminalProgress()
    try:
        return step(progress)
    except TableError as error:
        raise UsageError(str(error)) from None
    except Cancelled:
        raise KeyboardInterrupt from None
    finally:
        progress.finish()


def print_file_issues(inputs: Sequence[LoadedInput], *, all_of_them: str) -> None:
    """Print problems found in the files (Excel damage, short rows…) on stderr, by file and row; one
    line for the rows that share a problem (a column of placeholders is one line, not one per row).
    ``all_of_them`` says where the full list is (or how to get it) when more than fit."""
    for loaded in inputs:
        lines = _issue_lines(loaded.issues)
        for line in lines[:MAX_ISSUES_PRINTED]:
            say(f"{loaded.table.path.name}: {line}")
        if len(lines) > MAX_ISSUES_PRINTED:
            print(f"{loaded.table.path.name}: {len(lines) - MAX_ISSUES_PRINTED} more problems ({all_of_them}).",
                  file=sys.stderr)


def _issue_lines(issues: Sequence[TableIssue]) -> list[str]:
    """A line per problem, in the order of the first row each concerns: an intake message that names
    its row stays as it is; others are said once for all their rows."""
    rows_of: dict[str, list[int]] = {}
    own: list[tuple[int, str]] = []
    for issue in issues:
        if issue.message.startswith(("Row", "Line")):
            own.append((issue.row, issue.message))
        else:
            rows_of.setdefault(issue.message, []).append(issue.row)
    grouped = [(min(rows), f"{_rows_text(rows)}: {message}") for message, rows in rows_of.items()]
    return [text for _, text in sorted([*own, *grouped], key=lambda line: line[0])]


def _rows_text(rows: Sequence[int]) -> str:
    """'row 9', 'rows 9–16 (8 rows)', 'rows 3, 5, 7–9 (5 rows)'; the first ranges only when there are many."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    ordered = sorted(set(rows))
    spans: list[str] = []
    start = previous = ordered[0]
    for row in [*ordered[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        spans.append(str(start) if start == previous else f"{start}–{previous}")
        if row is not None:
            start = previous = row
    shown = ", ".join(spans[:ROW_SPANS_SHOWN]) + (", …" if len(spans) > ROW_SPANS_SHOWN else "")
    return f"rows {shown} ({len(rows):,} rows)"


def columns_used(loaded: LoadedInput) -> dict[str, str]:
    """Role -> the header the file's column was read from, in the side's role order."""
    return {role: loaded.roles.columns[role] for role in ROLES_BY_SIDE[loaded.side] if role in loaded.roles.columns}


def print_columns_used(inputs: Sequence[LoadedInput]) -> None:
    """Say on stderr which column each role was read from and which columns were not read at all, per
    file: a column holding the link or the ids that no role took must not go unnoticed."""
    for loaded in inputs:
        used = columns_used(loaded)
        taken = set(used.values())
        unused = [str(h) for h in loaded.table.frame.columns if h not in taken]
        roles = ", ".join(f"{role} ← {header!r}" for role, header in used.items()) or "no column taken for any role"
        line = f"{loaded.table.path.name} read as {loaded.side.value}: {roles}."
        if unused:
            shown = ", ".join(repr(h) for h in unused[:UNUSED_HEADERS_SHOWN])
            more = f" and {len(unused) - UNUSED_HEADERS_SHOWN} more" if len(unused) > UNUSED_HEADERS_SHOWN else ""
            line += (f" Not read: {shown}{more} (if one holds a role, say so with "
                     f"--column {loaded.side.value}:ROLE=HEADER).")
        say(line)
        if loaded.link_check is not None and loaded.link_check.several:  # which of them, and why
            say(f"{loaded.table.path.name}: {link_column_text(loaded.roles, loaded.link_check)}")
