"""The journal of a run's address fixes: one row per (run, side, record, address part), in the run
journal's database (its own table, same WAL file, same data directory).

A part moves ``todo`` → ``sending`` (committed before the request goes out) → ``written`` |
``unchanged`` | ``conflict`` (changed since the check; left alone) | ``failed`` (retried by resume) |
``not_found``; an undo moves ``written`` → ``undone`` | ``refused`` (changed again since the run).
Because a fix is a compare-and-set, a written part held exactly ``before`` until it was written, so
``before`` is what undo puts back — known even when a crash lost the answer to the write.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from desktop_app.core.address_changes import AddressWriteResult, FieldChange, RecordChange
from desktop_app.core.journal import default_journal_path
from desktop_app.core.wal_database import WalDatabase

OPEN_ADDRESS_STATES = ("todo", "sending", "failed")


class AddressJournal(WalDatabase):
    """Address fixes of runs; one connection per instance (use one per thread)."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or default_journal_path())

    def add(self, run_id: str, changes: Sequence[RecordChange]) -> None:
        """Record the run's fixes as ``todo`` (fixes already recorded for the run are kept as they are)."""
        rows = [(run_id, c.side, c.record_id, f.role, f.before, f.after) for c in changes for f in c.changes]
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO address_writes (run_id, side, record_id, role, before, after, "
                           "state) VALUES (?, ?, ?, ?, ?, ?, 'todo')", rows)

    def changes(self, run_id: str, side: str, states: Sequence[str]) -> list[RecordChange]:
        """The parts of ``side`` in ``states``, as one change per record (record order kept)."""
        marks = ", ".join("?" * len(states))
        cursor = self._db.execute(
            f"SELECT record_id, role, before, after FROM address_writes WHERE run_id = ? AND side = ? "
            f"AND state IN ({marks}) ORDER BY rowid", (run_id, side, *states))
        grouped: dict[str, list[FieldChange]] = {}
        for record_id, role, before, after in cursor:
            grouped.setdefault(record_id, []).append(FieldChange(role, before, after))
        return [RecordChange(side, record_id, tuple(parts)) for record_id, parts in grouped.items()]

    def mark_sending(self, run_id: str, side: str, changes: Sequence[RecordChange]) -> None:
        """Journal the intent to write these parts (before the requests go out)."""
        rows = [(run_id, side, c.record_id, f.role) for c in changes for f in c.changes]
        with self._transaction() as db:
            db.executemany("UPDATE address_writes SET state = 'sending' WHERE run_id = ? AND side = ? "
                           "AND record_id = ? AND role = ?", rows)

    def record(self, run_id: str, side: str, changes: Sequence[RecordChange],
               results: Sequence[AddressWriteResult], *, undo: bool = False) -> None:
        """Journal each record's outcome on each of its parts (``undo``: the outcome of putting them back)."""
        rows = []
        for change, result in zip(changes, results, strict=True):
            for part in change.changes:
                state = _part_state(result, part.role, undo)
                # A written part keeps no message of its own, except an undo's reason for not putting it back.
                quiet = state in ("written", "unchanged", "undone") and not (undo and state == "written")
                rows.append({"state": state, "code": "" if quiet else result.error_code,
                             "message": "" if quiet else result.message, "run": run_id, "side": side,
                             "record": change.record_id, "role": part.role})
        with self._transaction() as db:
            # A part found already fixed while its write was unanswered ('sending') was written by that write.
            db.executemany("UPDATE address_writes SET state = CASE WHEN state = 'sending' AND :state = 'unchanged' "
                           "THEN 'written' ELSE :state END, error_code = :code, message = :message "
                           "WHERE run_id = :run AND side = :side AND record_id = :record AND role = :role", rows)

    def counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """Per side, how many address parts are in each state."""
        counts: dict[str, dict[str, int]] = {}
        for side, state, count in self._db.execute(
                "SELECT side, state, COUNT(*) FROM address_writes WHERE run_id = ? GROUP BY side, state", (run_id,)):
            counts.setdefault(side, {})[state] = count
        return counts

    def frame(self, run_id: str) -> pd.DataFrame:
        """Every address part of the run, in the order they were added, as a table for a person."""
        rows = self._db.execute(
            "SELECT side, record_id, role, before, after, state, error_code, message FROM address_writes "
            "WHERE run_id = ? ORDER BY rowid", (run_id,)).fetchall()
        return pd.DataFrame(rows, columns=["side", "record_id", "field", "before", "after", "state", "error_code",
                                           "message"], dtype=object)

    def problems(self, run_id: str) -> list[tuple[str, str, str, str, str, str]]:
        """(side, record_id, role, state, error_code, message) of every part not written or undone, and
        of written parts an undo could not put back (their message says why)."""
        return list(self._db.execute(
            "SELECT side, record_id, role, state, error_code, message FROM address_writes WHERE run_id = ? AND "
            "(state NOT IN ('written', 'unchanged', 'undone') OR (state = 'written' AND message != '')) "
            "ORDER BY side, rowid", (run_id,)))


def _part_state(result: AddressWriteResult, role: str, undo: bool) -> str:
    if undo:
        if result.state in ("written", "unchanged"):
            return "undone"
        return "refused" if result.state in ("conflict", "not_found") else "written"  # failed: try again
    if role in result.previous:  # written, even when another part of the record failed
        return "written"
    return "unchanged" if result.state == "written" else result.state
