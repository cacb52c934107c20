"""The file commands' contract, run the way other tools call them, on the nasty sample files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.cli import main
from desktop_app.core.ids import normalize_id

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ACCOUNTS = SAMPLES / "salesforce_accounts_export.csv"
STRIPE = SAMPLES / "stripe_customers_export.csv"
CUSTOMER_EXPORTS = ["stripe_customers_export.csv", "chargebee_customers.csv", "quickbooks_customers.csv",
                    "xero_contacts.csv", "zuora_accounts.csv", "customers_scientific.xlsx"]
ACCOUNT_EXPORTS = ["salesforce_accounts_export.csv", "accounts_excel_cp1252_semicolon.csv", "accounts_utf16.csv",
                   "accounts_bom.csv", "accounts_15char_ids.csv", "accounts_uppercased_ids.csv"]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("customers", CUSTOMER_EXPORTS)
def test_match_writes_one_row_per_account_plus_untaken_customers(tmp_path: Path, customers: str) -> None:
    out = tmp_path / "matches.csv"
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(SAMPLES / customers),
                 "--out", str(out)]) == 0
    rows = read_rows(out)
    assert {"account_id", "customer_id", "status", "score", "reason"} <= set(rows[0])
    account_rows = [r for r in rows if r["account_id"]]
    assert len(account_rows) == 30  # the export holds 30 accounts, each exactly once
    assert len({r["account_id"] for r in account_rows}) == 30
    assert all(normalize_id(r["account_id"]) == r["account_id"] for r in account_rows)
    for row in rows:
        assert row["status"] in {"already_linked", "matched", "suggested", "ambiguous", "conflict", "unmatched"}
        assert 0 <= float(row["score"]) <= 100
        assert row["reason"]
    taken = [r["customer_id"] for r in rows if r["status"] in {"matched", "already_linked"}]
    assert len(taken) == len(set(taken)), "a customer was given to two accounts"
    # Every pair carries its evidence per field (JSON); a row with one record carries none.
    for row in rows:
        evidence = json.loads(row["evidence"]) if row["evidence"] else {}
        assert bool(evidence) == bool(row["account_id"] and row["customer_id"]), row
        assert all(value[0] in {"agree", "partly agree", "disagree", "missing", "agree after normalising"}
                   for value in evidence.values())
    untaken = [r for r in rows if not r["account_id"]]
    assert all(r["customer_id"] and r["status"] not in {"matched", "already_linked"} for r in untaken)


@pytest.mark.parametrize("accounts", ACCOUNT_EXPORTS)
def test_match_reads_every_awkward_accounts_export(tmp_path: Path, accounts: str) -> None:
    out = tmp_path / "m.csv"
    assert main(["match", "--accounts", str(SAMPLES / accounts), "--customers", str(STRIPE), "--out", str(out)]) == 0
    assert read_rows(out)


def test_match_xlsx_report_has_summary_and_file_issues(tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(SAMPLES / "customers_scientific.csv"),
                 "--out", str(out)]) == 0
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "Summary"
    assert "File issues" in book.sheetnames
    kinds = {row[3] for row in book["File issues"].iter_rows(min_row=2, values_only=True)}
    assert {"scientific_notation", "precision_lost", "became_date"} <= kinds
    book.close()


def test_existing_links_are_recognised_on_the_samples(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out)]) == 0
    statuses = [r["status"] for r in read_rows(out)]
    # companies 0-4 hold the link on both sides (see tests/samples/README.md)
    assert statuses.count("already_linked") == 5


@pytest.mark.parametrize(
    ("accounts", "expected"),
    [("empty.csv", "empty"), ("header_only.csv", "no data rows"), ("binary.pdf", "not a table"),
     ("ragged.csv", "line 3"), ("missing.csv", "does not exist")],
)
def test_unusable_input_exits_2_with_a_sentence_naming_the_file(accounts: str, expected: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "match", "--accounts", str(SAMPLES / accounts),
         "--customers", str(STRIPE), "--out", str(tmp_path / "m.csv")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 2
    assert accounts in done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "m.csv").exists()


def test_column_override_and_its_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.csv"
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out),
                 "--column", "customers:name=Description"]) == 0
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out),
                 "--column", "customers:name=Nope"]) == 2
    assert "stripe_customers_export.csv" in capsys.readouterr().err
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out),
                 "--column", "colour=Name"]) == 2
    assert "unknown role 'colour'" in capsys.readouterr().err


def test_out_must_not_overwrite_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "accounts.csv"
    copy.write_bytes(ACCOUNTS.read_bytes())
    assert main(["match", "--accounts", str(copy), "--customers", str(STRIPE), "--out", str(copy)]) == 2
    assert copy.read_bytes() == ACCOUNTS.read_bytes()
    assert "one of the input files" in capsys.readouterr().err


def test_check_addresses_contract_on_the_excel_semicolon_file(tmp_path: Path, capsys) -> None:
    out, fixed = tmp_path / "problems.csv", tmp_path / "fixed.csv"
    assert main(["check-addresses", "--input", str(SAMPLES / "accounts_excel_cp1252_semicolon.csv"),
                 "--out", str(out), "--fixed-out", str(fixed), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["side"] == "accounts"
    rows = read_rows(out)
    assert list(rows[0])[:6] == ["row", "record_id", "field", "problem", "value", "suggestion"]
    deutschland = [r for r in rows if r["value"] == "Deutschland"]
    assert deutschland
    assert deutschland[0]["suggestion"] == "DE"
    assert deutschland[0]["field"] == "country"
    source = SAMPLES / "accounts_excel_cp1252_semicolon.csv"
    assert fixed.read_bytes().startswith(b"\xef\xbb\xbf"), "Excel reads the accents of a UTF-8 copy by its BOM"
    with fixed.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle, delimiter=";"))
    with source.open(encoding="cp1252", newline="") as handle:
        original = list(csv.reader(handle, delimiter=";"))
    assert written[0] == original[0], "the fixed copy keeps the file's own headers and column order"
    country = original[0].index("Billing Country")
    assert "DE" in {r[country] for r in written[1:]}
    assert "Deutschland" not in {r[country] for r in written[1:]}
    changed = {(i, j) for i, (a, b) in enumerate(zip(original, written, strict=True))
               for j, (x, y) in enumerate(zip(a, b, strict=True)) if x != y}
    assert changed
    assert {j for _, j in changed} <= {original[0].index(h) for h in ("Billing Street", "Billing City",
                                                                       "Billing Postal Code", "Billing Country")}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_report_that_cannot_be_saved_is_said_on_stderr(tmp_path: Path, suffix: str, capsys) -> None:
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("", encoding="utf-8")
    out = blocked / f"report{suffix}"
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"report{suffix} could not be saved in {blocked}" in err
    assert "Traceback" not in err


def test_a_failed_save_leaves_the_previous_report_whole(tmp_path: Path) -> None:
    from desktop_app.core.report import ReportError, save_atomically

    out = tmp_path / "r.csv"
    out.write_text("old\n", encoding="utf-8")

    def broken(target: Path) -> None:
        target.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(ReportError, match="No space left on device"):
        save_atomically(out, broken)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_match_report_with_a_runs_results_has_a_sheet_per_outcome(tmp_path: Path, capsys) -> None:
    import pandas as pd

    from desktop_app.core.journal_results import RESULT_COLUMNS

    statuses = [("linked", "set"), ("linked", "skip"), ("conflict", "conflict"), ("failed", "set"),
                ("half_linked", "set")]
    rows = [{column: "" for column in RESULT_COLUMNS} | {"row": str(i + 1), "account_id": f"001A0000006Vm9rIA{i}",
            "customer_id": f"cus_{i}", "account_name": f"Name {i}", "pair_status": status, "account_action": action,
            "customer_action": action, "account_message": "refused" if status == "failed" else ""}
            for i, (status, action) in enumerate(statuses)]
    results = tmp_path / "results.csv"
    pd.DataFrame(rows, columns=list(RESULT_COLUMNS)).to_csv(results, index=False)
    out = tmp_path / "report.xlsx"
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out),
                 "--results", str(results)]) == 0
    book = load_workbook(out, read_only=True)
    for title in ("Run written", "Run skipped", "Run conflict", "Run failed", "Run half linked"):
        sheet_rows = list(book[title].iter_rows(values_only=True))
        assert len(sheet_rows) == 2, title
        assert "account_name" in sheet_rows[0]
    assert "reason" in next(book["Run failed"].iter_rows(values_only=True))
    book.close()
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out),
                 "--results", str(ACCOUNTS)]) == 2
    assert "is not a run's results file" in capsys.readouterr().err


def test_match_figures_add_up_per_side_and_agree_with_the_file(tmp_path: Path, capsys) -> None:
    """The printed figures count accounts apart from the customers left over, and each agrees with the
    rows written (before: '30 accounts, N customers → … unmatched' added customers to accounts)."""
    out = tmp_path / "m.csv"
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    rows = read_rows(out)
    accounts = [r["status"] for r in rows if r["account_id"]]
    customers = [r["status"] for r in rows if not r["account_id"]]
    assert sum(summary["account_counts"].values()) == summary["accounts"] == len(accounts) == 30
    assert summary["account_counts"] == {s: accounts.count(s) for s in set(accounts)}
    assert summary["customers_left_over"] == {s: customers.count(s) for s in set(customers)}
    assert main(["match", "--accounts", str(ACCOUNTS), "--customers", str(STRIPE), "--out", str(out)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("30 accounts → ")
    if customers:
        assert f"; {len(customers)} of the {summary['customers']} customers went to no account (" in line


CUSTOMERS_EXPORT = (  # as `desktop-app customers` writes it: the linked Account's id in sf_account_id
    "customer_id,name,email,street,city,postcode,country,sf_account_id\n"
    "cus_A1,Alpha GmbH,,Hauptstr. 1,Berlin,10115,Deutschland,0015g00000ABCdeAAH\n"
    "cus_B2,Beta SARL,b@beta.fr,1 rue de Rivoli,Paris,75001,FR,\n"
    "cus_C3,Gamma Ltd,c@gamma.co.uk,1 High St,London,SW1A 1AA,GB,\n"
)


def test_check_addresses_reads_a_customers_export_as_customers(tmp_path: Path, capsys) -> None:
    """Its sf_account_id column reads as an accounts id too; the records' own id is the full one.
    Before, the file was checked as '3 accounts' and --billing sequence checked nothing of it."""
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS_EXPORT, encoding="utf-8")
    out = tmp_path / "problems.csv"
    assert main(["check-addresses", "--input", str(customers), "--out", str(out), "--billing", "sequence",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["side"] == "customers"
    assert summary["billing_rules_broken"]  # Alpha has no e-mail, which Sequence requires
    problems = read_rows(out)
    assert {(r["record_id"], r["field"]) for r in problems} >= {("cus_A1", "email"), ("cus_A1", "country")}
    assert next(r["suggestion"] for r in problems if r["field"] == "country") == "DE"


def test_billing_rules_on_a_file_read_as_accounts_are_refused_not_skipped(tmp_path: Path, capsys) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS_EXPORT, encoding="utf-8")
    assert main(["check-addresses", "--input", str(customers), "--out", str(tmp_path / "p.csv"),
                 "--side", "accounts", "--billing", "sequence"]) == 2
    assert "Give --side customers" in capsys.readouterr().err
