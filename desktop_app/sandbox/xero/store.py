"""State of the Xero sandbox: one organisation (tenant) of Contacts, call limits, faults, counters.

Contacts have the Accounting API's shape: ``ContactID`` (uuid), ``ContactNumber`` (≤ 50 characters,
settable only through the API, shown as "Contact Code"), ``Name`` (unique), ``ContactStatus``
(ACTIVE / ARCHIVED / GDPRREQUEST), ``EmailAddress``, ``Addresses`` (POBOX and STREET, free-text
``Country``), ``DefaultCurrency``, ``IsCustomer`` and ``UpdatedDateUTC`` as ``/Date(ms+0000)/``.
"""

from __future__ import annotations

import copy
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pycountry

CONTACT_NUMBER_MAX = 50
# Fields Xero computes and ignores when sent back; xero-python's Contact model sends the booleans by default.
READ_ONLY = frozenset({"HasAttachments", "HasValidationErrors", "UpdatedDateUTC", "StatusAttributeString",
                       "ValidationErrors", "IsSupplier", "IsCustomer"})
_NAMESPACE = uuid.UUID("6f1c1b1e-8d0e-4a53-9b39-2f0c7e0c1a55")


@dataclass
class XeroFaults:
    """``storm_requests``: the next N requests answer 429 (minute limit); ``vanished``: ids deleted meanwhile."""

    storm_requests: int = 0
    retry_after_seconds: int = 1
    vanished: set[str] = field(default_factory=set)


@dataclass
class XeroCounters:
    """Applied updates per ContactID, requests by method, answers by status, replays."""

    writes: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    replays: int = 0


