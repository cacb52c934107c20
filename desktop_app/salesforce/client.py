"""``SalesforceClient``: the few typed operations Crosslink needs from an org.

Reads go through REST paging below ``bulk_threshold`` records and Bulk 2.0 above; writes through
sObject Collections (200 per call) or Bulk 2.0 ingest. Every frame returned holds text only
(``""`` for null), so ids never turn into numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from simple_salesforce.api import Salesforce

from desktop_app.core.ids import normalize_id
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.salesforce import contacts
from desktop_app.salesforce.bulk import RESULT_COLUMNS, bulk_query_pages, bulk_update
from desktop_app.salesforce.collections import collections_update
from desktop_app.salesforce.session import SalesforceSession
from desktop_app.salesforce.soql import soql_field
from desktop_app.salesforce.transport import RetryPolicy, Transport

_SELECT_LIST = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s", re.I | re.S)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, Mapping):
            if "records" in value:  # a child subquery: kept as its record count
                row[prefix + key] = str(value.get("totalSize", 0))
            else:
                row.update(_flatten(value, f"{prefix}{key}."))
        else:
            row[prefix + key] = _text(value)
    return row


def select_list(soql: str) -> list[str]:
    """The plain field names of a SOQL select list (empty when it has functions or subqueries)."""
    match = _SELECT_LIST.match(soql)
    if not match or "(" in match["fields"]:
        return []
    return [name.strip() for name in match["fields"].split(",")]


def records_frame(records: list[dict[str, str]], columns: Sequence[str]) -> pd.DataFrame:
    """Flattened records as a frame of text with ``columns`` first (missing cells ``""``)."""
    names = list(columns)
    lower = {c.lower() for c in names}
    for row in records:
        for key in row:
            if key.lower() not in lower:
                names.append(key)
                lower.add(key.lower())
    by_lower = [{k.lower(): v for k, v in row.items()} for row in records]
    data = {name: [row.get(name.lower(), "") for row in by_lower] for name in names}
    return pd.DataFrame(data, columns=names, dtype=object)


class SalesforceClient:
    """Typed access to one org through a ``SalesforceSession`` (timeouts, renewal and retries included)."""

    def __init__(
        self,
        session: SalesforceSession,
        *,
        api_version: str = "61.0",
        bulk_threshold: int = 10_000,
        timeout: float = 60,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.session = session
        self.bulk_threshold = bulk_threshold
        self.transport = Transport(session, api_version=api_version, timeout=timeout, retry=retry)

    def __repr__(self) -> str:
        return f"SalesforceClient(instance_url={self.session.instance_url!r})"

    @property
    def calls(self) -> int:
        """HTTP requests this client sent so far (retries included)."""
        return self.transport.calls

    def simple_salesforce(self) -> Salesforce:
        """The simple-salesforce object on our HTTP session and timeouts, for one-off calls (no retries)."""
        return self.transport.salesforce()

    def describe(self, sobject: str) -> dict[str, Any]:
        """The describe document of ``sobject`` as the running user sees it."""
        name = soql_field(sobject)
        result: dict[str, Any] = self.transport.call(
            lambda sf: sf.restful(f"sobjects/{name}/describe") or {}, what=f"describing {name}"
        )
        return result

    def query(
        self,
        soql: str,
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
        tooling: bool = False,
    ) -> pd.DataFrame:
        """Every row of ``soql`` through REST paging; parent fields flattened to ``Account.Name``."""
        cancel = cancel or CancelToken()
        what = "running a query"

        def first(sf: Salesforce) -> Any:
            return sf.toolingexecute("query/", params={"q": soql}) if tooling else sf.query(soql)

        page: dict[str, Any] = self.transport.call(first, what=what, cancel=cancel)
        rows: list[dict[str, str]] = []
        total = int(page.get("totalSize", 0))
        while True:
            rows.extend(_flatten(record) for record in page.get("records", []))
            progress(Progress(len(rows), max(total, len(rows)), f"Read {len(rows):,} of {total:,} records"))
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                break
            cancel.raise_if_cancelled()
            page = self.transport.call(
                lambda sf, url: sf.query_more(url, identifier_is_url=True), next_url, what=what, cancel=cancel
            )
        return records_frame(rows, select_list(soql))

    def count(self, sobject: str, where: str | None = None) -> int:
        """How many ``sobject`` records match ``where`` (a SOQL condition built with ``soql_quote``)."""
        soql = f"SELECT COUNT() FROM {soql_field(sobject)}" + (f" WHERE {where}" if where else "")
        page: dict[str, Any] = self.transport.call(lambda sf: sf.query(soql), what=f"counting {sobject} records")
        return int(page.get("totalSize", 0))

    def count_accounts(self) -> int:
        """How many Accounts the running user can see."""
        return self.count("Account")

    def read_accounts(
        self,
        fields: Sequence[str],
        *,
        where: str | None = None,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame:
        """Accounts with ``fields`` (Id always first) as text; Bulk 2.0 when more than ``bulk_threshold``."""
        cancel = cancel or CancelToken()
        names = ["Id", *[soql_field(f) for f in fields if f.lower() != "id"]]
        soql = f"SELECT {', '.join(names)} FROM Account" + (f" WHERE {where}" if where else "")
        total = self.count("Account", where)
        progress(Progress(0, total, f"Reading {total:,} accounts"))
        if total <= self.bulk_threshold:
            return self.query(soql, progress=progress, cancel=cancel)
        pages = list(bulk_query_pages(self.transport, soql, total=total, cancel=cancel, progress=progress))
        frame = pd.concat(pages, ignore_index=True) if pages else pd.DataFrame(columns=names)
        return frame.reindex(columns=names, fill_value="").astype(object)

    def read_billing_contacts(
        self,
        *,
        lookup_field: str | None = None,
        emails_by_account: Mapping[str, str] | None = None,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame:
        """Each Account's billing contact with its mailing address, as a canonical contacts frame.

        With ``lookup_field`` (a Contact lookup on Account, e.g. ``Billing_Contact__c``) that contact;
        otherwise, for each account in ``emails_by_account``, its Contact whose Email equals the
        billing customer's e-mail (case-insensitive; the oldest such Contact when several).
        """
        return contacts.read_billing_contacts(
            self,
            lookup_field=lookup_field,
            emails_by_account=emails_by_account,
            progress=progress,
            cancel=cancel or CancelToken(),
        )

    def write_field(
        self,
        values: pd.DataFrame,
        field: str,
        *,
        sobject: str = "Account",
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame:
        """Set ``field`` on each record of ``values`` (columns Id, value; ``""`` clears the field).

        Returns one row per input Id, in input order: Id, success, error_code, message. Ids that are
        not Salesforce ids fail with ``MALFORMED_ID`` without being sent.
        """
        cancel = cancel or CancelToken()
        soql_field(field)
        ids = values["Id"].astype(str).map(lambda v: normalize_id(v) or "")
        frame = pd.DataFrame(
            {
                "Id": ids.to_numpy(dtype=object),
                "value": values["value"].fillna("").astype(str).to_numpy(dtype=object),
            }
        )
        sendable = frame[frame["Id"] != ""].drop_duplicates("Id", keep="last").reset_index(drop=True)
        sent = self._write(sendable, field, sobject=sobject, cancel=cancel, progress=progress)
        for attempt in range(1, self.transport.retry.attempts):
            locked = sent["error_code"] == "UNABLE_TO_LOCK_ROW"
            if not locked.any():
                break
            # Another process holds these records: wait, then send only them again.
            if cancel.wait(self.transport.retry.delay(attempt)):
                cancel.raise_if_cancelled()
            again = sendable[sendable["Id"].isin(sent.loc[locked, "Id"])].reset_index(drop=True)
            retried = self._write(again, field, sobject=sobject, cancel=cancel, progress=ignore_progress)
            sent = pd.concat([sent[~locked], retried], ignore_index=True)
        joined = frame[["Id"]].join(sent.set_index("Id"), on="Id")
        joined["Id"] = joined["Id"].where(frame["Id"] != "", values["Id"].astype(str).to_numpy(dtype=object))
        missing = joined["success"].isna()
        joined.loc[missing, "success"] = False
        joined.loc[missing, "error_code"] = "NO_RESULT"
        joined.loc[missing, "message"] = "Salesforce returned no result for this record."
        malformed = frame["Id"] == ""
        joined.loc[malformed, "success"] = False
        joined.loc[malformed, "error_code"] = "MALFORMED_ID"
        joined.loc[malformed, "message"] = "Not a Salesforce record id; nothing was sent for this row."
        return joined.astype({"Id": object, "success": bool, "error_code": object, "message": object})[
            RESULT_COLUMNS
        ].reset_index(drop=True)

    def _write(
        self,
        values: pd.DataFrame,
        field: str,
        *,
        sobject: str,
        cancel: CancelToken,
        progress: ProgressCallback,
    ) -> pd.DataFrame:
        if len(values) > self.bulk_threshold:
            return bulk_update(self.transport, values, field, sobject=sobject, cancel=cancel, progress=progress)
        return collections_update(self.transport, values, field, sobject=sobject, cancel=cancel, progress=progress)

    def limits(self) -> dict[str, Any]:
        """The org's limits document (DailyApiRequests, DailyBulkApiBatches, ... with Max/Remaining)."""
        result: dict[str, Any] = self.transport.call(lambda sf: sf.limits(), what="reading the org's limits")
        return result

    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) daily API requests from the last ``Sforce-Limit-Info`` header seen, if any."""
        return self.transport.api_usage

    def tooling_query(self, soql: str, *, cancel: CancelToken | None = None) -> pd.DataFrame:
        """Every row of a Tooling API query (validation rules, installed packages ...)."""
        return self.query(soql, cancel=cancel, tooling=True)
