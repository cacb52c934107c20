"""What the app says before a step that cannot be taken back lightly: writing, resuming, undoing, quitting.

Each function returns the question's text (rich text); the pages ask it through ``dialogs.confirm``.
The figures come from the same functions the pages show (``Plan.counts``, the run's write counts), so
the question never says something the page does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from desktop_app.core.counted import agreeing, counted

if TYPE_CHECKING:
    from desktop_app.core.journal import RunInfo
    from desktop_app.core.plan import Plan
    from desktop_app.gui.pages.base import BasePage
    from desktop_app.gui.state import WizardState
    from desktop_app.workflow.engine import RunReport

UNDO_HOW = ("<b>How to undo:</b> every value is journaled with what it replaced. <i>Undo this run</i> on the "
            "Done page puts them back on both sides, leaving alone any value changed since.")


def write_question(plan: Plan, state: WizardState) -> str:
    """The summary shown before a run writes: address fixes first, then what each side gets, and how to undo."""
    from desktop_app.gui.run_outcome import accepted_fixes_lines
    from desktop_app.workflow.connect_billing import default_link_key

    billing = state.billing.system.display_name if state.billing is not None else "the billing system"
    key = plan.source.billing_link_key or (default_link_key(state.billing.choice.kind) if state.billing else "")
    counts = plan.counts()
    items = [escape(line) for line in accepted_fixes_lines(state, billing)]
    for side, where, field in (("account", "Salesforce Account", plan.source.link_field or state.link_field),
                               ("customer", f"{billing} customer", key or "the Salesforce account id")):
        c = counts[side]
        text = (f"<b>{escape(counted(c['set'], where))}</b> {agreeing(c['set'], 'get')} <code>{escape(field)}</code> "
                "set")
        if c["replace"]:
            text += f" (<b>{c['replace']:,} of them {agreeing(c['replace'], 'replace')} another id</b>)"
        items.append(text + f"; {c['skip']:,} skipped, {c['conflict']:,} in conflict are left alone.")
    return (f"<p>Crosslink is about to write {counted(len(plan.links), 'planned link')}, Salesforce first, then "
            f"{escape(billing)}:</p>" + _list(items) + f"<p>{UNDO_HOW}</p>")


def resume_question(info: RunInfo, retry: bool) -> str:
    """The question before resuming a run (or retrying its failed writes)."""
    what = ("tries its failed writes again, those a system refused as invalid included (fix them there first, or "
            "they are refused again)" if retry else "continues it exactly where it stopped")
    return (f"<p>Run <b>{escape(info.run_id)}</b> of {escape(info.created_at)} ({counted(info.links, 'link')}) is "
            f"{escape(info.state.replace('_', ' '))}. This {what}: each value is read first, so nothing is "
            f"written twice and values changed since are left alone.</p><p>{UNDO_HOW}</p>")


def undo_question(report: RunReport, billing: str) -> str:
    """The question before undoing a run: how many values go back on each side."""
    names = {"account": "Salesforce Accounts", "customer": f"{billing} customers"}
    items = [f"<b>{states.get('written', 0):,} {escape(names.get(side, side))}</b> get back the value they held "
             "before" for side, states in report.write_counts.items()]
    fixes = sum(states.get("written", 0) for states in report.addresses.values())
    if fixes:
        items.append(f"<b>{fixes:,} address fixes</b> are put back")
    return (f"<p>Undo run <b>{escape(report.run_id)}</b>?</p>" + _list(items) +
            "<p>A value that no longer holds what the run wrote is left alone and listed. The undo is journaled "
            "as a run of its own.</p>")


def leaving_reasons(pages: Iterable[BasePage], state: WizardState) -> list[str]:
    """Why quitting now would lose something: work still running, or results not written or saved
    (the review calls and accepted fixes are kept in the project, so they are not a reason)."""
    reasons = [f"{page.title()}: {page.task.what} is still running." for page in pages
               if page.working and page.task is not None and page.objectName() != "welcomePage"]
    if state.live and state.plan is not None and state.run_report is None:
        reasons.append("The plan is ready but nothing was written yet.")
    if not state.connects and state.reviewed is not None and not state.saved:
        reasons.append("Neither the report nor the reviewed matches were saved yet (Done page).")
    return reasons


def leaving_question(reasons: list[str]) -> str:
    """The question before quitting with ``reasons``."""
    return ("<p>Quit Crosslink now?</p>" + _list([escape(r) for r in reasons]) +
            "<p>Running work stops between batches (a run can be resumed from the Welcome page). Your review "
            "calls and accepted fixes are kept in the project.</p>")


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""
