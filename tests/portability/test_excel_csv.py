"""CSV files meant for a person open right in Excel on Windows: a UTF-8 BOM (without it Excel decodes
the bytes as the local code page: "Müller" becomes "MÃ¼ller"), CRLF record ends, and values holding
line breaks quoted so a record stays one record."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pandas as pd

from desktop_app.core.report import write_csv

FRAME = pd.DataFrame({
    "account_id": ["0015g00000ABCdeAAH", "0015g00000ABCdfAAH", "0015g00000ABCdgAAH"],
    "name": ["Müller & Söhne, €", "Line one\nline two", "Carriage\rreturn \"quoted\""],
    "note": ["", "x\r\ny", "plain"],
})


def test_person_csv_has_a_bom_crlf_records_and_quoted_line_breaks(tmp_path: Path) -> None:
    raw = write_csv(tmp_path / "out.csv", FRAME).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    text = raw[len(codecs.BOM_UTF8):].decode("utf-8")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(FRAME.columns)
    assert rows[1:] == FRAME.to_numpy().tolist()  # three records, every value byte for byte
    for value in ("Line one\nline two", "Carriage\rreturn \"\"quoted\"\"", "x\r\ny"):
        assert f'"{value}"' in text


def test_every_record_but_the_quoted_breaks_ends_in_crlf(tmp_path: Path) -> None:
    text = write_csv(tmp_path / "out.csv", FRAME).read_bytes().decode("utf-8-sig")
    outside_quotes = "".join(part for i, part in enumerate(text.split('"')) if i % 2 == 0)
    assert outside_quotes.count("\r\n") == len(FRAME) + 1
    assert outside_quotes.replace("\r\n", "").count("\n") == 0
    assert outside_quotes.replace("\r\n", "").count("\r") == 0
