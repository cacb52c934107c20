"""Projects: what one onboarding remembers between sessions, so the person can reopen it.

A project is a folder under ``<data dir>/projects/<id>/``: ``project.json`` (where the data comes
from, the journey, the files and column choices, the link field and policy, the billing system's
non-secret settings, the saved Salesforce connection's name, the last run) plus the person's review
calls (``review.csv``: only the rows they decided) and accepted address fixes (``fixes.csv``).
Secrets never go here: logins stay in the keychain, referred to by the connection's name.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.csv_out import write_frame
from desktop_app.core.journal import data_dir
from desktop_app.core.plan import now_text

REVIEW_COLUMN = "reviewed"
REVIEW_KEEP = ("account_id", "customer_id", "customer_name", "status", "score", "reason", REVIEW_COLUMN)
RECENT_SHOWN = 8


@dataclass
class Project:
    """The remembered choices of one onboarding (never a secret)."""

    project_id: str
    name: str
    created_at: str
    updated_at: str
    source: str = "sandbox"
    journey: str = "link"
    paths: dict[str, str] = field(default_factory=dict)  # side → file
    overrides: list[dict[str, str]] = field(default_factory=list)  # {"role", "header", "side"}
    link_field: str = "Billing_Customer_ID__c"
    policy: str = "skip_linked"
    billing: dict[str, str] = field(default_factory=dict)  # BillingChoice.settings()
    salesforce_connection: str = ""  # the saved connection's name (its login is in the keychain)
    last_run: str = ""
    reviewed_calls: int = 0
    accepted_fixes: int = 0

    def describe(self) -> str:
        """One line for the recent-projects list."""
        parts = [self.name, f"changed {self.updated_at}"]
        if self.reviewed_calls:
            parts.append(f"{self.reviewed_calls:,} review calls")
        if self.last_run:
            parts.append(f"last run {self.last_run}")
        return " · ".join(parts)


def projects_dir() -> Path:
    """Where projects are kept."""
    folder = data_dir() / "projects"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_project(name: str) -> Project:
    """A project not saved yet, named ``name``."""
    now = now_text()
    return Project(project_id=_slug(name) + "-" + uuid.uuid4().hex[:6], name=name.strip() or "Onboarding",
                   created_at=now, updated_at=now)


def save_project(project: Project, *, reviewed: pd.DataFrame | None = None,
                 fixes: pd.DataFrame | None = None) -> Path:
    """Write the project (atomically), with the person's review calls and accepted fixes when given."""
    folder = projects_dir() / project.project_id
    folder.mkdir(parents=True, exist_ok=True)
    if reviewed is not None:
        calls = review_calls(reviewed)
        _write_frame(folder / "review.csv", calls)
        project.reviewed_calls = len(calls)
    if fixes is not None:
        _write_frame(folder / "fixes.csv", fixes.astype(object))
        project.accepted_fixes = len(fixes)
    project.updated_at = now_text()
    _write_text(folder / "project.json", json.dumps(asdict(project), indent=2, sort_keys=True))
    return folder


def recent_projects(limit: int = RECENT_SHOWN) -> list[Project]:
    """Saved projects, most recently changed first (unreadable folders are skipped)."""
    found = []
    for path in projects_dir().glob("*/project.json"):
        project = _read(path)
        if project is not None:
            found.append(project)
    return sorted(found, key=lambda p: p.updated_at, reverse=True)[:limit]


def load_project(project_id: str) -> tuple[Project, pd.DataFrame | None, pd.DataFrame | None]:
    """The project, its review calls and its accepted fixes (None where it has none)."""
    folder = projects_dir() / project_id
    project = _read(folder / "project.json")
    if project is None:
        raise ValueError(f"The project '{project_id}' cannot be read any more; start a new one.")
    return project, _read_frame(folder / "review.csv"), _read_frame(folder / "fixes.csv")


def review_calls(reviewed: pd.DataFrame) -> pd.DataFrame:
    """The rows of a reviewed decisions frame the person decided (``reviewed`` not empty)."""
    if REVIEW_COLUMN not in reviewed.columns:
        return pd.DataFrame(columns=list(REVIEW_KEEP), dtype=object)
    calls = reviewed[reviewed[REVIEW_COLUMN].astype(str) != ""]
    return calls[[c for c in REVIEW_KEEP if c in calls.columns]].astype(object).reset_index(drop=True)


def apply_review_calls(fresh: pd.DataFrame, calls: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``fresh`` decisions with the saved calls laid over them, and how many calls found their row.

    A call belongs to the row of the same account (or, for a customer no account took, the same
    customer); calls whose row is gone (the data changed) are dropped and not counted."""
    if calls is None or not len(calls) or not len(fresh):
        return fresh, 0
    result = fresh.copy()
    keys = _row_keys(result)
    position = pd.Series(range(len(result)), index=keys)
    position = position[~position.index.duplicated(keep=False)]  # an ambiguous key is not restored
    call_keys = _row_keys(calls)
    found = np.asarray(call_keys.isin(position.index), dtype=bool)
    if not found.any():
        return fresh, 0
    targets = position.loc[call_keys[found]].to_numpy()
    for column in REVIEW_KEEP:
        if column in calls.columns and column in result.columns:
            values = calls[column].to_numpy(dtype=object)[found]
            if column == "score":
                values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy()
            updated = result[column].to_numpy(dtype=object if column != "score" else float, copy=True)
            updated[targets] = values
            result[column] = updated
    return result, int(found.sum())


FIX_KEYS = ("side", "record_id", "field", "suggestion")


def apply_fix_calls(problems: pd.DataFrame, fixes: pd.DataFrame | None, accept_column: str,
                    accepted: str = "yes") -> tuple[pd.DataFrame, int]:
    """``problems`` with the saved accepted fixes marked accepted again (same record, part and fix)."""
    if fixes is None or not len(fixes) or not len(problems) or not set(FIX_KEYS) <= set(problems.columns) \
            or not set(FIX_KEYS) <= set(fixes.columns):
        return problems, 0
    saved = set(map(tuple, fixes[list(FIX_KEYS)].astype(str).to_numpy().tolist()))
    keys = problems[list(FIX_KEYS)].astype(str).to_numpy().tolist()
    hit = pd.Series([tuple(k) in saved for k in keys], index=problems.index, dtype=bool)
    result = problems.copy()
    result.loc[hit, accept_column] = accepted
    return result, int(hit.sum())


def _row_keys(frame: pd.DataFrame) -> pd.Index:
    account = frame["account_id"].fillna("").astype(str)
    customer = frame["customer_id"].fillna("").astype(str)
    return pd.Index(account.where(account != "", "customer:" + customer))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "project"


def _read(path: Path) -> Project | None:
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(Project)}
        return Project(**{k: v for k, v in raw.items() if k in known})
    except (OSError, ValueError, TypeError):
        return None


def _read_frame(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write_frame(path: Path, frame: pd.DataFrame) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    write_frame(Path(temporary), frame)
    os.replace(temporary, path)


def _write_text(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
