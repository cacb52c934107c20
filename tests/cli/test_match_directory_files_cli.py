"""Directory and guide files through the CLI: a missing id or name column said once, for the file; a
guide in cp1252 with semicolons matched on its addr and phone columns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.ids import to_18

CUSTOMERS = "id,name,addr,city,phone\ncus_1,Arnie Mortons,435 S. La Cienega Blvd.,Los Angeles,310-246-1501\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _guide_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A directory export with its own record numbers in "id" (no Salesforce ids), the customers, the output."""
    accounts = _write(tmp_path / "guide.csv", "id,name,addr\n534,Arnie Mortons,435 S. La Cienega Blv.\n")
    return accounts, _write(tmp_path / "customers.csv", CUSTOMERS), tmp_path / "m.csv"


def test_accounts_whose_id_column_holds_no_account_ids_stop_with_the_file_and_column_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A directory export: its own record numbers in "id", no Salesforce ids.
    accounts, customers, out = _guide_files(tmp_path)
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "guide.csv: no column holds the Salesforce Account Id" in err
    assert "header 'id'; content: 0% look like Account ids" in err
    assert "--column accounts:account_id=HEADER" in err
    assert not out.exists()


def test_a_forced_id_column_without_account_ids_is_reported_per_row_and_refused_by_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The user insists the directory's own record numbers are the Account ids.
    accounts, customers, out = _guide_files(tmp_path)
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--column", "account_id=id",
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "guide.csv: Line 2, column 'id': '534' is not a Salesforce Account Id (has 3 characters" in err
    assert "Choose the column that holds the Account Id" in err
    # Beside real Account ids, the same value is reported once, as an invalid id, with what to do.
    good = to_18("0015g000000A001")
    _write(accounts, f"id,name,addr\n534,Arnie Mortons,435 S. La Cienega Blv.\n{good},Spago,1114 Horn Ave.\n")
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--column", "account_id=id",
                 "--out", str(tmp_path / "mixed.csv")]) == 0
    err = capsys.readouterr().err
    assert err.count("'534'") == 1
    assert "guide.csv: Line 2, column 'id': '534' is not a valid Salesforce id (has 3 characters" in err
    assert "export the ids again as text" in err
    assert good not in err
    plan = tmp_path / "plan.json"
    assert main(["plan", "--matches", str(out), "--out", str(plan), "--offline"]) == 2
    assert "'534' is not a Salesforce Account id" in capsys.readouterr().err
    assert not plan.exists()


def test_a_file_without_a_name_column_is_named_once_and_still_matched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = _write(tmp_path / "accounts.csv", f"Id,Label,Where\n{to_18('0015g000000A001')},Arnie Mortons,x\n")
    customers = _write(tmp_path / "customers.csv", CUSTOMERS)
    out = tmp_path / "m.csv"
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("accounts.csv: no column was recognised as the company name") == 1
    assert "The columns are: 'Id', 'Label', 'Where'." in err
    assert out.exists()


def test_an_unnamed_column_of_account_ids_needs_no_header(tmp_path: Path) -> None:
    accounts = _write(tmp_path / "accounts.csv", f"Record,name\n{to_18('0015g000000A001')},Arnie Mortons\n")
    customers = _write(tmp_path / "customers.csv", CUSTOMERS)
    out = tmp_path / "m.csv"
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--out", str(out)]) == 0


def test_a_guide_in_cp1252_with_semicolons_is_matched_on_its_addr_and_phone_columns(tmp_path: Path) -> None:
    # The name differs between the sources; street ("addr") and phone (no country, other punctuation) agree.
    account = to_18("0015g000000A001")
    others = [(f"Site {i} Kitchen", f"{100 + 7 * i} Melrose Ave.", f"213/{300 + i}-{1000 + 17 * i}") for i in range(40)]
    accounts = tmp_path / "guide.csv"
    accounts.write_bytes(("Id;name;addr;city;phone\r\n"
                          f"{account};Café Grill on the Alley;9560 Dayton Way;los angeles;310/276-0615\r\n"
                          + "".join(f"{to_18(f'0015g000001B{i:03d}')};{name};{street};los angeles;{phone}\r\n"
                                    for i, (name, street, phone) in enumerate(others))).encode("cp1252"))
    customers = _write(tmp_path / "zagat.csv", "id,name,addr,city,phone\n"
                                               "228,\"grill, the\",9560 Dayton Way,beverly hills,310-276-0615\n"
                       + "".join(f"{500 + i},{name},{street},los angeles,{phone.replace('/', '-')}\n"
                                 for i, (name, street, phone) in enumerate(others)))
    out = tmp_path / "m.csv"
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["account_id"], row["customer_id"]) == (account, "228")
    assert '"street":["agree"' in row["evidence"]
    assert '"phone":["agree"' in row["evidence"]
