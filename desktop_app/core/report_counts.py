"""Decision figures per side: a decisions frame holds one row per account *and* one per customer no
account took, so a count per status over all rows adds accounts to customers (300 accounts and 270
customers gave "59 unmatched" of which 15 were customers). Every page, command and report that
states how the matching came out takes its figures from here, so they add up to the files loaded."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from desktop_app.core.counted import counted

STATUS_ORDER = ("already_linked", "matched", "suggested", "ambiguous", "conflict", "unmatched")
OPEN_STATUSES = ("suggested", "ambiguous", "conflict")  # a person decides these
TAKEN = "taken"  # a customer row whose customer a review call gave to an account


def _ordered(counts: Mapping[str, int]) -> dict[str, int]:
    known = {s: int(counts[s]) for s in STATUS_ORDER if counts.get(s)}
    return known | {str(s): int(n) for s, n in counts.items() if n and s not in STATUS_ORDER}


def _words(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n:,} {s.replace('_', ' ')}" for s, n in counts.items())


def left_over_customers(left: int, loaded: int | None) -> str:
    """"2 of the 3 customers", "1 of the 3 customers", "the 1 customer" (all of one), "1 customer" (loaded unknown)."""
    if loaded is None:
        return counted(left, "customer")
    if left == loaded == 1:
        return "the 1 customer"
    return f"{left:,} of the {counted(loaded, 'customer')}"


@dataclass(frozen=True)
class DecisionCounts:
    """Account rows per status (they add up to the accounts matched) and the rows of customers no
    account took, per status (``taken``: a review call gave the customer to an account since)."""

    accounts: dict[str, int]
    customers: dict[str, int]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> DecisionCounts:
        """The counts of a decisions frame (``account_id`` empty on a customer's own row)."""
        status = frame["status"].astype(str)
        every = {str(s): int(n) for s, n in status.value_counts().items()}
        if "account_id" not in frame.columns:
            return cls.split(every, {})
        is_customer = frame["account_id"].astype(str).to_numpy() == ""
        return cls.split(every, {str(s): int(n) for s, n in status[is_customer].value_counts().items()})

    @classmethod
    def split(cls, all_rows: Mapping[str, int], customer_rows: Mapping[str, int]) -> DecisionCounts:
        """From counts over every row and over the customers' own rows."""
        accounts = {str(s): int(n) - int(customer_rows.get(s, 0)) for s, n in all_rows.items()}
        return cls(_ordered(accounts), _ordered({str(s): int(n) for s, n in customer_rows.items()}))

    @property
    def account_total(self) -> int:
        """Accounts with a decision (every loaded account that could be matched)."""
        return sum(self.accounts.values())

    @property
    def open_accounts(self) -> int:
        """Accounts waiting for a person's decision."""
        return sum(self.accounts.get(s, 0) for s in OPEN_STATUSES)

    @property
    def left_over(self) -> dict[str, int]:
        """Customers in no account's row now, per status."""
        return {s: n for s, n in self.customers.items() if s != TAKEN}

    def rows(self, status: str) -> int:
        """Rows of ``status`` in the decisions (accounts and customers: what its sheet holds)."""
        return self.accounts.get(status, 0) + self.customers.get(status, 0)

    def sentence(self, customers_loaded: int | None) -> str:
        """The outcome in one line whose figures add up: accounts per status, then the customers left over."""
        left = self.left_over
        text = f"{counted(self.account_total, 'account')} → {_words(self.accounts) or 'none'}"
        if left:
            text += f"; {left_over_customers(sum(left.values()), customers_loaded)} went to no account ({_words(left)})"
        return text + "."

    def report_rows(self) -> Iterator[tuple[str, int, int, int]]:
        """Per status: rows (as on its sheet), of them accounts, of them customers no account took."""
        for status in _ordered({s: self.rows(s) for s in {*self.accounts, *self.customers}}):
            yield (status.replace("_", " "), self.rows(status), self.accounts.get(status, 0),
                   self.customers.get(status, 0))
