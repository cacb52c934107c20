"""Use case: write a run's accepted address fixes into both systems, journaled, resumable, undoable.

The fixes go in before the links (a billing system such as Sequence refuses to save a customer whose
address it finds invalid, the link with it). Per side and batch: journal the intent, compare-and-set
each record (a value changed since the check is left alone as ``conflict``), journal each outcome.
Salesforce gets the Account's Billing* fields (the code fields in picklist orgs); a billing system
gets its customer address when its adapter can write one (an ``AddressWriter``); a file-based system
gets the fixed export instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from desktop_app.billing.address_writes import AddressWriter
from desktop_app.core.address_changes import AddressWriteResult, Decision, RecordChange, decide, reversed_change
from desktop_app.core.app_folders import private_file, runs_dir
from desktop_app.core.ids import normalize_id
from desktop_app.core.journal_addresses import OPEN_ADDRESS_STATES, AddressJournal
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.core.report import write_csv
from desktop_app.core.tables import TableError, read_table
from desktop_app.salesforce.address_fields import (
    CODE_FIELDS,
    TEXT_OF_CODE,
    address_fields,
    countries_with_states,
    fill_codes_from_text,
)
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.soql import soql_id_list

# The roles a fix can set, in the order they are written: the country first, as a state picklist
# value is only valid for its country.
ACCOUNT_ADDRESS_ROLES = ("country", "city", "postcode", "state")
BATCH = 200
ADDRESS_RESULTS = "address_fixes.csv"
SIDE_TITLES = {"account": "Salesforce", "customer": "the billing system"}


class SalesforceAddresses:
    """Accounts' billing addresses through ``SalesforceClient`` (SOQL reads, Collections writes); in orgs
    with State and Country/Territory picklists, through the code fields (see ``address_fields``)."""

    def __init__(self, client: SalesforceClient) -> None:
        self.client = client
        self._fields: dict[str, str] | None = None
        self._state_countries: frozenset[str] = frozenset()

    def _role_fields(self) -> dict[str, str]:
        if self._fields is None:
            describe = self.client.describe("Account")
            fields = address_fields(describe)
            self._fields = {role: fields[role] for role in ACCOUNT_ADDRESS_ROLES}
            self._state_countries = countries_with_states(describe)
        return self._fields

    def _field_for(self, role: str, country: str) -> str:
        field = self._role_fields()[role]
        if field == CODE_FIELDS["state"] and country not in self._state_countries:
            return TEXT_OF_CODE[field]  # no state list for this country: the state stays text
        return field

    def update_addresses(self, changes: Sequence[RecordChange], *, progress: ProgressCallback = ignore_progress,
                         cancel: CancelToken | None = None) -> list[AddressWriteResult]:
        """Compare-and-set the billing address fields of each Account; one result per change, in order."""
        current = self._read([c.record_id for c in changes], cancel)
        decisions = {c.record_id: decide(c, current[c.record_id]) if c.record_id in current else None
                     for c in changes}
        written: dict[str, dict[str, str]] = {}
        errors: dict[str, tuple[str, str]] = {}
        for role in ACCOUNT_ADDRESS_ROLES:
            by_field: dict[str, list[tuple[str, str]]] = {}
            for rid, d in decisions.items():
                if d is not None and d.action == "write" and role in d.values and rid not in errors:
                    country = d.values.get("country", current[rid].get("country", ""))
                    by_field.setdefault(self._field_for(role, country), []).append((rid, d.values[role]))
            for field, rows in by_field.items():
                frame = pd.DataFrame({"Id": [r[0] for r in rows], "value": [r[1] for r in rows]}, dtype=object)
                answer = self.client.write_field(frame, field, cancel=cancel)
                for (record_id, _), outcome in zip(rows, answer.to_dict("records"), strict=True):
                    if bool(outcome["success"]):
                        written.setdefault(record_id, {})[role] = current[record_id].get(role, "")
                    else:
                        errors[record_id] = (str(outcome.get("error_code") or "FAILED"),
                                             str(outcome.get("message") or ""))
        progress(Progress(len(changes), len(changes), "Writing address fixes to Salesforce"))
        return [_account_result(c, decisions[c.record_id], written.get(c.record_id, {}), errors.get(c.record_id))
                for c in changes]

    def _read(self, record_ids: Sequence[str], cancel: CancelToken | None) -> dict[str, dict[str, str]]:
        """Each Account's address by role as a check reads it: a picklist org's code, or its text when the
        record has no code yet."""
        role_fields = self._role_fields()
        names = list(dict.fromkeys([*role_fields.values(), *(TEXT_OF_CODE[f] for f in role_fields.values()
                                                              if f in TEXT_OF_CODE)]))
        ids = sorted({normalize_id(i) or i for i in record_ids if normalize_id(i)})
        values: dict[str, dict[str, str]] = {}
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            frame = self.client.query(f"SELECT Id, {', '.join(names)} FROM Account WHERE Id IN {soql_id_list(chunk)}",
                                      cancel=cancel)
            frame = fill_codes_from_text(frame.astype(object).where(frame.notna(), ""))
            for row in frame.to_dict("records"):
                values[str(row["Id"])] = {role: str(row.get(field, "") or "").strip()
                                          for role, field in role_fields.items()}
        return {rid: values[normalize_id(rid) or rid] for rid in record_ids if (normalize_id(rid) or rid) in values}


def _account_result(change: RecordChange, decision: Decision | None, written: dict[str, str],
                    error: tuple[str, str] | None) -> AddressWriteResult:
    if decision is None:
        return AddressWriteResult(change.record_id, "not_found", {}, "", "Salesforce has no Account with this id "
                                  "(deleted or merged?).")
    if decision.action == "conflict":
        return AddressWriteResult(change.record_id, "conflict", {}, "changed", decision.message)
    if decision.action == "unchanged":
        return AddressWriteResult(change.record_id, "unchanged", {})
    if error is not None:
        return AddressWriteResult(change.record_id, "failed", written, error[0],
                                  f"Salesforce refused the address: {error[1]}".strip())
    return AddressWriteResult(change.record_id, "written", written)


@dataclass(frozen=True)
class AddressFigures:
    """Per side, how many address parts ended in each state, and what was not written with why."""

    counts: dict[str, dict[str, int]]
    problems: list[tuple[str, str, str, str, str, str]]


FIX_FILE_COLUMNS = ("record_id", "field", "value", "suggestion")


def read_fix_file(path: Path, side: str) -> pd.DataFrame:
    """The fixes to write from a ``check-addresses --out`` file (edited or not) for ``side``
    (``account`` or ``customer``): every row with a suggestion. ``TableError`` names what is wrong."""
    table = read_table(path)
    lower = {str(c).strip().lower(): c for c in table.frame.columns}
    missing = [c for c in FIX_FILE_COLUMNS if c not in lower]
    if missing:
        raise TableError(f"{path.name} is not a check-addresses output: it has no column {', '.join(missing)} "
                         f"(it has {', '.join(map(str, table.frame.columns))}). Write it with "
                         "'desktop-app check-addresses --out FILE'.")
    frame = pd.DataFrame({c: table.frame[lower[c]].astype(str) for c in FIX_FILE_COLUMNS})
    if "confidence" in lower:
        frame["confidence"] = pd.to_numeric(table.frame[lower["confidence"]], errors="coerce").fillna(1.0)
    return frame[frame["suggestion"].str.strip() != ""].assign(side=side).reset_index(drop=True)


def address_writers(salesforce: SalesforceClient | None, billing: object | None) -> dict[str, AddressWriter]:
    """The sides that can take address fixes: Salesforce, and the billing system if its adapter can."""
    writers: dict[str, AddressWriter] = {}
    if salesforce is not None:
        writers["account"] = SalesforceAddresses(salesforce)
    if isinstance(billing, AddressWriter):
        writers["customer"] = billing
    return writers


def address_results_path(run_id: str) -> Path:
    """Where a run's address fixes are listed, one row per address part with what became of it."""
    return runs_dir(run_id) / ADDRESS_RESULTS


