"""Where Crosslink keeps its files: the one module that decides the app's folders.

Every path the app writes on its own (journal, run results and reports, projects, snapshots, demo
files, logs, settings files) starts from a function here; nothing else asks platformdirs or the
home folder. One app name and no app author, so Windows gets ``%LOCALAPPDATA%\\Crosslink`` rather
than a second ``Crosslink\\Crosslink`` folder. Each base folder has an environment override (tests,
portable installs).

Privacy: on POSIX the folders are made readable by the user only (0700) and the files that hold
customer data (journal, results, reports, projects) 0600; Windows already keeps a user's AppData
private through its ACLs.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Crosslink"
DATA_DIR_ENV = "CROSSLINK_DATA_DIR"
CONFIG_DIR_ENV = "CROSSLINK_CONFIG_DIR"
LOG_DIR_ENV = "CROSSLINK_LOG_DIR"
JOURNAL_FILE = "journal.sqlite3"
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _posix() -> bool:
    return os.name == "posix"


def private_folder(folder: Path) -> Path:
    """``folder``, created when missing, readable by the user only on POSIX (parents are left as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    if _posix():
        os.chmod(folder, PRIVATE_FOLDER_MODE)
    return folder


def private_file(path: Path) -> Path:
    """``path`` (an existing file) made readable and writable by the user only on POSIX."""
    if _posix():
        os.chmod(path, PRIVATE_FILE_MODE)
    return path


def _base(env: str, default: str) -> Path:
    override = os.environ.get(env)
    return private_folder(Path(override) if override else Path(default))


def data_dir() -> Path:
    """Journal, runs, projects, snapshots and demo files (``$CROSSLINK_DATA_DIR`` wins)."""
    return _base(DATA_DIR_ENV, platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Settings files: saved connections, the GUI settings when kept in a file (``$CROSSLINK_CONFIG_DIR`` wins)."""
    return _base(CONFIG_DIR_ENV, platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """The rotating log files (``$CROSSLINK_LOG_DIR`` wins)."""
    return _base(LOG_DIR_ENV, platformdirs.user_log_dir(APP_NAME, appauthor=False))


def journal_path() -> Path:
    """The run journal database."""
    return data_dir() / JOURNAL_FILE


def runs_dir(run_id: str) -> Path:
    """The folder of one run: its results, address results and report."""
    return private_folder(private_folder(data_dir() / "runs") / run_id)


def projects_dir() -> Path:
    """Where projects are kept, one folder each."""
    return private_folder(data_dir() / "projects")


def snapshots_dir() -> Path:
    """What was read from the connected systems, kept as files."""
    return private_folder(data_dir() / "snapshots")


def demo_dir() -> Path:
    """The demo's generated input files."""
    return private_folder(data_dir() / "demo")
