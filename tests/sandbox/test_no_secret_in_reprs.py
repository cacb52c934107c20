"""No dataclass of the app or its sandboxes shows a secret in its ``repr`` (what a traceback, a log
line or a failing test prints): every field holding a token, key, secret or password is ``repr=False``."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

from desktop_app.sandbox.salesforce import with_knobs

SECRET_FIELD = re.compile(r"(?i)token|secret|password|api_key|verifier")
PACKAGES = ("desktop_app.sandbox", "desktop_app.billing", "desktop_app.salesforce", "desktop_app.workflow",
            "desktop_app.cli")


def _dataclasses() -> list[type]:
    found: list[type] = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if info.name.endswith("__main__"):
                continue
            loaded = importlib.import_module(info.name)
            found += [value for value in vars(loaded).values()
                      if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == info.name]
    return found


def _generated_repr(cls: type) -> bool:
    """True when ``cls.__repr__`` is the one dataclasses wrote (a class's own ``__repr__`` is trusted)."""
    return hasattr(cls.__repr__, "__wrapped__")


def test_every_secret_field_of_a_dataclass_is_kept_out_of_its_repr() -> None:
    classes = _dataclasses()
    assert len(classes) > 40
    shown = [f"{cls.__module__}.{cls.__qualname__}.{field.name}" for cls in classes if _generated_repr(cls)
             for field in dataclasses.fields(cls)
             if SECRET_FIELD.search(field.name) and field.repr and "str" in str(field.type)
             and "dict" not in str(field.type) and not field.name.endswith("_url")]
    assert shown == []


def test_a_scenario_with_its_own_client_secret_does_not_show_it() -> None:
    scenario = with_knobs("healthy", client_secret="scenario-secret-value-123")
    assert "scenario-secret-value-123" not in repr(scenario)
    assert "healthy" in repr(scenario)
