"""Reading .xlsx: sheet choice, numbers rendered as id text, dates, and refusals."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from desktop_app.core import intake_types
from desktop_app.core.intake_xlsx import cell_text
from desktop_app.core.tables import TableError, list_sheets, read_table


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = book.active if first else book.create_sheet(title)
        assert sheet is not None
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (None, "General", ("", None)),
        ("007", "General", ("007", None)),
        (True, "General", ("TRUE", None)),
        (42, "General", ("42", None)),
        (42.0, "General", ("42", None)),
        (-3.0, "General", ("-3", None)),
        (2.5, "General", ("2.5", None)),
        (1.5e-07, "General", ("0.00000015", None)),
        (123456789012.0, "0.00E+00", ("123456789012", "stored_as_number")),
        (1234567890123456789.0, "General", ("1234567890123456800", "precision_lost")),
        (1234567890123456789, "General", ("1234567890123456789", "precision_lost")),
        (1234, "00000", ("01234", None)),
        (dt.datetime(2023, 1, 5), "yyyy-mm-dd", ("2023-01-05", "became_date")),
        (dt.datetime(2023, 1, 5, 10, 30), "General", ("2023-01-05T10:30:00", "became_date")),
        (dt.date(2023, 1, 5), "General", ("2023-01-05", "became_date")),
    ],
)
def test_cell_text(value: object, fmt: str, expected: tuple[str, str | None]) -> None:
    assert cell_text(value, fmt) == expected


def test_first_non_empty_sheet_is_the_default_and_rows_are_sheet_rows(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "b.xlsx",
        {"Notes": [], "Data": [[None], ["Id", "Name"], [7, "Acme"], [None, None], ["008", "Globex"]], "X": [["a"]]},
    )
    table = read_table(path)
    assert table.sheet == "Data"
    assert table.encoding is None
    assert table.delimiter is None
    assert table.frame.values.tolist() == [["7", "Acme"], ["008", "Globex"]]
    assert table.source_rows == [3, 5]
    assert [(i.kind, i.row) for i in table.issues] == [("blank_line", 4)]
    assert list_sheets(path) == ["Notes", "Data", "X"]


def test_named_sheet_and_unknown_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"A": [["x"], ["1"]], "B": [["y"], ["2"]]})
    assert read_table(path, sheet="B").frame["y"].tolist() == ["2"]
    with pytest.raises(TableError, match=r"no sheet named 'C'; its sheets are: 'A', 'B'"):
        read_table(path, sheet="C")


def test_empty_workbook_and_header_only_sheet(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="empty"):
        read_table(workbook(tmp_path / "e.xlsx", {"S": []}))
    with pytest.raises(TableError, match=r"header \(row 1\) but no data rows"):
        read_table(workbook(tmp_path / "h.xlsx", {"S": [["Id", "Name"]]}))
    with pytest.raises(TableError, match="sheet 'S' is empty"):
        read_table(workbook(tmp_path / "n.xlsx", {"S": [], "T": [["a"], ["1"]]}), sheet="S")


def test_numeric_ids_and_date_cells_are_reported_only_in_id_columns(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Customer ID", "Signed", "Amount"],
        [123456789012, dt.datetime(2023, 1, 5), 1234567890123456789.0],
        [dt.datetime(2023, 1, 5), dt.datetime(2023, 2, 1), 5.0],
        [1234567890123456789.0, None, 7],
    ]
    table = read_table(workbook(tmp_path / "c.xlsx", {"S": rows}))
    values = table.frame.values.tolist()
    # openpyxl stores the float with fewer digits than repr; either way: digits, no exponent, no ".0".
    long_number = values[0][2]
    assert re.fullmatch(r"12345678901234\d{3}00", long_number)
    assert values == [
        ["123456789012", "2023-01-05", long_number],
        ["2023-01-05", "2023-02-01", "5"],
        [long_number, "", "7"],
    ]
    assert [(i.row, i.column, i.kind) for i in table.issues] == [
        (2, "Customer ID", "stored_as_number"),
        (3, "Customer ID", "became_date"),
        (4, "Customer ID", "precision_lost"),
    ]
    assert all(i.message.startswith(f"Row {i.row}, column 'Customer ID'") for i in table.issues)


def test_nameless_columns_use_letters_and_ragged_sheet_rows_are_kept(tmp_path: Path) -> None:
    rows: list[list[object]] = [[None, "Id", "Name"], [None, "1", "A", "extra"], [None, "2", "B"]]
    table = read_table(workbook(tmp_path / "r.xlsx", {"S": rows}))
    assert list(table.frame.columns) == ["Id", "Name", "Column D"]
    assert table.frame["Column D"].tolist() == ["extra", ""]


def test_zip_that_is_not_a_workbook_and_broken_xlsx(tmp_path: Path) -> None:
    archive = tmp_path / "a.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(TableError, match="zip archive, not a table"):
        read_table(archive)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("xl/workbook.xml", "<not really>")
    with pytest.raises(TableError, match=r"cannot be opened as an Excel workbook"):
        read_table(broken)


def test_xlsx_with_a_csv_name_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = workbook(tmp_path / "looks.csv", {"S": [["Id"], ["1"]]})
    assert read_table(path).sheet == "S"


def test_chart_sheets_are_skipped_and_refused_by_name(tmp_path: Path) -> None:
    book = Workbook()
    data = book["Sheet"]
    data.append(["Id"])
    data.append([1])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=2), titles_from_data=True)
    book.create_chartsheet("Chart", 0).add_chart(chart)
    path = tmp_path / "chart.xlsx"
    book.save(path)
    assert read_table(path).sheet == "Sheet"
    with pytest.raises(TableError, match="'Chart' is a chart"):
        read_table(path, sheet="Chart")


def test_noted_cells_are_capped_per_column_and_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake_types, "MAX_ISSUES_PER_KIND", 2)
    rows: list[list[object]] = [["Customer ID"], *([123456789012 + i] for i in range(5))]
    issues = read_table(workbook(tmp_path / "many.xlsx", {"S": rows})).issues
    assert [i.row for i in issues] == [2, 3, 4]
    assert "3 more rows" in issues[-1].message


def test_a_bug_of_ours_keeps_its_traceback_while_a_damaged_sheet_is_a_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core import intake_xlsx

    path = tmp_path / "fine.xlsx"
    book = Workbook()
    book.active.append(["Id", "Name"])
    book.active.append(["001000000000001AAA", "Acme"])
    book.save(path)

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug in our own row reader")

    monkeypatch.setattr(intake_xlsx, "_read_rows", broken)
    with pytest.raises(TypeError, match="a bug in our own row reader"):  # not "the sheet cannot be read"
        read_table(path)
    monkeypatch.undo()

    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("sheet1.xml"):
                data = data.replace(b"<sheetData>", b"<sheetData><row r='1'><c r='A1' t='s'><v>x")
            target.writestr(item, data)
    with pytest.raises(TableError, match="cannot be read"):
        read_table(damaged)
