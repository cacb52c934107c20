"""State of the QuickBooks Online sandbox: one company (realm) of Customers, faults and counters.

Customers follow the Accounting API's Customer entity (minor version 75): string ``Id``,
``SyncToken`` bumped on every change, ``DisplayName`` unique in the company, ``Active``, free-text
``BillAddr.Country``, ``Notes`` (at most 2,000 characters) and, on plans with customer custom
fields, ``CustomField`` entries ``{DefinitionId, Name, Type, StringValue}``.
"""

from __future__ import annotations

import copy
import random
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pycountry

from desktop_app.sandbox.quickbooks.query import COMPANY_ZONE, CustomerQuery

NOTES_MAX = 2000
DISPLAY_NAME_MAX = 500
# The sandbox company's customer custom field (QBO Advanced); None on Simple Start/Essentials/Plus.
DEFAULT_DEFINITION = {"DefinitionId": "1", "Name": "Salesforce Account Id", "Type": "StringType"}


@dataclass
class QuickBooksFaults:
    """Faults to inject. Id sets fire once per listed customer id.

    ``storm_requests``: the next N requests answer 429. ``stale_once``: just before the next
    update of the id, someone else edits the customer (its ``SyncToken`` moves on).
    ``vanished``: the id answers "Object Not Found" although listings still show it.
    """

    storm_requests: int = 0
    retry_after_seconds: int = 1
    stale_once: set[str] = field(default_factory=set)
    vanished: set[str] = field(default_factory=set)


@dataclass
class QuickBooksCounters:
    """Applied updates per customer id, requests by kind, answers by status, replays."""

    writes: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    replays: int = 0


