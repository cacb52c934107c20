"""Adapters from the two systems' clients to what the link engine needs from a side.

A side reads the link field of given records and writes values into it, one result per record.
``SalesforceSide`` wraps ``SalesforceClient`` (the Account's link field); ``BillingSide`` wraps any
``BillingSystem`` (the customer's stored Salesforce Account id).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from desktop_app.billing.base import BillingSystem
from desktop_app.core.ids import normalize_id
from desktop_app.core.progress import CancelToken
from desktop_app.salesforce.bulk_steps import query_all
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.soql import soql_field, soql_id_list
from desktop_app.salesforce.transport import Transport

# Salesforce per-record codes meaning the record is gone (not worth retrying).
GONE_CODES = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY", "INVALID_ID_FIELD"})
READ_CHUNK = 200
# Above this many ids one Bulk 2.0 query of every record (filtered here) costs 3 calls, where REST
# chunks of ``READ_CHUNK`` ids cost one call each.
READ_ALL_ABOVE = 2_000


@dataclass(frozen=True)
class SideResult:
    """What one write did: ``state`` is written, unchanged, failed or not_found."""

    record_id: str
    state: str
    error_code: str = ""
    message: str = ""


class LinkSide(Protocol):
    """One system's link field as the engine sees it."""

    name: str  # "account" or "customer"
    label: str  # shown to the user: "Salesforce", "Sequence" ...
    batch_size: int

    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        """Current value per id exactly as stored (``""`` when empty); ids the system does not know
        are left out when the system can tell, else reported as ``""``."""
        ...

    def write(self, values: Sequence[tuple[str, str]], cancel: CancelToken | None = None) -> list[SideResult]:
        """Write ``(record_id, value)`` pairs (``""`` clears); one result per pair, in order."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def close_sides(sides: Mapping[str, LinkSide]) -> None:
    """Close every side's connections."""
    for side in sides.values():
        side.close()


