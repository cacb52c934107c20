"""Salesforce matrix and joined reports exported with their layout (Export → Formatted Report, .xlsx), and the
same sheet saved as CSV from Excel: what people send when asked for "the accounts report". The intake refuses
both (see ``desktop_app/core/intake_matrix.py``); ``make_samples.py`` calls ``write_report_layouts``.

Both start with the banner Salesforce writes (the report's name, "Filtered By:" and its filters, a blank row)
and end with its footer (a blank row, "Confidential Information - Do Not Distribute", the copyright line).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook

FOOTER = [[], ["Confidential Information - Do Not Distribute"],
          ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]]


class _Company(Protocol):
    name: str
    city: str
    state: str
    country: str


def _banner(title: str, filters: list[str]) -> list[list[str]]:
    return [[title], [], ["Filtered By:"], *[[f"    {f}"] for f in filters], []]


def matrix_rows(cos: Sequence[_Company]) -> list[list[str]]:
    """Accounts counted and their annual revenue summed by Billing Country and State (rows) and Type (columns).

    The column groups sit on the first header row, each spanning its two summaries (a merged cell in the
    workbook); the second names the row groups and the summaries. A row group's value shows on its first row
    only; each group closes with a "Subtotal" row, the grid with a "Total" row and a "Total" column."""
    types = ["Customer", "Prospect", "Partner"]
    grid: dict[tuple[str, str], list[int]] = {}
    for c in cos[:24]:
        cell = grid.setdefault((c.country, c.state or "-"), [0] * 6)
        at = 2 * (len(c.name) % 3)  # a type per company, fixed by its name
        cell[at] += 1
        cell[at + 1] += 250_000 * (1 + len(c.name) % 7)

    def shown(values: list[int]) -> list[str]:
        counts, sums = values[0::2], values[1::2]
        cells = [v for n, s in zip(counts, sums, strict=True) for v in ((str(n), f"{s:,}") if n else ("", ""))]
        return [*cells, str(sum(counts)), f"{sum(sums):,}"]

    rows = [["Type", "", *[v for t in [*types, "Total"] for v in (t, "")]],
            ["Billing Country", "Billing State/Province", *["Record Count", "Sum of Annual Revenue"] * 4]]
    total = [0] * 6
    for country in sorted({k[0] for k in grid}):
        states = sorted(k[1] for k in grid if k[0] == country)
        subtotal = [0] * 6
        for i, state in enumerate(states):
            values = grid[(country, state)]
            rows.append([country if i == 0 else "", state, *shown(values)])
            subtotal = [a + b for a, b in zip(subtotal, values, strict=True)]
        rows.append(["", "Subtotal", *shown(subtotal)])
        total = [a + b for a, b in zip(total, subtotal, strict=True)]
    rows.append(["Total", "", *shown(total)])
    return [*_banner("Accounts by Billing Country and Type", ["Type: Customer, Prospect, Partner",
                                                              "Created Date: All Time"]), *rows, *FOOTER]


def joined_rows(cos: Sequence[_Company]) -> list[list[str]]:
    """Two blocks side by side, as the report shows them: Accounts and their Opportunities, each block under
    its name with its own header row, an empty column between them, each block closed by its record count."""
    accounts = [[c.name, c.city, c.country] for c in cos[:6]]
    deals = [[c.name, f"{c.name.split()[0]} renewal {2025 + i % 2}", f"{(i + 2) * 12_500:,}", "Closed Won"]
             for i, c in enumerate(cos[:6]) if i % 3]
    width = 3 + 1 + 4
    rows = [["Accounts", "", "", "", "Opportunities", "", "", ""],
            ["Account Name", "Billing City", "Billing Country", "", "Account Name", "Opportunity Name", "Amount",
             "Stage"]]
    for i in range(max(len(accounts), len(deals))):
        left = accounts[i] if i < len(accounts) else ["", "", ""]
        right = deals[i] if i < len(deals) else ["", "", "", ""]
        rows.append([*left, "", *right])
    rows.append([f"Record Count: {len(accounts)}", "", "", "", f"Record Count: {len(deals)}", "", "", ""])
    assert all(len(r) == width for r in rows)
    return [*_banner("Accounts with Opportunities", ["Accounts block: Type equals Customer",
                                                     "Opportunities block: Stage equals Closed Won"]), *rows,
            *FOOTER]


def _save(here: Path, name: str, rows: list[list[str]], spans: dict[str, int]) -> None:
    """``rows`` as a workbook (numbers as number cells, empty cells left empty; on the first row holding the
    values named in ``spans``, each merged with the cells right of it, over its summaries or its block) and as
    the CSV Excel saves."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = name.replace("_", " ").title()[:31]
    for row in rows:
        sheet.append([_cell(v) for v in row] or [None])
    line = next(i for i, row in enumerate(rows, start=1) if set(spans) <= set(row))
    for column, value in enumerate(rows[line - 1], start=1):
        if value in spans:
            sheet.merge_cells(start_row=line, start_column=column, end_row=line, end_column=column + spans[value] - 1)
    book.properties.created = dt.datetime(2024, 5, 21)
    book.properties.modified = dt.datetime(2024, 5, 21)
    book.save(here / f"{name}.xlsx")
    width = max(len(r) for r in rows)
    with (here / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([*r, *[""] * (width - len(r))] for r in rows)


def _cell(value: str) -> str | int | None:
    if value == "":
        return None
    plain = value.replace(",", "")
    return int(plain) if plain.isdigit() else value


def write_report_layouts(here: Path, cos: Sequence[_Company]) -> None:
    """Write the matrix and joined report samples (each as .xlsx and .csv) into ``here``."""
    _save(here, "salesforce_matrix_report", matrix_rows(cos),
          {t: 2 for t in ["Customer", "Prospect", "Partner", "Total"]})
    _save(here, "salesforce_joined_report", joined_rows(cos), {"Accounts": 3, "Opportunities": 4})
