"""The installer sources agree with the code: the spec's hidden imports and data files exist, every
Qt module the GUI uses is kept, and no installer script hard-codes the version."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

import desktop_app

REPO = Path(__file__).resolve().parents[2]
INSTALLERS = REPO / "installers"


def _load(name: str) -> ModuleType:
    """A helper script of installers/ as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"crosslink_installers_{name}", INSTALLERS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


iconset_files = _load("make_icons").iconset_files
render_icons = _load("make_icons").render_icons
project_version = _load("version").project_version

PYPROJECT_VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def spec_value(name: str) -> object:
    """A literal assigned at the top of installers/crosslink.spec (the spec runs only inside PyInstaller)."""
    tree = ast.parse((INSTALLERS / "crosslink.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            value = node.value
            if isinstance(value, ast.Attribute):  # {...}.get(sys.platform, []) -> the dict literal
                value = value.value
            if isinstance(value, ast.Call):
                value = value.func.value  # type: ignore[attr-defined]
            return ast.literal_eval(value)
    raise AssertionError(f"{name} is not assigned in crosslink.spec")


def test_every_keyring_backend_is_listed_and_importable() -> None:
    listed = spec_value("KEYRING_BACKENDS")
    assert isinstance(listed, list)
    declared = {entry.value for entry in entry_points(group="keyring.backends")
                if entry.dist is not None and entry.dist.name == "keyring"}
    assert declared <= set(listed), f"keyring backends missing from the spec: {declared - set(listed)}"
    for module in listed:
        importlib.import_module(module)


def test_this_platforms_keyring_dependencies_are_importable() -> None:
    per_platform = spec_value("PLATFORM_KEYRING_DEPENDENCIES")
    assert isinstance(per_platform, dict)
    assert set(per_platform) == {"linux", "win32", "darwin"}
    for module in per_platform.get(sys.platform, []):
        importlib.import_module(module)


def test_resources_folder_matches_the_spec() -> None:
    listed = spec_value("RESOURCE_FILES")
    assert isinstance(listed, list)
    on_disk = sorted(path.name for path in (REPO / "desktop_app" / "resources").iterdir() if path.is_file())
    assert sorted(listed) == on_disk


def test_qt_modules_the_gui_uses_are_kept_and_not_excluded() -> None:
    used = set()
    for source in (REPO / "desktop_app").rglob("*.py"):
        used |= set(re.findall(r"from (PySide6\.Qt\w+) import", source.read_text(encoding="utf-8")))
    assert "PySide6.QtCharts" in used
    excluded = spec_value("EXCLUDES")
    kept = spec_value("QT_MODULES")
    assert isinstance(excluded, list)
    assert isinstance(kept, list)
    assert used <= set(kept), f"Qt modules used by the code but not listed: {used - set(kept)}"
    assert not (set(kept) & set(excluded))
    for module in kept:
        importlib.import_module(module)


def test_version_helper_reads_pyproject_and_matches_the_package() -> None:
    assert project_version() == PYPROJECT_VERSION
    assert desktop_app.__version__ == PYPROJECT_VERSION
    printed = subprocess.run([sys.executable, str(INSTALLERS / "version.py")], capture_output=True, text=True,
                             check=True).stdout
    assert printed.strip() == PYPROJECT_VERSION


@pytest.mark.parametrize("path", sorted(p.relative_to(REPO).as_posix() for p in INSTALLERS.rglob("*")
                                        if p.is_file() and p.suffix != ".pyc"))
def test_no_installer_file_hard_codes_the_version(path: str) -> None:
    assert PYPROJECT_VERSION not in (REPO / path).read_text(encoding="utf-8")


def test_windows_and_macos_builds_take_the_version_from_pyproject() -> None:
    iss = (INSTALLERS / "windows" / "crosslink.iss").read_text(encoding="utf-8")
    assert "AppVersion={#AppVersion}" in iss
    assert "PrivilegesRequired=lowest" in iss
    assert "{autoprograms}\\Crosslink" in iss
    build_ps1 = (INSTALLERS / "windows" / "build.ps1").read_text(encoding="utf-8")
    assert "installers\\version.py" in build_ps1
    assert '"/DAppVersion=$Version"' in build_ps1
    mac = (INSTALLERS / "macos" / "build.sh").read_text(encoding="utf-8")
    assert 'version="$("$py" installers/version.py)"' in mac
    assert "notarytool submit" in mac
    assert "stapler staple" in mac
    linux = (REPO / "scripts" / "build-installer.sh").read_text(encoding="utf-8")
    assert 'version="$("$py" installers/version.py)"' in linux


def test_icons_render_from_the_svg(qapp: QApplication, tmp_path: Path) -> None:
    # qapp first: the suite shares one QApplication, which render_icons reuses.
    written = {path.relative_to(tmp_path).as_posix(): path for path in render_icons(tmp_path)}
    expected_iconset = {f"crosslink.iconset/{name}": size for name, size in iconset_files().items()}
    assert set(written) == {"crosslink.png", "crosslink.ico"} | set(expected_iconset)
    assert "crosslink.iconset/icon_512x512@2x.png" in written
    for name, path in written.items():
        image = QImage(str(path))
        assert not image.isNull(), name
        assert image.width() == expected_iconset.get(name, 256), name


def test_linux_install_script_installs_and_uninstalls_under_a_prefix(tmp_path: Path) -> None:
    # An unpacked-tarball layout around a stand-in executable: this checks the install script only;
    # test_built_app.py installs the real build.
    stage = tmp_path / "stage"
    (stage / "crosslink").mkdir(parents=True)
    app = stage / "crosslink" / "crosslink"
    app.write_text("#!/bin/sh\necho crosslink-ran\n", encoding="utf-8")
    app.chmod(0o755)
    for name in ("install.sh", "uninstall.sh", "crosslink.desktop"):
        (stage / name).write_bytes((INSTALLERS / "linux" / name).read_bytes())
    (stage / "crosslink.svg").write_bytes((REPO / "desktop_app" / "resources" / "crosslink.svg").read_bytes())
    (stage / "VERSION").write_text(PYPROJECT_VERSION + "\n", encoding="utf-8")
    prefix = tmp_path / "prefix"
    env = {"PREFIX": str(prefix), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    subprocess.run(["bash", str(stage / "install.sh")], env=env, check=True, capture_output=True)
    launcher = prefix / "bin" / "crosslink"
    assert subprocess.run([str(launcher)], capture_output=True, text=True, check=True).stdout == "crosslink-ran\n"
    desktop = (prefix / "share" / "applications" / "crosslink.desktop").read_text(encoding="utf-8")
    assert f'Exec="{prefix}/lib/crosslink/crosslink" %F' in desktop
    assert "Icon=crosslink" in desktop
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "crosslink.svg").is_file()

    subprocess.run(["bash", str(prefix / "lib" / "crosslink" / "uninstall.sh")], env=env, check=True,
                   capture_output=True)
    assert not launcher.exists()
    assert not launcher.is_symlink()
    assert not (prefix / "lib" / "crosslink").exists()
    assert not (prefix / "share" / "applications" / "crosslink.desktop").exists()


def test_ci_builds_and_self_tests_the_linux_installer() -> None:
    # The requirement: CI builds the Linux artifact and runs --self-test on the built binary,
    # which is what test_built_app.py does once CROSSLINK_BUILD_INSTALLER=1.
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert 'export CROSSLINK_BUILD_INSTALLER="${CROSSLINK_BUILD_INSTALLER:-1}"' in ci
    assert ci.index("export CROSSLINK_BUILD_INSTALLER") < ci.index("bash scripts/run-tests.sh")
    built_app_test = (REPO / "tests" / "installers" / "test_built_app.py").read_text(encoding="utf-8")
    assert 'os.environ.get("CROSSLINK_BUILD_INSTALLER") != "1"' in built_app_test
