"""The Plan page's check of the billing system's own rules on the customers the plan writes to.

Data quality lists every customer that breaks a rule; here only the ones the plan gives a link
count, judged as they will be when written: with the link value the plan writes and the address
fixes accepted on Data quality. A broken ``error`` rule fails the check (the system would refuse
the write, so Write stays blocked until it is fixed or the customer left out); a ``warning`` warns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from desktop_app.core.addresses import ADDRESS_OUTPUT_COLUMNS, ERROR, WARNING, apply_fixes
from desktop_app.core.billing_rules import CustomerRequirement, requirement_problems
from desktop_app.core.counted import agreeing, counted
from desktop_app.core.plan import Plan
from desktop_app.salesforce.preflight import CheckResult

CHECK_KEY = "billing_requirements"
LINK_ROLE = "sf_account_id"
QUOTED = 3  # rows named in the explanation; the Data quality page lists them all


def planned_customers(plan: Plan) -> dict[str, str]:
    """Customer id → the link value the plan writes into it (only customers whose side is "set")."""
    return {link.customer_id: link.customer.after for link in plan.links if link.customer.action == "set"}


def as_written(customers: pd.DataFrame, plan: Plan, accepted_fixes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customers frame as the billing system will hold it: accepted customer fixes applied and
    each planned customer holding the link value the plan writes."""
    frame = customers.copy()
    if accepted_fixes is not None and len(accepted_fixes):
        mine = accepted_fixes[accepted_fixes["side"] == "customer"] if "side" in accepted_fixes.columns \
            else accepted_fixes
        if len(mine):
            frame, _ = apply_fixes(frame, mine, min_confidence=0.0)
    written = planned_customers(plan)
    if LINK_ROLE in frame.columns and "customer_id" in frame.columns and written:
        ids = frame["customer_id"].astype(str)
        chosen = ids.isin(written).to_numpy()
        frame.loc[chosen, LINK_ROLE] = ids[chosen].map(written).to_numpy(dtype=object)
    return frame


def rule_problems(customers: pd.DataFrame, rules: Sequence[CustomerRequirement], system_name: str) -> pd.DataFrame:
    """Every break of ``rules`` by ``customers``, each rule judged on its own (code ``required_<role>``
    and the like, even where an address problem was found on the same cell)."""
    none = pd.DataFrame({c: pd.Series(dtype=object) for c in ADDRESS_OUTPUT_COLUMNS})
    return requirement_problems(customers, rules, system_name, none)


def rule_breaks(customers: pd.DataFrame | None, rules: Sequence[CustomerRequirement],
                system_name: str) -> dict[str, int]:
    """Rule problem code → how many of ``customers`` break it, counted as the Plan page's check counts
    the customers to be linked (so Data quality and Plan name the same rules)."""
    if not rules or customers is None or customers.empty:
        return {}
    codes = rule_problems(customers, rules, system_name)["code"].astype(str)
    return {str(code): int(n) for code, n in codes.value_counts().items()}


def requirements_check(plan: Plan, customers: pd.DataFrame | None, rules: Sequence[CustomerRequirement],
                       system_name: str, accepted_fixes: pd.DataFrame | None = None) -> CheckResult | None:
    """Whether the customers the plan writes to meet ``system_name``'s rules (None without rules or
    customers to judge)."""
    if not rules or customers is None or customers.empty or "customer_id" not in customers.columns:
        return None
    written = planned_customers(plan)
    title = f"What {system_name} requires of the customers to be linked"
    if not written:
        return CheckResult(CHECK_KEY, title, "pass", "The plan writes no link into a customer.", "", None)
    problems = rule_problems(as_written(customers, plan, accepted_fixes), rules, system_name)
    problems = problems[problems["record_id"].astype(str).isin(written)]
    errors, warnings = problems[problems["severity"] == ERROR], problems[problems["severity"] == WARNING]
    if errors.empty and warnings.empty:
        return CheckResult(CHECK_KEY, title, "pass",
                           ("The customer to be linked meets" if len(written) == 1 else
                            f"All {len(written):,} customers to be linked meet") + f" {system_name}'s rules.", "", None)
    found = errors if len(errors) else warnings
    customers_hit = found["record_id"].astype(str).nunique()
    words = {code: text for rule in rules for code, text in rule.codes().items()}
    broken = ", ".join(f"{n:,} {agreeing(n, words[str(code)]) if str(code) in words else str(code).replace('_', ' ')}"
                       for code, n in found["code"].astype(str).value_counts().items())
    first = ", ".join(f"row {p.row} ({p.field})" for p in found.head(QUOTED).itertuples())
    where = f" (first: {first}{' …' if len(found) > QUOTED else ''})"
    details = {"customers": sorted(set(found["record_id"].astype(str)))}
    if len(errors):
        explanation = (f"{customers_hit:,} of the {counted(len(written), 'customer')} to be linked "
                       f"{agreeing(customers_hit, 'break')} a rule of {system_name}'s, which would refuse "
                       f"{'its' if customers_hit == 1 else 'their'} link: {broken}{where}.")
        remedy = (f"Fix them in {system_name} or in the customers file (Data quality lists them all), or leave "
                  "them out on the Review page, then build the plan again.")
        return CheckResult(CHECK_KEY, title, "fail", explanation, remedy, None, details)
    explanation = (f"{customers_hit:,} of the {counted(len(written), 'customer')} to be linked will be taken but "
                   f"not work as meant in {system_name}: {broken}{where}.")
    return CheckResult(CHECK_KEY, title, "warn", explanation, "Data quality lists them all.", None, details)


def breaks_line(breaks: Mapping[str, int], rules: Sequence[CustomerRequirement], system_name: str,
                customers: int) -> str:
    """"Of the 1,800 customers loaded, Sequence will refuse the link of those that break what it
    requires: 108 lack an e-mail address, 1 lacks a town. " ("" without any) — ``breaks`` as
    ``rule_breaks`` counts them, over ``customers`` loaded."""
    if not breaks:
        return ""
    words = {code: (text, rule.severity) for rule in rules for code, text in rule.codes().items()}

    def said(code: str, n: int) -> str:
        return f"{n:,} {agreeing(n, words[code][0]) if code in words else code.replace('_', ' ')}"

    refused = [said(c, n) for c, n in breaks.items() if words.get(c, ("", ERROR))[1] == ERROR]
    warned = [said(c, n) for c, n in breaks.items() if words.get(c, ("", ERROR))[1] != ERROR]
    loaded = f"Of the {counted(customers, 'customer')} loaded, " if customers else ""
    line = (f"{loaded}{system_name} will refuse the link of those that break what it requires: "
            f"{', '.join(refused)}. " if refused else "")
    if warned:
        line += (f"{system_name} takes them, but the link will not work as meant where customers "
                 f"{', '.join(warned)}. ")
    return line
