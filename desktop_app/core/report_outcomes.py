"""A run's results split by what happened, one report sheet per outcome a person acts on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from desktop_app.core.intake_types import TableError

OUTCOME_SHEETS: tuple[str, ...] = ("Written", "Skipped", "Conflict", "Failed", "Half linked")
_FAILED = ("failed", "not_found", "refused", "pending")


def _reason(results: pd.DataFrame) -> pd.Series:
    """Per row, the sides' messages (with error codes) as one sentence."""
    parts = []
    for side in ("account", "customer"):
        code = results.get(f"{side}_error_code", pd.Series("", index=results.index)).astype(str)
        message = results.get(f"{side}_message", pd.Series("", index=results.index)).astype(str)
        text = (side.capitalize() + ": " + message + code.where(code == "", " (" + code + ")")).where(message != "", "")
        parts.append(text)
    joined = (parts[0] + "; " + parts[1]).str.strip("; ")
    return joined.where(joined != "", results.get("pair_status", pd.Series("", index=results.index)).astype(str))


def outcome_sheets(results: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``results`` (a run's results file) as sheets: Written (a side was set and both now hold
    the link), Skipped (nothing to write: already linked or held back), Conflict, Failed (with a
    ``reason`` column; includes records gone and writes not finished) and Half linked."""
    status = results["pair_status"].astype(str)
    actions = results[["account_action", "customer_action"]].astype(str)
    wrote = (actions == "set").any(axis=1)
    linked = status.isin(["linked", "restored"])
    chosen = {
        "Written": linked & wrote,
        "Skipped": (linked & ~wrote) | (status == "skipped"),
        "Conflict": status == "conflict",
        "Failed": status.isin(list(_FAILED)),
        "Half linked": status == "half_linked",
    }
    sheets: dict[str, pd.DataFrame] = {}
    for title in OUTCOME_SHEETS:
        part = results[chosen[title]]
        if title in ("Failed", "Half linked"):
            part = part.assign(reason=_reason(part)) if len(part) else part.assign(reason=pd.Series(dtype=object))
        sheets[title] = part.reset_index(drop=True)
    return sheets


def read_results(path: Path) -> pd.DataFrame:
    """A results file written by ``write_results`` as text columns (no value reinterpreted)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def load_results(path: Path) -> pd.DataFrame:
    """A results file the user names; ``TableError`` when it is missing or is not a results file."""
    try:
        results = read_results(path)
    except (OSError, ValueError) as exc:
        raise TableError(f"{path.name} cannot be read as a run's results file ({exc}). Use the results.csv "
                         "that 'desktop-app apply --results' or the run folder holds.") from None
    missing = [c for c in ("pair_status", "account_action", "customer_action") if c not in results.columns]
    if missing:
        raise TableError(f"{path.name} is not a run's results file: it has no column {', '.join(missing)}. Use the "
                         "results.csv that 'desktop-app apply --results' or the run folder holds.")
    return results
