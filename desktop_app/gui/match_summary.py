"""The Match page's summary: the accounts per status, the customers left over, and the matcher's notes."""

from __future__ import annotations

import html

from desktop_app.core.counted import counted
from desktop_app.core.report_counts import OPEN_STATUSES, DecisionCounts, left_over_customers


def outcome_text(counts: DecisionCounts | None, customers_loaded: int) -> str:
    """The Match page's heading: the accounts per status (adding up to the accounts matched), then
    the customers that went to no account — figures from the review session, never recounted here."""
    if counts is None:
        return ""
    accounts = counts.accounts
    waiting = ", ".join(f"{accounts[s]:,} {s}" for s in OPEN_STATUSES if accounts.get(s))
    need = "needs" if counts.open_accounts == 1 else "need"
    text = (f"{counted(counts.account_total, 'account')}: {accounts.get('matched', 0):,} matched, "
            f"{accounts.get('already_linked', 0):,} already linked, "
            f"<b>{counts.open_accounts:,} {need} your decision</b>" + (f" ({waiting})" if waiting else "")
            + f", {accounts.get('unmatched', 0):,} unmatched.")
    left = counts.left_over
    if left:
        parts = ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in left.items())
        who = left_over_customers(sum(left.values()), customers_loaded)
        text += f" {who[0].upper()}{who[1:]} went to no account ({parts})."
    return text + " Only matched and already-linked rows will be linked."


_NOTES_SHOWN = 3


def notes_html(notes: list[str]) -> str:
    """The matcher's notes (a mapping row that paired nothing …) under the summary: the first few, and how many more."""
    if not notes:
        return ""
    lines = [html.escape(note, quote=False) for note in notes[:_NOTES_SHOWN]]
    if len(notes) > _NOTES_SHOWN:
        lines.append(f"… and {len(notes) - _NOTES_SHOWN:,} more notes like these")
    return "<br>" + "<br>".join(lines)


def filter_count(rows: int, customer_rows: int) -> str:
    """A status filter's count of table rows: "385: 293 accounts, 92 customers" when customers no
    account took share the status with accounts (the heading counts those apart), else "483"."""
    if not customer_rows or customer_rows == rows:
        return f"{rows:,}"
    return f"{rows:,}: {counted(rows - customer_rows, 'account')}, {counted(customer_rows, 'customer')}"
