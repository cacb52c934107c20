"""Plan and verify read both systems at the same time (``workflow.read_sides``), and an error of the
Account side still comes first, as when the sides were read one after the other."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from engine_memory_side import MemorySide

from desktop_app.core.progress import CancelToken
from desktop_app.workflow.read_sides import read_both_sides


class _Meeting(MemorySide):
    """A side whose read waits (up to 10 s) for the other side's read to have begun."""

    def __init__(self, name: str, values: dict[str, str], began: threading.Event, other: threading.Event) -> None:
        super().__init__(name, values)
        self.began, self.other = began, other
        self.met = False

    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        self.began.set()
        self.met = self.other.wait(10)
        return super().read(record_ids, cancel)


class _Failing(MemorySide):
    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        raise RuntimeError(f"{self.name} read failed")


def test_both_sides_are_read_at_the_same_time() -> None:
    account_began, customer_began = threading.Event(), threading.Event()
    account = _Meeting("account", {"001A": "cus_1"}, account_began, customer_began)
    customer = _Meeting("customer", {"cus_1": "001A", "cus_2": ""}, customer_began, account_began)
    read = read_both_sides({"account": account, "customer": customer},
                           {"account": ["001A"], "customer": ["cus_1", "cus_2"]})
    assert read == {"account": {"001A": "cus_1"}, "customer": {"cus_1": "001A", "cus_2": ""}}
    assert account.met
    assert customer.met


@pytest.mark.parametrize("customer_fails", [False, True])
def test_the_account_sides_error_comes_first(customer_fails: bool) -> None:
    customer = _Failing("customer", {}) if customer_fails else MemorySide("customer", {"cus_1": ""})
    with pytest.raises(RuntimeError, match="account read failed"):
        read_both_sides({"account": _Failing("account", {}), "customer": customer},
                        {"account": ["001A"], "customer": ["cus_1"]})


def test_the_customer_sides_error_when_the_account_side_read_well() -> None:
    with pytest.raises(RuntimeError, match="customer read failed"):
        read_both_sides({"account": MemorySide("account", {"001A": ""}), "customer": _Failing("customer", {})},
                        {"account": ["001A"], "customer": ["cus_1"]})
