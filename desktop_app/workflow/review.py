"""Review: the person's calls on the matcher's decisions, shared by the wizard and ``desktop-app review``.

Each edit returns the frame positions to change and the new values; it never loops over rows in
Python, so "accept all above 90" on a million rows is instant. The reviewed frame keeps the matcher's
columns and records the person's call in ``reviewed`` ("accepted", "rejected", "entered"). The calls
alone (``review_calls``) are what a project keeps and what ``apply_review_calls`` lays over a fresh match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

REVIEW_COLUMN = "reviewed"
REVIEW_KEEP = ("account_id", "customer_id", "customer_name", "status", "score", "reason", REVIEW_COLUMN)
ACCEPTABLE = ("suggested", "ambiguous", "conflict", "unmatched")  # statuses a person may turn into a link
CANDIDATE_COLUMNS = ("candidates", "candidate_ids", "alternatives")

Positions = npt.NDArray[np.intp]


class ReviewError(ValueError):
    """An edit that cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class Edit:
    """Rows to change and the values to write into them."""

    positions: Positions
    values: dict[str, object]


def apply_edit(frame: pd.DataFrame, edit: Edit) -> None:
    """Write an edit into ``frame`` in place (the wizard's table model does the same on its frame)."""
    for column, value in edit.values.items():
        frame.iloc[edit.positions, frame.columns.get_loc(column)] = value  # type: ignore[call-overload]


