"""What Crosslink keeps about customers (journal, run results, projects) is readable by the user only
on POSIX, whatever the umask; and project folders named by the user are valid on Windows."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from desktop_app.core.app_folders import journal_path, runs_dir
from desktop_app.core.journal import Journal, WriteItem
from desktop_app.workflow.match import match_files
from desktop_app.workflow.projects import new_project, save_project
from desktop_app.workflow.report import write_run_report
from desktop_app.workflow.run_files import write_results

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture(autouse=True)
def _open_umask() -> object:
    """A umask that would let everyone read new files, so only our own chmod can make them private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _item(row: int) -> WriteItem:
    return WriteItem(row=row, side="account", record_id=f"00100000000000{row}AAA", partner_id=f"cus_{row}",
                     target=f"cus_{row}", planned_before="", action="set", state="written")


def test_journal_and_its_wal_files_are_private() -> None:
    with Journal() as journal:
        journal.create_run("r1", kind="apply", plan_id="p", plan_path="plan.json", settings={}, items=[_item(1)])
        wal = journal_path().with_name(journal_path().name + "-wal")
        assert wal.exists()
        assert _mode(journal_path()) == 0o600
        assert _mode(wal) == 0o600
    assert _mode(journal_path().parent) == 0o700


def test_run_results_are_private() -> None:
    path = write_results("r2", [_item(1), _item(2)])
    assert path.parent == runs_dir("r2")
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert _mode(path.parent.parent) == 0o700


def test_project_files_are_private_and_its_folder_name_is_safe_on_windows() -> None:
    project = new_project('CON: "Acme" / Stripe?')
    calls = pd.DataFrame({"account_id": ["001000000000001AAA"], "customer_id": ["cus_1"], "reviewed": ["accepted"]})
    folder = save_project(project, reviewed=calls, fixes=pd.DataFrame({"record_id": ["x"]}))
    assert not set(folder.name) & set('<>:"/\\|?*')
    assert folder.name.upper().split(".")[0] not in {"CON", "NUL"}
    assert _mode(folder) == 0o700
    for name in ("project.json", "review.csv", "fixes.csv"):
        assert _mode(folder / name) == 0o600, name


def test_the_run_report_is_private() -> None:
    run = match_files(SAMPLES / "salesforce_accounts_export.csv", SAMPLES / "stripe_customers_export.csv")
    path = write_run_report(run, "r3")
    assert path == runs_dir("r3") / "crosslink_report.xlsx"
    assert path.stat().st_size > 0
    assert _mode(path) == 0o600
