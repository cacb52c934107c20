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
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from desktop_app.core.app_folders import private_file, private_folder, projects_dir
from desktop_app.core.csv_out import write_frame
from desktop_app.core.file_names import safe_file_name
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.plan import now_text
from desktop_app.workflow.review import review_calls

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
    link_field: str = DEFAULT_LINK_FIELD
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


def new_project(name: str) -> Project:
    """A project not saved yet, named ``name``."""
    now = now_text()
    return Project(project_id=project_folder_name(name, uuid.uuid4().hex[:6]), name=name.strip() or "Onboarding",
                   created_at=now, updated_at=now)


def save_project(project: Project, *, reviewed: pd.DataFrame | None = None,
                 fixes: pd.DataFrame | None = None) -> Path:
    """Write the project (atomically), with the person's review calls and accepted fixes when given."""
    folder = private_folder(projects_dir() / project.project_id)
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


@dataclass(frozen=True)
class UnreadableProject:
    """A project folder whose ``project.json`` cannot be read, and why (listed, never dropped)."""

    folder: str
    reason: str

    def describe(self) -> str:
        """One line for the recent-projects list."""
        return f"{self.folder} · cannot be read: {self.reason}"


@dataclass(frozen=True)
class ProjectListing:
    """The recent projects, most recently changed first, and the folders that cannot be read."""

    projects: list[Project]
    unreadable: list[UnreadableProject]


def recent_projects(limit: int = RECENT_SHOWN) -> ProjectListing:
    """Saved projects, most recently changed first, and every project folder that cannot be read."""
    found, unreadable = [], []
    for path in sorted(projects_dir().glob("*/project.json")):
        try:
            found.append(_parse(path))
        except (OSError, ValueError, TypeError) as error:
            unreadable.append(UnreadableProject(path.parent.name, _reason(error)))
    found.sort(key=lambda p: p.updated_at, reverse=True)
    return ProjectListing(found[:limit], unreadable)


def load_project(project_id: str) -> tuple[Project, pd.DataFrame | None, pd.DataFrame | None]:
    """The project, its review calls and its accepted fixes (None where it has none)."""
    folder = projects_dir() / project_id
    project = _read(folder / "project.json")
    if project is None:
        raise ValueError(f"The project '{project_id}' cannot be read any more; start a new one.")
    return project, _read_frame(folder / "review.csv"), _read_frame(folder / "fixes.csv")


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


def project_folder_name(name: str, suffix: str) -> str:
    """The project's folder name: its name made safe as a file name on every system, then ``-suffix``."""
    return f"{safe_file_name(name, fallback='project', max_length=40)}-{suffix}"


def _read(path: Path) -> Project | None:
    try:
        return _parse(path)
    except (OSError, ValueError, TypeError):
        return None


def _parse(path: Path) -> Project:
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("it does not hold a project's settings")
    known = {f.name for f in fields(Project)}
    return Project(**{k: v for k, v in raw.items() if k in known})


def _reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"project.json is damaged (line {error.lineno}, column {error.colno})"
    if isinstance(error, OSError):
        return f"project.json cannot be opened ({error.strerror or error})"
    if isinstance(error, TypeError):
        return "project.json misses required settings (made by another version of Crosslink?)"
    return str(error)


def _read_frame(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write_frame(path: Path, frame: pd.DataFrame) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    write_frame(Path(temporary), frame)
    os.replace(private_file(Path(temporary)), path)


def _write_text(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(private_file(Path(temporary)), path)
