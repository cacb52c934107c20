"""The run journal: an SQLite database (WAL) that records what a run means to write, before and after.

One row per (run, plan row, side) in ``writes``. A write moves through these states:

``todo`` → ``sending`` (intent: the live value just read is kept in ``live_before``, committed
*before* the request goes out) → ``written`` | ``unchanged`` (already held the value) | ``failed``
(retried later) | ``not_found`` | ``conflict`` (the live value changed since the plan; left alone).
``held``: a billing write not sent because its account write failed (sent once that succeeds).
``planned_skip`` / ``planned_conflict``: nothing to do according to the plan. ``refused``: an undo
found the value changed again since the run.

Every state change of a batch is one transaction, so a process killed at any moment leaves either
the intent or the outcome — never half a batch. The journal lives in the app's data directory
(``CROSSLINK_DATA_DIR`` overrides it). Its tables and their upgrades are in ``journal_schema``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from desktop_app.core.app_folders import journal_path
from desktop_app.core.plan import now_text
from desktop_app.core.wal_database import WalDatabase

FINAL_STATES = frozenset(
    {"written", "unchanged", "planned_skip", "planned_conflict", "conflict", "not_found", "refused"}
)
RETRY_STATES = frozenset({"failed", "held"})
OPEN_STATES = frozenset({"todo", "sending"})



def default_journal_path() -> Path:
    """The journal database in the data directory."""
    return journal_path()


@dataclass(frozen=True)
class WriteItem:
    """One side of one plan row as the journal knows it."""

    row: int
    side: str
    record_id: str
    partner_id: str
    target: str
    planned_before: str
    action: str
    state: str
    live_before: str | None = None
    error_code: str = ""
    message: str = ""
    attempts: int = 0


@dataclass(frozen=True)
class RunInfo:
    """A run's header."""

    run_id: str
    kind: str
    undo_of: str | None
    plan_id: str
    plan_path: str
    settings: dict[str, str]
    state: str
    message: str
    created_at: str
    updated_at: str
    links: int
    summary: dict[str, object]


@dataclass(frozen=True)
class Outcome:
    """What happened to one write (``live_before`` replaces the journaled one when given)."""

    row: int
    state: str
    error_code: str = ""
    message: str = ""
    live_before: str | None = None


