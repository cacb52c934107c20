"""The journal database's schema, versioned with ``PRAGMA user_version`` and upgraded in place.

Both journals (runs and their link writes, address fixes) live in one SQLite file, so the file has
one version. ``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``; a database made by a
Crosslink that did not yet number its schema holds the version-1 tables with ``user_version`` 0,
which the ``IF NOT EXISTS`` of the first step accepts as they are. A user who upgrades keeps resume
and undo of the runs an older version wrote; a file written by a newer Crosslink is refused rather
than half understood.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_VERSION_1 = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, undo_of TEXT, plan_id TEXT NOT NULL,
    plan_path TEXT NOT NULL, settings TEXT NOT NULL, state TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, links INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS writes (
    run_id TEXT NOT NULL, row INTEGER NOT NULL, side TEXT NOT NULL, record_id TEXT NOT NULL,
    partner_id TEXT NOT NULL, target TEXT NOT NULL, planned_before TEXT NOT NULL, action TEXT NOT NULL,
    state TEXT NOT NULL, live_before TEXT, error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, batch INTEGER,
    PRIMARY KEY (run_id, side, row)
);
CREATE INDEX IF NOT EXISTS writes_state ON writes (run_id, side, state, row);
CREATE TABLE IF NOT EXISTS batches (
    run_id TEXT NOT NULL, batch INTEGER NOT NULL, side TEXT NOT NULL, size INTEGER NOT NULL,
    state TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    PRIMARY KEY (run_id, batch)
);
CREATE TABLE IF NOT EXISTS address_writes (
    run_id TEXT NOT NULL, side TEXT NOT NULL, record_id TEXT NOT NULL, role TEXT NOT NULL,
    before TEXT NOT NULL, after TEXT NOT NULL, state TEXT NOT NULL,
    error_code TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, side, record_id, role)
);
CREATE INDEX IF NOT EXISTS address_writes_state ON address_writes (run_id, side, state);
"""

# Version 2: a batch sent as a Salesforce Bulk API 2.0 job keeps the job's id, journaled as soon as the
# job exists, so a resumed run looks the job up instead of sending its rows again.
_VERSION_2 = """
ALTER TABLE batches ADD COLUMN job_id TEXT;
CREATE INDEX IF NOT EXISTS batches_open_jobs ON batches (run_id, state, job_id)
"""

# Append a step to change the schema; never edit a step that has shipped.
MIGRATIONS: tuple[str, ...] = (_VERSION_1, _VERSION_2)
SCHEMA_VERSION = len(MIGRATIONS)


class JournalTooNew(Exception):
    """The journal was written by a newer Crosslink than this one."""


def upgrade(db: sqlite3.Connection, path: Path) -> int:
    """Bring the database to ``SCHEMA_VERSION``, each step in its own transaction; returns the
    version it found. ``db`` must be in autocommit mode (``isolation_level=None``)."""
    found = int(db.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise JournalTooNew(
            f"The journal {path} was written by a newer version of Crosslink (schema {found}, this version "
            f"reads up to {SCHEMA_VERSION}). Update Crosslink to resume or undo its runs."
        )
    for version in range(found, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return found


def _statements(script: str) -> list[str]:
    """The statements of a migration (``executescript`` would commit on its own, outside our step)."""
    return [part.strip() for part in script.split(";") if part.strip()]
