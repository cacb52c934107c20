"""Review: the person's calls on the matcher's decisions, shared by the wizard and ``desktop-app review``.

Each edit returns the frame positions to change and the new values; it never loops over rows in
Python, so "accept all above 90" on a million rows is instant. The reviewed frame keeps the matcher's
columns and records the person's call in ``reviewed`` ("accepted", "rejected", "entered"). The calls
alone (``review_calls``) are what a project keeps and what ``apply_review_calls`` lays over a fresh match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from desktop_app.core.ids import to_18_series
from desktop_app.core.report_counts import TAKEN as TAKEN  # a customer row a call gave to an account
from desktop_app.core.tables import TableError, read_table

REVIEW_COLUMN = "reviewed"
FOLLOWS = "follows account"  # the ``reviewed`` value of such a customer row
LINKED = ("matched", "already_linked")
REVIEW_KEEP = ("account_id", "customer_id", "customer_name", "status", "score", "reason", "candidates", REVIEW_COLUMN)
ACCEPTABLE = ("suggested", "ambiguous", "conflict", "unmatched")  # statuses a person may turn into a link
CANDIDATE_COLUMNS = ("candidates", "candidate_ids", "alternatives")

Positions = npt.NDArray[np.intp]
FEW_ROWS = 64  # up to this many rows an edit is written cell by cell (``write_rows``)


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
        write_rows(frame, column, edit.positions, value)


def write_rows(frame: pd.DataFrame, column: str, rows: Positions, value: object) -> None:
    """Write ``value`` (one, or one per row) into ``rows`` of ``column``, in place.

    A few rows are written cell by cell: ``iloc`` assignment copies the whole column back into its
    block (about 12 ms a column on a million rows, whatever the number of rows written)."""
    where = int(frame.columns.get_loc(column))  # type: ignore[arg-type]
    if len(rows) > FEW_ROWS:
        frame.iloc[rows, where] = value  # type: ignore[call-overload]
        return
    values = cast(Sequence[Any], value) if np.ndim(cast(Any, value)) else [value] * len(rows)
    for row, cell in zip(rows.tolist(), values, strict=True):
        frame.iat[row, where] = cell


def with_review_column(decisions: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``decisions`` ready for review: a ``reviewed`` column, text columns as objects."""
    frame = decisions.copy()
    if REVIEW_COLUMN not in frame.columns:
        frame[REVIEW_COLUMN] = pd.Series([""] * len(frame), dtype=object, index=frame.index)
    if "candidates" not in frame.columns:
        frame["candidates"] = pd.Series([""] * len(frame), dtype=object, index=frame.index)
    frame = frame.reset_index(drop=True)
    for column in ("account_id", "customer_id", "customer_name", "status", "reason", REVIEW_COLUMN):
        if column in frame.columns:
            frame[column] = frame[column].astype(object)
    return frame


def text_at(frame: pd.DataFrame, column: str, rows: Positions) -> npt.NDArray[np.str_]:
    """The values of ``column`` at ``rows`` as text (only those rows are converted: cheap on a big frame)."""
    picked: npt.NDArray[np.str_] = frame[column].to_numpy(dtype=object)[rows].astype(str)
    return picked


def accept(frame: pd.DataFrame, positions: Sequence[int] | Positions) -> Edit:
    """Accept the proposed customer of each chosen row that has one and is not linked already.

    A row without a proposed customer but with exactly one candidate (a rejected suggestion keeps its
    customer there) takes that candidate, unless another account is linked to it already."""
    rows = np.asarray(positions, dtype=np.intp)
    status = frame["status"].to_numpy()[rows]
    open_rows = np.isin(status, ACCEPTABLE) & (text_at(frame, "account_id", rows) != "")
    customer = text_at(frame, "customer_id", rows).astype(object)
    name = text_at(frame, "customer_name", rows).astype(object) if "customer_name" in frame.columns else None
    empty = open_rows & (customer == "")
    if empty.any() and "candidates" in frame.columns:
        linked = set(frame.loc[frame["status"].isin(LINKED), "customer_id"].astype(str))
        for index in np.flatnonzero(empty):
            found = _parse_candidates(frame["candidates"].iat[int(rows[index])])
            if len(found) == 1 and found[0][0] not in linked:
                customer[index] = found[0][0]
                if name is not None:
                    name[index] = found[0][2]
    keep = open_rows & (customer != "")
    values: dict[str, object] = {"status": "matched", REVIEW_COLUMN: "accepted"}
    if (keep & empty).any():
        values["customer_id"] = customer[keep]
        if name is not None:
            values["customer_name"] = name[keep]
    return Edit(rows[keep], values)


