"""``desktop-app customers``: canonical CSV out, credentials from the environment, clear refusals."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from billing_support import ACCOUNT_A

from desktop_app.cli import customers_cmd
from desktop_app.cli.common import EXIT_OK, UsageError
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW, Side
from desktop_app.core.tables import read_table
from desktop_app.sandbox.localstripe_runner import RunningLocalStripe
from desktop_app.sandbox.sequence import RunningSequenceSandbox

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def run(argv: list[str]) -> int:
    """Parse and run the command exactly as ``desktop-app`` does (``UsageError`` → exit 2 there)."""
    parser = argparse.ArgumentParser(prog="desktop-app")
    customers_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["customers", *argv])
    return int(args.func(args))


def _canonical(path: Path) -> list[dict[str, str]]:
    table = read_table(path)
    assert list(table.frame.columns) == [*CUSTOMER_ROLES, SOURCE_ROW]
    return table.canonical(Side.CUSTOMERS).to_dict(orient="records")


def test_file_export_becomes_a_canonical_customers_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "customers.csv"
    assert run(["--system", "file", "--file", str(SAMPLES / "xero_contacts.csv"), "--out", str(out)]) == EXIT_OK
    rows = _canonical(out)
    assert rows[0]["customer_id"] == "XR-1020"
    assert rows[0]["name"] == "Bluth Company"
    assert rows[0]["sf_account_id"] == "0015g00000yAAZ4AAO"
    assert "Xero (file) customers" in capsys.readouterr().out


def test_sequence_with_credentials_from_the_environment(
    sequence_sandbox: RunningSequenceSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_ID", sequence_sandbox.client_id)
    monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", sequence_sandbox.client_secret)
    out = tmp_path / "sequence.csv"
    code = run(["--system", "sequence", "--base-url", sequence_sandbox.url, "--ca-cert",
                str(sequence_sandbox.ca_cert), "--out", str(out)])
    assert code == EXIT_OK
    rows = _canonical(out)
    assert [r["customer_id"] for r in rows] == [f"cust-{i:04d}" for i in range(30)]
    assert rows[0]["legal_name"] == "Company 0 Ltd"


def test_wrong_sequence_secret_is_one_clear_usage_error(
    sequence_sandbox: RunningSequenceSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEQ_CREDS", f"{sequence_sandbox.client_id}:not-the-secret")
    out = tmp_path / "sequence.csv"
    with pytest.raises(UsageError, match="Sequence refused the API credentials") as raised:
        run(["--system", "sequence", "--api-key-env", "SEQ_CREDS", "--base-url", sequence_sandbox.url,
             "--ca-cert", str(sequence_sandbox.ca_cert), "--out", str(out)])
    assert "not-the-secret" not in str(raised.value)
    assert not out.exists()


def test_stripe_with_the_key_in_a_named_variable(
    localstripe: RunningLocalStripe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    localstripe.create_customers([{"name": "Acme Ltd", "country": "GB", "sf_account_id": ACCOUNT_A}])
    monkeypatch.setenv("MY_STRIPE_KEY", localstripe.api_key)
    out = tmp_path / "stripe.csv"
    assert run(["--system", "stripe", "--api-key-env", "MY_STRIPE_KEY", "--base-url", localstripe.url,
                "--out", str(out)]) == EXIT_OK
    [row] = _canonical(out)
    assert (row["name"], row["country"], row["sf_account_id"]) == ("Acme Ltd", "GB", ACCOUNT_A)


def test_bad_invocations_are_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSLINK_STRIPE_API_KEY", raising=False)
    monkeypatch.setenv("EMPTY_KEY", "")
    source = tmp_path / "export.csv"
    source.write_text("id,name\nC1,Acme\n", encoding="utf-8")
    with pytest.raises(UsageError, match="never overwrites"):
        run(["--system", "file", "--file", str(source), "--out", str(source)])
    with pytest.raises(UsageError, match="needs --file"):
        run(["--system", "file", "--out", str(tmp_path / "x.csv")])
    with pytest.raises(UsageError, match="EMPTY_KEY is empty"):
        run(["--system", "stripe", "--api-key-env", "EMPTY_KEY", "--out", str(tmp_path / "x.csv")])
    with pytest.raises(UsageError, match=r"must be a \.csv"):
        run(["--system", "file", "--file", str(source), "--out", str(tmp_path / "x.xlsx")])
    assert source.read_text(encoding="utf-8") == "id,name\nC1,Acme\n"


def test_missing_credentials_name_the_variables_to_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSLINK_SEQUENCE_CLIENT_ID", raising=False)
    monkeypatch.delenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", raising=False)
    with pytest.raises(UsageError, match="CROSSLINK_SEQUENCE_CLIENT_ID"):
        run(["--system", "sequence", "--profile", "crosslink-test-nobody", "--out", str(tmp_path / "x.csv")])