def write_address_fixes(run_id: str, changes: Sequence[RecordChange], writers: Mapping[str, AddressWriter], *,
                        journal_path: Path | None = None, progress: ProgressCallback = ignore_progress,
                        cancel: CancelToken | None = None) -> AddressFigures:
    """Journal and write ``changes`` for run ``run_id`` (again: continue the parts still open), and
    list every part with what became of it at ``address_results_path(run_id)``."""
    writable = [c for c in changes if c.side in writers]
    with AddressJournal(journal_path) as journal:
        journal.add(run_id, writable)
        try:
            for side, writer in writers.items():
                _write_side(journal, run_id, side, writer, progress, cancel)
        finally:
            _list_results(journal, run_id)
        return AddressFigures(journal.counts(run_id), journal.problems(run_id))


def address_counts(run_id: str, *, journal_path: Path | None = None) -> dict[str, dict[str, int]]:
    """Per side, run ``run_id``'s address parts by state (as its report gave them)."""
    with AddressJournal(journal_path) as journal:
        return journal.counts(run_id)


def fixed_records(run_id: str, *, journal_path: Path | None = None) -> set[tuple[str, str]]:
    """``(side, record_id)`` of every record with an address part the run has written."""
    with AddressJournal(journal_path) as journal:
        return {(side, change.record_id) for side in ("account", "customer")
                for change in journal.changes(run_id, side, ["written"])}


