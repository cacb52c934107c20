"""A plan row's pair status from its two writes, for every pair of journal states (the rules of
``core.journal_results``, written out here as the specification)."""

from __future__ import annotations

import itertools

import pytest

from desktop_app.core.journal import WriteItem
from desktop_app.core.journal_results import pair_status

STATES = ("todo", "sending", "written", "unchanged", "failed", "held", "not_found", "conflict",
          "planned_skip", "planned_conflict", "refused")
ACCOUNT, CUSTOMER = "001000000000001AAA", "cus_1"


def _expected(first: str, second: str, *, linked_values: bool) -> str:
    states = {first, second}
    if states & {"todo", "sending"}:
        return "pending"
    if states & {"failed", "held"}:
        return "half_linked" if states & {"written", "unchanged"} else "failed"
    for status, names in (("refused", {"refused"}), ("conflict", {"conflict", "planned_conflict"}),
                          ("not_found", {"not_found"})):
        if states & names:
            return status
    if states == {"planned_skip"}:
        return "linked" if linked_values else "skipped"
    if "planned_skip" in states and not linked_values:
        return "conflict"  # the side left alone keeps another id
    return "linked"


@pytest.mark.parametrize("linked_values", [True, False])
def test_every_pair_of_states_has_its_status(linked_values: bool) -> None:
    held = (CUSTOMER, ACCOUNT) if linked_values else ("cus_OTHER", "001000000000002AAA")
    for first, second in itertools.product(STATES, repeat=2):
        account = WriteItem(1, "account", ACCOUNT, CUSTOMER, held[0], "", "skip", first)
        customer = WriteItem(1, "customer", CUSTOMER, ACCOUNT, held[1], "", "skip", second)
        assert pair_status(account, customer) == _expected(first, second, linked_values=linked_values), (first, second)
