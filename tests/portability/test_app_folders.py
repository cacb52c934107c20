"""Every path the app writes comes from desktop_app.core.app_folders: one folder per kind, the same
on each system, none built by hand. The Windows layout is computed with platformdirs' own Windows
class put in place of this system's (its folder lookup reading the documented environment
variables)."""

from __future__ import annotations

import ast
import re
import stat
from pathlib import Path

import platformdirs
import platformdirs.windows
import pytest

from desktop_app.core import app_folders

PACKAGE = Path(app_folders.__file__).resolve().parents[1]
FOLDERS_MODULE = Path(app_folders.__file__).resolve()

# Ways of finding a user folder that bypass the one module.
FORBIDDEN_TEXT = {
    "platformdirs": re.compile(r"\bplatformdirs\b"),
    "expanduser": re.compile(r"\bexpanduser\b"),
    "Path.home": re.compile(r"\bPath\.home\b"),
    "os.path.join": re.compile(r"\bos\.path\.join\b"),
    "a home or profile variable": re.compile(r"""["'](HOME|USERPROFILE|APPDATA|LOCALAPPDATA|XDG_\w+)["']"""),
    "a ~ path": re.compile(r"""["']~[/\\]"""),
}
PATH_MAKERS = {"Path", "PurePath", "open"}


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.resolve() != FOLDERS_MODULE)


def _joined_by_hand(node: ast.AST) -> bool:
    """An f-string or a string sum with a path separator in its literal parts."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and re.search(r"[/\\]", str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [node.left, node.right]
        return any(isinstance(p, ast.Constant) and isinstance(p.value, str) and re.search(r"[/\\]", p.value)
                   for p in parts) or any(_joined_by_hand(p) for p in parts)
    return False


def hand_built_paths(source: str) -> list[str]:
    """What in ``source`` finds a user folder or joins a path by hand, one line each."""
    found = [f"{line_no}: {what}" for line_no, line in enumerate(source.splitlines(), 1)
             for what, pattern in FORBIDDEN_TEXT.items() if pattern.search(line)]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in PATH_MAKERS and any(_joined_by_hand(a) for a in node.args):
                found.append(f"{node.lineno}: {name}() of a string joined with a separator")
    return found


def test_no_module_but_app_folders_finds_user_folders_or_joins_paths_by_hand() -> None:
    offences = {str(p.relative_to(PACKAGE.parent)): hand for p in _sources()
                if (hand := hand_built_paths(p.read_text(encoding="utf-8")))}
    assert offences == {}, "use desktop_app.core.app_folders (and Path's / operator) instead"


@pytest.mark.parametrize("line", [
    "import platformdirs",
    "folder = Path.home() / 'Crosslink'",
    "folder = os.path.expanduser('~/Crosslink')",
    "folder = Path('~/.crosslink')",
    "base = os.environ['APPDATA']",
    "out = Path(f'{base}/runs/{run_id}')",
    "out = open(base + '/journal.sqlite3')",
    "out = os.path.join(base, 'x')",
])
def test_the_scan_catches_each_hand_built_path(line: str) -> None:
    assert hand_built_paths(line) != []


def test_the_scan_leaves_urls_and_path_operators_alone() -> None:
    assert hand_built_paths("url = f'{base}/customers'\nout = data_dir() / 'runs' / run_id\n") == []


# Names formatted into a path that are not user data, with why.
FORMATTED_NAMES_ALLOWED = {
    "desktop_app/gui/screenshots.py": "page numbers and the wizard's own page keys",
    "desktop_app/billing/file_adapter.py": "the stem of the person's own input file, already a valid name here",
}


def formatted_file_names(source: str) -> list[str]:
    """``folder / f"...{value}..."``: a file name formatted from a value instead of ``safe_file_name``."""
    return [f"{node.lineno}: {ast.unparse(node.right)}" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.JoinedStr)
            and any(isinstance(v, ast.FormattedValue) for v in node.right.values)]


def test_file_names_made_from_values_go_through_safe_file_name() -> None:
    offences = {name: found for p in _sources()
                if (name := str(p.relative_to(PACKAGE.parent))) not in FORMATTED_NAMES_ALLOWED
                and (found := formatted_file_names(p.read_text(encoding="utf-8")))}
    assert offences == {}, "wrap the name in desktop_app.core.file_names.safe_file_name"


def test_the_name_scan_catches_a_formatted_name_and_leaves_a_safe_one() -> None:
    assert formatted_file_names("out = folder / f'{project.name}.json'\n") != []
    assert formatted_file_names("out = folder / safe_file_name(f'{project.name}.json')\n") == []


def test_every_folder_kind_has_one_home_under_the_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(app_folders.DATA_DIR_ENV, str(tmp_path / "data"))
    data = app_folders.data_dir()
    assert app_folders.journal_path() == data / "journal.sqlite3"
    assert app_folders.runs_dir("r1") == data / "runs" / "r1"
    for folder in (app_folders.projects_dir(), app_folders.snapshots_dir(), app_folders.demo_dir()):
        assert folder.parent == data
        assert folder.is_dir()


def test_on_windows_journal_snapshots_projects_and_logs_share_one_crosslink_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (app_folders.DATA_DIR_ENV, app_folders.CONFIG_DIR_ENV, app_folders.LOG_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    local, roaming = tmp_path / "AppData" / "Local", tmp_path / "AppData" / "Roaming"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("APPDATA", str(roaming))
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    # Off Windows there is no shell API to ask: read the folders from the environment as Windows sets it.
    monkeypatch.setattr(platformdirs.windows, "_RESOLVE_WIN_FOLDER", platformdirs.windows.get_win_folder_from_env_vars)
    assert app_folders.data_dir() == local / "Crosslink"  # not Crosslink\Crosslink (an app author)
    assert app_folders.journal_path().parent == app_folders.snapshots_dir().parent == local / "Crosslink"
    assert app_folders.log_dir() == local / "Crosslink" / "Logs"
    assert app_folders.config_dir() == local / "Crosslink"


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX permissions")
def test_app_folders_are_readable_by_the_user_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(app_folders.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(app_folders.LOG_DIR_ENV, str(tmp_path / "logs"))
    (tmp_path / "data").mkdir(mode=0o755)  # an existing folder is tightened too
    for folder in (app_folders.data_dir(), app_folders.runs_dir("r1"), app_folders.projects_dir(),
                   app_folders.snapshots_dir(), app_folders.demo_dir(), app_folders.log_dir()):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
