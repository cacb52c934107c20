"""What a person recognises each plan row by (account and customer names, input-file rows), kept
beside a run as a small CSV so its results file can show them next to the ids."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from desktop_app.core.csv_out import write_frame
from desktop_app.core.plan import LABEL_KEYS, Plan

LABELS_FILE = "links.csv"


def write_labels(path: Path, plan: Plan) -> Path | None:
    """Write ``row`` and ``LABEL_KEYS`` per plan row at ``path``; nothing (None) when no row has any."""
    frame = pd.DataFrame(
        {"row": [link.row for link in plan.links],
         **{key: [getattr(link, key) for link in plan.links] for key in LABEL_KEYS}},
        dtype=object,
    )
    if not (frame[list(LABEL_KEYS)] != "").any().any():
        return None
    return write_frame(path, frame)


def read_labels(path: Path) -> pd.DataFrame | None:
    """The labels written by ``write_labels`` (``row`` as int), or None when there are none."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, ValueError):
        return None
    if "row" not in frame.columns or any(key not in frame.columns for key in LABEL_KEYS):
        return None
    return frame.assign(row=pd.to_numeric(frame["row"], errors="coerce")).dropna(subset=["row"]).astype({"row": int})
