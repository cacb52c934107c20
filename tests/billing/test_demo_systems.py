"""Demo mode can serve every API billing system of the registry from the same demo data."""

from __future__ import annotations

import pytest

from desktop_app.billing.registry import SYSTEMS
from desktop_app.gui.connections import demo_billing_choice
from desktop_app.workflow.connect_billing import check_connection
from desktop_app.workflow.demo import DemoSystems, demo_billing_sandbox

OWN_SANDBOXES = [e.key for e in SYSTEMS if e.sandbox and e.key not in ("sequence", "stripe")]


@pytest.mark.parametrize("kind", OWN_SANDBOXES)
def test_demo_mode_starts_the_systems_sandbox_and_connects_to_it(kind: str) -> None:
    systems = DemoSystems(None, None, accounts=40)
    try:
        sandbox = demo_billing_sandbox(systems, kind)
        assert demo_billing_sandbox(systems, kind) is sandbox  # started once
        connection = check_connection(demo_billing_choice(systems, kind))
        try:
            assert connection.summary.startswith(f"Connected to {connection.system.display_name} (first customer: ")
            assert len(connection.system.customers_frame()) >= 35  # a few deleted/erased ones may be left out
        finally:
            connection.close()
    finally:
        systems.stop()
    assert systems.billing == {}
