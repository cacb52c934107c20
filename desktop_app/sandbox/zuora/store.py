"""State of the Zuora sandbox: one tenant's customer accounts, issued tokens, faults and counters.

Accounts have the shape Zuora's Object Query API answers (camelCase: ``id``, ``accountNumber``,
``name``, ``crmId``, ``currency``, ``status`` Active/Draft/Canceled, ``billTo`` contact expanded with
``address1``, ``city``, ``state``, ``postalCode``, ``country``, ``workEmail``). ``crmId`` holds at most
100 characters.
"""

from __future__ import annotations

import copy
import random
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pycountry

CRM_ID_MAX = 100
TOKEN_SECONDS = 3600
# Zuora takes a country as its name or ISO code; a state or province is required for these two.
STATE_REQUIRED = frozenset({"united states", "us", "usa", "canada", "ca", "can"})


@dataclass
class ZuoraFaults:
    """``storm_requests``: the next N API requests answer 429; ``vanished``: ids deleted meanwhile."""

    storm_requests: int = 0
    retry_after_seconds: int = 1
    vanished: set[str] = field(default_factory=set)


@dataclass
class ZuoraCounters:
    """Applied updates per account id, requests by path kind, answers by status, tokens issued."""

    writes: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    tokens: int = 0


class ZuoraStore:
    """Accounts in creation order and the bearer tokens issued."""

    def __init__(self, accounts: Iterable[dict[str, Any]], *, faults: ZuoraFaults | None = None) -> None:
        self.lock = threading.RLock()
        self.faults = faults or ZuoraFaults()
        self.counters = ZuoraCounters()
        self._accounts: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        self._tokens: dict[str, float] = {}
        for account in accounts:
            self._accounts[str(account["id"])] = account
            self._order.append(str(account["id"]))

    def __len__(self) -> int:
        return len(self._order)

    def issue_token(self) -> str:
        """A new bearer token valid for an hour."""
        with self.lock:
            token = secrets.token_hex(16)
            self._tokens[token] = time.monotonic() + TOKEN_SECONDS
            self.counters.tokens += 1
            return token

    def token_valid(self, token: str) -> bool:
        """True for an issued, unexpired token."""
        with self.lock:
            return self._tokens.get(token, 0.0) > time.monotonic()

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (tests)."""
        with self.lock:
            self._tokens.clear()

    def page(self, start: int, size: int, keep: Callable[[dict[str, Any]], bool] | None = None,
             ) -> tuple[list[dict[str, Any]], int | None]:
        """Accounts ``keep`` accepts (all by default) from position ``start``; (items, next position or None)."""
        with self.lock:
            ids = [i for i in self._order if keep is None or keep(self._accounts[i])]
            chosen = ids[start : start + size]
            following = start + size if start + size < len(ids) else None
            return [copy.deepcopy(self._accounts[i]) for i in chosen], following

    def find(self, key: str) -> dict[str, Any] | None:
        """The live account with this id or account number (a copy), None otherwise."""
        with self.lock:
            found = self._accounts.get(key) or next(
                (a for a in self._accounts.values() if a.get("accountNumber") == key), None)
            if found is None or found["id"] in self.faults.vanished:
                return None
            return copy.deepcopy(found)

    def take_storm(self) -> bool:
        """True while a 429 storm lasts."""
        with self.lock:
            if self.faults.storm_requests > 0:
                self.faults.storm_requests -= 1
                return True
            return False

    def set_crm_id(self, key: str, crm_id: str) -> list[dict[str, str]]:
        """Set the account's CRM id; [] when applied, else Zuora-style error entries."""
        with self.lock:
            account = self.find(key)
            if account is None:
                return [{"Code": "INVALID_ID", "Message": f"Invalid account id or number {key}."}]
            if len(crm_id) > CRM_ID_MAX:
                return [{"Code": "INVALID_VALUE", "Message": f"CrmId must be at most {CRM_ID_MAX} characters."}]
            bill_to = account.get("billTo") or {}
            if not bill_to.get("country"):
                return [{"Code": "MISSING_REQUIRED_VALUE",
                         "Message": "The bill-to contact of this account has no Country; it is required."}]
            if str(bill_to.get("country")).strip().casefold() in STATE_REQUIRED and not bill_to.get("state"):
                return [{"Code": "MISSING_REQUIRED_VALUE",
                         "Message": f"The bill-to contact's State/Province is required for {bill_to['country']}."}]
            stored = self._accounts[account["id"]]
            if crm_id:
                stored["crmId"] = crm_id
            else:
                stored.pop("crmId", None)
            stored["updatedDate"] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
            self.counters.writes[account["id"]] += 1
            return []


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def accounts_from_rows(rows: Iterable[Mapping[str, Any]], *, seed: int = 7, messy: bool = True) -> list[dict[str, Any]]:
    """Zuora accounts from canonical customers rows (``sf_account_id`` in ``crmId``).

    With ``messy``: 15-character CRM ids (Zuora's docs warn about them), draft and canceled accounts,
    bill-to contacts without a state (refused on update for the US and Canada) or country.
    """
    rng = random.Random(seed)
    accounts: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        draw = rng.random() if messy else 1.0
        code = _text(row, "country")
        country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
        bill_to = {"id": uuid.uuid5(uuid.NAMESPACE_OID, f"bt-{seed}-{position}").hex,
                   "address1": _text(row, "street"), "city": _text(row, "city"),
                   "state": "" if messy and draw < 0.04 else _text(row, "state"),
                   "postalCode": _text(row, "postcode"),
                   "country": "" if messy and 0.04 <= draw < 0.05 else (str(country.name) if country else code),
                   "workEmail": _text(row, "email")}
        account: dict[str, Any] = {
            "id": uuid.uuid5(uuid.NAMESPACE_OID, f"acc-{seed}-{position}").hex,
            "accountNumber": f"A{position + 1:08d}",
            "name": _text(row, "name") or _text(row, "legal_name"),
            "currency": _text(row, "currency").upper() or "USD",
            "status": "Draft" if messy and 0.05 <= draw < 0.07 else "Canceled" if messy and draw > 0.98 else "Active",
            "batch": "Batch1",
            "billCycleDay": 1,
            "autoPay": False,
            "createdDate": "2024-01-01T00:00:00+00:00",
            "updatedDate": "2024-01-01T00:00:00+00:00",
            "billTo": bill_to,
        }
        account_id = _text(row, "sf_account_id")
        if account_id:
            account["crmId"] = account_id[:15] if messy and 0.07 <= draw < 0.1 else account_id
        accounts.append(account)
    return accounts