class XeroStore:
    """Contacts in creation order, the day's call count and the idempotency cache."""

    def __init__(self, contacts: Iterable[dict[str, Any]], *, faults: XeroFaults | None = None,
                 day_limit: int = 5000) -> None:
        self.lock = threading.RLock()
        self.faults = faults or XeroFaults()
        self.counters = XeroCounters()
        self.day_limit = day_limit
        self.calls_today = 0
        self._contacts: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        self._answers: dict[str, dict[str, Any]] = {}
        for contact in contacts:
            self._contacts[str(contact["ContactID"])] = contact
            self._order.append(str(contact["ContactID"]))

    def __len__(self) -> int:
        return len(self._order)

    def count_call(self) -> int:
        """Count one call against the day's limit; the calls left today."""
        with self.lock:
            self.calls_today += 1
            return self.day_limit - self.calls_today

    def page(self, page: int, size: int, *, include_archived: bool,
             keep: Callable[[Mapping[str, Any]], bool] | None = None) -> tuple[list[dict[str, Any]], int]:
        """Contacts ``keep`` accepts (all by default) of 1-based ``page``; (items, item count)."""
        with self.lock:
            ids = [i for i in self._order
                   if (include_archived or self._contacts[i].get("ContactStatus") != "ARCHIVED")
                   and (keep is None or keep(self._contacts[i]))]
            chosen = ids[(page - 1) * size : page * size]
            return [copy.deepcopy(self._contacts[i]) for i in chosen], len(ids)

    def get(self, contact_id: str) -> dict[str, Any] | None:
        """A copy of the contact, None when unknown or vanished."""
        with self.lock:
            if contact_id in self.faults.vanished:
                return None
            found = self._contacts.get(contact_id)
            return copy.deepcopy(found) if found is not None else None

    def take_storm(self) -> bool:
        """True while a 429 storm lasts."""
        with self.lock:
            if self.faults.storm_requests > 0:
                self.faults.storm_requests -= 1
                return True
            return False

    def update(self, sent: Mapping[str, Any]) -> dict[str, Any]:
        """Apply one contact of a POST; the contact as answered, with ``ValidationErrors`` when refused."""
        with self.lock:
            contact_id = str(sent.get("ContactID") or "")
            current = self.get(contact_id)
            if current is None:
                return {**dict(sent), "HasValidationErrors": True, "StatusAttributeString": "ERROR",
                        "ValidationErrors": [{"Message": f"Contact {contact_id} could not be found."}]}
            problems = self._problems(current, sent)
            if problems:
                return {**current, "HasValidationErrors": True, "StatusAttributeString": "ERROR",
                        "ValidationErrors": [{"Message": m} for m in problems]}
            updated = self._contacts[contact_id]
            for key, value in sent.items():
                if key == "ContactNumber" and not value:
                    updated.pop("ContactNumber", None)
                elif key != "ContactID" and key not in READ_ONLY:
                    updated[key] = value
            updated["UpdatedDateUTC"] = f"/Date({int(time.time() * 1000)}+0000)/"
            self.counters.writes[contact_id] += 1
            return {**copy.deepcopy(updated), "HasValidationErrors": False, "StatusAttributeString": "OK"}

    @staticmethod
    def _problems(current: Mapping[str, Any], sent: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        number = sent.get("ContactNumber")
        if number is not None and len(str(number)) > CONTACT_NUMBER_MAX:
            problems.append(f"The Contact Number must be {CONTACT_NUMBER_MAX} characters or less.")
        if current.get("ContactStatus") == "GDPRREQUEST":
            problems.append("This contact has been removed following a GDPR request and cannot be edited.")
        if current.get("ContactStatus") == "ARCHIVED":
            problems.append("This contact is archived; restore it in Xero before editing it.")
        unknown = set(sent) - {"ContactID", "ContactNumber"} - READ_ONLY
        if unknown:
            problems.append(f"This sandbox only updates ContactNumber (got {', '.join(sorted(unknown))}).")
        return problems

    def remembered(self, key: str) -> dict[str, Any] | None:
        """The answer already given to a request with this ``Idempotency-Key``."""
        with self.lock:
            return self._answers.get(key)

    def remember(self, key: str, body: dict[str, Any]) -> None:
        """Keep the answer so a retry with the same key is not applied twice."""
        with self.lock:
            self._answers[key] = body


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def contacts_from_rows(rows: Iterable[Mapping[str, Any]], *, seed: int = 7, messy: bool = True) -> list[dict[str, Any]]:
    """Xero contacts from canonical customers rows (the ``sf_account_id`` in ``ContactNumber``).

    With ``messy``: country names instead of codes (Xero holds free text), names made unique the
    way Xero forces (" 2"), archived contacts (left out of a listing unless asked for), a contact
    erased after a GDPR request, contact numbers already used for another system's code.
    """
    rng = random.Random(seed)
    used: Counter[str] = Counter()
    contacts: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        draw = rng.random() if messy else 1.0
        name = _text(row, "name") or _text(row, "legal_name") or f"Contact {position}"
        used[name.lower()] += 1
        unique = name if used[name.lower()] == 1 else f"{name} {used[name.lower()]}"
        code = _text(row, "country")
        country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
        status = "ARCHIVED" if messy and draw < 0.04 else "GDPRREQUEST" if messy and draw < 0.05 else "ACTIVE"
        contact: dict[str, Any] = {
            "ContactID": str(uuid.uuid5(_NAMESPACE, f"{seed}-{position}-{_text(row, 'customer_id')}")),
            "ContactStatus": status,
            "Name": unique,
            "EmailAddress": _text(row, "email"),
            "Addresses": [
                {"AddressType": "POBOX", "AddressLine1": _text(row, "street"), "City": _text(row, "city"),
                 "Region": _text(row, "state"), "PostalCode": _text(row, "postcode"),
                 "Country": str(country.name) if country is not None and messy and draw < 0.7 else code},
                {"AddressType": "STREET"},
            ],
            "Phones": [],
            "UpdatedDateUTC": f"/Date({1704067200000 + position * 60000}+0000)/",
            "IsSupplier": False,
            "IsCustomer": True,
            "HasAttachments": False,
            "HasValidationErrors": False,
        }
        if _text(row, "currency"):
            contact["DefaultCurrency"] = _text(row, "currency").upper()
        if _text(row, "website"):
            contact["Website"] = _text(row, "website")
        account_id = _text(row, "sf_account_id")
        if account_id:
            contact["ContactNumber"] = account_id
        elif messy and 0.7 <= draw < 0.75:
            contact["ContactNumber"] = f"CUST-{position:05d}"  # a code from the previous accounting system
        contacts.append(contact)
    return contacts
