"""The files a run keeps beside the journal: its results CSV, and the labels (names, input-file rows)
of its plan rows that the results show beside the ids."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from desktop_app.core.app_folders import private_file, runs_dir
from desktop_app.core.journal import RunInfo, WriteItem
from desktop_app.core.journal_results import results_frame
from desktop_app.core.link_labels import LABELS_FILE, read_labels
from desktop_app.core.report import write_csv

RESULTS_FILE = "results.csv"


def results_path(run_id: str) -> Path:
    """Where run ``run_id``'s results CSV is kept."""
    return runs_dir(run_id) / RESULTS_FILE


def run_labels(info: RunInfo) -> pd.DataFrame | None:
    """The names and input-file rows of the run's plan rows (an undo's are its original run's)."""
    return read_labels(runs_dir(info.undo_of or info.run_id) / LABELS_FILE)


def write_results(run_id: str, items: list[WriteItem], path: Path | None = None, *, undo: bool = False,
                  labels: pd.DataFrame | None = None) -> Path:
    """Write the results CSV (one row per plan row, in plan order, names and file rows beside the
    ids when ``labels`` has them) and return its path."""
    return private_file(write_csv(path or results_path(run_id),
                                  results_frame(items, undo=undo, labels=labels)))
