"""Salesforce matrix and joined reports exported with their layout are refused with the way to export the
records, through the intake and ``desktop-app match``/``check-addresses``; tables that merely have a "Total"
column, many numeric columns or a totals row are read as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.core.ids import checksum_suffix
from desktop_app.core.tables import TableError, read_table
from tests.core.report_files import write_report

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
IDS = [i + checksum_suffix(i) for i in ("0015g00000ABCde", "0015g00000ABCdf", "0015g00000ABCdg")]
FIX = ("Export the report as Details Only (Export → Details Only, .csv or .xlsx), or turn it into a tabular report "
       "with the Account ID column and export that.")
JOINED_FIX = ("Turn the block you need into a tabular report with the Account ID column and export that as Details "
              "Only (Export → Details Only, .csv or .xlsx): a joined report exports only with its layout.")
BANNER = [["Pipeline by Stage and Quarter"], [], ["Filtered By:"], ["    Close Date: Current FY"], []]
FOOTER = [[], ["Confidential Information - Do Not Distribute"],
          ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]]


def write(path: Path, rows: list[list[str]]) -> Path:
    return write_report(path, rows, blanks_as_empty_cells=True)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_matrix_report_sample_is_refused_naming_its_column_groups_and_total_row(suffix: str) -> None:
    with pytest.raises(TableError) as refused:
        read_table(SAMPLES / f"salesforce_matrix_report{suffix}")
    where = "line" if suffix == ".csv" else "row"
    assert str(refused.value) == (
        f"salesforce_matrix_report{suffix}: it is a Salesforce matrix report exported with its layout, a grid of "
        f"totals ({where} 7 names the column groups 'Customer', 'Prospect', 'Partner', 'Total', {where} 35 is its "
        f"'Total' row), not a list of records, so it cannot be read. {FIX}")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_joined_report_sample_is_refused_naming_its_blocks(suffix: str) -> None:
    with pytest.raises(TableError) as refused:
        read_table(SAMPLES / f"salesforce_joined_report{suffix}")
    where = "line" if suffix == ".csv" else "row"
    assert str(refused.value) == (
        f"salesforce_joined_report{suffix}: it is a Salesforce joined report: 2 blocks ('Accounts' and "
        f"'Opportunities'), each with its own header ({where} 8), not one list of records, so it cannot be read. "
        f"{JOINED_FIX}")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_matrix_with_one_summary_and_an_empty_corner_is_refused(tmp_path: Path, suffix: str) -> None:
    # One row grouping, one summary: a single header row whose corner over the row labels is empty.
    grid = [["", "Q1-2026", "Q2-2026", "Q3-2026", "Grand Total"],
            ["Prospecting", "USD 10,000.00", "USD 2,500.00", "", "USD 12,500.00"],
            ["Negotiation", "", "USD 40,000.00", "USD 7,250.50", "USD 47,250.50"],
            ["Closed Won", "USD 5,000.00", "(USD 1,000.00)", "USD 3,000.00", "USD 7,000.00"],
            ["Grand Total", "USD 15,000.00", "USD 41,500.00", "USD 10,250.50", "USD 66,750.50"]]
    with pytest.raises(TableError, match=r"^pipeline\S*: it is a Salesforce matrix report") as refused:
        read_table(write(tmp_path / f"pipeline{suffix}", [*BANNER, *grid, *FOOTER]))
    assert "'Q1-2026', 'Q2-2026', 'Q3-2026', 'Grand Total'" in str(refused.value)
    assert str(refused.value).endswith(FIX)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_joined_report_with_its_blocks_one_under_the_other_is_refused(tmp_path: Path, suffix: str) -> None:
    rows = [["Accounts"], ["Account Name", "Billing City", "Type"], ["Acme Corp", "London", "Customer"],
            ["Globex Ltd", "Leeds", "Customer"], ["Record Count: 2"], [],
            ["Opportunities"], ["Opportunity Name", "Amount", "Stage"], ["Acme renewal", "12,000", "Closed Won"],
            ["Record Count: 1"]]
    with pytest.raises(TableError) as refused:
        read_table(write(tmp_path / f"joined{suffix}", [*BANNER, *rows, *FOOTER]))
    where = "lines" if suffix == ".csv" else "rows"
    assert str(refused.value).startswith(f"joined{suffix}: it is a Salesforce joined report: 2 blocks")
    assert f"each with its own header ({where} 7 and 13)" in str(refused.value)
    assert str(refused.value).endswith(JOINED_FIX)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_same_rows_with_ids_in_the_second_block_are_still_refused_by_their_titles(
        tmp_path: Path, suffix: str) -> None:
    rows = [["Account Name", "Billing City"], ["Acme Corp", "London"], [],
            ["Opportunities"], ["Opportunity Name", "Account ID"], ["Acme renewal", IDS[0]]]
    with pytest.raises(TableError, match="joined report: 2 blocks, each with its own header"):
        read_table(write(tmp_path / f"joined{suffix}", rows))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_with_a_total_column_and_many_numbers_is_read_as_records(tmp_path: Path, suffix: str) -> None:
    # Ids, a "Total" column, every other column numeric and a closing totals row: records all the same.
    rows = [["Account ID", "Jan", "Feb", "Mar", "Apr", "Total"],
            [IDS[0], "100", "200", "300", "400", "1,000"], [IDS[1], "1", "2", "3", "4", "10"],
            [IDS[2], "5", "5", "5", "5", "20"], ["Total", "106", "207", "308", "409", "1,030"]]
    table = read_table(write(tmp_path / f"ids{suffix}", rows))
    assert table.frame["Account ID"].tolist() == IDS
    assert table.frame["Total"].tolist() == ["1,000", "10", "20"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_customer_list_with_balances_and_a_total_is_read_as_records(tmp_path: Path, suffix: str) -> None:
    # No id, names and e-mails then numbers, a "Total" column and a "TOTAL" row: a list, not a grid.
    rows = [["Customer", "Email", "Billing City", "Open Balance", "Overdue", "Total"],
            ["Acme Corp", "ap@acme.com", "London", "1,200.00", "0.00", "1,200.00"],
            ["Globex Ltd", "ap@globex.com", "Leeds", "300.00", "50.00", "350.00"],
            ["TOTAL", "", "", "1,500.00", "50.00", "1,550.00"]]
    table = read_table(write(tmp_path / f"balances{suffix}", [["Customer Balance Summary"], [], *rows]))
    assert table.frame["Customer"].tolist() == ["Acme Corp", "Globex Ltd"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_names_then_numbers_under_one_header_row_are_read_as_records(tmp_path: Path, suffix: str) -> None:
    # A sales-by-customer sheet: labels then numbers, a Total column and row, but one header row whose first
    # cell names the column (a matrix's column groups need a second header row or an empty corner).
    rows = [["Customer", "Jan 2026", "Feb 2026", "Total"], ["Acme Corp", "10", "20", "30"],
            ["Globex Ltd", "1", "2", "3"], ["Total", "11", "22", "33"]]
    table = read_table(write(tmp_path / f"sales{suffix}", rows))
    assert table.frame["Customer"].tolist() == ["Acme Corp", "Globex Ltd"]


def test_a_banner_line_over_the_header_after_a_blank_is_not_a_second_block(tmp_path: Path) -> None:
    rows = [["Accounts"], [], ["As of today"], ["Account Name", "Billing City", "Account ID"],
            ["Acme Corp", "London", IDS[0]], ["Globex Ltd", "Leeds", IDS[1]]]
    for suffix in (".csv", ".xlsx"):
        table = read_table(write(tmp_path / f"accounts{suffix}", rows))
        assert table.frame["Account ID"].tolist() == IDS[:2]


def test_match_and_check_addresses_refuse_a_matrix_report_with_its_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    customers = write(tmp_path / "customers.csv", [["id", "Name"], ["cus_QX1abcdEFGH1", "Acme Corp"]])
    matrix = SAMPLES / "salesforce_matrix_report.xlsx"
    assert main(["match", "--accounts", str(matrix), "--customers", str(customers),
                 "--out", str(tmp_path / "m.csv")]) == 2
    err = capsys.readouterr().err
    assert "salesforce_matrix_report.xlsx: it is a Salesforce matrix report exported with its layout" in err
    assert FIX in err
    assert not (tmp_path / "m.csv").exists()
    assert main(["check-addresses", "--input", str(SAMPLES / "salesforce_joined_report.csv"),
                 "--out", str(tmp_path / "p.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "salesforce_joined_report.csv: it is a Salesforce joined report: 2 blocks" in err
    assert JOINED_FIX in err
    assert "Traceback" not in err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_grid_whose_columns_mix_text_and_numbers_is_read_as_records(tmp_path: Path, suffix: str) -> None:
    # Nameless first column, a "Total" column and row, but postcodes (some all digits) are a record's column.
    rows = [["", "Postcode", "Jan", "Feb", "Total"], ["Acme Corp", "SW1A 1AA", "1", "2", "3"],
            ["Initech GmbH", "10115", "4", "5", "9"], ["Globex Ltd", "LS1 4AP", "1", "1", "2"],
            ["Total", "", "6", "8", "14"]]
    table = read_table(write(tmp_path / f"postcodes{suffix}", rows))
    # (its "Total" row stays: under a nameless first column the footer reader does not look for it)
    assert table.frame["Postcode"].tolist()[:3] == ["SW1A 1AA", "10115", "LS1 4AP"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_grid_whose_row_labels_are_account_ids_is_read_as_records(tmp_path: Path, suffix: str) -> None:
    rows = [["", "Customer", "Prospect", "Total"], [IDS[0], "1", "0", "1"], [IDS[1], "2", "1", "3"],
            ["Total", "3", "1", "4"]]
    table = read_table(write(tmp_path / f"by_id{suffix}", rows))
    assert table.frame.iloc[:, 0].tolist()[:2] == IDS[:2]


def test_a_one_value_row_after_a_blank_in_a_customers_file_is_not_a_block_title(tmp_path: Path) -> None:
    # The next row holds an id (digits): a record, not a block's header row.
    rows = [["id", "Name", "City"], ["cus_QX1abcdEFGH1", "Acme Corp", "London"], [], ["cus_QX9abcdEFGH9"],
            ["cus_QX2abcdEFGH2", "Globex Ltd", "Leeds"]]
    table = read_table(write(tmp_path / "customers.csv", rows))
    assert table.frame["id"].tolist() == ["cus_QX1abcdEFGH1", "cus_QX9abcdEFGH9", "cus_QX2abcdEFGH2"]
