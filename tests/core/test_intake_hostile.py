"""Hostile values and layouts, one at a time: what intake and the writers promise for each."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from desktop_app.core.csv_out import csv_record
from desktop_app.core.report import write_csv, write_data_csv, write_xlsx_report, xlsx_text
from desktop_app.core.tables import TableError, read_table

CONTROL_VALUES = ["Acme\x0bGmbH", "\x1b[31mRed\x1b[0m", "Bell\x07", "nul\x01soh", "_x000B_ literal"]
BREAKING_VALUES = ["one\rtwo", "one\ntwo", "one\r\ntwo", "ends with\r", '"quoted"\r']


def _records(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("writer", [write_csv, write_data_csv])
def test_every_csv_writer_quotes_bare_cr_and_lf_so_each_record_stays_one(tmp_path: Path, writer: object) -> None:
    frame = pd.DataFrame({"id": [f"a{i}" for i in range(len(BREAKING_VALUES))], "name": BREAKING_VALUES})
    out = writer(tmp_path / "out.csv", frame)  # type: ignore[operator]
    records = _records(out)
    assert len(records) == 1 + len(BREAKING_VALUES)
    assert [r[1] for r in records[1:]] == BREAKING_VALUES
    assert read_table(out).frame["name"].tolist() == BREAKING_VALUES


def test_a_record_for_a_stream_with_lf_ends_quotes_a_carriage_return() -> None:
    text = csv_record(["001", "a\rb"]) + csv_record(["002", 'x"y'])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["001", "a\rb"], ["002", 'x"y']]


def test_control_characters_are_kept_in_csv_and_escaped_in_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame({"account_id": [f"acc{i}" for i in range(len(CONTROL_VALUES))], "status": "matched",
                          "reason": CONTROL_VALUES})
    assert [r[2] for r in _records(write_csv(tmp_path / "m.csv", frame))[1:]] == CONTROL_VALUES
    write_xlsx_report(tmp_path / "m.xlsx", decisions=frame, extra_sheets={"Raw": frame})
    sheet = load_workbook(tmp_path / "m.xlsx")["Raw"]
    shown = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert shown == [xlsx_text(v) for v in CONTROL_VALUES]
    assert shown[0] == "Acme_x000B_GmbH"
    assert shown[-1] == "_x005F_x000B_ literal"


def test_a_nul_byte_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"Account ID,Account Name\n0015g00000ABCdeAAH,Acme\n001A0000006Vm9rIAC,Be\x00ta\n")
    with pytest.raises(TableError, match=r"a\.csv, line 3: holds a NUL byte"):
        read_table(path)


def test_a_binary_file_is_still_called_binary(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(TableError, match="binary data"):
        read_table(path)


HEADER = ["Account ID", "Account Name", "Billing Country"]
ROWS = [["0015g00000ABCdeAAH", "Acme", "DE"], ["001A0000006Vm9rIAC", "Beta", "FR"]]


@pytest.mark.parametrize("title_line", ["Accounts export\n", "Accounts export,,\n", '"Accounts, May",,\n'])
def test_a_title_line_above_the_csv_header_is_skipped_and_reported(tmp_path: Path, title_line: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(title_line + "\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.columns) == HEADER
    assert table.source_rows == [3, 4]
    titles = [i for i in table.issues if i.kind == "title_row"]
    assert len(titles) == 1
    assert titles[0].row == 1
    assert "header was read from line 2" in titles[0].message


def test_a_merged_title_row_above_the_xlsx_header_is_skipped_and_reported(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Accounts report"])
    sheet.merge_cells("A1:C1")
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    book.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    assert list(table.frame.columns) == HEADER
    assert table.source_rows == [3, 4]
    assert [i.row for i in table.issues if i.kind == "title_row"] == [1]


def test_a_one_column_file_keeps_its_header(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("Account Name\nAcme\nBeta\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.columns) == ["Account Name"]
    assert not table.issues


def _workbook(path: Path, rows: list[list[object]], title: str = "Sheet1") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _with_sheet_data(source: Path, target: Path, sheet_data: bytes) -> Path:
    """A copy of ``source`` whose first sheet holds ``sheet_data`` (the XML inside <sheetData>)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, rest = data.partition(b"<sheetData>")
                data = head + b"<sheetData>" + sheet_data + b"</sheetData>" + rest.split(b"</sheetData>", 1)[1]
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


@pytest.mark.parametrize("title", ["Sheet1", "My Accounts"])
def test_formulas_without_saved_values_are_named_per_cell(tmp_path: Path, title: str) -> None:
    rows: list[list[object]] = [["Account ID", "Account Name"]]
    rows += [[f'="001A0000006Vm9rIA{i}"', f"Acme {i}"] for i in range(3)]
    path = _workbook(tmp_path / "f.xlsx", rows, title)
    prefix = "Sheet1" if title == "Sheet1" else "'My Accounts'"
    with pytest.raises(TableError, match=rf"{prefix}!A2, {prefix}!A3, {prefix}!A4 hold formulas with no saved "
                                         r"value: open and save it in Excel, or export CSV"):
        read_table(path)


def test_formulas_with_saved_values_read_as_their_values(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "s.xlsx", [["Account ID", "Account Name"], ["x", "y"]])
    data = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Account ID</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>Account Name</t></is></c></row>'
            b'<row r="2"><c r="A2" t="str"><f>"001A0000006Vm9rIAC"</f><v>001A0000006Vm9rIAC</v></c>'
            b'<c r="B2" t="inlineStr"><is><t>Acme</t></is></c></row>')
    table = read_table(_with_sheet_data(source, tmp_path / "saved.xlsx", data))
    assert table.frame["Account ID"].tolist() == ["001A0000006Vm9rIAC"]


def test_a_zip_bomb_workbook_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "s.xlsx", [["Account ID"], ["x"]])
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 60 + b"</t></is></c></row>"
    bomb = _with_sheet_data(source, tmp_path / "bomb.xlsx", row * 500_000)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(TableError, match=r"bomb\.xlsx: the part xl/worksheets/sheet1\.xml would inflate \d+ times"):
        read_table(bomb)


def test_rows_past_excels_last_row_are_refused(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "s.xlsx", [["Account ID"], ["x"]])
    data = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Account ID</t></is></c></row>'
            b'<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(TableError, match="goes on past row 1,048,576"):
        read_table(_with_sheet_data(source, tmp_path / "long.xlsx", data))


def test_control_characters_survive_an_xlsx_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Account ID": [f"001A0000006Vm9rI{i:02d}" for i in range(len(CONTROL_VALUES))],
                          "Account Name": CONTROL_VALUES})
    write_xlsx_report(tmp_path / "r.xlsx", extra_sheets={"Accounts": frame})
    table = read_table(tmp_path / "r.xlsx", sheet="Accounts")
    assert table.frame["Account Name"].tolist() == CONTROL_VALUES