def with_review_column(decisions: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``decisions`` ready for review: a ``reviewed`` column, text columns as objects."""
    frame = decisions.copy()
    if REVIEW_COLUMN not in frame.columns:
        frame[REVIEW_COLUMN] = pd.Series([""] * len(frame), dtype=object, index=frame.index)
    frame = frame.reset_index(drop=True)
    for column in ("account_id", "customer_id", "customer_name", "status", "reason", REVIEW_COLUMN):
        if column in frame.columns:
            frame[column] = frame[column].astype(object)
    return frame


def _has_both(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows naming an account and a customer (the matcher also lists customers no account took)."""
    both: npt.NDArray[np.bool_] = ((frame["account_id"].astype(str).to_numpy() != "")
                                   & (frame["customer_id"].astype(str).to_numpy() != ""))
    return both


def accept(frame: pd.DataFrame, positions: Sequence[int] | Positions) -> Edit:
    """Accept the proposed customer of each chosen row that has one and is not linked already."""
    rows = np.asarray(positions, dtype=np.intp)
    status = frame["status"].to_numpy()[rows]
    keep = np.isin(status, ACCEPTABLE) & _has_both(frame)[rows]
    return Edit(rows[keep], {"status": "matched", REVIEW_COLUMN: "accepted"})


def reject(frame: pd.DataFrame, positions: Sequence[int] | Positions) -> Edit:
    """Turn each chosen row into "unmatched", whatever was proposed; nothing will be linked for it."""
    rows = np.asarray(positions, dtype=np.intp)
    return Edit(rows, {"status": "unmatched", "customer_id": "", REVIEW_COLUMN: "rejected"})


def accept_above(frame: pd.DataFrame, min_score: float) -> Edit:
    """Accept every suggestion scoring at least ``min_score``."""
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    mask = (frame["status"].to_numpy() == "suggested") & (score >= min_score) & _has_both(frame)
    return Edit(np.flatnonzero(mask).astype(np.intp), {"status": "matched", REVIEW_COLUMN: "accepted"})


def candidates_of(frame: pd.DataFrame, position: int) -> list[tuple[str, str]]:
    """The customers the matcher weighed for one row, as (customer id, label to show).

    The matcher writes candidates as ``"cus_1 Acme Ltd (92); cus_2 Acme Limited (92)"``; the id is
    each part's first word. A row without candidates offers its proposed customer, if any."""
    for column in CANDIDATE_COLUMNS:
        if column in frame.columns:
            value = frame[column].iat[position]
            parts = [str(v) for v in value] if isinstance(value, list | tuple | np.ndarray) else (
                str(value).split(";") if isinstance(value, str) else [])
            found = [(part.split()[0], part.strip()) for part in parts if part.strip()]
            if found:
                return found
    current = str(frame["customer_id"].iat[position])
    name = str(frame["customer_name"].iat[position]) if "customer_name" in frame.columns else ""
    return [(current, f"{current} {name}".strip())] if current else []


def choose_customer(frame: pd.DataFrame, customers: pd.DataFrame, position: int, customer_id: str) -> Edit:
    """Link one row to ``customer_id`` (typed, pasted or picked). Raises ``ReviewError`` when the id is
    not among the loaded customers or another account is already linked to it."""
    wanted = customer_id.strip()
    if str(frame["account_id"].iat[position]) == "":
        raise ReviewError("This row is a customer no account took; choose a customer from an account's row "
                          "instead.")
    if not wanted:
        raise ReviewError("Type or paste a customer id, for example cus_NffrFeUfNV2Hib.")
    known = customers["customer_id"].astype(str).str.strip()
    if not (known == wanted).any():
        close = known[known.str.casefold() == wanted.casefold()]
        hint = f" Did you mean {close.iloc[0]}? Ids are case-sensitive." if len(close) else (
            " Check it against the customers file (the id column), then try again.")
        raise ReviewError(f"No loaded customer has the id {wanted}.{hint}")
    linked = frame[(frame["customer_id"].astype(str) == wanted)
                   & frame["status"].isin(["matched", "already_linked"])]
    others = linked.index[linked.index != position]
    if len(others):
        account = str(frame["account_id"].iat[int(others[0])])
        raise ReviewError(f"Customer {wanted} is already linked to account {account}. Reject that link first "
                          "if this account is the right one.")
    values: dict[str, object] = {"customer_id": wanted, "status": "matched", REVIEW_COLUMN: "entered"}
    if "customer_name" in frame.columns and "name" in customers.columns:
        values["customer_name"] = str(customers.loc[known == wanted, "name"].iloc[0])
    return Edit(np.array([position], dtype=np.intp), values)


def status_counts(frame: pd.DataFrame, order: Sequence[str]) -> dict[str, int]:
    """Rows per status, in ``order`` first, then any other status found."""
    counts = frame["status"].value_counts()
    result = {status: int(counts.get(status, 0)) for status in order}
    result.update({str(s): int(n) for s, n in counts.items() if s not in result})
    return result


def review_calls(reviewed: pd.DataFrame) -> pd.DataFrame:
    """The rows of a reviewed decisions frame the person decided (``reviewed`` not empty)."""
    if REVIEW_COLUMN not in reviewed.columns:
        return pd.DataFrame(columns=list(REVIEW_KEEP), dtype=object)
    calls = reviewed[reviewed[REVIEW_COLUMN].astype(str) != ""]
    return calls[[c for c in REVIEW_KEEP if c in calls.columns]].astype(object).reset_index(drop=True)


def apply_review_calls(fresh: pd.DataFrame, calls: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``fresh`` decisions with the saved calls laid over them, and how many calls found their row.

    A call belongs to the row of the same account (or, for a customer no account took, the same
    customer); calls whose row is gone (the data changed) are dropped and not counted."""
    if calls is None or not len(calls) or not len(fresh):
        return fresh, 0
    result = fresh.copy()
    keys = _row_keys(result)
    position = pd.Series(range(len(result)), index=keys)
    position = position[~position.index.duplicated(keep=False)]  # an ambiguous key is not restored
    call_keys = _row_keys(calls)
    found = np.asarray(call_keys.isin(position.index), dtype=bool)
    if not found.any():
        return fresh, 0
    targets = position.loc[call_keys[found]].to_numpy()
    for column in REVIEW_KEEP:
        if column in calls.columns and column in result.columns:
            values = calls[column].to_numpy(dtype=object)[found]
            if column == "score":
                values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy()
            updated = result[column].to_numpy(dtype=object if column != "score" else float, copy=True)
            updated[targets] = values
            result[column] = updated
    return result, int(found.sum())


def _row_keys(frame: pd.DataFrame) -> pd.Index:
    account = frame["account_id"].fillna("").astype(str)
    customer = frame["customer_id"].fillna("").astype(str)
    return pd.Index(account.where(account != "", "customer:" + customer))


class MatchesFileError(ValueError):
    """A matches file that cannot be read; the message names the file and what to do."""


def read_matches(path: Path) -> pd.DataFrame:
    """The matches file written by ``match`` (CSV or XLSX) as text: ids never turn into numbers."""
    if not path.is_file():
        raise MatchesFileError(f"The matches file {path} does not exist.")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False).astype(object)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").astype(object)
    except (ValueError, OSError) as error:
        raise MatchesFileError(f"Cannot read the matches file {path}: {error}") from None
    missing = [c for c in ("account_id", "customer_id", "status") if c not in frame.columns]
    if missing:
        raise MatchesFileError(f"The matches file {path} has no {', '.join(missing)} column; give the file "
                               "'desktop-app match' wrote (CSV, or the XLSX report's Decisions sheet as CSV).")
    return frame


@dataclass(frozen=True)
class ReviewOutcome:
    """A matches frame after the review calls and bulk accepts, with what each did."""

    reviewed: pd.DataFrame
    calls_given: int
    calls_restored: int
    accepted_above: int

    @property
    def calls_lost(self) -> int:
        """Calls whose row is no longer in the matches (the data changed since the call)."""
        return self.calls_given - self.calls_restored


def review_matches(decisions: pd.DataFrame, *, calls: pd.DataFrame | None = None,
                   accept_min_score: float | None = None) -> ReviewOutcome:
    """The decisions with saved review calls laid over them (as the wizard restores a project's calls),
    then every suggestion scoring at least ``accept_min_score`` accepted."""
    frame = with_review_column(decisions)
    if "score" in frame.columns:
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    restored = 0
    if calls is not None and len(calls):
        frame, restored = apply_review_calls(frame, calls)
    accepted = 0
    if accept_min_score is not None:
        edit = accept_above(frame, accept_min_score)
        apply_edit(frame, edit)
        accepted = len(edit.positions)
    return ReviewOutcome(frame, 0 if calls is None else len(calls), restored, accepted)
