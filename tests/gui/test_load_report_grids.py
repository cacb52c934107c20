"""The Load page refuses a Salesforce matrix or joined report with the sentence the command line prints, and
keeps Next closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.roles import Side
from desktop_app.core.tables import TableError, read_table
from tests.gui.test_load_page_agrees import _load_page, _next_open, shown

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.parametrize("name", ["salesforce_matrix_report.xlsx", "salesforce_joined_report.csv"])
def test_a_report_grid_is_refused_on_the_load_page_with_the_intakes_sentence(wizard, wait_idle, name: str) -> None:
    with pytest.raises(TableError) as refused:
        read_table(SAMPLES / name)
    load = _load_page(wizard)
    accounts = load.slots[Side.ACCOUNTS]
    accounts.load(SAMPLES / name)
    wait_idle(load)
    assert str(refused.value) in shown(accounts)
    assert Side.ACCOUNTS not in wizard.state.loaded
    assert not load.isComplete()
    assert not _next_open(wizard)
