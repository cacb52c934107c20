"""``desktop-app undo`` stopped by a billing system that no longer answers: the command says why (the
engine's structured reason, also in ``--json``) and the exact command to go on; ``undo`` again resumes
the same undo rather than starting another, and ``resume UNDO`` finishes it on both sandboxes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_cli import sandbox_connection, true_links_plan
from engine_sandboxes import start_systems

from desktop_app.cli import main
from desktop_app.core.journal import Journal

# Enough customers for three failed batches of 100 in a row: the engine then takes Sequence as down.
ACCOUNTS = 400


@pytest.mark.timeout(300)
def test_an_undo_stopped_by_a_silent_billing_system_resumes_from_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    systems = start_systems(ACCOUNTS)
    try:
        connection = sandbox_connection(systems, monkeypatch)
        before = systems.account_values(), systems.customer_values()
        plan = true_links_plan(systems, tmp_path, connection, "--policy", "overwrite")
        assert main(["apply", str(plan), "--json", *connection]) == 0
        applied = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        applied_values = systems.account_values(), systems.customer_values()

        systems.seq.faults.down = True  # Sequence stops answering
        assert main(["undo", applied["run_id"]]) == 1
        said = capsys.readouterr().out
        with Journal() as journal:
            undo = next(r for r in journal.runs() if r.kind == "undo")
        assert undo.state == "interrupted"
        assert f"Run {undo.run_id} (undo): interrupted. Sequence stopped answering" in said
        assert f"  Next: 'desktop-app resume {undo.run_id}' continues it once it answers again." in said
        assert systems.customer_values() == applied_values[1]  # nothing taken back on Sequence yet

        assert main(["undo", applied["run_id"], "--json"]) == 1  # again: the same undo goes on, no second one
        again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert again["run_id"] == undo.run_id
        assert again["stop"]["kind"] == "silent"
        assert (again["stop"]["side"], again["stop"]["system"]) == ("customer", "Sequence")
        with Journal() as journal:
            assert [r.run_id for r in journal.runs() if r.kind == "undo"] == [undo.run_id]

        systems.seq.faults.down = False
        assert main(["resume", undo.run_id, "--json"]) == 0
        finished = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert (finished["run_id"], finished["kind"], finished["state"]) == (undo.run_id, "undo", "done")
        assert finished["stop"] is None
        assert systems.account_values() == before[0]
        assert systems.customer_values() == before[1]
        assert max(systems.seq.counters.writes.values()) <= 2  # once by the run, once by the undo
    finally:
        systems.seq.faults.down = False
        systems.stop()
