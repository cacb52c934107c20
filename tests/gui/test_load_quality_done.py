"""Load, Data quality and Done pages on real files: loading, column choices, problems by row, fixes, saving."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWizard

from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
from desktop_app.gui.column_dialog import NOT_IN_FILE, ColumnMappingDialog
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey
from desktop_app.workflow.load_files import load_input

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _start(wizard, journey: Journey, *, demo: bool = False) -> None:
    welcome = wizard.page_for("welcome")
    (welcome.demo_button if demo else welcome.files_button).setChecked(True)
    welcome.journey_buttons[journey].setChecked(True)
    wizard.next()


def test_demo_mode_reads_both_sandboxes_through_their_apis(wizard, wait_idle, through_org_pages) -> None:
    _start(wizard, Journey.LINK, demo=True)
    through_org_pages(wizard)
    load = wizard.page_for("load")
    wait_idle(load)
    assert load.isComplete()
    assert set(wizard.state.loaded) == {Side.ACCOUNTS, Side.CUSTOMERS}
    assert "2,000 rows read as accounts" in load.slots[Side.ACCOUNTS].status.text()
    # the link field was set (or kept) on the Link fields page, not typed here
    assert "Link: column 'Billing_Customer_ID__c' (the field set on the Link fields page)." in \
        load.slots[Side.ACCOUNTS].status.text()
    issues = load.issues_model.frame
    assert len(issues)
    assert set(issues["file"]) == {"billing_customers.csv"}  # the snapshot of what Sequence returned
    assert (issues["row"] > 1).all()  # every problem points at its row in the file
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_browse_loads_a_file_and_an_unreadable_one_says_what_to_do(wizard, wait_idle, monkeypatch) -> None:
    _start(wizard, Journey.LINK)
    load = wizard.page_for("load")
    chosen = iter([SAMPLES / "binary.pdf", SAMPLES / "salesforce_accounts_export.csv"])
    monkeypatch.setattr(dialogs, "choose_open_file", lambda *args: next(chosen))
    slot = load.slots[Side.ACCOUNTS]
    slot.browse.click()
    wait_idle(load)
    assert "binary.pdf is a PDF document, not a table" in slot.status.text()
    assert not load.isComplete()
    slot.browse.click()
    wait_idle(load)
    assert slot.loaded is not None
    assert len(slot.loaded.frame) == 30
    assert not load.isComplete()  # the customers file is still missing; the mapping file is optional


def test_column_dialog_overrides_a_detected_column(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("Id,Name,Legal Name\n0015g000000l7dUAAQ,Acme,Acme Corporation Inc.\n", encoding="utf-8")
    loaded = load_input(path, Side.ACCOUNTS)
    dialog = ColumnMappingDialog(loaded)
    qtbot.addWidget(dialog)
    assert dialog.combos["account_id"].currentText() == "Id"
    assert dialog.combos["website"].currentText() == NOT_IN_FILE
    dialog.combos["name"].setCurrentText("Legal Name")
    assert dialog.preview_model.frame.loc[0, "name"] == "Acme Corporation Inc."
    overrides = dialog.overrides()
    assert [(o.role, o.header, o.side) for o in overrides] == [("name", "Legal Name", Side.ACCOUNTS)]
    reloaded = load_input(path, Side.ACCOUNTS, overrides)
    assert reloaded.frame.loc[0, "name"] == "Acme Corporation Inc."
    dialog.done(QDialog.DialogCode.Rejected)


def test_address_journey_finds_problems_accepts_fixes_and_saves(wizard, wait_idle, monkeypatch,
                                                               tmp_path: Path) -> None:
    _start(wizard, Journey.ADDRESSES)
    load = wizard.page_for("load")
    monkeypatch.setattr(dialogs, "choose_open_file", lambda *args: SAMPLES / "zuora_accounts.csv")
    load.slots[Side.ACCOUNTS].browse.click()
    wait_idle(load)
    assert load.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_IDS["quality"]
    quality = wizard.page_for("quality")
    wait_idle(quality)
    problems = quality.model.frame
    assert len(problems) == len(wizard.state.address_check.problems) > 0
    assert quality.accepted().empty
    fixable_rows = [r for r in range(quality.model.rowCount())
                    if problems.loc[quality.model.source_position(r), "suggestion"] != ""]
    quality.table.selectRow(fixable_rows[0])
    quality.accept_button.click()
    first_position = quality.model.source_position(fixable_rows[0])
    assert list(quality.accepted().index) == [first_position]
    quality.accept_confident()
    confident = problems[(problems["suggestion"] != "") & (problems["confidence"] >= 0.9)]
    assert set(quality.accepted().index) == set(confident.index) | {first_position}
    wizard.next()
    done = wizard.page_for("done")
    assert wizard.currentId() == PAGE_IDS["done"]
    targets = iter([tmp_path / "problems.csv", tmp_path / "fixed.csv"])
    monkeypatch.setattr(dialogs, "choose_save_file", lambda *args: next(targets))
    done.buttons["address_problems.xlsx"].click()
    wait_idle(done)
    done.buttons["fixed_customers.csv"].click()  # a Zuora export holds customers (its own Id on every row)
    wait_idle(done)
    with (tmp_path / "problems.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == len(problems)
    with (tmp_path / "fixed.csv").open(encoding="utf-8-sig", newline="") as handle:
        fixed = list(csv.reader(handle))
    with (SAMPLES / "zuora_accounts.csv").open(encoding="utf-8-sig", newline="") as handle:
        original = list(csv.reader(handle))
    assert fixed[0] == original[0], "the fixed file keeps the export's own headers and column order"
    assert len(fixed) == len(original)
    accepted = quality.accepted()
    first = accepted.iloc[0]
    header = wizard.state.address_check.loaded.roles.columns[first["field"]]
    assert fixed[int(first["row"]) - 1][original[0].index(header)] == first["suggestion"]
    assert "Saved:" in done.saved_label.text()
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(dialogs, "choose_save_file", lambda *args: blocked / "problems.xlsx")
    done.buttons["address_problems.xlsx"].click()
    wait_idle(done)
    assert done.error_line.isVisibleTo(done)
    assert "problems.xlsx could not be saved" in done.error_line.text()


@pytest.mark.parametrize("journey", [Journey.LINK, Journey.MAPPING])
def test_link_journeys_need_the_right_files(wizard, journey: Journey) -> None:
    _start(wizard, journey)
    load = wizard.page_for("load")
    assert list(load.slots) == [Side.ACCOUNTS, Side.CUSTOMERS, Side.MAPPING]
    assert load.slots[Side.MAPPING].optional is (journey is Journey.LINK)


def test_columns_button_reloads_with_the_chosen_column(wizard, wait_idle, monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("Id,Name,Legal Name,Country\n0015g000000l7dUAAQ,Acme,Acme Corporation Inc.,Deutschland\n",
                    encoding="utf-8")
    _start(wizard, Journey.ADDRESSES)
    load = wizard.page_for("load")
    monkeypatch.setattr(dialogs, "choose_open_file", lambda *args: path)
    slot = load.slots[Side.ACCOUNTS]
    slot.browse.click()
    wait_idle(load)
    assert wizard.state.address_check.loaded.frame.loc[0, "name"] == "Acme"

    def choose_legal_name(dialog) -> bool:
        dialog.combos["name"].setCurrentText("Legal Name")
        return True

    monkeypatch.setattr(dialogs, "run_dialog", choose_legal_name)
    slot.columns.click()
    wait_idle(load)
    assert wizard.state.address_check.loaded.frame.loc[0, "name"] == "Acme Corporation Inc."
    assert [(o.role, o.header) for o in wizard.state.overrides[Side.ACCOUNTS]] == [("name", "Legal Name")]


def test_changing_the_journey_forgets_the_files(wizard, wait_idle, monkeypatch) -> None:
    _start(wizard, Journey.ADDRESSES)
    monkeypatch.setattr(dialogs, "choose_open_file", lambda *args: SAMPLES / "zuora_accounts.csv")
    wizard.page_for("load").slots[Side.ACCOUNTS].browse.click()
    wait_idle(wizard.page_for("load"))
    wizard.back()
    wizard.page_for("welcome").journey_buttons[Journey.LINK].setChecked(True)
    wizard.next()
    load = wizard.page_for("load")
    assert wizard.state.paths == {}
    assert wizard.state.loaded == {}
    assert all(not slot.path_edit.text() for slot in load.slots.values())
    assert not load.isComplete()


def test_enter_inside_a_table_never_advances_the_wizard(wizard, wait_idle, monkeypatch, qtbot) -> None:
    from PySide6.QtCore import Qt

    _start(wizard, Journey.ADDRESSES)
    load = wizard.page_for("load")
    monkeypatch.setattr(dialogs, "choose_open_file", lambda *args: SAMPLES / "zuora_accounts.csv")
    load.slots[Side.ACCOUNTS].browse.click()
    wait_idle(load)
    wizard.next()
    quality = wizard.page_for("quality")
    wait_idle(quality)
    quality.table.setFocus()
    quality.table.selectRow(0)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        qtbot.keyClick(quality.table, key)
        assert wizard.currentId() == PAGE_IDS["quality"]
    qtbot.keyClick(quality.table, Qt.Key.Key_Down)  # other keys still reach the table
    assert quality.table.currentIndex().row() == 1


def test_load_page_answers_hostile_files_with_a_sentence(wizard, wait_idle, monkeypatch, tmp_path: Path) -> None:
    from tests.cli.hostile_files import generate

    hostile = {h.name: h for h in generate(tmp_path) if h.kind in ("formulas", "title", "duplicate_ids", "nul")}
    _start(wizard, Journey.LINK)
    load = wizard.page_for("load")
    slot = load.slots[Side.ACCOUNTS]
    expectations = [("formulas_0.xlsx", "Sheet!A2, Sheet!A5, Sheet!A8, Sheet!A11, Sheet!A14 (and 5 more cells) hold "
                                        "formulas with no saved value: open and save it in Excel, or export CSV"),
                    ("nul_1.csv", "line 9: holds a NUL byte")]
    for name, sentence in expectations:
        monkeypatch.setattr(dialogs, "choose_open_file", lambda *args, n=name: hostile[n].accounts)
        slot.browse.click()
        wait_idle(load)
        assert sentence in slot.status.text()
        assert slot.loaded is None
    for name, kind in (("title_0.xlsx", "Title row"), ("dup_ids_0.csv", "Duplicate id")):  # codes in words
        monkeypatch.setattr(dialogs, "choose_open_file", lambda *args, n=name: hostile[n].accounts)
        slot.browse.click()
        wait_idle(load)
        assert slot.loaded is not None
        assert kind in set(load.issues_model.frame["kind"])


def test_quality_rows_name_their_record_fixes_edit_in_place_and_bulk_accept_asks(wizard, wait_idle, qtbot,
                                                                                  monkeypatch) -> None:
    _start(wizard, Journey.ADDRESSES)
    load = wizard.page_for("load")
    monkeypatch.setattr(dialogs, "choose_open_file", lambda *args: SAMPLES / "zuora_accounts.csv")
    load.slots[Side.ACCOUNTS].browse.click()
    wait_idle(load)
    wizard.next()
    quality = wizard.page_for("quality")
    wait_idle(quality)
    problems = quality.model.frame
    loaded = wizard.state.address_check.loaded.frame  # read as customers: a Zuora export, its Id on every row
    records = loaded.drop_duplicates("customer_id").set_index("customer_id")["name"]
    assert (problems["name"] == problems["record_id"].map(records).fillna("")).all()
    assert (problems["name"] != "").any()

    kind = quality.kind_filter.findData(f"code={problems['code'].iloc[0]}")
    quality.kind_filter.setCurrentIndex(kind)
    shown = problems.iloc[quality.model.view_positions()]
    assert set(shown["code"]) == {problems["code"].iloc[0]}
    assert quality.kind_filter.currentText().endswith(f"({len(shown):,})")
    quality.kind_filter.setCurrentIndex(0)

    column = quality.model.column_index("suggestion")
    quality.table.setFocus()
    quality.table.setCurrentIndex(quality.model.index(0, column))
    position = quality.model.source_position(0)
    qtbot.keyClick(quality.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Typed fix")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: problems.loc[position, "suggestion"] == "Typed fix", timeout=5000)
    assert problems.loc[position, "accept"] == "yes"
    assert wizard.currentId() == PAGE_IDS["quality"]  # Enter committed the edit and stayed
    qtbot.keyClick(quality.table, Qt.Key.Key_Return)  # and Enter on the table itself never advances
    assert wizard.currentId() == PAGE_IDS["quality"]

    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm_action", lambda parent, title, message, action: asked.append(message))
    before = len(quality.accepted())
    quality.accept_all_button.click()
    pending = problems[(problems["suggestion"] != "") & (problems["confidence"] >= 0.9) & (problems["accept"] != "yes")]
    assert asked[0].startswith(f"This accepts {len(pending):,} fixes")
    assert len(quality.accepted()) == before  # not confirmed: nothing accepted
    monkeypatch.setattr(dialogs, "confirm_action", lambda *args: True)
    quality.accept_all_button.click()
    assert len(quality.accepted()) == before + len(pending)
