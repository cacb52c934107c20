"""Each API billing system end to end through the command line, on its own sandbox and the sandbox org:
customers → match → plan → apply (verified) → undo, both sides back to where they started."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from desktop_app.billing.registry import ConnectOptions, open_system, system
from desktop_app.cli import main
from desktop_app.sandbox.demo_data import generate
from desktop_app.sandbox.salesforce import start_salesforce_sandbox, with_knobs

SYSTEMS_WITH_OWN_SANDBOX = ["quickbooks", "chargebee", "xero", "zuora", "upflow"]
LINK_FIELD = "Billing_Customer_ID__c"


def _links(kind: str, sandbox: Any) -> dict[str, str]:
    """Every customer's stored Account id, read through the adapter."""
    options = ConnectOptions(dict(sandbox.credentials), base_url=sandbox.url, ca_cert=str(sandbox.ca_cert or ""))
    adapter = open_system(kind, options, typed=sandbox.credentials)
    try:
        return {r.customer_id: r.sf_account_id for r in adapter.iter_customers()}
    finally:
        adapter.close()


def _account_links(sf: Any) -> dict[str, str]:
    with sf.org.lock:
        table = sf.org.tables["Account"]
        return {str(i): str(v or "") for i, v in zip(table.columns["Id"], table.columns[LINK_FIELD], strict=True)}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("kind", SYSTEMS_WITH_OWN_SANDBOX)
def test_customers_match_plan_apply_undo(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = generate(80, seed=7)
    sf = start_salesforce_sandbox(scenario=with_knobs("healthy", daily_api_max=10**8), data=data)
    starter = system(kind).sandbox_starter()
    assert starter is not None
    billing: Any = starter(({str(k): v for k, v in row.items()} for row in data.customers.to_dict("records")),
                           workdir=tmp_path / "billing")
    try:
        monkeypatch.setenv("CROSSLINK_SANDBOX_ACCESS_TOKEN", sf.access_token)
        for name, value in billing.credentials.items():
            monkeypatch.setenv(f"CROSSLINK_{kind}_{name}".upper(), value)
        before = _account_links(sf), _links(kind, billing)
        org = ["--sandbox", "--instance-url", sf.instance_url, "--ca-cert", str(sf.ca_cert)]
        target = ["--billing", kind, "--billing-url", billing.url]
        if billing.ca_cert:
            target += ["--billing-ca", str(billing.ca_cert)]
        customers, accounts, matches, plan = (tmp_path / n for n in ("c.csv", "a.csv", "m.csv", "plan.json"))
        customer_args = ["--system", kind, "--base-url", billing.url, "--out", str(customers)]
        if billing.ca_cert:
            customer_args += ["--ca-cert", str(billing.ca_cert)]
        assert main(["customers", *customer_args]) == 0
        assert len(pd.read_csv(customers, dtype=str)) == len(data.customers)
        assert main(["accounts", "--out", str(accounts), *org]) == 0
        assert main(["match", "--accounts", str(accounts), "--customers", str(customers),
                     "--out", str(matches)]) in (0, 1)
        assert main(["plan", "--matches", str(matches), "--out", str(plan), "--policy", "fill_empty", *org,
                     *target]) == 0
        capsys.readouterr()
        results = tmp_path / "results.csv"
        code = main(["apply", str(plan), "--json", "--results", str(results), *org, *target])
        applied = json.loads(capsys.readouterr().out)
        # The sandbox's seeded mess may refuse a few customers: each is named with the system's reason.
        refused = pd.read_csv(results, dtype=str, keep_default_na=False).query("customer_status == 'failed'")
        assert set(refused["customer_error_code"]) <= {"validation", "duplicate", "formatting"}
        assert all(len(message) > 20 for message in refused["customer_message"])
        assert (code, applied["state"]) == ((0, "done") if refused.empty else (1, "done_with_failures"))
        assert applied["verified"]["links"] == applied["verified"]["expected_links"] - len(refused) > 10
        after = _links(kind, billing)
        assert sum(1 for cid, value in after.items() if value and value != before[1].get(cid)) > 10
        assert main(["undo", applied["run_id"], "--json"]) == 0
        undone = json.loads(capsys.readouterr().out)
        assert "failed" not in undone["writes"]["customer"]
        assert _account_links(sf) == before[0]
        assert _links(kind, billing) == before[1]
    finally:
        billing.stop()
        sf.stop()
