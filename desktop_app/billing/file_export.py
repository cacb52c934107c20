"""Writing the link files of the file route: the re-import file and the filled copy of the export.

The filled copy keeps the source's shape: same delimiter and encoding for text files (UTF-8 with
BOM when the original encoding cannot hold a new value), the same workbook for .xlsx with only the
link cells changed. The source file is never written.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
import pandas as pd

from desktop_app.core.csv_out import record_writer
from desktop_app.core.fixed_copy import original_layout
from desktop_app.core.report import xlsx_text
from desktop_app.core.tables import LoadedTable


class OutputIsSourceError(ValueError):
    """An output path points at the export being read; Crosslink never overwrites it."""


def refuse_source(out_path: Path, source: Path) -> None:
    """Raise ``OutputIsSourceError`` when ``out_path`` is (or links to) ``source``."""
    same = out_path.resolve() == source.resolve()
    if not same and out_path.exists():
        same = os.path.samefile(out_path, source)
    if same:
        raise OutputIsSourceError(
            f"{out_path} is the export being read; Crosslink never overwrites it. Choose another file name."
        )


def write_reimport(path: Path, header: tuple[str, str], rows: Iterable[tuple[str, str]]) -> int:
    """Write the two-column re-import CSV (UTF-8, comma); returns the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_filled_copy(
    table: LoadedTable, out_path: Path, link_header: str, values: Mapping[int, str]
) -> None:
    """Copy the export to ``out_path`` with ``link_header`` set to ``values`` (frame position → text)."""
    refuse_source(out_path, table.path)
    if table.sheet is not None:
        _filled_workbook(table, out_path, link_header, values)
    else:
        _filled_text(table, out_path, link_header, values)


def _filled_text(table: LoadedTable, out_path: Path, link_header: str, values: Mapping[int, str]) -> None:
    if link_header in table.frame.columns:
        column = list(table.frame[link_header].astype(object))
    else:
        column = [""] * len(table.frame)
    for position, value in values.items():
        column[position] = value
    header, frame = original_layout(table, {link_header: pd.Series(column, dtype=object)})
    buffer = io.StringIO()
    writer = record_writer(buffer, table.delimiter or ",")
    writer.writerow(header)
    writer.writerows(frame.astype(object).itertuples(index=False, name=None))
    text = buffer.getvalue()
    encoding = table.encoding or "utf-8"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8-sig")
    out_path.write_bytes(data)


def _filled_workbook(table: LoadedTable, out_path: Path, link_header: str, values: Mapping[int, str]) -> None:
    workbook = openpyxl.load_workbook(table.path)
    sheet = workbook[table.sheet] if table.sheet in workbook.sheetnames else workbook.active
    assert sheet is not None
    first_data_row = table.source_rows[0] if table.source_rows else 2
    headers = {str(h) for h in table.frame.columns}
    header_row = max(
        range(1, max(2, first_data_row)),
        key=lambda r: sum(1 for c in sheet[r] if c.value is not None and str(c.value).strip() in headers),
    )
    link_col = next(
        (c.column for c in sheet[header_row] if c.value is not None and str(c.value).strip() == link_header),
        None,
    )
    if link_col is None:
        link_col = sheet.max_column + 1
        sheet.cell(row=header_row, column=link_col, value=link_header)
    for position, value in values.items():
        cell = sheet.cell(row=table.source_rows[position], column=int(link_col))
        cell.value = xlsx_text(value)
        cell.data_type = "s"
    workbook.save(out_path)
