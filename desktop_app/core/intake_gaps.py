"""Roles a file left without a column, in words: the id (no row can be linked without it) and the
name (only ids, links and domains can match without it).

A directory or registry export carries its own record numbers in a column named ``id``; on the
accounts side that column is rightly refused (it holds no Salesforce Account ids), and the user
must hear that once, for the file, not as "row N has no Account Id" on every row.
"""

from __future__ import annotations

from desktop_app.core.intake_aliases import ALIASES
from desktop_app.core.intake_roles import normalize_header
from desktop_app.core.intake_types import RoleMapping
from desktop_app.core.roles import ID_ROLE, Side

_ID_WORDS = {Side.ACCOUNTS: "Salesforce Account Id", Side.CUSTOMERS: "customer id"}
_HEADERS_SHOWN = 12


def _columns_text(headers: list[str]) -> str:
    shown = ", ".join(repr(h) for h in headers[:_HEADERS_SHOWN])
    return shown + (f" and {len(headers) - _HEADERS_SHOWN} more" if len(headers) > _HEADERS_SHOWN else "")


def missing_id(file_name: str, side: Side, roles: RoleMapping, headers: list[str]) -> str | None:
    """A sentence when no column of an accounts or customers file holds its ids, else None."""
    word = _ID_WORDS.get(side)
    role = ID_ROLE.get(side, "")
    if word is None or role in roles.columns or roles.reasons.get(role) == "left empty by you":
        return None
    why = roles.reasons.get(role)
    found = f"Checked: {why}." if why else "No header names it."
    return (f"{file_name}: no column holds the {word}, so no row could be linked. {found}{_swapped(side, roles)} "
            f"The columns are: {_columns_text(headers)}.")


def _swapped(side: Side, roles: RoleMapping) -> str:
    """A hint when a customers file is in fact the accounts export: its own id column holds Account ids."""
    header = roles.columns.get("sf_account_id")
    own_ids = ("id", *ALIASES[Side.ACCOUNTS]["account_id"])
    if side is not Side.CUSTOMERS or header is None or normalize_header(header) not in own_ids:
        return ""
    return (f" Its column '{header}' holds Salesforce Account ids, so it looks like the accounts export: check "
            "that the accounts and customers files are not swapped.")


def missing_name(file_name: str, side: Side, roles: RoleMapping, headers: list[str]) -> str | None:
    """A sentence when an accounts or customers file has no name column, else None."""
    if side not in _ID_WORDS or "name" in roles.columns or roles.reasons.get("name") == "left empty by you":
        return None
    return (f"{file_name}: no column was recognised as the company name, so records can match only by "
            f"id, link, website or e-mail. The columns are: {_columns_text(headers)}.")
