"""The ``login``, ``check`` and ``logout`` commands end to end against the sandbox org."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keyring
import pandas as pd
import pytest

import desktop_app.cli
from desktop_app.cli import main
from desktop_app.core.plan import PlanSource, build_plan
from desktop_app.core.plan_file import write_plan
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


def test_check_takes_the_data_checks_inputs_from_a_plan_and_a_customers_file(
    start_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``check --sandbox`` on a running sandbox org, the data-dependent checks fed as the wizard's Plan page
    feeds them: the longest id and the Account writes from the plan, its billing system, the currencies of
    the plan's customers from the customers file."""
    sandbox = start_sandbox(scenario="healthy")
    monkeypatch.setenv("CROSSLINK_SANDBOX_ACCESS_TOKEN", sandbox.access_token)
    decisions = pd.DataFrame({"account_id": ["0015g00004e2JF9AAM", "0015g00000ABCdeAAH"],
                              "customer_id": ["cus_1", "cus_22222222222222222222222222222222"],
                              "status": ["matched", "matched"]})
    plan = write_plan(build_plan(decisions, account_values={}, customer_values={},
                                 source=PlanSource(billing_system="stripe")), tmp_path / "plan.json")
    customers = tmp_path / "customers.csv"
    pd.DataFrame({"customer_id": ["cus_1", "cus_22222222222222222222222222222222", "cus_3"],
                  "name": ["Acme", "Globex", "Initech"],
                  "currency": ["eur", "XTS", "JPY"]}).to_csv(customers, index=False)
    connection = ["--sandbox", "--instance-url", sandbox.instance_url, "--ca-cert", str(sandbox.ca_cert)]

    assert main(["check", *connection, "--plan", str(plan), "--customers", str(customers), "--json"]) == 0
    results = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["link_field_length"]["details"]["longest_billing_id"] == 36
    assert results["currencies"]["status"] == "warn"
    assert results["currencies"]["explanation"] == "Stripe bills in XTS, which is not an active currency in the org."
    assert "JPY" not in results["currencies"]["explanation"]  # cus_3 is in no planned link
    assert "needs about" in results["api_limits"]["explanation"]
    assert "Stripe" in results["managed_package"]["explanation"]
    assert not [key for key, r in results.items() if r["status"] == "not_checked"]

    assert main(["check", *connection, "--plan", str(plan), "--longest-id", "300", "--json"]) == 1  # given outright
    results = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["link_field_length"]["status"] == "fail"
    assert results["currencies"]["status"] == "not_checked"  # no customers file, no --currencies

    for_sequence = write_plan(build_plan(decisions, account_values={}, customer_values={},
                                         source=PlanSource(billing_system="sequence")), tmp_path / "sequence.json")
    assert main(["check", *connection, "--plan", str(for_sequence), "--customers", str(customers), "--json"]) == 1
    results = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    rules = results["billing_requirements"]  # the Plan page's check of what Sequence requires of the customers linked
    assert rules["status"] == "fail"
    assert rules["explanation"].startswith("2 of the 2 customers to be linked break a rule of Sequence's")

    elsewhere = write_plan(build_plan(decisions, account_values={}, customer_values={},
                                      source=PlanSource(link_field="Stripe_Id__c")), tmp_path / "elsewhere.json")
    assert main(["check", *connection, "--plan", str(elsewhere), "--json"]) == 1  # the plan's own link field
    results = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["link_field_exists"]["status"] == "fail"
    assert "Stripe_Id__c" in results["link_field_exists"]["explanation"]

    empty = write_plan(build_plan(decisions.iloc[:0], account_values={}, customer_values={}), tmp_path / "empty.json")
    assert main(["check", *connection, "--plan", str(empty), "--json"]) == 0
    results = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["link_field_length"]["status"] == "not_checked"  # no id to measure is no pass

    assert main(["check", "--scenario", "healthy", "--sandbox"]) == 2
    assert "--scenario starts a new sandbox org" in capsys.readouterr().err
