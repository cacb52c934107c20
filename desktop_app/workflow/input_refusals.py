"""Files that cannot be used as they were read, refused before anything is matched or written.

One rule for every front end: ``desktop-app match`` and ``desktop-app customers`` refuse them with a
usage error, the wizard's Load page shows the same sentence and keeps Next closed. Each front end
adds its own way to fix it (a ``--column`` option, the Columns… button).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from desktop_app.core.intake_gaps import missing_id
from desktop_app.core.intake_types import RoleMapping
from desktop_app.core.roles import ID_ROLE, SOURCE_ROW, Side
from desktop_app.workflow.load_files import LoadedInput

_MAPPING_SIDES = (("account_id", "Salesforce Account Id"), ("customer_id", "customer id"))
_ROWS_NAMED = 5


@dataclass(frozen=True)
class Refusal:
    """Why a file cannot be used: ``problem`` names the file and what is missing; ``role`` is the role
    whose column the person should name; ``accounts_export``: its rows hold Account ids instead."""

    problem: str
    side: Side
    role: str
    accounts_export: bool = False

    def text(self, name_the_column: str, give_as_accounts: str = "") -> str:
        """The problem, then what to do in the front end's words: ``name_the_column`` ("Say which column
        holds it: …") and, for what looks like the accounts export, ``give_as_accounts``."""
        hint = (f" Its rows hold Salesforce Account ids: if it is the accounts export, {give_as_accounts}."
                if self.accounts_export and give_as_accounts else "")
        return f"{self.problem}{hint} {name_the_column}"


def refusal_of(loaded: LoadedInput) -> Refusal | None:
    """Why ``loaded`` cannot be used, or None: an accounts or customers file without its id column, a
    customers file whose ids are all empty, a mapping with one side's column unknown (a contacts file
    is never refused: its rows are checked, not linked)."""
    headers = [str(h) for h in loaded.table.frame.columns]
    name = loaded.table.path.name
    if loaded.side is Side.MAPPING:
        return half_a_mapping(name, loaded.roles, headers)
    problem = missing_id(name, loaded.side, loaded.roles, headers)
    if problem is not None:
        return Refusal(problem, loaded.side, ID_ROLE[loaded.side])
    if loaded.side is Side.CUSTOMERS:
        return customers_without_ids(loaded.frame, name, loaded.roles.columns.get(ID_ROLE[Side.CUSTOMERS]))
    return None


def half_a_mapping(name: str, roles: RoleMapping, headers: list[str]) -> Refusal | None:
    """A mapping file must say both sides of each pair; with one column unknown every pair is lost."""
    for role, word in _MAPPING_SIDES:
        if role not in roles.columns:
            return Refusal(f"{name}: no column of the mapping holds the {word}, so none of its pairs can be used. "
                           f"The columns are: {', '.join(repr(h) for h in headers)}.", Side.MAPPING, role)
    return None


def customers_without_ids(frame: pd.DataFrame, source: str, header: str | None = None) -> Refusal | None:
    """Customers none of whose rows has an id (an accounts export, a list of names) would be records
    nothing can link. ``frame`` is canonical; ``header`` the file's column read as the id, if any."""
    role = ID_ROLE[Side.CUSTOMERS]
    if not len(frame) or bool((frame[role].astype(str).str.strip() != "").any()):
        return None
    linked = bool((frame["sf_account_id"].astype(str).str.strip() != "").any())
    what = "no column holds the customer id" if header is None else f"its customer id column '{header}' is empty"
    return Refusal(f"{source}: {what}, so none of its {len(frame):,} rows could be linked.", Side.CUSTOMERS, role,
                   accounts_export=linked)


def customers_without_some_ids(frame: pd.DataFrame, source: str) -> str | None:
    """A sentence naming the rows of ``frame`` without a customer id among others that have one, or None."""
    missing = frame[ID_ROLE[Side.CUSTOMERS]].astype(str).str.strip() == ""
    if not bool(missing.any()) or bool(missing.all()) or SOURCE_ROW not in frame.columns:
        return None
    count = int(missing.sum())
    rows = ", ".join(str(r) for r in frame.loc[missing, SOURCE_ROW].head(_ROWS_NAMED).tolist())
    more = f" and {count - _ROWS_NAMED:,} more" if count > _ROWS_NAMED else ""
    return f"{source}: {count:,} customers have no id and cannot be linked (rows {rows}{more})."
