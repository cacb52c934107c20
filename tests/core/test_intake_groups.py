"""A Salesforce summary report exported with its layout ("Formatted Report", Classic's printable view):
subtotal rows are not records, a group's value reaches every row of its group, and a layout that
cannot be read safely is refused with the way to export it as Details Only."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.ids import checksum_suffix
from desktop_app.core.roles import Side
from desktop_app.core.tables import LoadedTable, TableError, read_table
from tests.core.report_files import write_report

IDS = [i + checksum_suffix(i) for i in ("0015g00000ABCde", "0015g00000ABCdf", "0015g00000ABCdg", "0015g00000ABCdh")]
BANNER = [["Accounts by Billing Country"], ["Filtered By:"], ["    Type equals Customer"], ["As of 12/7/2026 9:00 AM"],
          []]


def write(path: Path, rows: list[list[str]]) -> Path:
    return write_report(path, rows, blanks_as_empty_cells=True)


def kinds(table: LoadedTable) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for issue in table.issues:
        found.setdefault(issue.kind, []).append(issue.row)
    return found


FORMATTED = [  # grouped by Billing Country (leading column, shown on each group's first row), then by Type
    ["Billing Country", "Type", "Account ID", "Account Name", "Billing City", "Annual Revenue"],
    ["Germany", "Customer", IDS[0], "Acme GmbH", "Berlin", "1,000,000"],
    ["", "", IDS[1], "Beta AG", "Munich", "2,000,000"],
    ["", "Subtotal", "", "", "", "3,000,000"],
    ["", "Prospect", IDS[2], "Gamma KG", "Hamburg", "500,000"],
    ["", "Subtotal", "", "", "", "500,000"],
    ["Subtotal", "", "", "", "", "3,500,000"],
    ["France", "Customer", IDS[3], "Delta SA", "Paris", "750,000"],
    ["Subtotal", "", "", "", "", "750,000"],
    ["Grand Totals (4 records)", "", "", "", "", "4,250,000"],
]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_formatted_summary_report_reads_as_its_records_with_each_groups_value(tmp_path: Path, suffix: str) -> None:
    table = read_table(write(tmp_path / f"report{suffix}", [*BANNER, *FORMATTED]))
    assert table.frame["Account ID"].tolist() == IDS
    assert table.frame["Billing Country"].tolist() == ["Germany", "Germany", "Germany", "France"]
    assert table.frame["Type"].tolist() == ["Customer", "Customer", "Prospect", "Customer"]
    assert table.source_rows == [7, 8, 10, 13]
    found = kinds(table)
    row = "Rows" if suffix == ".xlsx" else "Lines"
    assert found["subtotal_rows"] == [9]
    assert found["group_values"] == [7, 7]
    carried = next(i.message for i in table.issues if i.kind == "group_values")
    assert carried.startswith(f"{row} 7–13: column 'Billing Country' holds each group's value only on the group's "
                              "first row")
    assert found["totals_row"] == [15]
    message = next(i.message for i in table.issues if i.kind == "subtotal_rows")
    assert message == (f"{row} 9, 11, 12 and 14 are subtotals of a grouped report (such as 'Subtotal'), not records, "
                       "so they were not read.")
    assert table.roles(Side.ACCOUNTS).columns["country"] == "Billing Country"


def test_group_headings_of_a_printable_view_give_their_value_to_the_rows_under_them(tmp_path: Path) -> None:
    rows = [["Account Name", "Account ID", "Billing City"],
            ["Billing Country: Germany (3 records)"],
            ["Type: Customer (2 records)"], ["Acme GmbH", IDS[0], "Berlin"], ["Beta AG", IDS[1], "Munich"],
            ["Type: Prospect (1 record)"], ["Gamma KG", IDS[2], "Hamburg"],
            ["Billing Country: - (1 record)"], ["Delta SA", IDS[3], "Paris"],
            ["Grand Totals (4 records)"]]
    table = read_table(write(tmp_path / "printable.csv", rows))
    assert list(table.frame.columns) == ["Account Name", "Account ID", "Billing City", "Billing Country", "Type"]
    assert table.frame["Account ID"].tolist() == IDS
    assert table.frame["Billing Country"].tolist() == ["Germany", "Germany", "Germany", ""]  # "-": no country
    assert table.frame["Type"].tolist() == ["Customer", "Customer", "Prospect", ""]  # an outer heading clears it
    heading = next(i for i in table.issues if i.kind == "group_headings")
    assert heading.row == 2
    assert heading.message.startswith("Lines 2, 3, 6 and 8 are group headings of a grouped report (such as "
                                      "'Billing Country: Germany (3 records)'), not records; their values were given "
                                      "to the rows under them, in a column 'Billing Country', 'Type' added for them.")
    assert table.roles(Side.ACCOUNTS).columns["country"] == "Billing Country"


def test_a_layout_whose_first_group_shows_no_value_is_refused_with_the_way_to_export_it(tmp_path: Path) -> None:
    rows = [FORMATTED[0], ["", "Customer", IDS[0], "Acme GmbH", "Berlin", "1"],
            ["", "", IDS[1], "Beta AG", "Munich", "2"], ["Subtotal", "", "", "", "", "3"],
            ["France", "Customer", IDS[3], "Delta SA", "Paris", "4"],
            ["", "", IDS[2], "Gamma SA", "Lyon", "5"]]
    with pytest.raises(TableError, match=r"grouped\.csv: it is a grouped report exported with its layout: column "
                                         r"'Billing Country' holds the group's value only on the first row of each "
                                         r"group, and the first group \(line 2\) shows none.*Details Only"):
        read_table(write(tmp_path / "grouped.csv", rows))


def test_a_details_only_export_and_a_company_named_total_are_left_as_they_are(tmp_path: Path) -> None:
    details = [FORMATTED[0], ["Germany", "Customer", IDS[0], "Acme GmbH", "Berlin", "1"],
               ["Germany", "Customer", IDS[1], "Beta AG", "Munich", "2"], ["France", "Customer", IDS[3], "Delta SA",
                                                                          "Paris", "4"]]
    table = read_table(write(tmp_path / "details.csv", details))
    assert len(table.frame) == 3
    assert table.issues == []
    customers = read_table(write(tmp_path / "customers.csv", [["Customer", "Customer ID", "Country"],
                                                              ["Total", "C1", "FR"], ["Acme", "", "DE"],
                                                              ["Count", "C3", "AT"]]))
    assert customers.frame["Customer"].tolist() == ["Total", "Acme", "Count"]
