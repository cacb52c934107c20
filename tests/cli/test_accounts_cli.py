"""``desktop-app accounts`` against the sandbox org over HTTPS: a file ``match`` reads as-is."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.sandbox.salesforce import start_salesforce_sandbox


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    with start_salesforce_sandbox(accounts=40) as sandbox:
        monkeypatch.setenv("CROSSLINK_SANDBOX_INSTANCE_URL", sandbox.instance_url)
        monkeypatch.setenv("CROSSLINK_SANDBOX_ACCESS_TOKEN", sandbox.access_token)
        monkeypatch.setenv("CROSSLINK_SANDBOX_CA_CERT", str(sandbox.ca_cert))
        yield sandbox


def test_exports_every_account_with_address_currency_and_link_field(sandbox_env, tmp_path: Path) -> None:
    out = tmp_path / "accounts.csv"
    assert main(["accounts", "--sandbox", "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40
    assert {"Id", "Name", "BillingCountry", "CurrencyIsoCode", "Billing_Customer_ID__c"} <= set(rows[0])
    first = sandbox_env.org.account(rows[0]["Id"])
    assert rows[0]["Name"] == first["Name"]
    phones = [r["Phone"] for r in rows if r["Phone"]]
    assert phones
    assert not any(p.startswith("'") for p in phones), "a data export must keep values exactly"
    matches = tmp_path / "m.csv"
    customers = Path(__file__).resolve().parents[1] / "samples" / "stripe_customers_export.csv"
    assert main(["match", "--accounts", str(out), "--customers", str(customers), "--out", str(matches)]) == 0


def test_unknown_link_field_is_explained(sandbox_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "--sandbox", "--link-field", "Nope__c", "--out", str(tmp_path / "a.csv")]) == 2
    assert "does not exist on Account" in capsys.readouterr().err
