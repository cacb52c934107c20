"""The self-test, run in-process: every check passes here, and real breakages turn into failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import desktop_app
from desktop_app import selftest
from desktop_app.cli import main

EXPECTED_CHECKS = {
    "version", "qt", "resources", "wizard", "keyring-modules", "keychain", "ca-bundle",
    "salesforce-sandbox", "sequence-sandbox", "locations",
}


def test_every_check_passes_in_the_development_install(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("CROSSLINK_LOG_DIR", str(tmp_path / "log"))
    results = selftest.run_self_test()
    assert {result.name for result in results} == EXPECTED_CHECKS
    failures = [result for result in results if result.status == "fail"]
    assert failures == []
    assert selftest.passed(results)
    by_name = {result.name: result for result in results}
    assert desktop_app.__version__ in by_name["version"].detail
    assert "HTTPS 200" in by_name["salesforce-sandbox"].detail
    assert "HTTPS 200" in by_name["sequence-sandbox"].detail
    assert str(tmp_path / "log") in by_name["locations"].detail


def test_self_test_flag_prints_json_and_exits_zero(qtbot: QtBot, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--self-test", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["ok"] is True
    assert payload["version"] == desktop_app.__version__
    assert {check["name"] for check in payload["checks"]} == EXPECTED_CHECKS


def test_missing_resources_fail_the_self_test(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # What a frozen app without the bundled resources folder looks like to the GUI.
    monkeypatch.setattr("desktop_app.gui.wizard.ICON_PATH", tmp_path / "resources" / "crosslink.svg")
    code = main(["self-test"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"FAIL resources: icon not found at {tmp_path / 'resources' / 'crosslink.svg'}" in out
    assert out.rstrip().endswith("self-test FAILED: 1 of 10 checks")


def test_missing_package_metadata_fails_the_version_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a frozen app built without copy_metadata("crosslink") reports.
    monkeypatch.setattr(desktop_app, "__version__", selftest.SOURCE_VERSION)
    results = selftest.run_self_test((selftest.check_version,))
    assert [result.status for result in results] == ["fail"]
    assert "copy_metadata('crosslink')" in results[0].detail
    assert not selftest.passed(results)


def test_an_unexpected_error_becomes_a_failure_naming_it() -> None:
    def check_exploding() -> selftest.CheckResult:
        raise OSError("disk on fire")

    results = selftest.run_self_test((selftest.check_version, check_exploding))
    assert [(r.name, r.status) for r in results] == [("version", "ok"), ("exploding", "fail")]
    assert results[1].detail == "OSError: disk on fire"
    assert "FAIL exploding: OSError: disk on fire" in selftest.format_lines(results)


def test_a_missing_keyring_is_a_warning_not_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    [result] = selftest.run_self_test((selftest.check_keychain,))
    assert result.status == "warn"
    assert "keyring.backends.fail.Keyring" in result.detail
    assert selftest.passed([result])
