"""A Qt table model over a pandas DataFrame that stays smooth with a million rows.

The model reads the frame by position (``rowCount``/``data`` touch only the rows a view paints).
Sorting, filtering and searching never iterate rows in Python: ``view_order`` computes, with pandas
and numpy, the frame positions to show in order, and the model just swaps in that array. For big
frames that computation runs on a background task, so the UI never waits for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.gui.tasks import BackgroundTask, run_in_background
from desktop_app.workflow.review import write_rows

Positions = npt.NDArray[np.intp]
AnyIndex = QModelIndex | QPersistentModelIndex
BACKGROUND_ROWS = 50_000  # from this many rows a new view order is computed off the UI thread
SOURCE_POSITION_ROLE = Qt.ItemDataRole.UserRole + 1  # data(): the row's position in the frame


@dataclass(frozen=True)
class ViewSpec:
    """What a view shows: rows whose ``filter_column`` is one of ``filter_values`` (all when empty),
    containing ``search`` (case-insensitive) in one of ``search_columns`` (all when empty), sorted
    by ``sort_column``."""

    sort_column: str | None = None
    ascending: bool = True
    filter_column: str | None = None
    filter_values: frozenset[str] = field(default_factory=frozenset)
    search: str = ""
    search_columns: tuple[str, ...] = ()


def view_order(frame: pd.DataFrame, spec: ViewSpec, *, progress: ProgressCallback = ignore_progress,
               cancel: CancelToken | None = None) -> Positions:
    """The frame positions ``spec`` shows, in display order (vectorised; stable for equal keys)."""
    mask = np.ones(len(frame), dtype=bool)
    if spec.filter_column is not None and spec.filter_values:
        mask &= frame[spec.filter_column].isin(list(spec.filter_values)).to_numpy(dtype=bool)
    needle = spec.search.strip()
    if needle:
        found = np.zeros(len(frame), dtype=bool)
        columns = spec.search_columns or tuple(str(c) for c in frame.columns)
        for done, name in enumerate(columns):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(Progress(done, len(columns) + 1, f"Searching {name}"))
            text = frame[name].astype(str)
            found |= text.str.contains(needle, case=False, regex=False).fillna(False).to_numpy(dtype=bool)
        mask &= found
    positions = np.flatnonzero(mask).astype(np.intp)
    if spec.sort_column is None or positions.size == 0:
        return positions
    if cancel is not None:
        cancel.raise_if_cancelled()
    progress(Progress(1, 2, f"Sorting by {spec.sort_column}"))
    column: pd.Series = frame[spec.sort_column]
    keys: pd.Series = column.iloc[positions]
    if not pd.api.types.is_numeric_dtype(column.dtype):
        keys = keys.astype(str).str.casefold()
    keyed = pd.Series(keys.to_numpy(), index=positions)
    ordered = keyed.sort_values(ascending=spec.ascending, kind="stable", na_position="last")
    return ordered.index.to_numpy(dtype=np.intp)


def display_text(value: object) -> str:
    """How a cell reads in a table: "" for missing, whole floats without ".0", lists joined."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return f"{value:.1f}".removesuffix(".0")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


