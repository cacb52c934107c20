"""In-memory state of the Sequence sandbox: customers, the faults to inject, and write counters.

Every mutation happens under one lock so the threaded server stays consistent; tests read the
counters (``writes`` per customer id) to prove a client never applied the same update twice.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pycountry

HANG_LIMIT = 300.0  # seconds a request is held unanswered at most (``SequenceFaults.hang_when_down``)
ALPHA2_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
REQUIRED_ADDRESS_FIELDS = ("line1", "town", "postcode", "country")
# The fields the body of ``PUT /customers/{id}`` takes in Sequence's API reference; a PUT replaces
# these and keeps everything else (id, createdAt, domain, organizations, archivedAt …).
PUT_FIELDS = frozenset({
    "legalName", "contactName", "address", "email", "billingEmails", "telephone", "url", "label",
    "integrationIds", "taxStatus", "customerAliases", "customProperties",
})


@dataclass
class SequenceFaults:
    """Faults the sandbox injects. Id sets are consumed: each fault fires once per listed id.

    ``drop_before_write``: the next PUT for the id closes the connection without applying it.
    ``drop_after_write``: the next PUT is applied, then the connection closes without an answer.
    ``error_500_once``: the next PUT answers 500 without applying.
    ``vanished``: the id still shows in listings but GET/PUT answer 404 (deleted meanwhile).
    ``storm_requests``: the next N requests of any kind answer 429 (a "429 storm").
    ``storm_until``: every request answers 429 until this ``time.monotonic()`` instant.
    ``storm_at_put`` / ``storm_seconds``: when the sandbox has seen that many PUTs, every request
    answers 429 for ``storm_seconds`` (a storm in the middle of a write; ``storm_started`` is set then).
    ``retry_after_seconds``: the ``Retry-After`` value sent with every 429.
    ``down``: every request is dropped unanswered (the system stopped answering).
    ``down_after_requests``: answer this many more requests, then go ``down`` (negative: never).
    ``slow_seconds``: every answer is held back this long (a system that hangs); with ``slow_answers``
    above 0, only that many answers are, then the answers come at once again (one stalled connection).
    ``garbled_answers``: the next N answers are handled, then replaced by an HTML page with status 200
    (a proxy's error page: the body is not the API's JSON).
    ``hang_when_down``: while ``down``, hold each request unanswered (up to ``HANG_LIMIT`` seconds,
    or until ``down`` is cleared) before dropping it, as a system that stopped answering behind a
    load balancer does; the client meets its read timeout rather than a refused connection.
    """

    drop_before_write: set[str] = field(default_factory=set)
    drop_after_write: set[str] = field(default_factory=set)
    error_500_once: set[str] = field(default_factory=set)
    vanished: set[str] = field(default_factory=set)
    storm_requests: int = 0
    storm_until: float = 0.0
    storm_at_put: int = 0
    storm_seconds: float = 0.0
    storm_started: threading.Event = field(default_factory=threading.Event)
    retry_after_seconds: int = 1
    down: bool = False
    down_after_requests: int = -1
    slow_seconds: float = 0.0
    slow_answers: int = 0
    hang_when_down: bool = False
    garbled_answers: int = 0


@dataclass
class SequenceCounters:
    """What the sandbox saw: applied writes per customer, requests and answers by kind."""

    writes: Counter[str] = field(default_factory=Counter)
    put_attempts: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    idempotent_replays: int = 0
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of every request, in order
    # Notified on every request arriving and every PUT counted: tests wait on it instead of polling.
    heard: threading.Condition = field(default_factory=threading.Condition)

    def tell(self) -> None:
        """Wake whoever waits on ``heard``."""
        with self.heard:
            self.heard.notify_all()


class SequenceStore:
    """Customers by id in creation order, plus faults, counters and the idempotency cache."""

    def __init__(self, customers: list[dict[str, Any]], faults: SequenceFaults | None = None) -> None:
        self.lock = threading.RLock()
        self.faults = faults or SequenceFaults()
        self.counters = SequenceCounters()
        self._customers: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        self._position: dict[str, int] = {}
        self._idempotency: dict[str, tuple[int, dict[str, Any]]] = {}
        for customer in customers:
            self._add(customer)

    def _add(self, customer: dict[str, Any]) -> None:
        customer_id = str(customer["id"])
        self._customers[customer_id] = customer
        self._position[customer_id] = len(self._order)
        self._order.append(customer_id)

    def __len__(self) -> int:
        return len(self._order)

    def page(self, after_id: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None, str | None]:
        """Up to ``limit`` customers after ``after_id``; returns (items, last id or None, first id)."""
        with self.lock:
            start = 0 if after_id is None else self._position[after_id] + 1
            ids = self._order[start : start + limit]
            items = [copy.deepcopy(self._customers[i]) for i in ids]
            more = start + limit < len(self._order)
            return items, (ids[-1] if ids and more else None), (ids[0] if ids and start > 0 else None)

    def knows_position(self, customer_id: str) -> bool:
        """True when ``customer_id`` is a valid cursor position."""
        return customer_id in self._position

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """A copy of the customer, or None when unknown or vanished."""
        with self.lock:
            if customer_id in self.faults.vanished:
                return None
            found = self._customers.get(customer_id)
            return copy.deepcopy(found) if found is not None else None

    def replace(self, customer_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply a validated PUT as Sequence does: the fields its body takes (``PUT_FIELDS``) are
        replaced (absent ones removed), every other field is kept; counts one write."""
        with self.lock:
            current = self._customers[customer_id]
            updated = {k: v for k, v in current.items() if k not in PUT_FIELDS}
            updated.update({k: v for k, v in body.items() if k in PUT_FIELDS})
            synced = {(e.get("service"), e.get("id")): e.get("lastSynced")
                      for e in current.get("integrationIds") or [] if isinstance(e, dict)}
            updated["integrationIds"] = [
                {**entry, "lastSynced": synced.get((entry.get("service"), entry.get("id"))) or _now()}
                for entry in updated.get("integrationIds") or []
            ]
            self._customers[customer_id] = updated
            self.counters.writes[customer_id] += 1
            return copy.deepcopy(updated)

    def remembered(self, key: str) -> tuple[int, dict[str, Any]] | None:
        """The answer already given to a PUT with this ``Idempotency-Key``, if any."""
        with self.lock:
            return self._idempotency.get(key)

    def remember(self, key: str, status: int, body: dict[str, Any]) -> None:
        """Keep the answer to a PUT so a retry with the same key is answered without re-applying."""
        with self.lock:
            self._idempotency[key] = (status, body)

    def take_fault(self, fault_set: set[str], customer_id: str) -> bool:
        """True (once) when ``customer_id`` is in ``fault_set``; removes it."""
        with self.lock:
            if customer_id in fault_set:
                fault_set.discard(customer_id)
                return True
            return False

    def is_down(self) -> bool:
        """True when this request goes unanswered (``down``, or ``down_after_requests`` just ran out)."""
        with self.lock:
            if self.faults.down_after_requests == 0:
                self.faults.down, self.faults.down_after_requests = True, -1
            elif self.faults.down_after_requests > 0:
                self.faults.down_after_requests -= 1
            return self.faults.down

    def hold_while_down(self) -> None:
        """With ``hang_when_down``, keep the request unanswered while the system is down."""
        deadline = time.monotonic() + HANG_LIMIT
        while self.faults.hang_when_down and self.faults.down and time.monotonic() < deadline:
            time.sleep(0.05)

    def take_delay(self) -> float:
        """How long to hold back this answer (``slow_seconds``, counting down ``slow_answers``)."""
        with self.lock:
            delay = self.faults.slow_seconds
            if self.faults.slow_answers > 0:
                self.faults.slow_answers -= 1
                if not self.faults.slow_answers:
                    self.faults.slow_seconds = 0.0
            return delay

    def take_garbled(self) -> bool:
        """True (using one up) while answers are to be garbled."""
        with self.lock:
            if self.faults.garbled_answers > 0:
                self.faults.garbled_answers -= 1
                return True
            return False

    def take_storm(self) -> bool:
        """True while a 429 storm lasts; each call uses up one stormy request."""
        with self.lock:
            if self.faults.storm_at_put and self.counters.requests["PUT"] >= self.faults.storm_at_put:
                self.faults.storm_at_put = 0
                self.faults.storm_until = time.monotonic() + self.faults.storm_seconds
                self.faults.storm_started.set()
            if time.monotonic() < self.faults.storm_until:
                return True
            if self.faults.storm_requests > 0:
                self.faults.storm_requests -= 1
                return True
            return False

    def link_of(self, customer_id: str, service: str) -> str | None:
        """The id stored under integration ``service`` for the customer (test helper)."""
        with self.lock:
            for entry in self._customers[customer_id].get("integrationIds") or []:
                if entry.get("service") == service:
                    return str(entry.get("id"))
            return None


def validation_errors(body: Any) -> list[dict[str, str]]:
    """Field errors Sequence would give for a PUT body (empty list when valid)."""
    if not isinstance(body, dict):
        return [{"field": "", "message": "The request body must be a JSON object."}]
    errors: list[dict[str, str]] = []
    for name in ("legalName", "email"):
        if not str(body.get(name) or "").strip():
            errors.append({"field": name, "message": f"{name} is required."})
    address = body.get("address")
    if not isinstance(address, dict):
        errors.append({"field": "address", "message": "address is required."})
        return errors
    for name in REQUIRED_ADDRESS_FIELDS:
        if not str(address.get(name) or "").strip():
            errors.append({"field": f"address.{name}", "message": f"address.{name} is required."})
    country = str(address.get("country") or "").strip()
    if country and country not in ALPHA2_CODES:
        errors.append({
            "field": "address.country",
            "message": f"'{country}' is not an ISO 3166-1 alpha-2 country code.",
        })
    integration_ids = body.get("integrationIds", [])
    if not isinstance(integration_ids, list) or not all(
        isinstance(entry, dict) and entry.get("service") and entry.get("id") for entry in integration_ids
    ):
        errors.append({"field": "integrationIds", "message": "Each entry needs a service and an id."})
    return errors


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
