"""A journal written by an older Crosslink is upgraded in place and keeps resume and undo of its runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from engine_memory_side import SimulatedKill
from test_engine_memory import setup

from desktop_app.core.journal import Journal
from desktop_app.core.journal_schema import SCHEMA_VERSION, JournalTooNew
from desktop_app.core.run_figures import resumable_runs
from desktop_app.workflow.engine import resume, start_undo

# Exactly what Crosslink wrote before the schema was numbered (user_version 0); frozen here on purpose:
# it is the old file a user upgrades with, not whatever the code says today.
UNNUMBERED_SCHEMA = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, undo_of TEXT, plan_id TEXT NOT NULL,
    plan_path TEXT NOT NULL, settings TEXT NOT NULL, state TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, links INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE writes (
    run_id TEXT NOT NULL, row INTEGER NOT NULL, side TEXT NOT NULL, record_id TEXT NOT NULL,
    partner_id TEXT NOT NULL, target TEXT NOT NULL, planned_before TEXT NOT NULL, action TEXT NOT NULL,
    state TEXT NOT NULL, live_before TEXT, error_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, batch INTEGER,
    PRIMARY KEY (run_id, side, row)
);
CREATE INDEX writes_state ON writes (run_id, side, state, row);
CREATE TABLE batches (
    run_id TEXT NOT NULL, batch INTEGER NOT NULL, side TEXT NOT NULL, size INTEGER NOT NULL,
    state TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    PRIMARY KEY (run_id, batch)
);
CREATE TABLE address_writes (
    run_id TEXT NOT NULL, side TEXT NOT NULL, record_id TEXT NOT NULL, role TEXT NOT NULL,
    before TEXT NOT NULL, after TEXT NOT NULL, state TEXT NOT NULL,
    error_code TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, side, record_id, role)
);
CREATE INDEX address_writes_state ON address_writes (run_id, side, state);
"""


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_a_run_interrupted_under_the_old_schema_resumes_and_undoes_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    plan, journal, sides = setup(tmp_path)
    journal.close()
    path.unlink()
    with sqlite3.connect(path) as old:  # the file an older Crosslink left behind
        old.executescript(UNNUMBERED_SCHEMA)
    assert _user_version(path) == 0
    sides["customer"].kill_after_writes = 3
    from desktop_app.workflow.engine import start_apply

    with Journal(path) as upgraded, pytest.raises(SimulatedKill):
        start_apply(upgraded, plan, sides, run_id="run-old")
    assert _user_version(path) == SCHEMA_VERSION

    with Journal(path) as reopened:
        assert [r.run_id for r in resumable_runs(reopened)] == ["run-old"]
        report = resume(reopened, "run-old", sides)
        assert report.pairs == {"linked": 10}
        undo = start_undo(reopened, "run-old", sides)
        assert undo.pairs == {"restored": 10}
    assert set(sides["customer"].values.values()) == {""}


def test_a_journal_from_a_newer_crosslink_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with sqlite3.connect(path) as newer:
        newer.executescript(UNNUMBERED_SCHEMA)
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(JournalTooNew, match="newer version of Crosslink"):
        Journal(path)
    assert _user_version(path) == SCHEMA_VERSION + 1


def test_a_failing_upgrade_step_leaves_the_version_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core import journal_schema

    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    broken = (*journal_schema.MIGRATIONS, "CREATE TABLE extra (x TEXT); CREATE TABLE runs (x TEXT)")
    monkeypatch.setattr(journal_schema, "MIGRATIONS", broken)
    monkeypatch.setattr(journal_schema, "SCHEMA_VERSION", len(broken))
    with pytest.raises(sqlite3.OperationalError):
        Journal(path)
    assert _user_version(path) == len(broken) - 1
    with sqlite3.connect(path) as db:  # the half-done step was rolled back with the version
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0


def test_the_command_line_says_the_journal_is_too_new(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli import main
    from desktop_app.core.journal import default_journal_path

    with sqlite3.connect(default_journal_path()) as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    assert main(["runs"]) == 1
    assert "newer version of Crosslink" in capsys.readouterr().err


def test_a_schema_1_journal_with_an_interrupted_run_gains_bulk_job_ids_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    plan, journal, sides = setup(tmp_path)
    journal.close()
    path.unlink()
    with sqlite3.connect(path) as old:  # what Crosslink wrote at schema 1 (the numbered version-1 tables)
        old.executescript(UNNUMBERED_SCHEMA)
        old.execute("PRAGMA user_version = 1")
    with sqlite3.connect(path) as old:
        assert "job_id" not in [row[1] for row in old.execute("PRAGMA table_info(batches)")]
    sides["customer"].kill_after_writes = 3
    from desktop_app.workflow.engine import start_apply

    with Journal(path) as upgraded, pytest.raises(SimulatedKill):
        start_apply(upgraded, plan, sides, run_id="run-1")
    assert _user_version(path) == SCHEMA_VERSION == 2
    with Journal(path) as reopened:
        assert reopened.open_jobs("run-1", "account") == []  # batches of the 200-row path carry no job
        batch = reopened.next_batch_number("run-1")
        reopened.record_intent("run-1", "account", batch, [])
        reopened.record_job("run-1", batch, "750000000000001AAA")
        assert reopened.open_jobs("run-1", "account") == [(batch, "750000000000001AAA")]
        reopened.close_batch("run-1", batch)
        assert reopened.open_jobs("run-1", "account") == []
        report = resume(reopened, "run-1", sides)
        assert report.pairs == {"linked": 10}
