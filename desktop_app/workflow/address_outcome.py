"""What became of a run's address fixes, in the words every shell uses (the Apply and Done pages,
``desktop-app apply``, ``resume`` and ``undo``): one journal state reads differently after a run
and after its undo, and both shells must say the same thing about the same figures."""

from __future__ import annotations

from collections.abc import Mapping

from desktop_app.core.counted import counted

ADDRESS_STATE_WORDS = {"written": "written", "unchanged": "already fixed", "undone": "put back",
                       "conflict": "left alone (changed since the check)", "failed": "refused",
                       "not_found": "record gone", "refused": "not put back (changed since the run)",
                       "todo": "not sent yet", "sending": "not confirmed yet"}
# After an undo, a part still ``written`` is one the undo could not put back (e.g. Sequence will not take
# back a value it refuses; a resumed undo tries again); ``failed`` parts were never written by the run.
UNDO_STATE_WORDS = {**ADDRESS_STATE_WORDS, "written": "kept fixed (not put back; the file says why)",
                    "failed": "never written by the run"}


def address_parts(counts: Mapping[str, Mapping[str, int]], billing_name: str, *, undo: bool = False) -> list[str]:
    """Per side, "Salesforce: 812 written, 3 refused" (after an undo: "… put back, … kept fixed …")."""
    names = {"account": "Salesforce", "customer": billing_name}
    words = UNDO_STATE_WORDS if undo else ADDRESS_STATE_WORDS
    return [f"{names.get(side, side)}: " + ", ".join(f"{n:,} {words.get(state, state)}"
                                                    for state, n in sorted(states.items()))
            for side, states in counts.items()]


def address_sentence(counts: Mapping[str, Mapping[str, int]], billing_name: str, *, undo: bool = False) -> str:
    """"Address fixes — Salesforce: 812 written, 3 refused; Sequence: 640 written." ("" without any)."""
    parts = address_parts(counts, billing_name, undo=undo)
    return ("Address fixes — " + "; ".join(parts) + ". The address fixes file lists each one with what "
            "became of it and why.") if parts else ""


def accepted_fixes_clause(accepted: int, run: Mapping[str, Mapping[str, int]] | None,
                          undo: Mapping[str, Mapping[str, int]] | None = None) -> str:
    """"1,931 address fixes accepted: 1,899 written by the run, 1,752 of them put back by the undo."
    What became of the accepted fixes as far as the run and its undo went (just the accepted count
    before a run)."""
    clause = f"{counted(accepted, 'address fix', 'address fixes')} accepted"
    if not accepted or run is None:
        return clause
    written = sum(states.get("written", 0) for states in run.values())
    clause += f": {written:,} written by the run"
    if undo is not None:
        clause += f", {sum(states.get('undone', 0) for states in undo.values()):,} of them put back by the undo"
    return clause


def address_report_rows(accepted: int, run: Mapping[str, Mapping[str, int]] | None, billing_name: str,
                        undo: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, object]:
    """The report's summary rows on the address fixes, in the Done page's own sentences: how many were
    accepted and what became of them in the run and its undo ({} when none was accepted)."""
    if not accepted:
        return {}
    rows: dict[str, object] = {"address fixes accepted": accepted,
                               "address fixes": accepted_fixes_clause(accepted, run, undo) + "."}
    if run:
        rows["address fixes written by the run"] = address_sentence(run, billing_name)
    if undo:
        rows["address fixes after the undo"] = address_sentence(undo, billing_name, undo=True)
    return rows
