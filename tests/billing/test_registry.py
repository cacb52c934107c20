"""The billing registry is the one list: CLI choices, the wizard's systems and credentials come from it."""

from __future__ import annotations

import argparse

import pytest

from desktop_app.billing.base import BillingAuthError
from desktop_app.billing.registry import SYSTEMS, ConnectOptions, open_system, system, system_keys
from desktop_app.cli import customers_cmd
from desktop_app.cli.systems_args import add_billing_options
from desktop_app.workflow.connect_billing import KIND_NAMES


def _choices(parser: argparse.ArgumentParser, dest: str) -> list[str]:
    [action] = [a for a in parser._actions if a.dest == dest]
    return list(action.choices or [])


def test_cli_and_wizard_list_exactly_the_registered_systems() -> None:
    parser = argparse.ArgumentParser()
    add_billing_options(parser)
    assert _choices(parser, "billing") == system_keys()
    top = argparse.ArgumentParser()
    customers_cmd.register(top.add_subparsers())
    customers = top._subparsers._group_actions[0].choices["customers"]  # type: ignore[union-attr]
    assert _choices(customers, "system") == system_keys()
    assert list(KIND_NAMES) == system_keys()


def test_every_api_entry_declares_auth_link_place_limits_and_a_sandbox() -> None:
    for entry in SYSTEMS:
        assert all((entry.link_location, entry.rate_limits, entry.admin_setup)), entry.key
        if entry.reads_back:
            assert all((entry.credentials, entry.batch_size >= 1, entry.sandbox_starter() is not None)), entry.key


def test_missing_credentials_name_every_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for entry in SYSTEMS:
        for variable in entry.env_vars():
            monkeypatch.delenv(variable, raising=False)
        if not entry.credentials:
            continue
        with pytest.raises(BillingAuthError) as raised:
            open_system(entry.key, ConnectOptions(), profile="crosslink-test-nobody")
        for credential, variable in zip(entry.credentials, entry.env_vars(), strict=True):
            assert (variable in str(raised.value)) == credential.required


def test_unknown_system_names_the_known_ones() -> None:
    with pytest.raises(Exception, match="choose one of: stripe, sequence"):
        system("netsuite-by-api")