def reject(frame: pd.DataFrame, positions: Sequence[int] | Positions) -> Edit:
    """Turn each chosen row into "unmatched", whatever was proposed; nothing will be linked for it.

    The proposed customer stays among the row's candidates, so Accept or Choose can take it again."""
    rows = np.asarray(positions, dtype=np.intp)
    values: dict[str, object] = {"status": "unmatched", "customer_id": "", REVIEW_COLUMN: "rejected"}
    if "candidates" in frame.columns:
        values["candidates"] = _candidates_keeping_proposed(frame, rows)
    return Edit(rows, values)


def _parse_candidates(value: object) -> list[tuple[str, str, str]]:
    """``"cus_1 Acme Ltd (92); cus_2 Acme (90)"`` as (id, label, name without the score)."""
    parts = [str(v) for v in value] if isinstance(value, list | tuple | np.ndarray) else (
        str(value).split(";") if isinstance(value, str) else [])
    found = []
    for part in (p.strip() for p in parts):
        if part:
            identifier, _, rest = part.partition(" ")
            found.append((identifier, part, re.sub(r"\s*\(\d+(\.\d+)?\)$", "", rest)))
    return found


def _candidates_keeping_proposed(frame: pd.DataFrame, rows: Positions) -> npt.NDArray[np.object_]:
    current = frame["candidates"].to_numpy(dtype=object)[rows].copy()
    customer = text_at(frame, "customer_id", rows)
    names = (text_at(frame, "customer_name", rows) if "customer_name" in frame.columns
             else np.full(len(rows), "", dtype=object))
    scores = (pd.to_numeric(frame["score"].iloc[rows], errors="coerce").to_numpy(dtype=float)
              if "score" in frame.columns else np.zeros(len(rows)))
    for index in np.flatnonzero(customer != ""):
        known = [c[0] for c in _parse_candidates(current[index])]
        if customer[index] not in known:
            label = f"{customer[index]} {names[index]}".strip()
            if scores[index] == scores[index] and scores[index] > 0:
                label += f" ({scores[index]:.0f})"
            text = str(current[index]) if isinstance(current[index], str) else ""
            current[index] = "; ".join(p for p in (label, text) if p)
    return current


def accept_above(frame: pd.DataFrame, min_score: float) -> Edit:
    """Accept every suggestion scoring at least ``min_score``."""
    rows, scores = _open_suggestions(frame)
    return Edit(rows[scores >= min_score], {"status": "matched", REVIEW_COLUMN: "accepted"})


def _open_suggestions(frame: pd.DataFrame) -> tuple[Positions, npt.NDArray[np.float64]]:
    """Positions and scores of the suggestions naming an account and a customer (only those rows are
    read as text, so this stays quick on a million rows)."""
    rows = np.flatnonzero(frame["status"].to_numpy() == "suggested").astype(np.intp)
    rows = rows[(text_at(frame, "account_id", rows) != "") & (text_at(frame, "customer_id", rows) != "")]
    scores = pd.to_numeric(frame["score"].iloc[rows], errors="coerce").to_numpy(dtype=float)
    keep = ~np.isnan(scores)
    return rows[keep], scores[keep]


