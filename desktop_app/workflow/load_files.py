"""Loading the user's files for a step: read, pick roles (with overrides), collect file issues."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from desktop_app.core.id_duplicates import id_issues
from desktop_app.core.intake_damage import non_salesforce_account_ids
from desktop_app.core.intake_roles import role_candidates
from desktop_app.core.link_values import LINK_ROLES, placeholder_issues
from desktop_app.core.progress import CancelToken, ProgressCallback, ignore_progress
from desktop_app.core.roles import ID_ROLE, ROLES_BY_SIDE, Side
from desktop_app.core.tables import LoadedTable, RoleMapping, TableError, TableIssue, read_table
from desktop_app.workflow.link_column import LINK_ROLE, LinkCheck, link_reason


@dataclass(frozen=True)
class ColumnOverride:
    """``--column [SIDE:]ROLE=HEADER``: the header that holds a role, optionally for one side only."""

    role: str
    header: str
    side: Side | None = None

    @classmethod
    def parse(cls, text: str) -> ColumnOverride:
        """Parse ``ROLE=HEADER`` or ``accounts:ROLE=HEADER``; raises ``ValueError`` with the fix."""
        target, sep, header = text.partition("=")
        if not sep or not target.strip() or not header.strip():
            raise ValueError(f"--column {text!r} should look like ROLE=HEADER, e.g. name='Account Name'.")
        side_name, colon, role = target.strip().rpartition(":")
        side = None
        if colon:
            try:
                side = Side(side_name.strip().lower())
            except ValueError:
                names = ", ".join(s.value for s in Side)
                raise ValueError(f"--column {text!r}: unknown side {side_name!r}; use one of {names}.") from None
        role = role.strip().lower()
        known = sorted({r for roles in ROLES_BY_SIDE.values() for r in roles})
        if role not in known:
            raise ValueError(f"--column {text!r}: unknown role {role!r}; roles are {', '.join(known)}.")
        return cls(role=role, header=header.strip(), side=side)


def overrides_for(table: LoadedTable, side: Side, overrides: Sequence[ColumnOverride]) -> dict[str, str]:
    """The overrides that apply to ``table`` read as ``side``.

    An override naming this side always applies (an unknown header is then an error from intake);
    one without a side applies where the table has that header and the side has that role.
    """
    chosen: dict[str, str] = {}
    for override in overrides:
        if override.role not in ROLES_BY_SIDE[side]:
            continue
        if override.side == side or (override.side is None and override.header in table.frame.columns):
            chosen[override.role] = override.header
    return chosen


@dataclass
class LoadedInput:
    """A file loaded for one side: the table, its canonical frame and the roles chosen."""

    table: LoadedTable
    side: Side
    frame: pd.DataFrame
    roles: RoleMapping
    link_issues: list[TableIssue] = field(default_factory=list)  # placeholders in the link field
    link_check: LinkCheck | None = None  # an accounts file's link columns (see ``prefer_link_found_among``)
    chosen: dict[str, str] = field(default_factory=dict)  # role -> header the user chose ("" left empty)

    @property
    def issues(self) -> list[TableIssue]:
        """Problems found while reading the file, then placeholder values in its link field."""
        return [*self.table.issues, *self.link_issues]


def load_input(
    path: Path,
    side: Side,
    overrides: Sequence[ColumnOverride] = (),
    *,
    sheet: str | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> LoadedInput:
    """Read ``path`` for ``side`` and map its columns to roles; raises ``TableError`` on bad input."""
    table = read_table(path, sheet=sheet, progress=progress, cancel=cancel)
    chosen = overrides_for(table, side, overrides)
    try:
        roles = table.roles(side, chosen)
    except TableError as error:
        raise TableError(f"{path.name}: {error}") from None
    frame = table.canonical(side, chosen)
    id_header = roles.columns.get(ID_ROLE[side])
    if id_header is not None and side in (Side.ACCOUNTS, Side.CUSTOMERS):
        row_word = "Row" if table.sheet is not None else "Line"
        table.issues.extend(id_issues(frame[ID_ROLE[side]], table.source_rows, side, id_header, row_word))
        if side is Side.ACCOUNTS:  # a column chosen by hand may hold no Salesforce ids at all
            table.issues.extend(non_salesforce_account_ids(frame[ID_ROLE[side]], table.source_rows, id_header,
                                                           row_word, table.issues))
    role = LINK_ROLES.get(side.value, "")
    link_issues = placeholder_issues(frame, role, roles.columns.get(role, ""))
    check = None
    if side is Side.ACCOUNTS and LINK_ROLE not in chosen:
        check = LinkCheck(tuple(role_candidates(table.frame, side, LINK_ROLE)))
    return LoadedInput(table=table, side=side, frame=frame, roles=roles, link_issues=link_issues, link_check=check,
                       chosen=chosen)


def prefer_link_found_among(accounts: LoadedInput, customers: LoadedInput) -> LoadedInput:
    """``accounts`` reading its link from the link column whose values are ids of ``customers``.

    The header alone picks the first of several link fields (see ``workflow/link_column.py``), which
    against the other system's customers makes every linked account a conflict. A link column chosen
    by the user stays. The result's ``link_check`` says how many ids each candidate holds.
    """
    check = accounts.link_check
    if check is None or not check.several:
        return accounts
    frame = accounts.table.frame
    ids = set(customers.frame[ID_ROLE[Side.CUSTOMERS]].astype(str).str.strip()) - {""}
    found = {h: int(frame[h].astype(str).str.strip().isin(ids).sum()) for h in check.candidates}
    checked = LinkCheck(check.candidates, found, customers.table.path.name)
    current = accounts.roles.columns.get(LINK_ROLE, "")
    best = max(check.candidates, key=lambda h: found[h])  # max keeps the header's own ranking on ties
    if best == current or found[best] <= found.get(current, 0):
        return replace(accounts, link_check=checked)
    chosen = {**accounts.chosen, LINK_ROLE: best}
    roles = accounts.table.roles(Side.ACCOUNTS, chosen)
    roles = RoleMapping(columns=roles.columns, reasons={**roles.reasons, LINK_ROLE: link_reason(best, checked)})
    canonical = accounts.table.canonical(Side.ACCOUNTS, chosen)
    return replace(accounts, frame=canonical, roles=roles, link_issues=placeholder_issues(canonical, LINK_ROLE, best),
                   link_check=checked)


def unused_overrides(overrides: Sequence[ColumnOverride], inputs: Sequence[LoadedInput]) -> list[str]:
    """Messages for overrides that matched no loaded file (a typo in a header is easy to make)."""
    messages = []
    for override in overrides:
        used = any(override.role in overrides_for(i.table, i.side, [override]) for i in inputs)
        if not used:
            where = ", ".join(f"{i.table.path.name}: {', '.join(map(str, i.table.frame.columns))}" for i in inputs)
            messages.append(
                f"--column {override.role}={override.header!r}: no loaded file has a column "
                f"{override.header!r} for that role. Headers found — {where}."
            )
    return messages


def issues_frame(inputs: Sequence[LoadedInput]) -> pd.DataFrame:
    """Every file issue as a table: file, row, column, kind, message, value."""
    rows = [
        {"file": i.table.path.name, "row": issue.row, "column": issue.column, "kind": issue.kind,
         "message": issue.message, "value": issue.value}
        for i in inputs
        for issue in i.issues
    ]
    return pd.DataFrame(rows, columns=["file", "row", "column", "kind", "message", "value"])


def role_summary(loaded: LoadedInput) -> Mapping[str, str]:
    """Role → "header (why)" for display."""
    return {
        role: f"{header} ({loaded.roles.reasons.get(role, '')})".replace(" ()", "")
        for role, header in loaded.roles.columns.items()
    }


__all__ = [
    "ColumnOverride",
    "LoadedInput",
    "TableError",
    "issues_frame",
    "load_input",
    "overrides_for",
    "prefer_link_found_among",
    "role_summary",
    "unused_overrides",
]
