"""What a plan leaves unlinked, said before the write in the words the run's figures use after it.

A plan counts actions per side (``set``, ``skip``, ``conflict``); the run counts pairs (linked, half
linked, conflict, failed). Under ``skip_linked`` a field that holds another id is *skipped*, so the
plan reads "0 in conflict" while the written pair ends pointing two ways and Done counts it as a
conflict. This line says so on the Plan page and from ``desktop-app plan``, before anything is written."""

from __future__ import annotations

from desktop_app.core.counted import counted
from desktop_app.core.link_values import link_key
from desktop_app.core.plan import Plan, PlanLink


def _keeps_another(link: PlanLink) -> bool:
    for side, target in (("account", link.customer_id), ("customer", link.account_id)):
        plan = link.side(side)
        if plan.action == "conflict":
            return True
        held = link_key(plan.before, side)
        if plan.action == "skip" and held and held != link_key(target, side):
            return True
    return False


def pairs_left_pointing_elsewhere(plan: Plan) -> int:
    """Links of ``plan`` whose pair cannot end linked on both sides: a side keeps (or is in conflict
    over) another id."""
    return sum(_keeps_another(link) for link in plan.links)


def summary_lines(plan: Plan, billing_name: str) -> list[str]:
    """The plan's dry-run figures (``Plan.summary_lines``) and, when there are such pairs, the outlook."""
    line = outlook_line(plan)
    return [*plan.summary_lines(billing_name), *([line] if line else [])]


def outlook_line(plan: Plan) -> str | None:
    """One sentence when some pairs will not be linked on both sides by the plan itself (None: none)."""
    count = pairs_left_pointing_elsewhere(plan)
    if not count:
        return None
    return (f"{count:,} of the {counted(len(plan.links), 'pair')} cannot end linked on both sides: one of their fields "
            f"keeps another id (policy {plan.policy}), so after the write they count as conflict (or as failed, "
            "where a write of theirs fails).")
