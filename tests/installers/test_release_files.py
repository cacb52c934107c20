"""The release workflow and the Windows/macOS build scripts, checked as far as a Linux machine allows.

- The workflow is validated against GitHub's schema (check-jsonschema's bundled copy: offline) and
  read for what it promises: each system built by its own script, installed, self-tested, uploaded.
- Windows: PowerShell is not installable here (``apt-cache policy powershell``: no candidate), so
  build.ps1 is read, not run: the version it stamps comes from installers/version.py, whose
  numeric form is computed here, and crosslink.iss uses exactly the defines build.ps1 passes.
- macOS: installers/macos/build.sh is RUN, in a copy of the installer files, with the platform-only
  tools faked by small scripts that log their arguments: iconutil, codesign, hdiutil, xcrun, uname,
  PyInstaller (it writes an app that answers --version/--self-test) and the venv's pip.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
BUILD_PS1 = (REPO / "installers" / "windows" / "build.ps1").read_text(encoding="utf-8")
ISS = (REPO / "installers" / "windows" / "crosslink.iss").read_text(encoding="utf-8")

sys.path.insert(0, str(REPO / "installers"))
from version import numeric_version, project_version  # noqa: E402

sys.path.pop(0)


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def _steps_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) + str(step.get("if", ""))
                     for step in job["steps"])


# ------------------------------------------------------------------------------------------ workflow

def test_the_release_workflow_is_valid_for_github() -> None:
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                              str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1), encoding="utf-8")
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                              str(broken)], capture_output=True, text=True, timeout=120)
    assert checked.returncode != 0


def test_every_system_is_built_by_its_own_script_installed_and_self_tested() -> None:
    build = _workflow()["jobs"]["build"]
    runners = {entry["name"]: entry["runner"] for entry in build["strategy"]["matrix"]["include"]}
    assert set(runners) == {"linux-x86_64", "windows-x64", "macos-x86_64", "macos-arm64"}
    assert runners["macos-x86_64"] == "macos-13"  # Intel
    assert runners["macos-arm64"].startswith("macos-14")  # Apple silicon
    text = _steps_text(build)
    for script in ("scripts/build-installer.sh", "installers\\windows\\build.ps1", "installers/macos/build.sh"):
        assert script in text
    assert "install.sh" in text  # the tarball's own no-root installer
    assert "/VERYSILENT" in text
    assert "/CURRENTUSER" in text
    assert "hdiutil attach" in text
    assert "Crosslink.app" in text
    assert text.count("--self-test") >= 3
    assert "twine check" in text
    assert "pipx install" in text
    assert "actions/upload-artifact" in text


def test_portable_tests_named_by_the_workflow_exist() -> None:
    paths = _workflow()["env"]["PORTABLE_TESTS"].split()
    assert paths
    for path in paths:
        assert (REPO / path).exists(), path


def test_a_release_is_made_only_for_a_version_tag_and_signing_only_with_secrets() -> None:
    workflow = _workflow()
    release = workflow["jobs"]["release"]
    assert release["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert release["permissions"] == {"contents": "write"}
    assert workflow["permissions"] == {"contents": "read"}
    build = workflow["jobs"]["build"]
    for step in build["steps"]:
        uses_secret = "secrets." in str(step.get("env", ""))
        if uses_secret and "Signing" in step.get("name", ""):
            body = str(step["run"])
            assert re.search(r'if \[ -z "\$CERT_BASE64" \]|if \(\$env:CERT_BASE64\)', body), step["name"]


# ------------------------------------------------------------------------------------------ Windows

@pytest.mark.parametrize(("version", "numeric"), [
    ("0.1.0", "0.1.0.0"), ("2.0", "2.0.0.0"), ("1.2.3rc1", "1.2.3.0"), ("1.2.3.post4", "1.2.3.0"),
    ("1!4.5.6.7+local", "4.5.6.7"), ("10", "10.0.0.0"),
])
def test_windows_file_version_is_four_numbers(version: str, numeric: str) -> None:
    assert numeric_version(version) == numeric


@pytest.mark.parametrize("version", ["1.2.3.4.5", "70000.0", "latest"])
def test_a_version_windows_cannot_stamp_is_refused(version: str) -> None:
    with pytest.raises(ValueError, match=version.replace(".", r"\.")):
        numeric_version(version)


def test_this_projects_version_can_be_stamped_on_windows() -> None:
    printed = subprocess.run([sys.executable, str(REPO / "installers" / "version.py"), "--numeric"],
                             capture_output=True, text=True, check=True)
    assert printed.stdout.strip() == numeric_version(project_version())


def test_inno_setup_uses_exactly_what_build_ps1_defines() -> None:
    passed = set(re.findall(r'"/D(\w+)=', BUILD_PS1))
    assert passed == {"AppVersion", "FileVersion", "SourceDir", "IconFile", "SignTool"}
    used = set(re.findall(r"\{#(\w+)\}", ISS))
    required = set(re.findall(r"^#ifndef (\w+)\s*\n\s*#error", ISS, flags=re.MULTILINE))
    optional = set(re.findall(r"^#ifdef (\w+)", ISS, flags=re.MULTILINE))
    assert used <= passed
    assert required == {"AppVersion", "FileVersion", "SourceDir"}
    assert optional == {"IconFile", "SignTool"}
    assert "VersionInfoVersion={#FileVersion}" in ISS  # a PEP 440 version like 0.2.0rc1 is not a file version
    assert "AppVersion={#AppVersion}" in ISS
    assert '$Version = (& $Py installers\\version.py).Trim()' in BUILD_PS1
    assert '$FileVersion = (& $Py installers\\version.py --numeric).Trim()' in BUILD_PS1


def test_windows_installer_name_agrees_between_iss_build_script_and_workflow() -> None:
    assert "OutputBaseFilename=crosslink-{#AppVersion}-windows-x64-setup" in ISS
    assert "dist\\crosslink-$Version-windows-x64-setup.exe" in BUILD_PS1
    matrix = {e["name"]: e for e in _workflow()["jobs"]["build"]["strategy"]["matrix"]["include"]}
    assert matrix["windows-x64"]["installer"] == "dist/crosslink-*-windows-x64-setup.exe"
    assert "PrivilegesRequired=lowest" in ISS  # per-user: the workflow looks under %LOCALAPPDATA%\Programs
    assert "DefaultDirName={autopf}\\Crosslink" in ISS


def test_windows_signing_is_only_added_when_a_certificate_is_given() -> None:
    signing = BUILD_PS1[BUILD_PS1.index("if ($env:WINDOWS_SIGN_CERT_FILE) {"):]
    signing = signing[:signing.index("\n}") + 2]
    assert "/DSignTool=signtool" in signing
    assert "$env:WINDOWS_SIGN_CERT_PASSWORD" in signing
    outside = [line for line in BUILD_PS1.replace(signing, "").splitlines() if not line.startswith("#")]
    assert not [line for line in outside if "sign" in line.lower()]


# ------------------------------------------------------------------------------------------ macOS

FAKE_TOOL = """#!/usr/bin/env bash
echo "{name} $*" >> "$FAKE_LOG"
{body}
"""
FAKE_BODIES = {
    # iconutil -c icns SRC -o OUT
    "iconutil": 'out="${@: -1}"; : > "$out"',
    "codesign": "exit 0",
    # hdiutil create ... DMG: the last argument is the image
    "hdiutil": 'if [ "$1" = create ]; then : > "${@: -1}"; fi',
    "xcrun": "exit 0",
    "uname": 'if [ "${1:-}" = -m ]; then echo "$FAKE_ARCH"; else echo "fake uname: only -m" >&2; exit 1; fi',
}
FAKE_PYINSTALLER = """#!/usr/bin/env bash
echo "pyinstaller $*" >> "$FAKE_LOG"
while [ $# -gt 0 ]; do [ "$1" = --distpath ] && dist="$2"; shift; done
app="$dist/Crosslink.app/Contents/MacOS"
mkdir -p "$app"
cat > "$app/crosslink" <<'APP'
#!/usr/bin/env bash
case "$1" in
  --version) echo "Crosslink $FAKE_APP_VERSION" ;;
  --self-test) echo "self-test run"; exit "${FAKE_SELFTEST_EXIT:-0}" ;;
