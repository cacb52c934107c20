"""Spreadsheet damage to ids is found per row and column, and only in id columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import intake_types
from desktop_app.core.ids import checksum_suffix
from desktop_app.core.tables import TableIssue, read_table


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    return path


def found(issues: list[TableIssue], kind: str) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.value) for i in issues if i.kind == kind]


def id18(id15: str) -> str:
    return id15 + checksum_suffix(id15)


def test_scientific_notation_zeroed_tails_and_dates_in_id_column(tmp_path: Path) -> None:
    text = (
        "Customer ID,Note\n123456789012,fine\n1.23457E+11,x\n1,23457E+11,x\n".replace(
            "1,23457E+11,x", '"1,23457E+11",x'
        )
        + "1234567890123450000,x\n"
        "1234567890123456789,x\n"
        "2023-01-05,x\n"
        "1/5/2023,x\n"
        "05-Jan,x\n"
        "Jan-05,x\n"
        "05.01.2023,x\n"
    )
    issues = read_table(write(tmp_path, text)).issues
    assert found(issues, "scientific_notation") == [
        (3, "Customer ID", "1.23457E+11"),
        (4, "Customer ID", "1,23457E+11"),
    ]
    assert found(issues, "precision_lost") == [(5, "Customer ID", "1234567890123450000")]
    assert [row for row, _, _ in found(issues, "became_date")] == [7, 8, 9, 10, 11]
    message = next(i.message for i in issues if i.kind == "precision_lost")
    assert "Line 5, column 'Customer ID'" in message
    assert "15 significant digits" in message


def test_prose_columns_are_not_scanned(tmp_path: Path) -> None:
    text = "Name,Description,Created\nAcme,1.5E+3 widgets,2023-01-05\nGlobex,05-Jan,1/5/2023\n"
    table = read_table(write(tmp_path, text))
    assert table.issues == []


def test_column_without_id_header_is_scanned_when_content_is_scientific(tmp_path: Path) -> None:
    text = "Customer,Name\n1.23457E+11,Acme\n9.87654E+11,Globex\n"
    issues = read_table(write(tmp_path, text)).issues
    assert [row for row, _, _ in found(issues, "scientific_notation")] == [2, 3]


def test_uppercased_15_char_ids_are_flagged_per_row(tmp_path: Path) -> None:
    ids = ["0015G00000ABCDE", "0015G00000XYZWQ", "0015G000001234A"]
    text = "Id,Name\n" + "".join(f"{i},n\n" for i in ids) + "0015000000123456,n\n"
    issues = read_table(write(tmp_path, text)).issues
    assert found(issues, "uppercased_id") == [(2, "Id", ids[0]), (3, "Id", ids[1]), (4, "Id", ids[2])]


def test_mixed_case_15_char_ids_are_not_called_uppercased(tmp_path: Path) -> None:
    text = "Id,Name\n0015g00000ABCDE,n\n0015G00000XYZWQ,n\n0015G000001234A,n\n"
    issues = read_table(write(tmp_path, text)).issues
    assert found(issues, "uppercased_id") == []


def test_15_char_ids_differing_only_by_case_are_reported(tmp_path: Path) -> None:
    text = "Id,Name\n0015g00000ABCde,a\n0015g00000ABCdf,b\n0015g00000ABCDE,c\n"
    issues = read_table(write(tmp_path, text)).issues
    assert [row for row, _, _ in found(issues, "case_collision")] == [2, 4]
    assert "differ only in letter case" in next(i.message for i in issues if i.kind == "case_collision")


def test_18_char_ids_with_changed_case_are_reported_with_the_repair(tmp_path: Path) -> None:
    good = id18("0015g00000ABCde")
    text = f"Id,Name\n{good},a\n{good.upper()},b\n{id18('0015g00000XYZab')},c\n"
    issues = read_table(write(tmp_path, text)).issues
    assert found(issues, "case_changed_id") == [(3, "Id", good.upper())]
    assert good in next(i.message for i in issues if i.kind == "case_changed_id")


def test_18_char_id_with_wrong_checksum_is_invalid(tmp_path: Path) -> None:
    good = id18("0015g00000ABCde")
    bad = good[:15] + "ZZZ"
    text = f"Account ID,Name\n{good},a\n{bad},b\nnot-an-id,c\n"
    issues = read_table(write(tmp_path, text)).issues
    assert found(issues, "invalid_id") == [(3, "Account ID", bad), (4, "Account ID", "not-an-id")]


def test_issue_count_is_capped_per_kind_with_a_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake_types, "MAX_ISSUES_PER_KIND", 3)
    text = "Customer ID\n" + "".join(f"{i}.1E+11\n" for i in range(1, 9))
    issues = read_table(write(tmp_path, text)).issues
    sci = [i for i in issues if i.kind == "scientific_notation"]
    assert len(sci) == 4
    assert sci[-1].row == 5
    assert "5 more rows" in sci[-1].message


def test_damage_in_several_id_columns_names_each_column(tmp_path: Path) -> None:
    text = "Id,sfdc_id,Billing_Customer_ID__c\n1.2E+11,2023-01-05,ok\n"
    issues = read_table(write(tmp_path, text)).issues
    assert {(i.column, i.kind) for i in issues} == {("Id", "scientific_notation"), ("sfdc_id", "became_date")}
