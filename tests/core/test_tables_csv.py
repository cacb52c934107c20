"""Reading delimited text: encodings, delimiters, quoting, headers, values kept as text, and refusals."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.progress import Cancelled, CancelToken, Progress
from desktop_app.core.tables import TableError, read_table


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def kinds(table: object) -> list[str]:
    return [i.kind for i in table.issues]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_unicode_encodings_are_detected_and_reported(tmp_path: Path, encoding: str, reported: str) -> None:
    path = write(tmp_path, "Name,City\nSociété Générale,Zürich\n東京商事,Łódź\n", encoding=encoding)
    table = read_table(path)
    assert table.encoding == reported
    assert list(table.frame.columns) == ["Name", "City"]
    assert table.frame["Name"].tolist() == ["Société Générale", "東京商事"]
    assert table.frame["City"].tolist() == ["Zürich", "Łódź"]


def test_cp1252_falls_back_and_says_where_utf8_failed(tmp_path: Path) -> None:
    path = write(tmp_path, "Name;Country\nAcme;US\nMüller GmbH;Deutschland\n€uro AG;DE\n", encoding="cp1252")
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.frame["Name"].tolist() == ["Acme", "Müller GmbH", "€uro AG"]
    fallback = [i for i in table.issues if i.kind == "encoding_fallback"]
    assert len(fallback) == 1
    assert fallback[0].row == 3
    assert "cp1252" in fallback[0].message


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"Name,Code\nA\x81B,1\n")
    table = read_table(path)
    assert table.encoding == "latin-1"
    assert table.frame["Name"].tolist() == ["A\x81B"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    rows = [["Id", "Name", "Amount"], ["1", "Acme, Inc.", "1,5"], ["2", "Globex; Ltd", "2,5"]]
    quoted = [[f'"{v}"' if any(d in v for d in ",;\t|") else v for v in row] for row in rows]
    path = write(tmp_path, "\n".join(delimiter.join(r) for r in quoted) + "\n")
    table = read_table(path)
    assert table.delimiter == delimiter
    assert table.frame.values.tolist() == rows[1:]


def test_european_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "Konto;Umsatz;Land\nMüller;1.234,56;Deutschland\nSchmidt;99,90;Österreich\n")
    table = read_table(path)
    assert table.delimiter == ";"
    assert table.frame["Umsatz"].tolist() == ["1.234,56", "99,90"]


def test_quoted_fields_keep_newlines_delimiters_and_quotes_with_correct_lines(tmp_path: Path) -> None:
    text = 'Id,Street,Note\n1,"1 Main St\nSuite 5\r\nFloor 2","say ""hi"", ok"\n2,plain,"a;b|c\td"\n3,x,y\n'
    table = read_table(write(tmp_path, text))
    assert table.frame["Street"].tolist() == ["1 Main St\nSuite 5\r\nFloor 2", "plain", "x"]
    assert table.frame["Note"].tolist() == ['say "hi", ok', "a;b|c\td", "y"]
    assert table.source_rows == [2, 5, 6]


def test_crlf_line_endings(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Id,Name\r\n1,A\r\n2,B\r\n"))
    assert table.frame.values.tolist() == [["1", "A"], ["2", "B"]]
    assert table.source_rows == [2, 3]


def test_old_mac_line_endings_fall_back_to_tolerant_parser(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Id,Name\r1,A\r2,B\r"))
    assert table.frame.values.tolist() == [["1", "A"], ["2", "B"]]
    assert table.source_rows == [2, 3]


def test_stray_quote_inside_a_value_is_kept_literally(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, 'Id,Item\n1,5" floppy\n2,disk\n'))
    assert table.frame["Item"].tolist() == ['5" floppy', "disk"]
    assert table.source_rows == [2, 3]


def test_unclosed_quote_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"line 3: a quoted field opens here and never closes"):
        read_table(write(tmp_path, 'Id,Name\n1,A\n2,"B\n3,C\n4,D\n'))


def test_every_value_stays_text(tmp_path: Path) -> None:
    text = "Id,Zip,Flag,Date,Amount,Missing\n007,01234,NA,2023-01-05,1e5,null\n0010,00000,N/A,1/5/2023,3.10,None\n"
    table = read_table(write(tmp_path, text))
    assert table.frame.to_dict("records") == [
        {"Id": "007", "Zip": "01234", "Flag": "NA", "Date": "2023-01-05", "Amount": "1e5", "Missing": "null"},
        {"Id": "0010", "Zip": "00000", "Flag": "N/A", "Date": "1/5/2023", "Amount": "3.10", "Missing": "None"},
    ]
    assert all(dtype is np.dtype(object) for dtype in table.frame.dtypes)


def test_empty_cells_are_empty_strings_and_whitespace_is_kept(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "A,B,C\n, x ,\n"))
    assert table.frame.values.tolist() == [["", " x ", ""]]


def test_headers_keep_their_text_and_duplicates_are_made_unique(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, " Name ,Email,Name,Name (2),Name\na,b,c,d,e\n"))
    assert list(table.frame.columns) == [" Name ", "Email", "Name", "Name (2)", "Name (3)"]
    dup = [i for i in table.issues if i.kind == "duplicate_header"]
    assert [(i.row, i.column, i.value) for i in dup] == [(1, "Name (3)", "Name")]


def test_duplicate_headers_get_numbered_in_order(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Name,Name,Name\na,b,c\n"))
    assert list(table.frame.columns) == ["Name", "Name (2)", "Name (3)"]
    assert table.frame.values.tolist() == [["a", "b", "c"]]
    assert kinds(table).count("duplicate_header") == 2


def test_nameless_column_with_values_is_named_and_empty_one_dropped(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "A,,B,\n1,x,2,\n3,,4,\n"))
    assert list(table.frame.columns) == ["A", "Column 2", "B"]
    assert table.frame["Column 2"].tolist() == ["x", ""]
    assert "missing_header" in kinds(table)


def test_blank_lines_trailing_are_ignored_and_interior_reported(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "\nId,Name\n1,A\n\n2,B\n\n\n\r\n"))
    assert table.frame["Id"].tolist() == ["1", "2"]
    assert table.source_rows == [3, 5]
    blank = [i for i in table.issues if i.kind == "blank_line"]
    assert [i.row for i in blank] == [4]


def test_trailing_delimiter_only_rows_are_dropped_and_reported(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Id;Name\n1;A\n;;\n;\n"))
    assert table.frame["Id"].tolist() == ["1"]
    trailing = [i for i in table.issues if i.kind == "trailing_empty_rows"]
    assert len(trailing) == 1
    assert trailing[0].row == 3


def test_interior_empty_row_is_kept_as_a_record(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Id,Name\n1,A\n,\n2,B\n"))
    assert table.frame["Id"].tolist() == ["1", "", "2"]
    assert table.source_rows == [2, 3, 4]


def test_short_rows_are_padded_and_reported(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Id,Name,City\n1,A,X\n2,B\n3\n"))
    assert table.frame.values.tolist() == [["1", "A", "X"], ["2", "B", ""], ["3", "", ""]]
    short = [i for i in table.issues if i.kind == "short_row"]
    assert [i.row for i in short] == [3, 4]
    assert "2 fields but the header has 3" in short[0].message


def test_long_row_is_refused_naming_line_and_field_count(tmp_path: Path) -> None:
    path = write(tmp_path, "Id,Name,City\n1,A,X\n2,Globex, LLC,NY\n3,C,Z\n", name="ragged.csv")
    with pytest.raises(TableError) as caught:
        read_table(path)
    message = str(caught.value)
    assert "ragged.csv" in message
    assert "line 3 has 4 fields" in message
    assert "header has 3 fields" in message
    assert "comma" in message


def test_long_row_after_quoted_newline_reports_the_physical_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'Id,Note\n1,"two\nlines"\n2,a,b\n')
    with pytest.raises(TableError, match="line 4 has 3 fields"):
        read_table(path)


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf", b"  \r\n "])
def test_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(TableError, match=r"empty\.csv is empty"):
        read_table(path)


def test_header_only_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"h\.csv has a header line \(line 1\) but no data rows"):
        read_table(write(tmp_path, "Id,Name\n\n", name="h.csv"))


def test_header_without_names_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="no column names"):
        read_table(write(tmp_path, ",,\n1,2,3\n"))


def test_pdf_zip_and_binary_files_are_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "x.csv"
    pdf.write_bytes(b"%PDF-1.7\n...")
    with pytest.raises(TableError, match="PDF document"):
        read_table(pdf)
    blob = tmp_path / "blob.csv"
    blob.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(TableError, match="binary data"):
        read_table(blob)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(TableError, match=r"old-style \.xls"):
        read_table(xls)


def test_broken_utf16_is_refused_as_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "Id,Name\n1,A\n".encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(TableError, match="UTF-16"):
        read_table(path)


def test_missing_file_and_sheet_for_text_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(TableError, match="has no sheets"):
        read_table(write(tmp_path, "A\n1\n"), sheet="Sheet1")


def test_single_column_file(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Email\na@x.com\nb@y.com\n"))
    assert table.frame["Email"].tolist() == ["a@x.com", "b@y.com"]


def test_progress_is_reported_and_cancel_stops_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "Id,Name\n" + "".join(f"{i},n{i}\n" for i in range(500)))
    reports: list[Progress] = []
    table = read_table(path, progress=reports.append)
    assert len(table.frame) == 500
    assert reports
    assert reports[-1].done == reports[-1].total == 500
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_table(path, cancel=token)


def test_excel_sep_hint_line_sets_the_delimiter_and_is_not_the_header(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "sep=;\r\nId;Name,Inc\r\n1;A,B\r\n"))
    assert table.delimiter == ";"
    assert list(table.frame.columns) == ["Id", "Name,Inc"]
    assert table.source_rows == [3]


def test_interior_row_of_only_delimiters_wider_than_header_is_an_empty_record(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "Id;Name\n1;A\n;;;;\n2;B\n"))
    assert table.frame.values.tolist() == [["1", "A"], ["", ""], ["2", "B"]]
    assert table.source_rows == [2, 3, 4]
