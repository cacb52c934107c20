"""The real command line run in the test's own process against the engine sandboxes: the environment
the sandbox org and the Sequence login read, the options that point a link command at them, and a
plan of the sandboxes' true links written by ``desktop-app plan``."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_sandboxes import Systems, truth_matches

from desktop_app.cli import main


def sandbox_connection(systems: Systems, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Put the sandboxes' credentials where ``--sandbox`` and the Sequence login read them; the
    connection options of a link command."""
    monkeypatch.setenv("CROSSLINK_SANDBOX_ACCESS_TOKEN", systems.sf.access_token)
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_ID", systems.seq.client_id)
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", systems.seq.client_secret)
    return ["--sandbox", "--instance-url", systems.sf.instance_url, "--ca-cert", str(systems.sf.ca_cert),
            "--billing", "sequence", "--billing-url", systems.seq.url, "--billing-ca", str(systems.seq.ca_cert)]


def true_links_plan(systems: Systems, folder: Path, connection: list[str], *options: str) -> Path:
    """``desktop-app plan`` of the sandboxes' true links (``options``: e.g. ``--policy overwrite``)."""
    matches, plan = folder / "matches.csv", folder / "plan.json"
    truth_matches(systems).to_csv(matches, index=False)
    assert main(["plan", "--matches", str(matches), "--out", str(plan), *options, *connection]) == 0
    return plan
