"""Every hostile file gets a clean answer from ``match`` and ``check-addresses``: exit 2 with a
sentence, or a result with its issues named; never a traceback, never a raw control character on
the terminal, never a record split or an id given two partners."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.cli import main
from desktop_app.core.ids import normalize_id
from tests.cli.hostile_files import Hostile, generate, sample_rows

RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FOLDER_CACHE: dict[str, list[Hostile]] = {}


def _hostiles(folder: Path) -> list[Hostile]:
    return list(generate(folder))


def _cases() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        return [h.name for h in _hostiles(Path(scratch))]


@pytest.fixture(scope="module")
def hostiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Hostile]:
    return {h.name: h for h in _hostiles(tmp_path_factory.mktemp("hostile"))}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _issue_kinds(report: Path) -> set[str]:
    book = load_workbook(report, read_only=True)
    try:
        if "File issues" not in book.sheetnames:
            return set()
        return {str(row[3]) for row in book["File issues"].iter_rows(min_row=2, values_only=True)}
    finally:
        book.close()


@pytest.mark.parametrize("name", _cases())
def test_match_gives_every_hostile_file_a_clean_answer(
    name: str, hostiles: dict[str, Hostile], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = hostiles[name]
    args = ["match", "--accounts", str(hostile.accounts), "--customers", str(hostile.customers)]
    code = main([*args, "--out", str(tmp_path / "m.xlsx")])
    err = capsys.readouterr().err
    assert not RAW_CONTROL.search(err), f"a raw control character reached the terminal: {err!r}"
    if hostile.refusal:
        assert code == 2
        assert hostile.refusal in err
        assert not (tmp_path / "m.xlsx").exists()
        return
    assert code == 0, err
    assert hostile.issues <= _issue_kinds(tmp_path / "m.xlsx")
    assert main([*args, "--out", str(tmp_path / "m.csv")]) == 0
    assert not RAW_CONTROL.search(capsys.readouterr().err)
    decisions = _csv(tmp_path / "m.csv")
    taken = [normalize_id(r["account_id"]) or r["account_id"] for r in decisions
             if r["status"] in ("matched", "already_linked")]
    assert "" not in taken, "an empty Account Id was matched"
    assert len(taken) == len(set(taken)), "one Account Id was given two partners"
    customers = [r["customer_id"].strip() for r in decisions if r["status"] in ("matched", "already_linked")]
    assert "" not in customers
    assert len(customers) == len(set(customers)), "one customer id was given two partners"
    if hostile.kind in ("control", "break"):
        accounts, customers = sample_rows(hostile.accounts), sample_rows(hostile.customers)
        names = {r[1] for r in accounts[1:]}
        assert names <= {r["account_name"] for r in decisions}, "a value was changed or a record split"
        assert len([r for r in decisions if r["account_id"]]) == len(accounts) - 1
        name = customers[0].index("Name")
        assert {r[name] for r in customers[1:]} <= {r["customer_name"] for r in decisions} | {""}


@pytest.mark.parametrize("name", [n for n in _cases() if not n.startswith(("dup_customers", "customers_"))])
def test_check_addresses_gives_every_hostile_file_a_clean_answer(
    name: str, hostiles: dict[str, Hostile], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = hostiles[name]
    fixed = tmp_path / "fixed.csv"
    code = main(["check-addresses", "--input", str(hostile.accounts), "--out", str(tmp_path / "p.xlsx"),
                 "--fixed-out", str(fixed)])
    err = capsys.readouterr().err
    assert not RAW_CONTROL.search(err), f"a raw control character reached the terminal: {err!r}"
    if hostile.refusal:
        assert code == 2
        assert hostile.refusal in err
        return
    assert code == 0, err
    load_workbook(tmp_path / "p.xlsx").close()
    if hostile.accounts.suffix == ".csv" and hostile.kind != "title":
        source = sample_rows(hostile.accounts)
        with fixed.open(encoding="utf-8-sig", newline="") as handle:
            written = list(csv.reader(handle))
        assert len(written) == len(source), "a record was split or lost in --fixed-out"