esac
APP
chmod +x "$app/crosslink"
"""
FAKE_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "$FAKE_LOG"
if [ "$1 $2" = "-m pip" ]; then exit 0; fi
exec "{real}" "$@"
"""


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def mac_build(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Runs a copy of installers/macos/build.sh with faked Apple tools; returns (result, log, repo)."""
    if shutil.which("bash") is None or os.name != "posix":
        pytest.skip("needs bash")
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "installers", repo / "installers")
    shutil.copytree(REPO / "desktop_app" / "resources", repo / "desktop_app" / "resources")
    shutil.copy(REPO / "pyproject.toml", repo / "pyproject.toml")
    _executable(repo / ".venv" / "bin" / "python", FAKE_PYTHON.format(real=sys.executable))
    _executable(repo / ".venv" / "bin" / "pyinstaller", FAKE_PYINSTALLER)
    fake_bin = tmp_path / "fake-bin"
    for name, body in FAKE_BODIES.items():
        _executable(fake_bin / name, FAKE_TOOL.format(name=name, body=body))
    log = tmp_path / "tools.log"

    def run(version: str = "0.1.0", app_version: str | None = None, arch: str = "arm64",
            **env: str) -> tuple[subprocess.CompletedProcess[str], str, Path]:
        text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
        (repo / "pyproject.toml").write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1),
                                             encoding="utf-8")
        shutil.rmtree(repo / "dist", ignore_errors=True)
        log.write_text("", encoding="utf-8")
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("MACOS_SIGN", "APPLE_", "NOTARY_"))}
        environment |= {"PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}", "FAKE_LOG": str(log),
                        "FAKE_ARCH": arch, "FAKE_APP_VERSION": app_version or version, "PYTHONPATH": str(REPO),
                        **env}
        result = subprocess.run(["bash", str(repo / "installers" / "macos" / "build.sh")], cwd=tmp_path,
                                env=environment, capture_output=True, text=True, timeout=300)
        return result, log.read_text(encoding="utf-8"), repo

    return run


def _lines(log: str, tool: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith(tool + " ")]


def test_mac_build_unsigned_is_ad_hoc_signed_named_for_the_arch_and_not_notarized(mac_build) -> None:  # type: ignore[no-untyped-def]
    result, log, repo = mac_build(version="1.2.3rc1", arch="arm64")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    dmg = repo / "dist" / "crosslink-1.2.3rc1-macos-arm64.dmg"
    assert dmg.is_file()
    assert f"built {dmg}" in result.stdout
    assert any("-m pip install --quiet --no-deps -e ." in line for line in _lines(log, "python"))  # stale metadata
    assert any("installers/crosslink.spec" in line for line in _lines(log, "pyinstaller"))
    assert any(line.startswith("iconutil -c icns") for line in _lines(log, "iconutil"))
    signs = _lines(log, "codesign")
    assert signs
    assert all("--sign -" in line for line in signs if "--sign" in line)
    assert any(line.startswith("codesign --verify --strict") for line in signs)
    assert "-volname Crosslink 1.2.3rc1" in "\n".join(_lines(log, "hdiutil"))
    assert _lines(log, "xcrun") == []


def test_mac_build_signs_notarizes_and_staples_with_an_apple_id(mac_build) -> None:  # type: ignore[no-untyped-def]
    identity = "Developer ID Application: Example Ltd (TEAMID1234)"
    result, log, repo = mac_build(arch="x86_64", MACOS_SIGN_IDENTITY=identity, APPLE_ID="dev@example.com",
                                  APPLE_TEAM_ID="TEAMID1234", APPLE_APP_PASSWORD="app-pass")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    dmg = repo / "dist" / "crosslink-0.1.0-macos-x86_64.dmg"
    assert any(line.endswith(f"--sign {identity} {dmg}") for line in _lines(log, "codesign"))
    xcrun = _lines(log, "xcrun")
    assert xcrun[0] == (f"xcrun notarytool submit {dmg} --apple-id dev@example.com --team-id TEAMID1234 "
                        "--password app-pass --wait")
    assert xcrun[1:] == [f"xcrun stapler staple {dmg}", f"xcrun stapler validate {dmg}"]


def test_mac_build_prefers_a_stored_notary_profile(mac_build) -> None:  # type: ignore[no-untyped-def]
    result, log, _repo = mac_build(MACOS_SIGN_IDENTITY="Developer ID Application: X (T)",
                                  NOTARY_KEYCHAIN_PROFILE="crosslink-notary", APPLE_ID="ignored@example.com")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "--keychain-profile crosslink-notary --wait" in _lines(log, "xcrun")[0]
    assert "ignored@example.com" not in log


def test_mac_build_signed_without_notary_credentials_says_so(mac_build) -> None:  # type: ignore[no-untyped-def]
    result, log, _ = mac_build(MACOS_SIGN_IDENTITY="Developer ID Application: X (T)")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "signed but NOT notarized" in result.stderr
    assert _lines(log, "xcrun") == []


@pytest.mark.parametrize(("app_version", "selftest_exit", "said"), [
    ("9.9.9", "0", "built app reports 'Crosslink 9.9.9', expected 'Crosslink 0.1.0'"),
    (None, "1", "self-test run"),
])
def test_mac_build_stops_before_the_dmg_when_the_built_app_is_wrong(  # type: ignore[no-untyped-def]
    mac_build, app_version: str | None, selftest_exit: str, said: str
) -> None:
    result, log, repo = mac_build(app_version=app_version, FAKE_SELFTEST_EXIT=selftest_exit)
    assert result.returncode != 0
    assert said in result.stdout + result.stderr
    assert not list((repo / "dist").glob("*.dmg"))
    assert _lines(log, "hdiutil") == []


# ------------------------------------------------------------------------------------------ the wheel

@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_wheel_builds_passes_twine_check_and_carries_the_command_and_the_icon(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy, so the build's own build/ and egg-info never touch the worktree
    shutil.copytree(REPO / "desktop_app", source / "desktop_app", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(source)],
                           capture_output=True, text=True, timeout=280)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [wheel] = (tmp_path / "dist").glob("crosslink-*.whl")
    assert wheel.name == f"crosslink-{project_version()}-py3-none-any.whl"
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # Installed as pip/pipx would put it (without dependencies: this venv has them), it finds its icon.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=120)
    entry_points = next(target.glob("crosslink-*.dist-info")).joinpath("entry_points.txt").read_text(encoding="utf-8")
    assert "desktop-app = desktop_app.cli:main" in entry_points
    assert (target / "desktop_app" / "resources" / "crosslink.svg").is_file()
    assert (target / "desktop_app" / "py.typed").is_file()
    assert not (target / "tests").exists()
    probe = ("import desktop_app, sys; from desktop_app.selftest import check_resources, check_version;"
             "print(desktop_app.__file__); print(check_version().detail); print(check_resources().detail)")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(target), "QT_QPA_PLATFORM": "offscreen"})
    assert ran.returncode == 0, ran.stderr[-3000:]
    where, version, resources = ran.stdout.splitlines()
    assert where == str(target / "desktop_app" / "__init__.py")
    assert f"Crosslink {project_version()}" in version
    assert str(target / "desktop_app" / "resources") in resources