class SalesforceSide:
    """The Account link field through ``SalesforceClient`` (SOQL reads, Collections/Bulk writes)."""

    name = "account"
    label = "Salesforce"

    def __init__(
        self, client: SalesforceClient, link_field: str, *, batch_size: int = 200, sobject: str = "Account"
    ) -> None:
        self.client = client
        self.link_field = soql_field(link_field)
        self.batch_size = batch_size
        self.sobject = soql_field(sobject)

    def close(self) -> None:
        """Close the HTTP session."""
        self.client.session.http.close()

    @property
    def transport(self) -> Transport:
        """The client's transport (Bulk 2.0 job calls)."""
        return self.client.transport

    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        """The link field of the given Accounts (deleted or unknown ids are left out)."""
        wanted = {normalize_id(i) or i for i in record_ids}
        if len(wanted) > READ_ALL_ABOVE:
            return self.read_all(wanted, cancel=cancel)[0]
        values: dict[str, str] = {}
        ids = sorted(i for i in wanted if normalize_id(i))
        for start in range(0, len(ids), READ_CHUNK):
            chunk = ids[start : start + READ_CHUNK]
            soql = f"SELECT Id, {self.link_field} FROM {self.sobject} WHERE Id IN {soql_id_list(chunk)}"
            values.update(_frame_values(self.client.query(soql, cancel=cancel), self.link_field))
        return values

    def read_all(
        self, wanted: Collection[str], cancel: CancelToken | None = None
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(link value, parent id) of the ``wanted`` ids (18-character form) from one Bulk 2.0 query of
        every record; the parent is the Account's ParentId (``""`` for other objects or none)."""
        parent = "ParentId" if self.sobject == "Account" else ""
        fields = ", ".join(["Id", self.link_field, *([parent] if parent else [])])
        frame = query_all(self.transport, f"SELECT {fields} FROM {self.sobject}", expected_rows=len(wanted),
                          cancel=cancel or CancelToken())
        values = {k: v for k, v in _frame_values(frame, self.link_field).items() if k in wanted}
        parents = {k: v for k, v in _frame_values(frame, parent).items() if k in wanted and v} if parent else {}
        return values, parents

    def write(self, values: Sequence[tuple[str, str]], cancel: CancelToken | None = None) -> list[SideResult]:
        """Set the link field; per-record Salesforce errors become failed/not_found results."""
        frame = pd.DataFrame({"Id": [v[0] for v in values], "value": [v[1] for v in values]}, dtype=object)
        answer = self.client.write_field(frame, self.link_field, sobject=self.sobject, cancel=cancel)
        results: list[SideResult] = []
        for (record_id, _), outcome in zip(values, answer.to_dict("records"), strict=True):
            code = str(outcome.get("error_code") or "")
            if bool(outcome["success"]):
                results.append(SideResult(record_id, "written"))
            elif code in GONE_CODES:
                results.append(SideResult(record_id, "not_found", code, str(outcome.get("message") or "")))
            else:
                results.append(SideResult(record_id, "failed", code or "FAILED", str(outcome.get("message") or "")))
        return results


def _frame_values(frame: pd.DataFrame, field: str) -> dict[str, str]:
    if frame.empty:
        return {}
    column = next((c for c in frame.columns if str(c).lower() == field.lower()), None)
    ids = frame["Id"].astype(str).tolist()
    texts = frame[column].fillna("").astype(str).tolist() if column is not None else [""] * len(ids)
    return {(normalize_id(i) or i): t for i, t in zip(ids, texts, strict=True)}


class BillingSide:
    """A billing system's customers through the ``BillingSystem`` protocol."""

    name = "customer"

    def __init__(self, system: BillingSystem, *, batch_size: int = 100) -> None:
        self.system = system
        self.label = system.display_name
        self.batch_size = batch_size

    def key_writes_to(self, run_id: str) -> None:
        """Key the adapter's idempotent writes to the journal's run: a write resumed later, in this
        process or another, then carries the key of its first attempt, so a request that a stopped
        process left on the wire and the system takes only after the resume's read is applied once."""
        if hasattr(self.system, "run_id"):
            self.system.run_id = run_id

    def forget_outage(self) -> None:
        """A run or a resume starts: the adapter forgets that its system went silent and finds out
        afresh (otherwise a resumed run would give up before sending anything)."""
        forget = getattr(self.system, "forget_outage", None)
        if callable(forget):
            forget()

    def close(self) -> None:
        """Close the adapter's connections (when it has any)."""
        closer = getattr(self.system, "close", None)
        if callable(closer):
            closer()

    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        """Each customer's stored Account id as stored (``""`` when empty or the customer is unknown)."""
        return {cid: value or "" for cid, value in self.system.read_links(list(record_ids)).items()}

    @property
    def reads_by_pages(self) -> bool:
        """True when the system lists customers a page at a time with their link (``read_link_pages``)."""
        return callable(getattr(self.system, "read_link_pages", None))

    def read_pages(self, wanted: Collection[str], cancel: CancelToken | None = None) -> Iterator[dict[str, str]]:
        """The stored Account id of the ``wanted`` customers, one dict per page of the system's list."""
        for page in self.system.read_link_pages(wanted, cancel):  # type: ignore[attr-defined]
            yield {cid: value or "" for cid, value in page.items()}

    def forget_reads(self, record_ids: Collection[str]) -> None:
        """Tell the adapter these customers read by ``read_pages`` will not be written from that read."""
        forget = getattr(self.system, "forget_reads", None)
        if callable(forget):
            forget(record_ids)

    def write(self, values: Sequence[tuple[str, str]], cancel: CancelToken | None = None) -> list[SideResult]:
        """Write each link; the adapter's statuses map one to one."""
        answer = self.system.write_links(list(values), cancel=cancel)
        return [SideResult(r.customer_id, r.status, r.error_code or "", r.message) for r in answer]
