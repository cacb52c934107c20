"""Any billing system by file: presets, re-import files and filled copies; the source is never touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from billing_support import ACCOUNT_A, ACCOUNT_B

from desktop_app.billing.base import BillingSystem
from desktop_app.billing.file_adapter import FileBilling
from desktop_app.billing.file_export import OutputIsSourceError
from desktop_app.billing.file_presets import PRESETS, preset_named
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW
from desktop_app.core.tables import read_table

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _copy(sample: str, tmp_path: Path) -> Path:
    target = tmp_path / sample
    shutil.copyfile(SAMPLES / sample, target)
    return target


@pytest.mark.parametrize(
    ("sample", "preset", "first_id", "reimport_header"),
    [
        ("quickbooks_customers.csv", "quickbooks", "60", "Id,Notes"),
        ("xero_contacts.csv", "xero", "XR-1020", "*ContactName,ContactNumber"),
        ("zuora_accounts.csv", "zuora", "8a8082c4a4c123b1612dd272d1371c17", "Id,crmId"),
        ("chargebee_customers.csv", "chargebee", "16CHb015SqMAPL", "id,cf_salesforce_account_id"),
        ("stripe_customers_export.csv", "stripe", "cus_kzHYHWY2os07So", "id,metadata[salesforce_account_id]"),
    ],
)
def test_detects_the_export_and_writes_its_import_shape(
    tmp_path: Path, sample: str, preset: str, first_id: str, reimport_header: str
) -> None:
    source = _copy(sample, tmp_path)
    original = source.read_bytes()
    system = FileBilling(source)
    assert isinstance(system, BillingSystem)
    assert system.preset.name == preset
    frame = system.customers_frame()
    assert list(frame.columns) == [*CUSTOMER_ROLES, SOURCE_ROW]
    assert frame["customer_id"].iloc[0] == first_id
    assert frame["sf_account_id"].iloc[0].startswith("0015g")
    second_id, second_link = frame["customer_id"].iloc[1], frame["sf_account_id"].iloc[1]

    results = system.write_links([(first_id, ACCOUNT_A), (second_id, second_link), ("missing", ACCOUNT_B)])
    assert [r.status for r in results] == ["written", "unchanged", "not_found"]
    assert results[0].previous == frame["sf_account_id"].iloc[0]
    reimport, filled = system.default_paths()
    lines = reimport.read_text(encoding="utf-8").splitlines()
    assert lines[0] == reimport_header
    assert len(lines) == 2  # only the changed link
    assert ACCOUNT_A in lines[1]
    relinked = FileBilling(filled, preset=preset)
    assert relinked.read_links([first_id, second_id]) == {first_id: ACCOUNT_A, second_id: second_link}
    before, after = read_table(source).frame, read_table(filled).frame
    assert list(after.columns) == list(before.columns)
    link_column = system.capabilities.link_location.split('"')[1]
    assert after.drop(columns=[link_column]).equals(before.drop(columns=[link_column]))
    assert source.read_bytes() == original


def test_quickbooks_notes_keep_their_free_text(tmp_path: Path) -> None:
    preset = preset_named("quickbooks")
    assert preset.extract_link("Net 30. SFDC 0015g00000JNqQlAAL please") == "0015g00000JNqQlAAL"
    assert preset.merge_link("Net 30. SFDC 0015g00000JNqQlAAL please", ACCOUNT_A) == f"Net 30. SFDC {ACCOUNT_A} please"
    assert preset.merge_link("Net 30.", ACCOUNT_A) == f"Net 30. SFDC {ACCOUNT_A}"
    assert preset.merge_link("", ACCOUNT_A) == f"SFDC {ACCOUNT_A}"


def test_refuses_to_overwrite_the_export(tmp_path: Path) -> None:
    source = _copy("zuora_accounts.csv", tmp_path)
    original = source.read_bytes()
    system = FileBilling(source)
    with pytest.raises(OutputIsSourceError, match="never overwrites"):
        system.export_links([("8a8082c4a4c123b1612dd272d1371c17", ACCOUNT_A)], tmp_path / "r.csv", source)
    with pytest.raises(OutputIsSourceError):
        system.export_links([], source, tmp_path / "copy.csv")
    assert source.read_bytes() == original
    assert not (tmp_path / "r.csv").exists()


def test_cp1252_semicolon_export_is_copied_in_the_same_encoding_and_delimiter(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes("Customer ID;Name;Country\r\nC-1;Café Ölmann;France\r\nC-2;Smith & Co;US\r\n".encode("cp1252"))
    system = FileBilling(source)
    output = system.export_links([("C-1", ACCOUNT_A)], tmp_path / "reimport.csv", tmp_path / "linked.csv")
    assert output.reimport_rows == 1
    copied = output.filled_path.read_bytes().decode("cp1252")
    assert copied.splitlines()[0] == "Customer ID;Name;Country;salesforce_account_id"
    assert copied.splitlines()[1] == f"C-1;Café Ölmann;France;{ACCOUNT_A}"
    assert copied.splitlines()[2] == "C-2;Smith & Co;US;"
    assert (tmp_path / "reimport.csv").read_text(encoding="utf-8").splitlines() == [
        "billing_id,salesforce_account_id", f"C-1,{ACCOUNT_A}"]


def test_xlsx_export_gives_an_xlsx_copy_with_only_the_link_cells_changed(tmp_path: Path) -> None:
    source = _copy("multi_sheet.xlsx", tmp_path)
    system = FileBilling(source, sheet="Customers")
    first = system.customers_frame()["customer_id"].iloc[0]
    output = system.export_links([(first, ACCOUNT_A)], tmp_path / "r.csv", tmp_path / "linked.xlsx")
    assert [r.status for r in output.results] == ["written"]
    original = openpyxl.load_workbook(source)
    copied = openpyxl.load_workbook(output.filled_path)
    assert copied.sheetnames == original.sheetnames
    changed = [
        (cell.coordinate, cell.value)
        for row_a, row_b in zip(original["Customers"].iter_rows(), copied["Customers"].iter_rows(), strict=True)
        for cell, cell_before in zip(row_b, row_a, strict=True) if cell.value != cell_before.value
    ]
    assert [value for _, value in changed] == [ACCOUNT_A]
    assert FileBilling(output.filled_path, sheet="Customers").read_links([first]) == {first: ACCOUNT_A}


def test_every_preset_has_distinct_reimport_columns() -> None:
    for preset in PRESETS.values():
        assert preset.reimport_key != preset.reimport_link
    with pytest.raises(ValueError, match="Unknown preset"):
        preset_named("sage")


def test_filled_copy_keeps_repeated_and_nameless_headers_in_their_order(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text("Customer ID,Name,,Name,salesforce_account_id,\r\nC-1,Acme,,Acme Ltd,,\r\n"
                      "C-2,Beta,,Beta plc,,\r\n", encoding="utf-8")
    output = FileBilling(source).export_links([("C-2", ACCOUNT_A)], tmp_path / "r.csv", tmp_path / "linked.csv")
    lines = output.filled_path.read_text(encoding="utf-8").splitlines()
    assert lines == ["Customer ID,Name,,Name,salesforce_account_id,", "C-1,Acme,,Acme Ltd,,",
                     f"C-2,Beta,,Beta plc,{ACCOUNT_A},"]
