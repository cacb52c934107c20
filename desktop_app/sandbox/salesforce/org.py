"""The sandbox org's state: tables of records, users, rules, API usage and test counters.

``OrgState`` is what tests reach through ``RunningSalesforceSandbox.org``:

- ``org.tables["Account"]`` (a ``Table``), ``org.account(id)`` / ``org.record(obj, id)`` → dict,
  ``org.set_field(obj, id, field, value)`` to arrange data directly (no rules, no counters);
- ``org.counters.calls`` (``Counter`` of API calls by kind, e.g. ``"query"``, ``"collections.update"``,
  ``"bulk.ingest.create"``), ``org.counters.field_writes[record_id][field]`` (successful writes);
- ``org.api_used`` / ``org.scenario.daily_api_max`` (DailyApiRequests);
- ``org.drop_answers_after_writes = N``: the next N write calls are carried out and their answers lost.

Every handler takes ``org.lock`` while it reads or writes records.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.ids import checksum_suffix
from desktop_app.sandbox.salesforce.scenario import Scenario
from desktop_app.sandbox.salesforce.schema_objects import setup_defs
from desktop_app.sandbox.salesforce.table import Table

_PERMISSION_ACCESS = setup_defs()["UserPermissionAccess"]
_RECORD_ACCESS = setup_defs()["UserRecordAccess"]
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def make_id(key_prefix: str, number: int, org_part: str = "5g00") -> str:
    """A valid 18-character id ``key_prefix + org_part + base62(number)``."""
    digits = ""
    while number or not digits:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    id15 = (key_prefix + org_part + digits.rjust(15 - len(key_prefix) - len(org_part), "0"))[:15]
    return id15 + checksum_suffix(id15)


def now_text() -> str:
    """The current time in Salesforce's datetime format (``2024-02-16T10:05:28.000+0000``)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass(frozen=True)
class DemoUser:
    """A user who can log in through the OAuth form and whose permissions the API enforces."""

    user_id: str
    username: str
    password: str = field(repr=False)
    name: str
    email: str
    profile_name: str
    permission_set_id: str
    api_enabled: bool
    modify_all_data: bool
    link_field_editable: bool


@dataclass(frozen=True)
class ValidationRuleDef:
    """An Account validation rule: ``rejects(record)`` True means the update fails with ``message``."""

    rule_id: str
    name: str
    message: str
    display_field: str | None
    formula: str
    rejects: Callable[[dict[str, Any]], bool]
    active: bool = True


@dataclass
class ApiCounters:
    """What happened, for tests: API calls by kind and successful field writes per record id."""

    calls: Counter[str] = field(default_factory=Counter)
    field_writes: dict[str, Counter[str]] = field(default_factory=dict)

    def count_call(self, kind: str) -> None:
        """Count one API call of ``kind``."""
        self.calls[kind] += 1

    def count_write(self, record_id: str, fields: list[str]) -> None:
        """Count one successful write of each of ``fields`` on ``record_id``."""
        self.field_writes.setdefault(record_id, Counter()).update(fields)

    def writes_of(self, record_id: str, field_name: str) -> int:
        """How many times ``field_name`` of ``record_id`` was written."""
        return self.field_writes.get(record_id, Counter())[field_name]

    def max_writes(self, field_name: str) -> int:
        """The most times any one record's ``field_name`` was written (0 when never)."""
        return max((c[field_name] for c in self.field_writes.values()), default=0)


