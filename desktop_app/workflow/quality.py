"""Use case: check one file's addresses and ISO country codes (support staff use it on its own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from desktop_app.core.addresses import apply_fixes, check_addresses
from desktop_app.core.billing_rules import CustomerRequirement, requirement_problems
from desktop_app.core.fixed_copy import write_fixed_copy
from desktop_app.core.intake_roles import role_candidates
from desktop_app.core.progress import CancelToken, ProgressCallback, ignore_progress
from desktop_app.core.roles import ID_ROLE, Side
from desktop_app.core.tables import TableError, read_table
from desktop_app.workflow.load_files import ColumnOverride, LoadedInput, overrides_for

ADDRESS_ROLES = ("street", "city", "state", "postcode", "country")


@dataclass
class AddressCheck:
    """The problems found in one file, and the file's records with confident fixes applied."""

    loaded: LoadedInput
    problems: pd.DataFrame
    fixed: pd.DataFrame
    fixes_applied: int

    def write_fixed(self, path: Path) -> Path:
        """Write the file again with the confident fixes applied: its own headers, column order and
        delimiter; only the fixed address values differ."""
        return write_fixed_records(path, self.loaded, self.fixed)


def write_fixed_records(path: Path, loaded: LoadedInput, fixed: pd.DataFrame) -> Path:
    """Write ``loaded``'s file again with the address values of ``fixed`` (its canonical frame with
    fixes applied): the file's own headers, column order and delimiter; nothing else changes."""
    roles = loaded.roles.columns
    changed = {roles[role]: fixed[role] for role in ADDRESS_ROLES if role in roles}
    return write_fixed_copy(path, loaded.table, changed)


def guess_side(loaded_by_side: dict[Side, LoadedInput]) -> Side:
    """The side whose id role the file has filled on the most rows (on a tie: accounts, then customers,
    then contacts). A customers export also holds the Salesforce id of the linked Account, which reads
    as an accounts id column; the records' own id is the one every row has."""
    accounts_id = loaded_by_side[Side.ACCOUNTS].roles.columns.get(ID_ROLE[Side.ACCOUNTS])
    customers = loaded_by_side[Side.CUSTOMERS]
    if ID_ROLE[Side.CUSTOMERS] in customers.roles.columns and accounts_id == customers.roles.columns.get(
            "sf_account_id") and accounts_id in role_candidates(customers.table.frame, Side.CUSTOMERS, "sf_account_id"):
        # The Account ids sit in a column named as a customer's link ('Account.CrmId', 'salesforce_account_id'):
        # a fully linked customers export, whose every row holds its Account's id next to its own.
        return Side.CUSTOMERS
    filled: dict[Side, int] = {}
    for side in (Side.ACCOUNTS, Side.CUSTOMERS, Side.CONTACTS):
        loaded = loaded_by_side[side]
        header = loaded.roles.columns.get(ID_ROLE[side])
        if header is not None:
            filled[side] = int((loaded.table.frame[header].astype(str).str.strip() != "").sum())
    return max(filled, key=lambda side: filled[side]) if filled else Side.CUSTOMERS


def check_address_file(
    path: Path,
    *,
    side: Side | None = None,
    overrides: Sequence[ColumnOverride] = (),
    sheet: str | None = None,
    min_confidence: float = 0.9,
    customer_requirements: Sequence[CustomerRequirement] = (),
    billing_name: str = "the billing system",
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> AddressCheck:
    """Read ``path``, find address problems, and apply fixes at or above ``min_confidence``.

    With ``side`` None the side is guessed from which id column the file has. A customers file is
    also checked against ``customer_requirements`` (what ``billing_name`` needs before it accepts a
    link). Raises
    ``TableError`` when the file cannot be read or has no address column at all.
    """
    table = read_table(path, sheet=sheet, progress=progress, cancel=cancel)
    candidates = {
        s: LoadedInput(table, s, pd.DataFrame(), table.roles(s, overrides_for(table, s, overrides)))
        for s in (Side.ACCOUNTS, Side.CUSTOMERS, Side.CONTACTS)
    }
    chosen = side or guess_side(candidates)
    roles = candidates[chosen].roles
    if not any(role in roles.columns for role in ADDRESS_ROLES):
        raise TableError(
            f"{path.name} has no address column (looked for street, city, state, postcode and country "
            f"headers among: {', '.join(map(str, table.frame.columns))}). Name the columns with "
            "--column country=HEADER (and street=, city=, state=, postcode=)."
        )
    frame = table.canonical(chosen, overrides_for(table, chosen, overrides))
    loaded = LoadedInput(table=table, side=chosen, frame=frame, roles=roles)
    problems = check_addresses(frame, chosen, cancel=cancel)
    if chosen is Side.CUSTOMERS:
        problems = requirement_problems(frame, customer_requirements, billing_name, problems)
    fixed, applied = apply_fixes(frame, problems, min_confidence=min_confidence)
    return AddressCheck(loaded=loaded, problems=problems, fixed=fixed, fixes_applied=applied)
