"""Verify: read both systems back after a run and compare with what the run should have left there.

The engine calls it at the end of every apply, resume and undo; its answer is the run's verification
(the headline figure of ``core.run_figures``).
"""

from __future__ import annotations

from collections.abc import Mapping

from desktop_app.core.journal import WriteItem
from desktop_app.core.journal_results import Verification, verify
from desktop_app.core.link_values import holds_text
from desktop_app.core.progress import CancelToken
from desktop_app.workflow.link_sides import LinkSide
from desktop_app.workflow.read_sides import read_both_sides


def verify_run(
    items: list[WriteItem],
    sides: Mapping[str, LinkSide],
    *,
    undo: bool = False,
    cancel: CancelToken | None = None,
) -> Verification:
    """Read both sides back and compare with what the run should have left there."""
    targets_of = {name: {i.record_id: i.target for i in items if i.side == name} for name in ("account", "customer")}
    read = read_both_sides(sides, {name: sorted(targets) for name, targets in targets_of.items()}, cancel)
    live: dict[str, dict[str, str]] = {}
    for name, targets in targets_of.items():
        values = read[name]
        # A value that holds its target's text (``holds_text``) counts as that target; the rest is
        # compared without stray spaces, as the plan saw it.
        live[name] = {
            record_id: targets[record_id] if holds_text(value, targets[record_id]) else value.strip()
            for record_id, value in values.items() if record_id in targets
        }
    return verify(items, live, undo=undo)
