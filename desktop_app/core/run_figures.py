"""The figures of a run, read from the journal: the one source for the wizard, the CLI and the report.

The headline of an apply run is the links its read-back found on both sides, less the ones an undo
took back since. A run that was not read back (interrupted, cancelled, still running) says so and
counts only what the journal knows was written. An undo run counts the links it took back, the
records it left alone because they changed since, and the writes it could not make.

A run can be resumed while it has something left to do and no undo has been started on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from desktop_app.core.counted import counted
from desktop_app.core.journal import Journal, RunInfo, WriteItem
from desktop_app.core.journal_results import Verification, pair_status

UNFINISHED_STATES = ("running", "interrupted", "cancelled", "done_with_failures")
VERIFICATION_KEY = "verification"


def verification_summary(verification: Verification) -> dict[str, object]:
    """What a run keeps of its read-back in the journal (its summary): the figures and the plan rows
    whose values were not found."""
    return {"links": verification.verified_links, "expected_links": verification.expected_links,
            "unverified_rows": sorted({row for row, *_ in verification.mismatches})}


@dataclass(frozen=True)
class RunFigures:
    """One run's figures (see the module docstring); ``verified`` is None when it was not read back."""

    run_id: str
    kind: str
    state: str
    links: int  # plan rows
    verified: int | None  # apply: links found on both sides by the read-back
    undone: int  # apply: of the verified links, those an undo took back since
    undo_runs: tuple[str, ...]
    written_links: int  # links whose both sides the journal holds as written or already there
    restored: int  # undo: plan rows whose values it put back (half-linked rows included)
    left_alone: int  # undo: records left alone (changed since the run)
    failed: int  # plan rows with a write that failed or is pending
    undo_of: str | None = None
    links_taken_back: int = 0  # undo: of the rows it put back, links the run's read-back had verified

    @property
    def linked_now(self) -> int | None:
        """Links in place now: verified by the read-back, less those taken back by an undo."""
        return None if self.verified is None else self.verified - self.undone

    def headline(self) -> str:
        """One sentence, the same on every screen and in every file."""
        if self.kind == "undo":
            they = "it" if self.left_alone == 1 else "they"
            left = (f"{counted(self.left_alone, 'record')} left alone because {they} changed since the run"
                    if self.left_alone else "no record was left alone")
            failed = f"; {counted(self.failed, 'row')} could not be put back yet" if self.failed else ""
            links = (f" ({self.links_taken_back:,} of them links verified on both sides)"
                     if self.links_taken_back else "")
            return (f"Undo of run {self.undo_of or '?'}: values put back on {counted(self.restored, 'row')}{links}; "
                    f"{left}{failed}.")
        if self.linked_now is None:
            return (f"{self.written_links:,} of the plan's {self.links:,} pairs written on both sides so far; "
                    f"run {self.run_id} is {self.state.replace('_', ' ')} and was not read back yet.")
        sentence = f"{self.linked_now:,} of the plan's {self.links:,} pairs linked on both sides"
        if self.undone:
            return (f"{sentence}: run {self.run_id}'s read-back verified {self.verified:,}, and undo "
                    f"{', '.join(self.undo_runs)} took {self.undone:,} back.")
        return f"{sentence} (read back after run {self.run_id})."

    def report_rows(self) -> dict[str, object]:
        """The figures as the report's summary rows (label → value)."""
        rows: dict[str, object] = {"run": self.run_id, "run state": self.state.replace("_", " "),
                                   "planned links": self.links}
        if self.kind == "undo":
            rows |= {"undo of": self.undo_of or "", "rows put back": self.restored,
                     "links taken back (verified on both sides by the run)": self.links_taken_back,
                     "records left alone (changed since the run)": self.left_alone}
        else:
            rows |= {"pairs linked on both sides": "not read back yet" if self.linked_now is None
                     else self.linked_now,
                     "links verified by the read-back": "" if self.verified is None else self.verified,
                     "links taken back by undo": self.undone}
        rows["rows failed or pending"] = self.failed
        rows["figures"] = self.headline()
        return rows

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"run_id": self.run_id, "kind": self.kind, "state": self.state, "links": self.links,
                "verified": self.verified, "undone": self.undone, "linked_now": self.linked_now,
                "undo_runs": list(self.undo_runs), "written_links": self.written_links,
                "restored": self.restored, "links_taken_back": self.links_taken_back,
                "left_alone": self.left_alone, "failed": self.failed,
                "undo_of": self.undo_of, "headline": self.headline()}


