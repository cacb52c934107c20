"""The files a run keeps in its own folder that a person opens: the report of the reviewed matches.

They hold customer data, so they are written readable by the user only (see core/app_folders).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from desktop_app.core.app_folders import private_file, runs_dir
from desktop_app.core.plan import Plan
from desktop_app.core.report_outcomes import read_results
from desktop_app.workflow.match import MatchRun, write_match_output

RUN_REPORT_FILE = "crosslink_report.xlsx"


def write_run_report(run: MatchRun, run_id: str, results_path: Path | None = None, *,
                     run_summary: Mapping[str, object] | None = None, plan: Plan | None = None) -> Path:
    """The XLSX report of ``run``'s reviewed matches in run ``run_id``'s folder: a sheet per write
    outcome from the run's results file when it exists, the run's figures on its summary sheet.
    Returns its path."""
    path = runs_dir(run_id) / RUN_REPORT_FILE
    results = read_results(results_path) if results_path is not None and results_path.is_file() else None
    write_match_output(run, path, results, run_summary=run_summary, plan=plan)
    return private_file(path)
