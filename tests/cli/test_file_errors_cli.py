"""A file that cannot be used, met deep inside a step (`audit --billing file --billing-file` with a
header and no rows), ends the command with its sentence and exit 2, not a traceback."""

from __future__ import annotations

import argparse

from desktop_app.cli import audit_cmd, main
from desktop_app.core.intake_types import TableError


def test_a_file_error_deep_in_a_step_is_a_sentence_and_exit_2(monkeypatch, capsys) -> None:
    def read_the_billing_file(args: argparse.Namespace) -> int:
        raise TableError("customers.csv has a header line (line 1) but no data rows. Export the table again.")

    monkeypatch.setattr(audit_cmd, "run_audit", read_the_billing_file)
    assert main(["audit", "--billing", "file"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("desktop-app audit: customers.csv has a header line (line 1) but no data rows.")
    assert "Traceback" not in err