class FrameModel(QAbstractTableModel):
    """Rows of a DataFrame in the order a ``ViewSpec`` gives; read-only to views, edited by pages."""

    busy_changed = Signal(bool)  # True while a new view order is being computed in the background
    view_changed = Signal()  # a new order is showing (row count may differ)
    edited = Signal(int, str)  # a person edited a cell in place: frame position, column name

    def __init__(self, frame: pd.DataFrame | None = None, *, headers: Mapping[str, str] | None = None,
                 background_rows: int = BACKGROUND_ROWS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame() if frame is None else frame
        self._alignments = self._column_alignments()
        self._order: Positions = np.arange(len(self._frame), dtype=np.intp)
        self._headers = dict(headers or {})
        self._background_rows = background_rows
        self._spec = ViewSpec()
        self._task: BackgroundTask | None = None
        self._generation = 0
        self._editable: frozenset[str] = frozenset()

    # --- what the pages use -------------------------------------------------------------------
    @property
    def frame(self) -> pd.DataFrame:
        """The whole frame, every row, in its own order (edits included)."""
        return self._frame

    @property
    def spec(self) -> ViewSpec:
        """The view asked for last (it may still be computing)."""
        return self._spec

    @property
    def busy(self) -> bool:
        """True while a new view order is being computed."""
        return self._task is not None

    def set_frame(self, frame: pd.DataFrame, spec: ViewSpec | None = None) -> None:
        """Show ``frame`` (all rows in frame order at once), then apply ``spec`` or the current one."""
        self._cancel_pending()
        self.beginResetModel()
        self._frame = frame
        self._alignments = self._column_alignments()
        self._order = np.arange(len(frame), dtype=np.intp)
        self.endResetModel()
        self.view_changed.emit()
        self.set_view(spec or self._spec)

    def set_view(self, spec: ViewSpec) -> None:
        """Sort/filter/search as ``spec`` says; big frames are done in the background."""
        self._spec = spec
        self._cancel_pending()
        self._generation += 1
        if spec == ViewSpec():
            self._apply_order(np.arange(len(self._frame), dtype=np.intp))
            return
        if len(self._frame) < self._background_rows:
            self._apply_order(view_order(self._frame, spec))
            return
        generation = self._generation
        snapshot = self._frame.copy(deep=False)  # copy-on-write: later edits never reach the worker

        def done(order: Positions) -> None:
            if generation == self._generation:
                self._task = None
                self.busy_changed.emit(False)
                self._apply_order(order)

        self._task = run_in_background(lambda p, c: view_order(snapshot, spec, progress=p, cancel=c),
                                       "sorting and filtering the table", on_success=done, parent=self)
        self.busy_changed.emit(True)

    def refresh(self) -> None:
        """Recompute the current view (after edits that change what it filters or sorts on)."""
        self.set_view(self._spec)

    def source_position(self, row: int) -> int:
        """The frame position of view row ``row``."""
        return int(self._order[row])

    def view_positions(self) -> Positions:
        """Frame positions of every row shown, in display order (a copy)."""
        return self._order.copy()

    def column_index(self, name: str) -> int:
        """The model column of frame column ``name``."""
        return int(self._frame.columns.get_loc(name))  # type: ignore[arg-type]

    def set_values(self, positions: Sequence[int] | Positions, values: Mapping[str, Any]) -> None:
        """Write ``values`` (column → one value or one per position) into the given frame rows."""
        rows = np.asarray(positions, dtype=np.intp)
        if rows.size == 0:
            return
        for name, value in values.items():
            if pd.api.types.is_numeric_dtype(self._frame[name].dtype) and isinstance(value, str):
                self._frame[name] = self._frame[name].astype(object)
            write_rows(self._frame, name, rows, value)
        self._alignments = self._column_alignments()
        if len(self._order):
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._order) - 1, self.columnCount() - 1))

    def set_editable(self, columns: Sequence[str]) -> None:
        """Let views edit the cells of these frame columns in place (as text)."""
        self._editable = frozenset(columns)

    def values_changed(self) -> None:
        """Repaint after the frame was edited in place (by a review session, say)."""
        if len(self._order):
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._order) - 1, self.columnCount() - 1))

    # --- QAbstractTableModel ------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._frame.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._order)):
            return None
        position = int(self._order[index.row()])
        if role == SOURCE_POSITION_ROLE:
            return position
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.EditRole):
            return display_text(self._frame.iat[position, index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignments[index.column()]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and str(self._frame.columns[index.column()]) in self._editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        name = str(self._frame.columns[index.column()]) if index.isValid() else ""
        if role != Qt.ItemDataRole.EditRole or name not in self._editable or not (0 <= index.row() < len(self._order)):
            return False
        position = int(self._order[index.row()])
        if self._frame[name].dtype != object:
            self._frame[name] = self._frame[name].astype(object)
            self._alignments = self._column_alignments()
        self._frame.iat[position, index.column()] = str(value).strip()
        self.dataChanged.emit(index, index)
        self.edited.emit(position, name)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._frame.columns):
                name = str(self._frame.columns[section])
                return self._headers.get(name, name.replace("_", " ").capitalize())
            return None
        return str(section + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(self._frame.columns)):  # -1: the view asks for frame order
            self.set_view(replace(self._spec, sort_column=None))
            return
        self.set_view(replace(self._spec, sort_column=str(self._frame.columns[column]),
                              ascending=order == Qt.SortOrder.AscendingOrder))

    # --- internals ----------------------------------------------------------------------------
    def _column_alignments(self) -> list[int]:
        """Per column: numbers right-aligned, text left (asked for every painted cell, so worked out once)."""
        left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return [right if pd.api.types.is_numeric_dtype(dtype) else left for dtype in self._frame.dtypes]

    def _cancel_pending(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
            self.busy_changed.emit(False)

    def _apply_order(self, order: Positions) -> None:
        self.beginResetModel()
        self._order = order
        self.endResetModel()
        self.view_changed.emit()