def suggestion_scores(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The scores of the open suggestions a bulk accept would weigh."""
    return _open_suggestions(frame)[1]


def score_histogram(scores: npt.NDArray[np.float64], width: float = 5.0) -> list[tuple[float, int]]:
    """Suggestions per score band of ``width`` points, as (band start, count), lowest band first."""
    if not scores.size:
        return []
    low = float(np.floor(scores.min() / width) * width)
    edges = np.arange(low, 100.0 + width, width)
    counts, _ = np.histogram(np.clip(scores, low, 100.0 - 1e-9), bins=edges)
    return [(float(edge), int(count)) for edge, count in zip(edges[:-1], counts, strict=True)]


def default_threshold(scores: npt.NDArray[np.float64]) -> float:
    """The score a bulk accept starts from: what the best quarter of the suggestions reach (rounded
    down), so it takes some rows whatever the range; 90 when there is no suggestion."""
    if not scores.size:
        return 90.0
    return float(np.floor(np.percentile(scores, 75)))


def candidates_of(frame: pd.DataFrame, position: int, accounts: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """The customers the matcher weighed for one row, as (customer id, label to show).

    The matcher writes candidates as ``"cus_1 Acme Ltd (92); cus_2 Acme Limited (92)"``; the id is
    each part's first word. The proposed customer comes first; for an account whose link field holds a
    customer id (a conflict), that customer is offered too when ``accounts`` is given."""
    found: list[tuple[str, str]] = []
    current = str(frame["customer_id"].iat[position])
    if current:
        name = str(frame["customer_name"].iat[position]) if "customer_name" in frame.columns else ""
        found.append((current, f"{current} {name}".strip()))
    for column in CANDIDATE_COLUMNS:
        if column in frame.columns:
            found += [(identifier, label) for identifier, label, _ in _parse_candidates(frame[column].iat[position])]
    held = link_field_value(accounts, str(frame["account_id"].iat[position]))
    if held:
        found.append((held, f"{held} (named in the account's link field)"))
    unique: dict[str, str] = {}
    for identifier, label in found:
        unique.setdefault(identifier, label)
    return list(unique.items())


def link_field_value(accounts: pd.DataFrame | None, account_id: str) -> str:
    """The customer id the account's own link field holds ("" when none or unknown)."""
    if accounts is None or not account_id or "link_customer_id" not in accounts.columns:
        return ""
    hit = accounts.loc[accounts["account_id"].astype(str) == account_id, "link_customer_id"]
    return str(hit.iloc[0]).strip() if len(hit) and pd.notna(hit.iloc[0]) else ""


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
        if column == "account_id":  # the key: the fresh row keeps its own 18-character form
            continue
        if column in calls.columns and column in result.columns:
            values = calls[column].to_numpy(dtype=object)[found]
            if column == "score":
                values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy()
            updated = result[column].to_numpy(dtype=object if column != "score" else float, copy=True)
            updated[targets] = values
            result[column] = updated
    return result, int(found.sum())


def _row_keys(frame: pd.DataFrame) -> pd.Index:
    """A row's account in its 18-character form (a calls file edited in a spreadsheet may hold it in
    15 characters or upper-cased: the same account), or its customer for a customer's own row."""
    raw = frame["account_id"].fillna("").astype(str).str.strip()
    canonical = to_18_series(raw)
    account = canonical.where(canonical.notna(), raw).astype(str)
    customer = frame["customer_id"].fillna("").astype(str)
    return pd.Index(account.where(account != "", "customer:" + customer))


class MatchesFileError(ValueError):
    """A matches file that cannot be read; the message names the file and what to do."""


def read_matches(path: Path) -> pd.DataFrame:
    """The matches file written by ``match`` (CSV, or the XLSX report: its sheets per status, put back
    together) as text: ids never turn into numbers. A file without a single decision is refused, so
    nothing downstream reports a plan or a review of nothing as done."""
    if not path.is_file():
        raise MatchesFileError(f"The matches file {path} does not exist.")
    try:
        workbook = path.suffix.lower() in (".xlsx", ".xlsm")
        frame = _decisions_of_report(path) if workbook else _read_csv_matches(path)
    except (ValueError, OSError) as error:
        raise MatchesFileError(f"Cannot read the matches file {path}: {error}") from None
    missing = [c for c in DECISION_KEYS if c not in frame.columns]
    if missing:
        raise MatchesFileError(f"The matches file {path} has no {', '.join(missing)} column; give the file "
                               "'desktop-app match' wrote (its CSV, or its XLSX report).")
    if not len(frame):
        raise MatchesFileError(f"The matches file {path} holds no decisions (a header and no rows): run "
                               "'desktop-app match' again on the accounts and customers files.")
    return frame


DECISION_KEYS = ("account_id", "customer_id", "status")


def _read_csv_matches(path: Path) -> pd.DataFrame:
    """A matches or calls CSV as 'match' wrote it (UTF-8, commas), or as a spreadsheet saved it again
    (semicolons, a local code page, a BOM): that one is read by the file intake, which finds both."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").astype(object)
        if all(column in frame.columns for column in DECISION_KEYS):
            return frame
    except (ValueError, OSError):
        pass
    try:
        return read_table(path).frame
    except TableError as error:
        raise MatchesFileError(f"Cannot read the matches file {path}: {error}") from None


def _decisions_of_report(path: Path) -> pd.DataFrame:
    """Every sheet of a workbook that holds decisions (the report's one per status), in one frame;
    a sheet cut at Excel's row limit is refused, since its missing rows would be left unlinked."""
    from desktop_app.core.report import XLSX_MAX_DATA_ROWS  # openpyxl only when a workbook is read

    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    parts = [sheet for sheet in sheets.values() if all(c in sheet.columns for c in DECISION_KEYS)]
    if not parts:
        return next(iter(sheets.values()), pd.DataFrame()).astype(object)
    cut = [name for name, sheet in sheets.items() if len(sheet) >= XLSX_MAX_DATA_ROWS]
    if cut:
        raise MatchesFileError(f"The sheet '{cut[0]}' of {path} was cut at Excel's row limit, so some decisions "
                               "are not in it: give the matches CSV instead ('desktop-app match --out FILE.csv').")
    return pd.concat(parts, ignore_index=True).astype(object)


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