def _pairs(items: list[WriteItem]) -> list[tuple[WriteItem, WriteItem]]:
    customers = {i.row: i for i in items if i.side == "customer"}
    return [(i, customers[i.row]) for i in items if i.side == "account" and i.row in customers]


def _linked(account: WriteItem, customer: WriteItem) -> bool:
    return (account.target == customer.record_id and customer.target == account.record_id
            and pair_status(account, customer) == "linked")


def _unverified_rows(info: RunInfo) -> set[int]:
    stored = info.summary.get(VERIFICATION_KEY)
    rows = stored.get("unverified_rows", []) if isinstance(stored, Mapping) else []
    return {int(row) for row in rows}


def _verified(info: RunInfo) -> int | None:
    stored = info.summary.get(VERIFICATION_KEY)
    if isinstance(stored, Mapping) and "links" in stored:
        return int(stored["links"])
    return None


def _verified_link_rows(info: RunInfo, pairs: list[tuple[WriteItem, WriteItem]]) -> set[int]:
    """The plan rows of apply run ``info`` that its read-back found linked on both sides (none when it
    was not read back)."""
    if _verified(info) is None:
        return set()
    unverified = _unverified_rows(info)
    return {a.row for a, c in pairs if a.row not in unverified and pair_status(a, c) == "linked"}


def undo_runs_of(journal: Journal, run_id: str) -> list[RunInfo]:
    """The undo runs started on ``run_id``, oldest first."""
    return [r for r in reversed(journal.runs()) if r.kind == "undo" and r.undo_of == run_id]


def run_figures(journal: Journal, run_id: str, *, info: RunInfo | None = None,
                items: list[WriteItem] | None = None) -> RunFigures:
    """The figures of run ``run_id`` as the journal holds them now (ValueError for an unknown run).

    A run finishing now passes its own header and writes (``info``, ``items``), so that its figures
    are known before its end state is committed.
    """
    info = info or journal.run(run_id)
    if info is None:
        raise ValueError(f"There is no run '{run_id}'; 'desktop-app runs' lists them.")
    items = journal.items(run_id) if items is None else items
    pairs = _pairs(items)
    failed = sum(pair_status(a, c) in ("failed", "half_linked", "pending") for a, c in pairs)
    written = sum(_linked(a, c) for a, c in pairs)
    if info.kind == "undo":
        put_back = {a.row for a, c in pairs if "written" in (a.state, c.state)}
        left = sum(i.state == "refused" for i in items)
        original = journal.run(info.undo_of) if info.undo_of else None
        links = (len(_verified_link_rows(original, _pairs(journal.items(original.run_id))) & put_back)
                 if original is not None else 0)
        return RunFigures(run_id, "undo", info.state, info.links, None, 0, (), 0, len(put_back), left, failed,
                          undo_of=info.undo_of, links_taken_back=links)
    verified = _verified(info)
    undos = undo_runs_of(journal, run_id)
    undone = 0
    if verified is not None and undos:
        # Every verified pair the undo wrote on (either side) is no longer linked: a value the run did
        # not need to write was already the link, so the undo never touches it.
        taken: set[int] = set()
        for undo in undos:
            taken |= {i.row for i in journal.items(undo.run_id, states=["written"])}
        undone = len(_verified_link_rows(info, pairs) & taken)
    return RunFigures(run_id, info.kind, info.state, info.links, verified, undone,
                      tuple(u.run_id for u in undos), written, 0, 0, failed)


def undone_runs(journal: Journal) -> set[str]:
    """The ids of the runs an undo was started on."""
    return {r.undo_of for r in journal.runs() if r.kind == "undo" and r.undo_of}


def resumable(info: RunInfo, undone: set[str]) -> bool:
    """True when ``info`` has something left to do and no undo was started on it (``undone``: from
    ``undone_runs``): a finished or undone run is never offered for resume."""
    return info.state in UNFINISHED_STATES and info.run_id not in undone


def why_not_resumable(journal: Journal, info: RunInfo) -> str:
    """The sentence that says why a run cannot be resumed ("" when it can)."""
    if resumable(info, undone_runs(journal)):
        return ""
    undos = undo_runs_of(journal, info.run_id)
    if undos:
        return (f"Run {info.run_id} was undone (undo run {undos[-1].run_id}); there is nothing to resume. "
                "Build and apply a new plan to link again.")
    return f"Run {info.run_id} is already {info.state.replace('_', ' ')}; nothing to resume."


def resumable_runs(journal: Journal, kind: str | None = None) -> list[RunInfo]:
    """The runs that can be resumed (of ``kind`` when given), newest first."""
    undone = undone_runs(journal)
    return [r for r in journal.runs() if resumable(r, undone) and (kind is None or r.kind == kind)]
