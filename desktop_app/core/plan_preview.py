"""What each side of a reviewed match will get, in words — the plan's own answer (``plan.side_plan``)
shown beside the matches on the Match page and in the report, so no screen says "it will be
written" where the plan would skip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from desktop_app.core.ids import account_keys
from desktop_app.core.link_values import is_form_rewrite, is_placeholder, link_key
from desktop_app.core.plan import DEFAULT_STATUSES, Plan, Policy, SidePlan, side_plan

PREVIEW_COLUMNS = ("account_write", "customer_write")


def side_answer(side: str, plan: SidePlan, target: str, policy: Policy) -> str:
    """``plan`` (one side's part of the link to ``target``) as a short phrase: ``will be written``,
    ``already holds it``, ``keeps '…'`` …"""
    before = plan.before
    if plan.action == "set":
        if is_placeholder(before):
            return f"will be written (over the placeholder '{before}')"
        if not link_key(before, side):
            return "will be written (empty now)"
        if is_form_rewrite(before, plan.after, side):
            return f"will be rewritten in 18 characters (holds '{before}')"
        return f"will replace '{before}' (policy {policy})"
    if plan.action == "skip":
        if link_key(before, side) == link_key(target, side):
            return "already holds it" + ("" if before == target else f" (as '{before}', the same Account)")
        return f"keeps '{before}', another id (policy {policy})"
    return f"left alone: holds another id '{before}' (policy {policy})"


def write_preview(
    decisions: pd.DataFrame,
    *,
    account_values: Mapping[str, str],
    customer_values: Mapping[str, str],
    policy: Policy = "skip_linked",
    normalize_ids: bool = False,
    statuses: Sequence[str] = DEFAULT_STATUSES,
    accounts_keyed: bool = False,
) -> pd.DataFrame:
    """Per row of ``decisions`` (same index), what the Account's and the customer's link fields will
    get when the row is linked (``""`` for rows that will not be linked). ``account_values`` maps an
    account id (any form; already its ``account_key`` with ``accounts_keyed``, which spares keying a
    million ids again when a few rows change) to its link field now, ``customer_values`` a customer id
    to its field."""
    if accounts_keyed:
        accounts: Mapping[str, str] = account_values
    else:
        held = pd.Series(list(account_values), dtype=object)
        accounts = dict(zip(account_keys(held).tolist(), map(_text, account_values.values()), strict=True))
    account_ids = account_keys(decisions["account_id"]).tolist() if "account_id" in decisions else []
    customer_ids = decisions["customer_id"].map(_text).tolist() if "customer_id" in decisions else []
    chosen = decisions["status"].map(_text).isin(list(statuses)).tolist() if "status" in decisions else []
    account_out: list[str] = []
    customer_out: list[str] = []
    for account_id, customer_id, linked in zip(account_ids, customer_ids, chosen, strict=True):
        if not linked or not account_id or not customer_id:
            account_out.append("")
            customer_out.append("")
            continue
        account = side_plan("account", _text(accounts.get(account_id, "")), customer_id, policy,
                            normalize_ids=normalize_ids)
        customer = side_plan("customer", _text(customer_values.get(customer_id, "")), account_id, policy,
                             normalize_ids=normalize_ids)
        account_out.append(side_answer("account", account, customer_id, policy))
        customer_out.append(side_answer("customer", customer, account_id, policy))
    return pd.DataFrame({"account_write": account_out, "customer_write": customer_out}, index=decisions.index,
                        dtype=object)


def plan_values(plan: Plan) -> tuple[dict[str, str], dict[str, str]]:
    """The current values a plan was built from (account id → Account field, customer id → customer
    field), for showing its answer beside the matches it came from."""
    return ({link.account_id: link.account.before for link in plan.links},
            {link.customer_id: link.customer.before for link in plan.links})


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()
