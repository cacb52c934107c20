"""The DataFrame model: Qt's model rules, pandas-side sorting/filtering, and a million rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from desktop_app.gui.frame_model import SOURCE_POSITION_ROLE, FrameModel, ViewSpec, display_text, view_order

SMALL = pd.DataFrame({
    "account_id": ["001A", "001B", "001C", "001D", "001E"],
    "name": ["beta", "Alpha", "gamma", "alpha", "Delta"],
    "status": ["matched", "suggested", "unmatched", "suggested", "matched"],
    "score": [99.0, 88.5, 0.0, float("nan"), 100.0],
}).astype({"account_id": object, "name": object, "status": object})


def _column(model: FrameModel, column: int) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_model_follows_qt_rules(qtmodeltester) -> None:
    model = FrameModel(SMALL.copy())
    qtmodeltester.check(model, force_py=True)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_cells_headers_and_positions_read_by_position() -> None:
    model = FrameModel(SMALL.copy(), headers={"account_id": "Account ID"})
    assert model.rowCount() == 5
    assert model.columnCount() == 4
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Account ID"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Score"
    assert _column(model, 3) == ["99", "88.5", "0", "", "100"]
    model.sort(1)
    assert _column(model, 1) == ["Alpha", "alpha", "beta", "Delta", "gamma"]  # case-blind, stable
    assert model.data(model.index(0, 0), SOURCE_POSITION_ROLE) == 1
    assert model.source_position(1) == 3


def test_filter_search_and_numeric_sort_compose() -> None:
    spec = ViewSpec(sort_column="score", ascending=False, filter_column="status",
                    filter_values=frozenset({"matched", "suggested"}), search="LPH")
    assert view_order(SMALL, spec).tolist() == [1, 3]  # NaN score last
    spec = ViewSpec(filter_column="status", filter_values=frozenset({"matched"}), search="d",
                    search_columns=("name",))
    assert view_order(SMALL, spec).tolist() == [4]
    assert view_order(SMALL, ViewSpec(search="nothing like it")).tolist() == []


def test_edits_show_and_refresh_reapplies_the_filter() -> None:
    model = FrameModel(SMALL.copy())
    model.set_view(ViewSpec(filter_column="status", filter_values=frozenset({"suggested"})))
    assert _column(model, 0) == ["001B", "001D"]
    model.set_values([model.source_position(0)], {"status": "matched", "score": 95.0})
    assert _column(model, 2) == ["matched", "suggested"]
    model.refresh()
    assert _column(model, 0) == ["001D"]
    assert model.frame.loc[1, "score"] == 95.0


def test_display_text() -> None:
    assert display_text(None) == ""
    assert display_text(float("nan")) == ""
    assert display_text(np.float64(97.25)) == "97.2" or display_text(np.float64(97.25)) == "97.3"
    assert display_text(["cus_1", "cus_2"]) == "cus_1; cus_2"


def test_a_million_rows_sort_and_filter_in_the_background(qtbot) -> None:
    rows = 1_000_000
    numbers = np.arange(rows)
    frame = pd.DataFrame({
        "account_id": pd.Series(np.char.add("001", numbers.astype(str)), dtype=object),
        "status": pd.Series(np.where(numbers % 3 == 0, "matched", "unmatched"), dtype=object),
        "score": (numbers * 7919 % 1000).astype(float),
    })
    model = FrameModel(frame)
    assert model.rowCount() == rows
    with qtbot.waitSignal(model.view_changed, timeout=60_000):
        model.set_view(ViewSpec(sort_column="score", ascending=False, filter_column="status",
                                filter_values=frozenset({"matched"})))
        assert model.busy  # the UI thread returned at once; the work is on a worker
    assert not model.busy
    assert model.rowCount() == (rows + 2) // 3
    scores = model.frame["score"].to_numpy()[model.view_positions()]
    assert (np.diff(scores) <= 0).all()
    assert model.data(model.index(0, 1)) == "matched"
