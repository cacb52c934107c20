"""The plan refuses a link to an account id that is no Salesforce Account Id, before reading any system."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.ids import to_18
from desktop_app.core.plan import PlanError
from desktop_app.workflow.plan import plan_from_live


def _matches(*account_ids: str) -> pd.DataFrame:
    return pd.DataFrame({"account_id": list(account_ids), "customer_id": [f"cus_{i}" for i in range(len(account_ids))],
                         "status": "matched"})


def test_a_non_salesforce_account_id_is_refused_before_any_system_is_read() -> None:
    # No systems are given: reading one would fail with a KeyError, not with the refusal.
    with pytest.raises(PlanError) as refused:
        plan_from_live(_matches(to_18("0015g000000A001"), "534", "535"), {})
    message = str(refused.value)
    assert "Matches row 3, column account_id: '534' is not a Salesforce Account Id (has 3 characters" in message
    assert "(1 more row like it)" in message
    assert "--column account_id=HEADER" in message
    with pytest.raises(KeyError):  # valid ids go on to read the systems
        plan_from_live(_matches(to_18("0015g000000A001")), {})