class QuickBooksStore:
    """Customers by Id (numeric order), the custom field definition, faults, counters, request ids."""

    def __init__(self, customers: Iterable[dict[str, Any]], *, custom_field: Mapping[str, str] | None = None,
                 faults: QuickBooksFaults | None = None) -> None:
        self.lock = threading.RLock()
        self.faults = faults or QuickBooksFaults()
        self.counters = QuickBooksCounters()
        self.custom_field = dict(custom_field) if custom_field is not None else None
        self._customers: dict[str, dict[str, Any]] = {str(c["Id"]): c for c in customers}
        self._answers: dict[str, tuple[int, dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self._customers)

    def query(self, query: CustomerQuery) -> list[dict[str, Any]]:
        """Copies of the customers on the page ``query`` asks for."""
        with self.lock:
            return copy.deepcopy(query.page(self._customers.values()))

    def count(self, query: CustomerQuery) -> int:
        """How many customers match ``query``'s conditions (its page aside)."""
        with self.lock:
            return sum(1 for c in self._customers.values() if query.matches(c))

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """A copy of the customer, None when unknown or vanished."""
        with self.lock:
            if customer_id in self.faults.vanished:
                return None
            found = self._customers.get(customer_id)
            return copy.deepcopy(found) if found is not None else None

    def take(self, fault: set[str], customer_id: str) -> bool:
        """True once when ``customer_id`` is in ``fault``."""
        with self.lock:
            if customer_id in fault:
                fault.discard(customer_id)
                return True
            return False

    def take_storm(self) -> bool:
        """True while a 429 storm lasts."""
        with self.lock:
            if self.faults.storm_requests > 0:
                self.faults.storm_requests -= 1
                return True
            return False

    def touch(self, customer_id: str) -> None:
        """Someone else edited the customer: its SyncToken moves on."""
        with self.lock:
            customer = self._customers[customer_id]
            customer["SyncToken"] = str(int(customer["SyncToken"]) + 1)

    def sparse_update(self, body: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
        """Apply a sparse update; (updated customer, []) or (None, QBO errors)."""
        with self.lock:
            customer_id = str(body.get("Id") or "")
            if customer_id in self.faults.vanished or customer_id not in self._customers:
                return None, [fault("610", "Object Not Found", f"Customer {customer_id} was not found or is deleted.")]
            if self.take(self.faults.stale_once, customer_id):
                self.touch(customer_id)
            current = self._customers[customer_id]
            if str(body.get("SyncToken")) != str(current["SyncToken"]):
                return None, [fault("5010", "Stale Object Error",
                                    f"You and {current.get('DisplayName', 'someone')} edited the same customer "
                                    f"at the same time; SyncToken {body.get('SyncToken')} is not the current "
                                    f"{current['SyncToken']}.")]
            problems = self._problems(customer_id, body)
            if problems:
                return None, problems
            updated = copy.deepcopy(current)
            for key, value in body.items():
                if key in ("Id", "SyncToken", "sparse", "domain", "MetaData"):
                    continue
                if key == "CustomField":
                    updated["CustomField"] = self._merged_custom_fields(current, value)
                else:
                    updated[key] = value
            updated["SyncToken"] = str(int(current["SyncToken"]) + 1)
            updated["MetaData"] = {**current.get("MetaData", {}),
                                   "LastUpdatedTime": datetime.now(COMPANY_ZONE).isoformat(timespec="seconds")}
            self._customers[customer_id] = updated
            self.counters.writes[customer_id] += 1
            return copy.deepcopy(updated), []

    def _problems(self, customer_id: str, body: dict[str, Any]) -> list[dict[str, str]]:
        problems: list[dict[str, str]] = []
        notes = body.get("Notes")
        if notes is not None and len(str(notes)) > NOTES_MAX:
            problems.append(fault("6000", "A business validation error has occurred while processing your request",
                                  f"Business Validation Error: Notes is {len(str(notes))} characters; the "
                                  f"maximum is {NOTES_MAX}.", element="Notes"))
        name = body.get("DisplayName")
        if name is not None and len(str(name)) > DISPLAY_NAME_MAX:
            problems.append(fault("6000", "A business validation error has occurred while processing your request",
                                  f"Business Validation Error: DisplayName is {len(str(name))} characters; the "
                                  f"maximum is {DISPLAY_NAME_MAX}.", element="DisplayName"))
        if name is not None:
            # QuickBooks names are not case sensitive (Intuit: "BOB" duplicates "bob"); spaces around are not kept.
            clash = [c for c in self._customers.values()
                     if c["Id"] != customer_id and _name_key(c.get("DisplayName", "")) == _name_key(name)]
            if clash:
                problems.append(fault("6240", "Duplicate Name Exists Error",
                                      f"The name supplied already exists. : Another customer (Id={clash[0]['Id']}) "
                                      "is already using this name. Please use a different name."))
        if "CustomField" in body:
            for entry in body["CustomField"] or []:
                if self.custom_field is None or str(entry.get("DefinitionId")) != self.custom_field["DefinitionId"]:
                    problems.append(fault("2010", "Request has invalid or unsupported property",
                                          f"Property Name: CustomField DefinitionId {entry.get('DefinitionId')!r} "
                                          "is not a customer custom field of this company.", element="CustomField"))
        return problems

    def _merged_custom_fields(self, current: dict[str, Any], sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
        fields = {str(f["DefinitionId"]): dict(f) for f in current.get("CustomField") or []}
        for entry in sent or []:
            definition = str(entry["DefinitionId"])
            kept = {**(self.custom_field or {}), **fields.get(definition, {})}
            kept["StringValue"] = str(entry.get("StringValue") or "")
            fields[definition] = kept
        return [f for f in fields.values() if f.get("StringValue")]

    def remembered(self, request_id: str) -> tuple[int, dict[str, Any]] | None:
        """The answer already given to this ``requestid``."""
        with self.lock:
            return self._answers.get(request_id)

    def remember(self, request_id: str, status: int, body: dict[str, Any]) -> None:
        """Keep the answer so a retry with the same ``requestid`` is not applied twice."""
        with self.lock:
            self._answers[request_id] = (status, body)


def _name_key(name: object) -> str:
    return str(name or "").strip().casefold()


def fault(code: str, message: str, detail: str, *, element: str = "") -> dict[str, str]:
    """One entry of a QBO ``Fault.Error`` list."""
    entry = {"Message": message, "Detail": detail, "code": code}
    if element:
        entry["element"] = element
    return entry


# --- seeding --------------------------------------------------------------------------------------


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return str(country.name) if country is not None else code


def customers_from_rows(rows: Iterable[Mapping[str, Any]], *, seed: int = 7, messy: bool = True,
                        custom_field: Mapping[str, str] | None = DEFAULT_DEFINITION) -> list[dict[str, Any]]:
    """QBO Customers from canonical customers rows, Ids 1, 2, …

    A row's ``sf_account_id`` goes to the custom field (when the company has one), else to a
    ``Salesforce Account: …`` line in Notes. With ``messy``: country names instead of codes (QBO
    holds free text), names taken twice made unique the way QBO users do (" (2)"), some inactive
    customers and Notes too long to take one more line.
    """
    rng = random.Random(seed)
    used: Counter[str] = Counter()
    customers: list[dict[str, Any]] = []
    for position, row in enumerate(rows, start=1):
        draw = rng.random() if messy else 1.0
        name = _text(row, "name") or _text(row, "legal_name") or f"Customer {position}"
        used[name.lower()] += 1
        display = name if used[name.lower()] == 1 else f"{name} ({used[name.lower()]})"
        country = _text(row, "country")
        customer: dict[str, Any] = {
            "Id": str(position),
            "SyncToken": "0",
            "DisplayName": display[:DISPLAY_NAME_MAX],
            "CompanyName": _text(row, "legal_name") or name,
            "Active": not (messy and draw < 0.04),
            "BillAddr": {"Line1": _text(row, "street"), "City": _text(row, "city"),
                         "CountrySubDivisionCode": _text(row, "state"), "PostalCode": _text(row, "postcode"),
                         "Country": _country_name(country) if messy and draw < 0.6 else country},
            "Job": False,
            "BillWithParent": False,
            "MetaData": {"CreateTime": "2024-01-01T00:00:00-08:00", "LastUpdatedTime": "2024-01-01T00:00:00-08:00"},
        }
        if _text(row, "email"):
            customer["PrimaryEmailAddr"] = {"Address": _text(row, "email")}
        if _text(row, "website"):
            customer["WebAddr"] = {"URI": _text(row, "website")}
        if _text(row, "currency"):
            customer["CurrencyRef"] = {"value": _text(row, "currency").upper()}
        account_id = _text(row, "sf_account_id")
        notes = ""
        if messy and 0.6 <= draw < 0.63:
            notes = "Payment terms agreed by phone. " * 64  # leaves no room for one more line
        if account_id and custom_field is not None:
            customer["CustomField"] = [{**custom_field, "StringValue": account_id}]
        elif account_id:
            notes = f"{notes}\nSalesforce Account: {account_id}".strip()
        if notes:
            customer["Notes"] = notes[:NOTES_MAX]
        customers.append(customer)
    return customers