class Journal(WalDatabase):
    """The journal database; one connection per instance (use one per process)."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or default_journal_path())

    # --- runs ----------------------------------------------------------------------------------

    def create_run(
        self,
        run_id: str,
        *,
        kind: str,
        plan_id: str,
        plan_path: str,
        settings: dict[str, str],
        items: Sequence[WriteItem],
        undo_of: str | None = None,
    ) -> None:
        """Record a new run and every write it may make, in one transaction."""
        stamp = now_text()
        links = len({item.row for item in items})
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (run_id, kind, undo_of, plan_id, plan_path, settings, state, created_at,"
                " updated_at, links) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    kind,
                    undo_of,
                    plan_id,
                    plan_path,
                    json.dumps(settings, sort_keys=True),
                    "running",
                    stamp,
                    stamp,
                    links,
                ),
            )
            db.executemany(
                "INSERT INTO writes (run_id, row, side, record_id, partner_id, target, planned_before,"
                " action,"
                " state, live_before, error_code, message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        run_id,
                        i.row,
                        i.side,
                        i.record_id,
                        i.partner_id,
                        i.target,
                        i.planned_before,
                        i.action,
                        i.state,
                        i.live_before,
                        i.error_code,
                        i.message,
                    )
                    for i in items
                ],
            )

    def set_run_state(
        self, run_id: str, state: str, message: str = "", summary: dict[str, object] | None = None
    ) -> None:
        """Change a run's state (and summary figures)."""
        with self._transaction() as db:
            if summary is None:
                db.execute(
                    "UPDATE runs SET state=?, message=?, updated_at=? WHERE run_id=?",
                    (state, message, now_text(), run_id),
                )
            else:
                db.execute(
                    "UPDATE runs SET state=?, message=?, updated_at=?, summary=? WHERE run_id=?",
                    (state, message, now_text(), json.dumps(summary, sort_keys=True), run_id),
                )

    def run(self, run_id: str) -> RunInfo | None:
        """A run's header, or None."""
        found = self._db.execute("SELECT * FROM runs WHERE run_id=?", (run_id,)).fetchone()
        return _run_info(found) if found else None

    def runs(self) -> list[RunInfo]:
        """Every run, newest first."""
        rows = self._db.execute("SELECT * FROM runs ORDER BY created_at DESC, rowid DESC").fetchall()
        return [_run_info(row) for row in rows]

    # --- writes --------------------------------------------------------------------------------

    def items(
        self,
        run_id: str,
        side: str | None = None,
        states: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[WriteItem]:
        """Writes of a run in plan order, optionally of one side and some states."""
        sql = (
            "SELECT row, side, record_id, partner_id, target, planned_before, action, state, live_before,"
            " error_code, message, attempts FROM writes WHERE run_id=?"
        )
        params: list[object] = [run_id]
        if side is not None:
            sql += " AND side=?"
            params.append(side)
        if states is not None:
            wanted = sorted(states)
            sql += f" AND state IN ({','.join('?' * len(wanted))})"
            params.extend(wanted)
        sql += " ORDER BY row, side"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [WriteItem(*row) for row in self._db.execute(sql, params).fetchall()]

    def open_rows(self, run_id: str, limit: int, side: str | None = None) -> list[int]:
        """The first ``limit`` plan rows (in order) with a write still to do (todo or sending), of
        ``side`` only when given."""
        only = " AND side=?" if side is not None else ""
        found = self._db.execute(
            f"SELECT DISTINCT row FROM writes WHERE run_id=? AND state IN ('todo','sending'){only}"
            " ORDER BY row LIMIT ?",
            (run_id, *([side] if side is not None else []), limit),
        ).fetchall()
        return [int(r[0]) for r in found]

    def items_for_rows(self, run_id: str, side: str, rows: Sequence[int]) -> list[WriteItem]:
        """The writes of one side for the given plan rows, in plan order."""
        if not rows:
            return []
        found = self._db.execute(
            "SELECT row, side, record_id, partner_id, target, planned_before, action, state, live_before,"
            " error_code, message, attempts FROM writes WHERE run_id=? AND side=? AND row BETWEEN ? AND ?"
            " ORDER BY row",
            (run_id, side, min(rows), max(rows)),
        ).fetchall()
        wanted = set(rows)
        return [WriteItem(*row) for row in found if row[0] in wanted]

    def next_batch_number(self, run_id: str) -> int:
        """The number the next batch of this run gets."""
        found = self._db.execute("SELECT COALESCE(MAX(batch), 0) FROM batches WHERE run_id=?", (run_id,)).fetchone()
        return int(found[0]) + 1

    def record_intent(self, run_id: str, side: str, batch: int, intents: Sequence[tuple[int, str]]) -> None:
        """Before sending: these rows are about to be written; ``(row, live value read just now)``.

        A value journaled by an earlier attempt is kept: it is the value from before this run.
        """
        with self._transaction() as db:
            db.execute(
                "INSERT INTO batches (run_id, batch, side, size, state, started_at) VALUES (?,?,?,?,?,?)",
                (run_id, batch, side, len(intents), "sent", now_text()),
            )
            db.executemany(
                "UPDATE writes SET state='sending', live_before=COALESCE(live_before, ?), batch=?,"
                " attempts=attempts+1"
                " WHERE run_id=? AND side=? AND row=?",
                [(before, batch, run_id, side, row) for row, before in intents],
            )

    def record_job(self, run_id: str, batch: int, job_id: str) -> None:
        """A batch's rows went into Bulk job ``job_id`` (journaled before any data is uploaded to it)."""
        with self._transaction() as db:
            db.execute("UPDATE batches SET job_id=? WHERE run_id=? AND batch=?", (job_id, run_id, batch))

    def open_jobs(self, run_id: str, side: str) -> list[tuple[int, str]]:
        """``(batch, job_id)`` of the side's Bulk jobs whose outcome is not journaled yet, oldest first."""
        found = self._db.execute(
            "SELECT batch, job_id FROM batches WHERE run_id=? AND side=? AND state='sent' AND job_id IS NOT NULL"
            " ORDER BY batch",
            (run_id, side),
        ).fetchall()
        return [(int(batch), str(job_id)) for batch, job_id in found]

    def batch_items(self, run_id: str, side: str, batch: int) -> list[WriteItem]:
        """The side's writes of ``batch`` still waiting for their outcome (state ``sending``)."""
        found = self._db.execute(
            "SELECT row, side, record_id, partner_id, target, planned_before, action, state, live_before,"
            " error_code, message, attempts FROM writes WHERE run_id=? AND side=? AND batch=?"
            " AND state='sending' ORDER BY row",
            (run_id, side, batch),
        ).fetchall()
        return [WriteItem(*row) for row in found]

    def close_batch(self, run_id: str, batch: int) -> None:
        """The batch needs no more looking up (its rows that are still ``sending`` are read back)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE batches SET state='answered', finished_at=? WHERE run_id=? AND batch=?",
                (now_text(), run_id, batch),
            )

    def record_outcomes(self, run_id: str, side: str, outcomes: Sequence[Outcome], batch: int | None = None) -> None:
        """After an answer (or a re-read): the final or retryable state of each row, in one transaction."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE writes SET state=?, error_code=?, message=?, live_before=COALESCE(?, live_before)"
                " WHERE run_id=? AND side=? AND row=?",
                [(o.state, o.error_code, o.message, o.live_before, run_id, side, o.row) for o in outcomes],
            )
            if batch is not None:
                db.execute(
                    "UPDATE batches SET state='answered', finished_at=? WHERE run_id=? AND batch=?",
                    (now_text(), run_id, batch),
                )

    def reopen(self, run_id: str, side: str, states: Iterable[str], *, keep_rows: Iterable[int] = ()) -> int:
        """Put retryable writes back to ``todo`` (except the plan rows ``keep_rows``); returns how many."""
        wanted = sorted(states)
        kept = sorted(set(keep_rows))
        with self._transaction() as db:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS kept_rows (row INTEGER PRIMARY KEY)")
            db.execute("DELETE FROM kept_rows")
            db.executemany("INSERT INTO kept_rows (row) VALUES (?)", [(row,) for row in kept])
            cursor = db.execute(
                f"UPDATE writes SET state='todo' WHERE run_id=? AND side=?"
                f" AND state IN ({','.join('?' * len(wanted))}) AND row NOT IN (SELECT row FROM kept_rows)",
                [run_id, side, *wanted],
            )
            return int(cursor.rowcount)

    def state_counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """Per side, how many writes are in each state."""
        counts: dict[str, dict[str, int]] = {}
        for side, state, number in self._db.execute(
            "SELECT side, state, COUNT(*) FROM writes WHERE run_id=? GROUP BY side, state", (run_id,)
        ):
            counts.setdefault(side, {})[state] = int(number)
        return counts

    def frame(self, run_id: str) -> pd.DataFrame:
        """Every write of a run as a frame (text columns), in plan order."""
        columns = [
            "row",
            "side",
            "record_id",
            "partner_id",
            "target",
            "planned_before",
            "action",
            "state",
            "live_before",
            "error_code",
            "message",
            "attempts",
        ]
        rows = self._db.execute(
            f"SELECT {', '.join(columns)} FROM writes WHERE run_id=? ORDER BY row, side", (run_id,)
        ).fetchall()
        return pd.DataFrame(rows, columns=columns, dtype=object)


def _run_info(row: tuple[object, ...]) -> RunInfo:
    (
        run_id,
        kind,
        undo_of,
        plan_id,
        plan_path,
        settings,
        state,
        message,
        created,
        updated,
        links,
        summary,
    ) = row
    return RunInfo(
        str(run_id),
        str(kind),
        None if undo_of is None else str(undo_of),
        str(plan_id),
        str(plan_path),
        dict(json.loads(str(settings))),
        str(state),
        str(message),
        str(created),
        str(updated),
        int(str(links)),
        dict(json.loads(str(summary))),
    )
