"""Fixtures: the local sandbox org over real HTTPS, sessions and clients on it, a private config dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def private_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Profiles go to a throwaway directory, never the person's real settings."""
    directory = tmp_path / "config"
    monkeypatch.setenv("CROSSLINK_CONFIG_DIR", str(directory))
    return directory


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., Any]]:
    """Start sandbox orgs (keyword arguments as ``start_salesforce_sandbox``); all stop after the test."""
    from desktop_app.sandbox.salesforce import start_salesforce_sandbox

    running: list[Any] = []

    def start(**kwargs: Any) -> Any:
        kwargs.setdefault("accounts", 300)
        sandbox = start_salesforce_sandbox(**kwargs)
        running.append(sandbox)
        return sandbox

    yield start
    for sandbox in running:
        sandbox.stop()


@pytest.fixture(scope="module")
def healthy_org() -> Iterator[Any]:
    """One healthy sandbox org with 2,500 Accounts, shared by a module's read-only tests."""
    from desktop_app.sandbox.salesforce import start_salesforce_sandbox

    with start_salesforce_sandbox(scenario="healthy", accounts=2500) as sandbox:
        yield sandbox
