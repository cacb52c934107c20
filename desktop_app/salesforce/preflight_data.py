"""The preflight checks that depend on the data, run once the customers are loaded and the plan is
known: the longest billing id the link field must hold, the currencies the customers bill in, and
the Salesforce writes the plan needs (``preflight.DATA_CHECKS``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from desktop_app.core.plan import Plan
from desktop_app.core.progress import CancelToken, ProgressCallback, ignore_progress
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.preflight import DATA_CHECKS, CheckResult, run_preflight


@dataclass(frozen=True)
class DataInputs:
    """What the data-dependent checks need, taken from a plan and the loaded customers."""

    billing_currencies: tuple[str, ...]
    longest_billing_id: int
    planned_writes: int


def data_inputs(plan: Plan | None, customers: pd.DataFrame | None) -> DataInputs:
    """The values the plan writes into the link field, and the currencies of its customers (all loaded
    customers' when the plan names none of them, or there is no plan yet)."""
    links = plan.links if plan is not None else ()
    writes = [link.account.after for link in links if link.account.action == "set"]
    ids = writes or [link.customer_id for link in links]
    currencies: tuple[str, ...] = ()
    if customers is not None and "currency" in customers.columns and "customer_id" in customers.columns:
        planned = {link.customer_id for link in links}
        chosen = customers[customers["customer_id"].astype(str).isin(planned)]
        values = (chosen if len(chosen) else customers)["currency"].fillna("").astype(str).str.strip().str.upper()
        currencies = tuple(sorted({v for v in values if v}))
    return DataInputs(currencies, max((len(i) for i in ids), default=0), len(writes))


def run_data_checks(client: SalesforceClient, *, link_field: str, inputs: DataInputs, billing_system: str,
                    progress: ProgressCallback = ignore_progress,
                    cancel: CancelToken | None = None) -> list[CheckResult]:
    """Run the data-dependent checks (only those) on the real inputs."""
    # A plan without a link has no id to measure: the length check then says "not checked", never "pass".
    return run_preflight(client, link_field=link_field, billing_currencies=inputs.billing_currencies,
                         longest_billing_id=inputs.longest_billing_id or None, planned_writes=inputs.planned_writes,
                         billing_system=billing_system, only=DATA_CHECKS, progress=progress, cancel=cancel)
