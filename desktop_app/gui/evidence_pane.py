"""The evidence beside the review table: the selected row's records side by side, and the whole reason."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop_app.workflow.review_evidence import DIFFERS, SAME, Evidence

MARKS = {SAME: ("✓", "same"), DIFFERS: ("✗", "differs")}
LEGEND = "✓ same as the row's record · ✗ differs · blank: missing on one side"


def evidence_html(evidence: Evidence, good: str = "#1b7f3b", bad: str = "#b3261e") -> str:
    """The evidence as a small HTML document: the reason first, then one column per record."""
    anchor, others = evidence.anchor, evidence.candidates
    parts = [f"<p><b>Why:</b> {escape(evidence.reason) or '(no reason given)'}</p>"]
    if not others:
        parts.append("<p>No candidate on the other side: use <i>Enter id…</i> to type one.</p>")
    head = f"<th align='left'>{escape(anchor.side.capitalize())}</th>"
    for number, other in enumerate(others, 1):
        head += f"<th align='left'>{escape(other.side.capitalize())} {number}</th>"
    rows = [f"<tr><th></th>{head}</tr>"]
    for label in evidence.labels:
        cells = f"<td>{escape(anchor.values.get(label, ''))}</td>"
        for other in others:
            value = escape(other.values.get(label, ""))
            verdict = evidence.verdict(other, label)
            if verdict in MARKS:
                symbol, word = MARKS[verdict]
                colour = good if verdict == SAME else bad
                value = f"<span style='color:{colour}' title='{word}'>{symbol}</span> {value}"
            cells += f"<td>{value}</td>"
        rows.append(f"<tr><td><b>{escape(label)}</b></td>{cells}</tr>")
    parts.append("<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
                 + "".join(rows) + "</table>")
    if others:
        parts.append(f"<p><small>{LEGEND}</small></p>")
    missing = [r.record_id for r in (anchor, *others) if not r.found and r.record_id]
    if missing:
        parts.append(f"<p>Not among the loaded records: {escape(', '.join(missing))}.</p>")
    if evidence.matcher:
        items = "".join(f"<li><b>{escape(field)}</b> {escape(text)}</li>" for field, text in evidence.matcher)
        parts.append(f"<p><b>What the matcher weighed:</b></p><ul>{items}</ul>")
    return "".join(parts)


class EvidencePane(QTextBrowser):
    """Read-only, selectable and reachable with Tab; shows one decision's evidence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Evidence for the selected row")
        self.setOpenLinks(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setTabChangesFocus(True)
        self.show_nothing()

    def show_nothing(self) -> None:
        """Say what the pane is for while no row is selected."""
        self.setHtml("<p>Select a row to see the account and its candidate customers side by side.</p>")

    def show_evidence(self, evidence: Evidence) -> None:
        """Show one decision's evidence."""
        self.setHtml(evidence_html(evidence))
        self.setAccessibleDescription(f"Why: {evidence.reason}")
