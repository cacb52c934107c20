"""A review with every call reversible: the reviewed frame plus an undo/redo stack of the calls.

Each call (accept, reject, choose, enter id, accept above a score) is one ``Step``: the edits it
wrote and, for each, the values those rows held before, so undo writes them back exactly. A customer
row (a customer no account took) follows its customer: once a call links an account to it, the row
reads "taken"; when no account holds it any longer, it returns to what it was. Status counts are kept
up to date per step, so a million rows never need counting again. Pure pandas, no Qt: the wizard's
Match page and the CLI can both drive it.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from desktop_app.core.report_counts import DecisionCounts
from desktop_app.workflow.review import (
    FOLLOWS,
    LINKED,
    REVIEW_COLUMN,
    TAKEN,
    Edit,
    Positions,
    accept,
    accept_above,
    apply_edit,
    choose_customer,
    reject,
    text_at,
)


@dataclass(frozen=True)
class Step:
    """One call as applied: the edits in order, and the edits that take it back (in reverse order)."""

    label: str
    forward: tuple[Edit, ...]
    backward: tuple[Edit, ...]

    @property
    def rows(self) -> int:
        """How many rows the call itself changed (customer rows that followed not counted)."""
        return int(self.forward[0].positions.size) if self.forward else 0

    def touched(self) -> npt.NDArray[np.intp]:
        """Every frame position the call changed or takes back (customer rows that followed included)."""
        edits = (*self.forward, *self.backward)
        if not edits:
            return np.array([], dtype=np.intp)
        return np.unique(np.concatenate([e.positions for e in edits])).astype(np.intp)

    def columns(self) -> set[str]:
        """The frame columns the call writes (or takes back)."""
        return {column for edit in (*self.forward, *self.backward) for column in edit.values}


class ReviewSession:
    """The reviewed decisions (``frame``, edited in place) and the calls that can be undone and redone."""

    def __init__(self, frame: pd.DataFrame, customers: pd.DataFrame | None = None) -> None:
        self.frame = frame
        self._customers = customers
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._counts: Counter[str] = Counter({str(k): int(v) for k, v in frame["status"].value_counts().items()})
        account = frame["account_id"].astype(str).to_numpy()
        self._is_customer_row = account == ""
        customer_rows = np.flatnonzero(self._is_customer_row)
        self._customer_counts: Counter[str] = Counter(
            {str(k): int(v) for k, v in frame["status"].iloc[customer_rows].value_counts().items()})
        self._customer_rows = pd.Series(customer_rows, index=frame["customer_id"].astype(str).to_numpy()[customer_rows])
        origin = frame.iloc[customer_rows][["status", REVIEW_COLUMN]].to_numpy(dtype=object).copy()
        restored = origin[:, 0] == TAKEN  # a reopened project's follower: the matcher had left it unmatched
        origin[restored] = ("unmatched", "")
        self._customer_origin = origin

    # --- what was done ---------------------------------------------------------------------------
    @property
    def counts(self) -> dict[str, int]:
        """Rows per status now."""
        return {status: n for status, n in self._counts.items() if n}

    @property
    def side_counts(self) -> DecisionCounts:
        """The counts now, accounts apart from the customers no account took (they add up per side)."""
        return DecisionCounts.split(self.counts, {s: n for s, n in self._customer_counts.items() if n})

    @property
    def history(self) -> list[str]:
        """The calls that can be undone, oldest first."""
        return [step.label for step in self._done]

    @property
    def redo_history(self) -> list[str]:
        """The calls undone that can be redone, next first."""
        return [step.label for step in reversed(self._undone)]

    def can_undo(self) -> bool:
        """True when there is a call to take back."""
        return bool(self._done)

    def can_redo(self) -> bool:
        """True when a call was undone and nothing new was done since."""
        return bool(self._undone)

    def next_undo(self) -> Step | None:
        """The call ``undo`` would take back (None: none)."""
        return self._done[-1] if self._done else None

    def next_redo(self) -> Step | None:
        """The call ``redo`` would make again (None: none)."""
        return self._undone[-1] if self._undone else None

    # --- a call made on a copy (off the UI thread), then taken over in one step ------------------
    def fork(self) -> ReviewSession:
        """A twin to make a call on elsewhere: its frame is a shallow copy (pandas copies a column
        only when the twin writes it), its history and counts its own; this session is untouched."""
        twin = copy.copy(self)
        twin.frame = self.frame.copy(deep=False)
        twin._done, twin._undone, twin._counts = list(self._done), list(self._undone), Counter(self._counts)
        twin._customer_counts = Counter(self._customer_counts)
        return twin

    def adopt(self, twin: ReviewSession, columns: Iterable[str]) -> None:
        """Take over ``twin``'s calls and counts, and its ``columns`` into this frame (whole columns
        swapped, so a call on a million rows lands at once). Nothing else may have changed this
        session since ``fork``."""
        for column in columns:
            where = self.frame.columns.get_loc(column)
            self.frame.isetitem(where, twin.frame[column])  # type: ignore[arg-type]
        self._done, self._undone, self._counts = twin._done, twin._undone, twin._counts
        self._customer_counts = twin._customer_counts
        twin.frame = pd.DataFrame()  # spent: sharing columns with it would make every later write copy them

    # --- calls -----------------------------------------------------------------------------------
    def accept(self, positions: Sequence[int] | Positions) -> Step | None:
        """Accept the proposed (or only candidate) customer of the rows; None when none could be."""
        edit = accept(self.frame, positions)
        return self.apply(edit, f"Accept {_rows(edit)}")

    def reject(self, positions: Sequence[int] | Positions) -> Step | None:
        """Link nothing for the rows (their proposed customer stays a candidate)."""
        edit = reject(self.frame, positions)
        return self.apply(edit, f"Reject {_rows(edit)}")

    def accept_above(self, min_score: float) -> Step | None:
        """Accept every open suggestion scoring at least ``min_score``."""
        edit = accept_above(self.frame, min_score)
        return self.apply(edit, f"Accept {_rows(edit)} scoring {min_score:.0f} or more")

    def choose(self, position: int, customer_id: str, *, typed: bool = False) -> Step | None:
        """Link one row to ``customer_id``; raises ``ReviewError`` when it cannot be."""
        if self._customers is None:
            raise ValueError("this review has no customers to choose from")
        edit = choose_customer(self.frame, self._customers, position, customer_id)
        verb = "Enter" if typed else "Choose"
        return self.apply(edit, f"{verb} {edit.values['customer_id']} for account "
                                f"{self.frame['account_id'].iat[position]}")

    def apply(self, edit: Edit, label: str) -> Step | None:
        """Make ``edit`` a call of its own (and let customer rows follow); None when it changes no row."""
        if edit.positions.size == 0:
            return None
        before = self._linked_customers(edit.positions)
        forward, backward = [edit], [self._write(edit)]
        after = self._linked_customers(edit.positions)
        for follow in self._follow(after - before, before - after):
            forward.append(follow)
            backward.append(self._write(follow))
        step = Step(label, tuple(forward), tuple(backward))
        self._done.append(step)
        self._undone.clear()
        return step

    def undo(self) -> Step | None:
        """Take back the last call; None when there is none."""
        if not self._done:
            return None
        step = self._done.pop()
        for edit in reversed(step.backward):
            self._write(edit)
        self._undone.append(step)
        return step

    def redo(self) -> Step | None:
        """Make the last undone call again; None when there is none."""
        if not self._undone:
            return None
        step = self._undone.pop()
        for edit in step.forward:
            self._write(edit)
        self._done.append(step)
        return step

    # --- internals -------------------------------------------------------------------------------
    def _write(self, edit: Edit) -> Edit:
        """Write ``edit`` and return the edit that restores what it overwrote."""
        rows = edit.positions
        old = {column: self.frame[column].to_numpy(dtype=object)[rows].copy() for column in edit.values}
        if "status" in edit.values:
            self._count(old["status"], rows, self._counts.subtract, self._customer_counts.subtract)
        apply_edit(self.frame, edit)
        if "status" in edit.values:
            new = self.frame["status"].to_numpy(dtype=object)[rows]
            self._count(new, rows, self._counts.update, self._customer_counts.update)
        return Edit(rows, dict(old))

    def _count(self, status: npt.NDArray[np.object_], rows: Positions,
               every: Callable[[dict[str, int]], None], customers: Callable[[dict[str, int]], None]) -> None:
        every({str(k): int(v) for k, v in pd.Series(status).value_counts().items()})
        own = self._is_customer_row[rows]
        if own.any():
            customers({str(k): int(v) for k, v in pd.Series(status[own]).value_counts().items()})

    def _linked_customers(self, rows: Positions) -> set[str]:
        status = self.frame["status"].to_numpy(dtype=object)[rows]
        account = text_at(self.frame, "account_id", rows)
        customer = text_at(self.frame, "customer_id", rows)
        keep = np.isin(status, LINKED) & (account != "") & (customer != "")
        return set(customer[keep].tolist())

    def _follow(self, taken: set[str], released: set[str]) -> list[Edit]:
        edits: list[Edit] = []
        rows = self._customer_rows
        status = self.frame["status"].to_numpy(dtype=object)
        if taken:
            hit = rows[rows.index.isin(list(taken))].to_numpy(dtype=np.intp)
            hit = hit[status[hit] != TAKEN]
            if hit.size:
                edits.append(Edit(hit, {"status": TAKEN, REVIEW_COLUMN: FOLLOWS}))
        if released:
            holders = np.flatnonzero(self.frame["customer_id"].isin(list(released)).to_numpy(dtype=bool))
            still = self._linked_customers(holders.astype(np.intp))
            free = [c for c in released if c not in still]
            mask = rows.index.isin(free)
            hit = rows[mask].to_numpy(dtype=np.intp)
            origin = self._customer_origin[mask]
            back = status[hit] == TAKEN
            if back.any():
                edits.append(Edit(hit[back], {"status": origin[back, 0], REVIEW_COLUMN: origin[back, 1]}))
        return edits


def _rows(edit: Edit) -> str:
    count = int(edit.positions.size)
    return "1 row" if count == 1 else f"{count:,} rows"
