"""The ``login``, ``check`` and ``logout`` commands end to end against the sandbox org."""

from __future__ import annotations

import json
from typing import Any

import keyring
import pytest

import desktop_app.cli
from desktop_app.cli import main
from desktop_app.salesforce.profiles import CLIENT_SECRET_KIND, load_profiles, profiles_file
from desktop_app.secrets import SERVICE_PREFIX


@pytest.fixture(autouse=True)
def only_salesforce_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register just the commands under test, so other commands' imports do not matter here."""
    monkeypatch.setattr(desktop_app.cli, "COMMAND_MODULES", ("desktop_app.cli.login_cmd", "desktop_app.cli.check_cmd"))


@pytest.mark.parametrize(
    ("scenario", "exit_code", "failing"),
    [("healthy", 0, set()), ("number-link-field", 1, {"link_field_type"}), ("no-api", 1, {"api_access"})],
)
def test_check_against_a_scenario_prints_json(
    capsys: pytest.CaptureFixture[str], scenario: str, exit_code: int, failing: set[str]
) -> None:
    assert main(["check", "--scenario", scenario, "--currencies", "EUR,USD", "--json"]) == exit_code
    results = json.loads(capsys.readouterr().out)
    assert {r["key"] for r in results if r["status"] == "fail"} == failing
    assert all(set(r) >= {"key", "title", "status", "explanation", "remedy", "setup_url", "details"} for r in results)


def test_check_prints_a_readable_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--scenario", "readonly-link-field"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] You can edit the link field" in out
    assert "Fix: In Setup > Object Manager > Account" in out
    assert "failed" in out


def test_unknown_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--scenario", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_check_without_a_saved_login_says_how_to_log_in(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--profile", "missing"]) == 1
    assert "desktop-app login --profile missing" in capsys.readouterr().err


@pytest.mark.keyring
def test_client_credentials_login_check_and_logout(
    start_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = start_sandbox(scenario="healthy")
    monkeypatch.setenv("CROSSLINK_CLIENT_SECRET", sandbox.client_secret)
    code = main(
        [
            "login",
            "--profile",
            "ci",
            "--client-credentials",
            "--local-sandbox",
            "--login-host",
            sandbox.login_url,
            "--consumer-key",
            sandbox.consumer_key,
            "--ca-bundle",
            str(sandbox.ca_cert),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "Connected as admin@crosslink.demo" in printed.out
    profile = load_profiles()["ci"]
    assert profile.auth == "client-credentials"
    assert sandbox.client_secret not in profiles_file().read_text()
    assert (
        keyring.get_password(f"{SERVICE_PREFIX}:{CLIENT_SECRET_KIND}", profile.secret_account) == sandbox.client_secret
    )

    monkeypatch.delenv("CROSSLINK_CLIENT_SECRET")
    assert main(["check", "--profile", "ci", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "pass"

    assert main(["logout", "--profile", "ci"]) == 0
    assert keyring.get_password(f"{SERVICE_PREFIX}:{CLIENT_SECRET_KIND}", profile.secret_account) is None
    assert "ci" not in load_profiles()


def test_login_refuses_a_foreign_host_and_a_local_one_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["login", "--login-host", "https://evil.example.com", "--consumer-key", "k"]) == 2
    assert "not a Salesforce login host" in capsys.readouterr().err
    assert main(["login", "--login-host", "https://127.0.0.1:9", "--consumer-key", "k"]) == 2
    assert "only allowed for the Crosslink sandbox org" in capsys.readouterr().err
