"""Small hand-made canonical frames for the matching tests."""

from __future__ import annotations

import pandas as pd

from desktop_app.core.ids import to_18
from desktop_app.core.roles import ACCOUNT_ROLES, CUSTOMER_ROLES, SOURCE_ROW


def account_id(number: int) -> str:
    """A valid 18-character Account id, different for each ``number``."""
    return to_18(f"0015g0000{number:06d}")


def accounts(*rows: dict[str, str]) -> pd.DataFrame:
    """Canonical accounts; ``account_id`` defaults to ``account_id(i + 1)``."""
    records = [{"account_id": account_id(i + 1), **row} for i, row in enumerate(rows)]
    return _frame(records, ACCOUNT_ROLES)


def customers(*rows: dict[str, str]) -> pd.DataFrame:
    """Canonical customers; ``customer_id`` defaults to ``cus_<i+1>``."""
    records = [{"customer_id": f"cus_{i + 1}", **row} for i, row in enumerate(rows)]
    return _frame(records, CUSTOMER_ROLES)


def _frame(records: list[dict[str, str]], roles: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame({role: [r.get(role, "") for r in records] for role in roles}, dtype=object)
    frame[SOURCE_ROW] = range(2, len(records) + 2)
    return frame


def row_of(decisions: pd.DataFrame, *, account: str = "", customer: str = "") -> pd.Series:
    """The single decision row for ``account`` (or, when only ``customer`` is given, for it)."""
    if account:
        hits = decisions[decisions["account_id"] == account]
    else:
        hits = decisions[(decisions["customer_id"] == customer) & (decisions["account_id"] == "")]
    assert len(hits) == 1, hits
    return hits.iloc[0]
