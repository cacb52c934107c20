"""Build the Linux tarball with scripts/build-installer.sh, install it under a temporary prefix with
its own install script, run the installed binary's ``--self-test``, and uninstall it again.

Slow (about 1.5–2 min on 2 cores), so it runs only with ``CROSSLINK_BUILD_INSTALLER=1``: CI sets that
(``.ci/run``); for a local run, ``CROSSLINK_BUILD_INSTALLER=1 bash scripts/run-tests.sh tests/installers``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("CROSSLINK_BUILD_INSTALLER") != "1",
                       reason="builds the PyInstaller app (~2 min on 2 cores): set CROSSLINK_BUILD_INSTALLER=1 "
                              "(.ci/run does)"),
]


@pytest.mark.timeout(1500)
def test_built_linux_app_installs_and_passes_its_self_test(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build = subprocess.run(["bash", str(REPO / "scripts" / "build-installer.sh"), str(out)],
                           capture_output=True, text=True, cwd=REPO)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    [tarball] = out.glob("*.tar.gz")
    assert tarball.name.startswith(f"crosslink-{VERSION}-linux-")

    # Unpacked with tar, as docs/install.md tells users (and tarfile's extraction filter is missing
    # from Python 3.11 before 3.11.4, such as Debian 12's 3.11.2).
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    subprocess.run(["tar", "-xzf", str(tarball), "-C", str(unpacked)], check=True, capture_output=True)
    [folder] = unpacked.iterdir()
    assert folder.name == tarball.name.removesuffix(".tar.gz")
    assert {path.name for path in folder.iterdir()} == {
        "crosslink", "install.sh", "uninstall.sh", "crosslink.desktop", "crosslink.svg", "VERSION"}
    prefix = tmp_path / "prefix"
    subprocess.run(["bash", str(folder / "install.sh")], env={**os.environ, "PREFIX": str(prefix)},
                   check=True, capture_output=True)
    binary = prefix / "bin" / "crosslink"

    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"Crosslink {VERSION}"

    env = {**os.environ, "CROSSLINK_LOG_DIR": str(tmp_path / "log")}
    result = subprocess.run([str(binary), "--self-test", "--json"], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    assert payload["version"] == VERSION
    checks = {check["name"]: check for check in payload["checks"]}
    assert checks["version"]["detail"].endswith("(frozen app, linux)")
    assert str(prefix / "lib" / "crosslink") in checks["resources"]["detail"]
    assert all(check["status"] != "fail" for check in checks.values())

    desktop_entry = prefix / "share" / "applications" / "crosslink.desktop"
    assert f'Exec="{prefix}/lib/crosslink/crosslink" %F' in desktop_entry.read_text(encoding="utf-8")
    assert (prefix / "share" / "icons" / "hicolor" / "scalable" / "apps" / "crosslink.svg").is_file()
    subprocess.run(["bash", str(prefix / "lib" / "crosslink" / "uninstall.sh")],
                   env={**os.environ, "PREFIX": str(prefix)}, check=True, capture_output=True)
    assert not binary.is_symlink()
    assert not (prefix / "lib" / "crosslink").exists()
    assert not desktop_entry.exists()
    # Passed: drop the ~450 MB of unpacked app and tarball (pytest keeps the last runs' tmp folders).
    shutil.rmtree(unpacked)
    shutil.rmtree(out)
