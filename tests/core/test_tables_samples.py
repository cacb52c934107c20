"""The committed sample files read as their README promises, and the generator re-creates them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from desktop_app.core.ids import normalize_id
from desktop_app.core.roles import Side
from desktop_app.core.tables import TableError, read_table

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def load_generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_samples", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_generator_recreates_the_committed_csv_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generator = load_generator(monkeypatch)
    monkeypatch.setattr(generator, "HERE", tmp_path)
    generator.main()
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in {".csv", ".xlsx", ".pdf"})
    assert made == committed
    for name in made:
        if name.endswith((".csv", ".pdf")):
            assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_every_sample_is_listed_in_the_readme() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for path in SAMPLES.iterdir():
        if path.suffix in {".csv", ".xlsx", ".pdf"}:
            assert f"`{path.name}`" in readme, path.name


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "rows"),
    [
        ("salesforce_accounts_export.csv", "utf-8", ",", 30),
        ("stripe_customers_export.csv", "utf-8", ",", 20),
        ("chargebee_customers.csv", "utf-8", ",", 20),
        ("quickbooks_customers.csv", "utf-8", ",", 20),
        ("xero_contacts.csv", "utf-8", ",", 20),
        ("zuora_accounts.csv", "utf-8", ",", 20),
        ("accounts_excel_cp1252_semicolon.csv", "cp1252", ";", 15),
        ("accounts_utf16.csv", "utf-16", "\t", 10),
        ("accounts_bom.csv", "utf-8-sig", ",", 10),
        ("quoted_newlines.csv", "utf-8", ",", 3),
    ],
)
def test_text_samples_read_with_expected_shape(name: str, encoding: str, delimiter: str, rows: int) -> None:
    table = read_table(SAMPLES / name)
    assert (table.encoding, table.delimiter, len(table.frame)) == (encoding, delimiter, rows)


def test_cp1252_sample_keeps_accents_and_german_country_names() -> None:
    table = read_table(SAMPLES / "accounts_excel_cp1252_semicolon.csv")
    names = set(table.frame["Account Name"])
    assert {"Société Générale Services", "Müller GmbH"} <= names
    assert "Deutschland" in set(table.frame["Billing Country"])
    assert "NA" in set(table.frame["Billing_Customer_ID__c"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("stripe_customers_export.csv", "salesforce_account_id (metadata)"),
        ("chargebee_customers.csv", "customers.cf_salesforce_account_id"),
        ("xero_contacts.csv", "ContactNumber"),
        ("zuora_accounts.csv", "CRM Account ID"),
    ],
)
def test_billing_samples_link_to_salesforce_accounts(name: str, expected: str) -> None:
    accounts = read_table(SAMPLES / "salesforce_accounts_export.csv").canonical(Side.ACCOUNTS)
    known = set(accounts["account_id"])
    customers = read_table(SAMPLES / name)
    assert customers.roles(Side.CUSTOMERS).columns["sf_account_id"] == expected
    linked = [v for v in customers.canonical(Side.CUSTOMERS)["sf_account_id"] if v]
    assert linked
    assert all(normalize_id(v) in known for v in linked)


def test_salesforce_link_field_points_at_stripe_customers() -> None:
    accounts = read_table(SAMPLES / "salesforce_accounts_export.csv").canonical(Side.ACCOUNTS)
    stripe = set(read_table(SAMPLES / "stripe_customers_export.csv").canonical(Side.CUSTOMERS)["customer_id"])
    links = [v for v in accounts["link_customer_id"] if v]
    assert len(links) == 9
    assert all(v in stripe for v in links)


def test_damage_samples_report_their_damage() -> None:
    csv_kinds = {i.kind for i in read_table(SAMPLES / "customers_scientific.csv").issues}
    assert {"scientific_notation", "precision_lost", "became_date"} <= csv_kinds
    xlsx = read_table(SAMPLES / "customers_scientific.xlsx")
    assert {"stored_as_number", "scientific_notation", "precision_lost", "became_date"} <= {i.kind for i in xlsx.issues}
    assert xlsx.frame["Customer ID"].iloc[0] == "123456789012"
    assert "case_collision" in {i.kind for i in read_table(SAMPLES / "accounts_15char_ids.csv").issues}
    upper = {(i.column, i.kind) for i in read_table(SAMPLES / "accounts_uppercased_ids.csv").issues}
    assert upper == {("Id", "case_changed_id"), ("Account ID (15)", "uppercased_id")}


def test_multi_sheet_sample_skips_the_empty_first_sheet() -> None:
    table = read_table(SAMPLES / "multi_sheet.xlsx")
    assert table.sheet == "Customers"
    assert len(read_table(SAMPLES / "multi_sheet.xlsx", sheet="Accounts").frame) == 3


def test_dup_headers_and_short_rows_samples() -> None:
    dup = read_table(SAMPLES / "dup_headers.csv")
    assert list(dup.frame.columns) == ["Name", "Email", "Name (3)", "Name (2)", "Email (2)"]
    short = read_table(SAMPLES / "short_rows.csv")
    assert [i.row for i in short.issues if i.kind == "short_row"] == [3]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("ragged.csv", "line 3 has 4 fields"),
        ("empty.csv", "is empty"),
        ("header_only.csv", "no data rows"),
        ("binary.pdf", "PDF document"),
        ("not_a_workbook.xlsx", "zip archive"),
    ],
)
def test_refused_samples(name: str, fragment: str) -> None:
    with pytest.raises(TableError, match=fragment):
        read_table(SAMPLES / name)
