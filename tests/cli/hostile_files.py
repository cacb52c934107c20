"""A generator of hostile input files, a handful of each kind, built from the sample exports.

Each ``Hostile`` says which file is damaged (accounts or customers), how, and what a clean answer
is: exit 2 with a sentence containing ``refusal``, or exit 0 with the issue kinds ``issues``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ACCOUNTS = SAMPLES / "salesforce_accounts_export.csv"
CUSTOMERS = SAMPLES / "stripe_customers_export.csv"
CONTROLS = ["\x0b", "\x1b[31m", "\x07", "\x01", "\x1f", "\x1b]0;pwned\x07"]
BREAKS = ["\r", "\n", "\r\n", "\r\r", "\n\r"]


@dataclass
class Hostile:
    """One generated file and the clean answer it must get."""

    name: str
    kind: str
    accounts: Path
    customers: Path
    refusal: str = ""  # non-empty: exit 2 and this text on stderr
    issues: set[str] = field(default_factory=set)  # exit 0 and at least these issue kinds


def sample_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def write_book(path: Path, rows: list[list[object]], *, title_row: str = "") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title_row:
        sheet.append([title_row])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _bomb(path: Path, repeat: int, width: int) -> Path:
    source = write_book(path.with_suffix(".src.xlsx"), [["Id", "Name"], ["0015g000000l7dUAAQ", "Acme"]])
    row = b'<row><c t="inlineStr"><is><t>' + b"0" * width + b"</t></is></c></row>"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, rest = data.partition(b"<sheetData>")
                data = head + b"<sheetData>" + row * repeat + b"</sheetData>" + rest.split(b"</sheetData>", 1)[1]
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def generate(folder: Path) -> Iterator[Hostile]:
    """Every hostile file, written into ``folder``."""
    accounts = sample_rows(ACCOUNTS)
    header, body = accounts[0], accounts[1:]
    name_col = header.index("Name")
    for i, control in enumerate(CONTROLS):
        rows = [list(r) for r in body]
        rows[i][name_col] = f"Acme{control}GmbH"
        rows[i + 5][header.index("BillingCity")] = f"{control}City"
        yield Hostile(f"control_{i}.csv", "control", write_rows(folder / f"control_{i}.csv", [header, *rows]),
                      CUSTOMERS)
    for i, brk in enumerate(BREAKS):
        rows = [list(r) for r in body]
        rows[i][name_col] = f"Acme{brk}Ltd"
        rows[i + 3][header.index("BillingStreet")] = f"1 Main St{brk}Floor 2"
        yield Hostile(f"break_{i}.csv", "break", write_rows(folder / f"break_{i}.csv", [header, *rows]), CUSTOMERS)
    for i in range(3):
        rows: list[list[object]] = [list(header)]
        for number, record in enumerate(body):
            formula = f'="{record[0]}"' if number % 3 == i else record[0]
            rows.append([formula, *record[1:]])
        yield Hostile(f"formulas_{i}.xlsx", "formulas", write_book(folder / f"formulas_{i}.xlsx", rows), CUSTOMERS,
                      refusal="with no saved value")
    for i in range(3):
        rows = [list(r) for r in body]
        rows[i + 1][0] = rows[i][0]  # one Account on two rows …
        rows[i + 10][0] = rows[i][0][:15].upper() if i == 2 else rows[i][0][:15]  # … and on a third, 15 chars
        rows[20 + i][0] = ""
        yield Hostile(f"dup_ids_{i}.csv", "duplicate_ids", write_rows(folder / f"dup_ids_{i}.csv", [header, *rows]),
                      CUSTOMERS, issues={"duplicate_id", "empty_id"})
    customers = sample_rows(CUSTOMERS)
    for i in range(2):
        rows = [list(r) for r in customers[1:]]
        rows[i + 1][0] = rows[i][0]
        rows[5][0] = " "
        yield Hostile(f"dup_customers_{i}.csv", "duplicate_ids", ACCOUNTS,
                      write_rows(folder / f"dup_customers_{i}.csv", [customers[0], *rows]),
                      issues={"duplicate_id", "empty_id"})
    for i, (control, brk) in enumerate(zip(CONTROLS[:3], BREAKS[:3], strict=True)):
        rows = [list(r) for r in customers[1:]]
        rows[i][customers[0].index("Name")] = f"Acme{control}{brk}Ltd"
        rows[i + 4][customers[0].index("Address Line1")] = f"1 Main St{brk}{control}"
        yield Hostile(f"customers_values_{i}.csv", "control",  ACCOUNTS,
                      write_rows(folder / f"customers_values_{i}.csv", [customers[0], *rows]))
    for i, title in enumerate(["Accounts export", "Report: all accounts, May"]):
        blank = [title] + [""] * (len(header) - 1)
        yield Hostile(f"title_{i}.csv", "title", write_rows(folder / f"title_{i}.csv", [blank, header, *body]),
                      CUSTOMERS, issues={"title_row"})
        yield Hostile(f"title_lone_{i}.csv", "title",
                      write_rows(folder / f"title_lone_{i}.csv", [[title], header, *body]), CUSTOMERS,
                      issues={"title_row"})
        yield Hostile(f"title_{i}.xlsx", "title",
                      write_book(folder / f"title_{i}.xlsx", [header, *body], title_row=title),
                      CUSTOMERS, issues={"title_row"})
    for i, (repeat, width) in enumerate(((400_000, 80), (36_000, 1_000))):
        yield Hostile(f"bomb_{i}.xlsx", "bomb", _bomb(folder / f"bomb_{i}.xlsx", repeat, width), CUSTOMERS,
                      refusal="would inflate")
    text = ACCOUNTS.read_bytes()
    lines = text.split(b"\n")
    for i, line_number in enumerate((2, 9, 31)):
        damaged = list(lines)
        damaged[line_number - 1] = damaged[line_number - 1].replace(b",", b",\x00", 1)
        path = folder / f"nul_{i}.csv"
        path.write_bytes(b"\n".join(damaged))
        yield Hostile(path.name, "nul", path, CUSTOMERS, refusal=f"line {line_number}: holds a NUL byte")
