"""The refusals every front end shares hold for a plain Python call of the match step too."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.ids import checksum_suffix
from desktop_app.core.tables import TableError
from desktop_app.workflow.match import match_files

ACCOUNT = "0015g00000ABCde" + checksum_suffix("0015g00000ABCde")


def test_match_files_refuses_half_a_mapping_and_customers_without_ids(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(f"Id,Name\n{ACCOUNT},Acme Corp\n", encoding="utf-8")
    customers = tmp_path / "customers.csv"
    customers.write_text("id,Name\ncus_1,Acme Corp\n", encoding="utf-8")
    half = tmp_path / "half.csv"
    half.write_text(f"Salesforce ID,Legacy Ref\n{ACCOUNT},cus_1\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"half\.csv: no column of the mapping holds the customer id, so none of "
                                         r"its pairs can be used\. The columns are: 'Salesforce ID', 'Legacy Ref'\. "
                                         r"Say which column holds it\."):
        match_files(accounts, customers, mapping_path=half)
    empty = tmp_path / "empty.csv"
    empty.write_text("Customer ID,Name\n,Acme Corp\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"empty\.csv: its customer id column 'Customer ID' is empty"):
        match_files(accounts, empty)
    assert len(match_files(accounts, customers).result.decisions) == 1
