"""A run that had already ended, told from what the journal kept of it (``desktop-app resume RUN`` of
a finished run: its process may have been killed after the run was done, before it could say so)."""

from __future__ import annotations

from desktop_app.core.journal import Journal, RunInfo
from desktop_app.core.run_figures import VERIFICATION_KEY, run_figures
from desktop_app.workflow.apply_addresses import address_counts
from desktop_app.workflow.run_files import results_path
from desktop_app.workflow.stop_reason import STOP_KEY


def finished_report(journal: Journal, info: RunInfo, message: str) -> dict[str, object]:
    """The ``--json`` outcome of run ``info`` that had already ended, from what the journal kept of
    it: the shape of ``RunReport.as_dict`` (its read-back as counted then, no API call made now)."""
    kept = info.summary.get(VERIFICATION_KEY)
    verified = None
    if isinstance(kept, dict):
        verified = {"links": kept.get("links"), "expected_links": kept.get("expected_links"),
                    "mismatches": len(kept.get("unverified_rows") or [])}
    results = results_path(info.run_id)
    return {
        "run_id": info.run_id,
        "kind": info.kind,
        "state": info.state,
        "message": message,
        "writes": journal.state_counts(info.run_id),
        "pairs": info.summary.get("pairs", {}),
        "verified": verified,
        "results": str(results) if results.exists() else None,
        "api_calls": {},
        "addresses": address_counts(info.run_id),
        "figures": run_figures(journal, info.run_id).as_dict(),
        "stop": info.summary.get(STOP_KEY),
    }
