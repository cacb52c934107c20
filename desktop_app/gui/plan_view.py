"""The Plan page's table: the plan's rows with the account's and the customer's names beside their ids,
and one action per link to filter by (pandas only, built on a worker)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.ids import normalize_id
from desktop_app.core.plan import Plan

# What the action filter offers: (label, link action; "" = every link).
ACTION_FILTERS: tuple[tuple[str, str], ...] = (
    ("Every link", ""),
    ("Links with a value to set", "set"),
    ("Links left as they are (skip)", "skip"),
    ("Links in conflict", "conflict"),
)


def link_actions(table: pd.DataFrame) -> pd.Series:
    """Per plan row: ``conflict`` when either side is in conflict, else ``set`` when either side is set,
    else ``skip``."""
    sides = table[["account_action", "customer_action"]]
    conflict = (sides == "conflict").any(axis=1).to_numpy()
    written = (sides == "set").any(axis=1).to_numpy()
    return pd.Series(np.where(conflict, "conflict", np.where(written, "set", "skip")), index=table.index, dtype=object)


def _names(decisions: pd.DataFrame, id_column: str, name_column: str, normalize: bool) -> dict[str, str]:
    if id_column not in decisions.columns or name_column not in decisions.columns:
        return {}
    pairs = decisions[[id_column, name_column]].astype(str)
    pairs = pairs[(pairs[id_column].str.strip() != "") & (pairs[name_column].str.strip() != "")]
    pairs = pairs.drop_duplicates(id_column)
    ids = pairs[id_column].str.strip()
    if normalize:
        ids = ids.map(lambda raw: normalize_id(raw) or raw)
    return dict(zip(ids.tolist(), pairs[name_column].tolist(), strict=True))


def plan_table(plan: Plan, decisions: pd.DataFrame | None) -> pd.DataFrame:
    """``plan.table()`` with ``account_name`` and ``customer_name`` (the plan's own, else from the
    reviewed decisions; "" when unknown) and ``link_action`` (see ``link_actions``) first."""
    table = plan.table()
    decisions = decisions if decisions is not None else pd.DataFrame()
    accounts = _names(decisions, "account_id", "account_name", normalize=True)
    customers = _names(decisions, "customer_id", "customer_name", normalize=False)
    for position, (id_column, name_column, names) in enumerate(
            (("account_id", "account_name", accounts), ("customer_id", "customer_name", customers))):
        looked_up = table[id_column].map(names).fillna("").astype(object)
        if name_column in table.columns:  # the plan carries the names it was built with; fill the gaps
            table[name_column] = table[name_column].where(table[name_column].astype(str) != "", looked_up)
        else:
            table.insert(2 + 2 * position, name_column, looked_up)
    table.insert(1, "link_action", link_actions(table))
    return table


def explain(row: pd.Series, billing_name: str) -> str:
    """One plan row in full sentences: who is linked to whom, what each side holds and gets, and why."""
    account = f"{row['account_name']} ({row['account_id']})" if row["account_name"] else row["account_id"]
    customer = f"{row['customer_name']} ({row['customer_id']})" if row["customer_name"] else row["customer_id"]
    lines = [f"Row {row['row']}: Salesforce account {account} ↔ {billing_name} customer {customer}."]
    for side, label in (("account", "Salesforce"), ("customer", billing_name)):
        before, after, action = row[f"{side}_before"], row[f"{side}_after"], row[f"{side}_action"]
        holds = f"holds {before}" if before else "is empty"
        if action == "set":
            lines.append(f"{label}: the field {holds}; it is set to {after}.")
        elif action == "conflict":
            lines.append(f"{label}: conflict — the field {holds}, not {after}; it is left alone.")
        else:
            lines.append(f"{label}: the field {holds}; nothing is written.")
    if row["note"]:
        lines.append(f"Why: {row['note']}")
    return "\n".join(lines)