@dataclass
class OrgState:
    """All state of one sandbox org (see the module docstring for the test-facing parts)."""

    org_id: str
    scenario: Scenario
    link_field: str
    tables: dict[str, Table]
    tooling_tables: dict[str, Table]
    users: dict[str, DemoUser]  # by user id
    default_user_id: str
    validation_rules: list[ValidationRuleDef]
    seed: int
    api_used: int = 0
    bulk_query_jobs_used: int = 0
    bulk_batches_used: int = 0
    counters: ApiCounters = field(default_factory=ApiCounters)
    lock_attempts: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # A fault tests set: the next N write requests are carried out, then their answers are lost.
    drop_answers_after_writes: int = 0
    _next_number: int = 1_000_000

    @property
    def org_id15(self) -> str:
        """The 15-character org id (the prefix of access tokens)."""
        return self.org_id[:15]

    @property
    def default_user(self) -> DemoUser:
        """The demo user tokens are issued for unless someone else logs in."""
        return self.users[self.default_user_id]

    def take_answer_drop(self) -> bool:
        """True (using one up) while ``drop_answers_after_writes`` asks to lose a write's answer."""
        with self.lock:
            if self.drop_answers_after_writes > 0:
                self.drop_answers_after_writes -= 1
                return True
            return False

    def user_by_username(self, username: str) -> DemoUser | None:
        """The user with ``username`` (case-insensitive), or None."""
        wanted = username.strip().lower()
        return next((u for u in self.users.values() if u.username.lower() == wanted), None)

    def new_id(self, key_prefix: str) -> str:
        """A fresh record id for an object with ``key_prefix``."""
        with self.lock:
            self._next_number += 1
            return make_id(key_prefix, self._next_number, "5g01")

    def table(self, name: str, *, tooling: bool = False, user: DemoUser | None = None) -> Table | None:
        """The table for object ``name`` (case-insensitive) as ``user`` sees it, or None when unknown."""
        lowered = name.lower()
        if lowered == "userpermissionaccess":
            return self._permission_access(user or self.default_user)
        if lowered == "userrecordaccess":
            return self._record_access(user or self.default_user)
        source = self.tooling_tables if tooling else self.tables
        found = next((t for n, t in source.items() if n.lower() == lowered), None)
        if found is None and tooling:
            found = next((t for n, t in self.tables.items() if n.lower() == lowered), None)
        return found

    def _permission_access(self, user: DemoUser) -> Table:
        return Table(
            _PERMISSION_ACCESS,
            {
                "Id": ["000000000000000AAA"],
                "PermissionsApiEnabled": [user.api_enabled],
                "PermissionsModifyAllData": [user.modify_all_data],
                "PermissionsViewSetup": [user.modify_all_data],
                "PermissionsViewAllData": [user.modify_all_data],
            },
        )

    def _record_access(self, user: DemoUser) -> Table:
        # No sharing model here: every user who can see an Account may edit it (FLS is a separate check).
        accounts = self.tables["Account"]
        n = len(accounts)
        level = "All" if user.modify_all_data else "Edit"
        return Table(
            _RECORD_ACCESS,
            {
                "Id": list(accounts.columns["Id"]),
                "UserId": [user.user_id] * n,
                "RecordId": list(accounts.columns["Id"]),
                "HasReadAccess": [True] * n,
                "HasEditAccess": [True] * n,
                "HasDeleteAccess": [user.modify_all_data] * n,
                "MaxAccessLevel": [level] * n,
            },
        )

    def field_updateable(self, user: DemoUser, object_name: str, field_name: str) -> bool:
        """Whether ``user`` may edit the field (field-level security on top of the field's own flag)."""
        table = self.tables[object_name]
        definition = table.obj.field(field_name)
        if definition is None or not definition.updateable:
            return False
        return not (object_name == "Account" and definition.name == self.link_field and not user.link_field_editable)

    def record(self, object_name: str, record_id: str) -> dict[str, Any] | None:
        """A record as a dict (canonical field names), or None when there is no such id."""
        with self.lock:
            table = self.tables[object_name]
            row = table.row_for(record_id)
            return None if row is None else table.record(row)

    def account(self, record_id: str) -> dict[str, Any] | None:
        """An Account as a dict, or None."""
        return self.record("Account", record_id)

    def set_field(self, object_name: str, record_id: str, field_name: str, value: Any) -> None:
        """Store a value directly (test set-up): no rules, no counters. KeyError for unknown ids/fields."""
        with self.lock:
            table = self.tables[object_name]
            row = table.row_for(record_id)
            definition = table.obj.field(field_name)
            if row is None or definition is None:
                raise KeyError(f"{object_name} {record_id} has no field {field_name}")
            table.set(row, definition.name, value)

    def delete_record(self, object_name: str, record_id: str) -> None:
        """Move a record to the recycle bin (``IsDeleted``; visible to queryAll only)."""
        self.set_field(object_name, record_id, "IsDeleted", True)

    def use_api(self, kind: str) -> bool:
        """Count one API request of ``kind``; False when the daily limit is already used up."""
        with self.lock:
            if self.api_used >= self.scenario.daily_api_max:
                return False
            self.api_used += 1
            self.counters.count_call(kind)
            return True

    @property
    def api_remaining(self) -> int:
        """DailyApiRequests Remaining."""
        return max(0, self.scenario.daily_api_max - self.api_used)

    def link_rows(self, value: Any) -> list[int]:
        """Rows of Accounts whose link field equals ``value`` (external-id lookup for upserts)."""
        table = self.tables["Account"]
        column = table.columns[self.link_field]
        deleted = table.columns["IsDeleted"]
        if isinstance(value, str):
            return [row for row, held in enumerate(column) if held == value and not deleted[row]]
        return [row for row, held in enumerate(column) if held is not None and held == value and not deleted[row]]
