"""A copy of a user's file with some values changed and nothing else: same header text, same
column order (nameless columns too), same delimiter; a column the file lacks is added at the end."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from desktop_app.core.csv_out import write_frame
from desktop_app.core.report import save_atomically
from desktop_app.core.tables import LoadedTable


def original_layout(table: LoadedTable, changed: Mapping[str, pd.Series]) -> tuple[list[str], pd.DataFrame]:
    """The file's header and records in its own column order, with ``changed`` (frame header →
    new values, one per record) in place of those columns. A header not in the frame is appended."""
    header = list(table.original_header) or [str(c) for c in table.frame.columns]
    positions = table.column_positions or list(range(len(table.frame.columns)))
    empty = pd.Series([""] * len(table.frame), dtype=object)
    columns: list[pd.Series] = [empty] * len(header)
    for name, position in zip(table.frame.columns, positions, strict=True):
        values = changed.get(str(name), table.frame[name])
        columns[position] = pd.Series(values, dtype=object).reset_index(drop=True)
    for name, values in changed.items():
        if name not in table.frame.columns:
            header.append(name)
            columns.append(pd.Series(values, dtype=object).reset_index(drop=True))
    frame = pd.DataFrame(dict(enumerate(columns)))
    return header, frame


def write_fixed_copy(path: Path, table: LoadedTable, changed: Mapping[str, pd.Series]) -> Path:
    """Write the file again at ``path`` as CSV (its own delimiter, UTF-8) with only ``changed`` differing.
    A file that was not plain UTF-8 (cp1252 or UTF-16 as Excel saves them, or UTF-8 with a BOM) gets
    the BOM: Excel opens the copy again, and without it reads UTF-8 accents as cp1252 ('SociÃ©tÃ©')."""
    header, frame = original_layout(table, changed)
    encoding = "utf-8" if table.encoding in (None, "utf-8") else "utf-8-sig"
    save_atomically(path, lambda target: write_frame(target, frame, header=header, delimiter=table.delimiter or ",",
                                                     encoding=encoding))
    return path
