"""Plan (dry run): per link and side, what a write would do, from the live systems' current values.

The wizard's Plan page and ``desktop-app plan`` both build the plan of reviewed matches here (offline
plans, from values carried in the matches file, are ``core.plan.build_plan`` with
``values_from_decisions``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from desktop_app.core.ids import normalize_id, problem_with_id
from desktop_app.core.plan import DEFAULT_STATUSES, Plan, PlanError, PlanSource, Policy, build_plan
from desktop_app.core.progress import CancelToken
from desktop_app.workflow.link_sides import LinkSide
from desktop_app.workflow.read_sides import read_both_sides


def plan_from_live(
    decisions: pd.DataFrame,
    sides: Mapping[str, LinkSide],
    *,
    policy: Policy = "skip_linked",
    statuses: Sequence[str] = DEFAULT_STATUSES,
    source: PlanSource | None = None,
    cancel: CancelToken | None = None,
    normalize_ids: bool = False,
) -> Plan:
    """A plan whose "before" values are read from the live systems for the chosen links."""
    chosen = decisions[decisions["status"].astype(str).isin(list(statuses))]
    refuse_non_salesforce_ids(chosen)
    account_ids = sorted({normalize_id(str(a)) or str(a) for a in chosen["account_id"].tolist()})
    customer_ids = sorted({str(c).strip() for c in chosen["customer_id"].tolist() if str(c).strip()})
    live = read_both_sides(sides, {"account": [a for a in account_ids if normalize_id(a)],
                                   "customer": customer_ids}, cancel)
    return build_plan(
        decisions,
        account_values=live["account"],
        customer_values=live["customer"],
        policy=policy,
        statuses=statuses,
        source=source,
        normalize_ids=normalize_ids,
    )


def refuse_non_salesforce_ids(chosen: pd.DataFrame) -> None:
    """``PlanError`` naming the first chosen row whose account_id is no Salesforce Account Id (and
    how many there are), before any system is read: no link can be written to such an id."""
    if "account_id" not in chosen.columns:
        return  # build_plan says which column the matches lack
    raw = chosen["account_id"].astype(str).str.strip()
    bad = [(position, value) for position, value in raw.items() if normalize_id(value) is None]
    if not bad:
        return
    position, value = bad[0]
    row = int(position) + 2 if isinstance(position, int) else position  # the matches file's row (after its header)
    others = len(bad) - 1
    more = f" ({others:,} more {'row' if others == 1 else 'rows'} like it)" if others else ""
    raise PlanError(
        f"Matches row {row}, column account_id: {value!r} is not a Salesforce Account Id "
        f"({problem_with_id(value)}){more}, so no link can be written to it. Match again with the column "
        "that holds the Account Id (desktop-app match --column account_id=HEADER, or the Columns step), "
        "or remove those rows, then build the plan again."
    )
