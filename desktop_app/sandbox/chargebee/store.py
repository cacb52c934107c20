"""State of the Chargebee sandbox: one site's customers, its configured custom fields, faults, counters.

Customers have Chargebee API v2's shape: ``id``, ``first_name``, ``last_name``, ``company``,
``email``, ``billing_address{line1,line2,city,state,state_code,zip,country α-2}``, ``preferred_currency_code``,
``created_at`` (epoch seconds), ``resource_version`` (epoch ms, moves on every change), ``deleted``,
``object: "customer"``, ``meta_data`` (a JSON object) and custom fields ``cf_<name>`` at the top level.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CUSTOM_FIELD_MAX = 250  # a single-line text custom field
DEFAULT_CUSTOM_FIELD = "cf_salesforce_account_id"
_EPOCH = 1_704_067_200  # 2024-01-01


@dataclass
class ChargebeeFaults:
    """``storm_requests``: the next N requests answer 429; ``vanished``: ids deleted meanwhile."""

    storm_requests: int = 0
    retry_after_seconds: int = 1
    vanished: set[str] = field(default_factory=set)


@dataclass
class ChargebeeCounters:
    """Applied updates per customer id, requests by method, answers by status."""

    writes: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    replays: int = 0


class ChargebeeStore:
    """Customers in creation order plus the site's custom fields (``cf_…`` names)."""

    def __init__(self, customers: Iterable[dict[str, Any]], *, custom_fields: Iterable[str] = (DEFAULT_CUSTOM_FIELD,),
                 faults: ChargebeeFaults | None = None) -> None:
        self.lock = threading.RLock()
        self.faults = faults or ChargebeeFaults()
        self.counters = ChargebeeCounters()
        self.custom_fields = frozenset(custom_fields)
        self._customers: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        self._answers: dict[str, dict[str, Any]] = {}
        for customer in customers:
            self._customers[str(customer["id"])] = customer
            self._order.append(str(customer["id"]))

    def __len__(self) -> int:
        return len(self._order)

    def page(self, start: int, limit: int, *, include_deleted: bool,
             keep: Callable[[Mapping[str, Any]], bool] | None = None, sort_field: str = "", descending: bool = False,
             ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``limit`` customers ``keep`` accepts from position ``start``, in creation order or by
        ``sort_field``; (items, next position or None)."""
        with self.lock:
            ids = [i for i in self._order if (include_deleted or not self._customers[i].get("deleted"))
                   and (keep is None or keep(self._customers[i]))]
            if sort_field or descending:
                ids.sort(key=lambda i: int(self._customers[i].get(sort_field or "created_at") or 0), reverse=descending)
            chosen = ids[start : start + limit]
            following = start + limit if start + limit < len(ids) else None
            return [copy.deepcopy(self._customers[i]) for i in chosen], following

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """A copy of a live customer, None when unknown, deleted or vanished."""
        with self.lock:
            found = self._customers.get(customer_id)
            if found is None or found.get("deleted") or customer_id in self.faults.vanished:
                return None
            return copy.deepcopy(found)

    def remembered(self, key: str) -> dict[str, Any] | None:
        """The answer already given to an update with this idempotency key."""
        with self.lock:
            return self._answers.get(key)

    def remember(self, key: str, body: dict[str, Any]) -> None:
        """Keep an update's answer so a retry with the same key is not applied twice."""
        with self.lock:
            self._answers[key] = body

    def take_storm(self) -> bool:
        """True while a 429 storm lasts."""
        with self.lock:
            if self.faults.storm_requests > 0:
                self.faults.storm_requests -= 1
                return True
            return False

    def update(self, customer_id: str, values: Mapping[str, str]) -> dict[str, Any]:
        """Apply validated form values (``cf_…`` and ``meta_data``); an empty value clears a field."""
        with self.lock:
            customer = self._customers[customer_id]
            for key, value in values.items():
                if key == "meta_data":
                    customer["meta_data"] = _json_object(value)
                elif value:
                    customer[key] = value
                else:
                    customer.pop(key, None)
            customer["resource_version"] = int(time.time() * 1000)
            customer["updated_at"] = int(time.time())
            self.counters.writes[customer_id] += 1
            return copy.deepcopy(customer)


def _json_object(text: str) -> dict[str, Any]:
    parsed = json.loads(text) if text else {}
    return parsed if isinstance(parsed, dict) else {}


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def customers_from_rows(rows: Iterable[Mapping[str, Any]], *, seed: int = 7, messy: bool = True,
                        custom_field: str = DEFAULT_CUSTOM_FIELD) -> list[dict[str, Any]]:
    """Chargebee customers from canonical customers rows.

    A row's ``sf_account_id`` goes to ``custom_field``. With ``messy``: some soft-deleted customers
    (listed only with ``include_deleted``), some links stored with stray spaces or in lower case
    (Chargebee's own Salesforce sync compares ids case-sensitively), some companies only in the
    billing address, customers without a billing address, customers whose personal data was
    cleared on request (updates refused).
    """
    rng = random.Random(seed)
    customers: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        draw = rng.random() if messy else 1.0
        created = _EPOCH + position * 60
        company = _text(row, "legal_name") or _text(row, "name")
        customer: dict[str, Any] = {
            "id": _text(row, "customer_id") or f"cb_{position:06d}",
            "object": "customer",
            "first_name": "", "last_name": "",
            "company": company,
            "email": _text(row, "email"),
            "auto_collection": "on", "net_term_days": 0, "allow_direct_debit": False,
            "created_at": created, "updated_at": created, "resource_version": created * 1000,
            "deleted": bool(messy and draw < 0.03),
            "taxability": "taxable", "pii_cleared": "active", "channel": "web",
            "card_status": "no_card", "promotional_credits": 0, "refundable_credits": 0,
            "excess_payments": 0, "unbilled_charges": 0,
        }
        if messy and 0.15 <= draw < 0.17:  # erased on request (GDPR): Chargebee refuses updates to it
            customer["pii_cleared"] = "cleared"
        if messy and 0.03 <= draw < 0.08:  # a person's name instead of the company field
            customer["first_name"], customer["last_name"], customer["company"] = "Accounts", "Payable", ""
            customer["billing_address"] = {"company": company}
        if _text(row, "currency"):
            customer["preferred_currency_code"] = _text(row, "currency").upper()
        if any(_text(row, k) for k in ("street", "city", "postcode")) and not (messy and 0.08 <= draw < 0.12):
            address = {"line1": _text(row, "street"), "city": _text(row, "city"), "state_code": _text(row, "state"),
                       "zip": _text(row, "postcode"), "country": _text(row, "country")[:2].upper(),
                       "validation_status": "not_validated", "object": "billing_address"}
            customer["billing_address"] = {**customer.get("billing_address", {}), **address}
        account_id = _text(row, "sf_account_id")
        if account_id:
            if messy and 0.12 <= draw < 0.15:
                account_id = f" {account_id.lower()} "
            customer[custom_field] = account_id
        customers.append(customer)
    return customers