def undo_address_fixes(run_id: str, writers: Mapping[str, AddressWriter], *, journal_path: Path | None = None,
                       progress: ProgressCallback = ignore_progress,
                       cancel: CancelToken | None = None) -> AddressFigures:
    """Put back what run ``run_id``'s address fixes replaced, where the fixed value is still there."""
    with AddressJournal(journal_path) as journal:
        try:
            _undo_sides(journal, run_id, writers, progress, cancel)
        finally:
            _list_results(journal, run_id)
        return AddressFigures(journal.counts(run_id), journal.problems(run_id))


def _list_results(journal: AddressJournal, run_id: str) -> None:
    if journal.counts(run_id):  # a run without address fixes gets no file
        private_file(write_csv(address_results_path(run_id), journal.frame(run_id)))


def _undo_sides(journal: AddressJournal, run_id: str, writers: Mapping[str, AddressWriter],
                progress: ProgressCallback, cancel: CancelToken | None) -> None:
    for side, writer in writers.items():
        done = journal.changes(run_id, side, ["written"])
        for start in range(0, len(done), BATCH):
            if cancel is not None:
                cancel.raise_if_cancelled()
            batch = done[start:start + BATCH]
            outcomes = writer.update_addresses([reversed_change(c) for c in batch], cancel=cancel)
            journal.record(run_id, side, batch, outcomes, undo=True)
            progress(Progress(start + len(batch), len(done), f"Undoing address fixes in {SIDE_TITLES[side]}"))


def _write_side(journal: AddressJournal, run_id: str, side: str, writer: AddressWriter,
                progress: ProgressCallback, cancel: CancelToken | None) -> None:
    todo = journal.changes(run_id, side, OPEN_ADDRESS_STATES)
    for start in range(0, len(todo), BATCH):
        if cancel is not None:
            cancel.raise_if_cancelled()
        batch = todo[start:start + BATCH]
        journal.mark_sending(run_id, side, batch)
        results = writer.update_addresses(batch, cancel=cancel)
        journal.record(run_id, side, batch, results)
        progress(Progress(start + len(batch), len(todo), f"Writing address fixes to {SIDE_TITLES[side]}"))

