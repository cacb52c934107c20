"""The files a run keeps in its own folder that a person opens: the report of the reviewed matches.

They hold customer data, so they are written readable by the user only (see core/app_folders).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from desktop_app.core.app_folders import private_file, runs_dir
from desktop_app.workflow.matching import MatchRun, write_match_output

RUN_REPORT_FILE = "crosslink_report.xlsx"


def write_run_report(run: MatchRun, run_id: str, *, run_summary: Mapping[str, object] | None = None) -> Path:
    """The XLSX report of ``run``'s reviewed matches in run ``run_id``'s folder, with the run's figures
    on its summary sheet; returns its path."""
    path = runs_dir(run_id) / RUN_REPORT_FILE
    write_match_output(run, path, run_summary=run_summary)
    return private_file(path)
