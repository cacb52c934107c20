"""No ``requests`` exception leaves a billing adapter: an answer that is not the API's JSON (a proxy's
error page) becomes a ``BillingConnectionError`` on a read and an ``outcome_unknown`` result on a write
(the write may have landed), against the Sequence sandbox over real HTTPS."""

from __future__ import annotations

import pytest
from billing_support import ACCOUNT_A

from desktop_app.billing.base import OUTCOME_UNKNOWN, BillingConnectionError
from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.core.address_changes import FieldChange, RecordChange
from desktop_app.sandbox.sequence import RunningSequenceSandbox


def test_an_unreadable_answer_to_a_read_is_a_billing_error(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    sequence_sandbox.faults.garbled_answers = 1
    with pytest.raises(BillingConnectionError, match="answer could not be read"):
        sequence_adapter.read_links(["cust-0001"])
    assert sequence_adapter.read_links(["cust-0001"]) == {"cust-0001": None}


def test_an_unreadable_answer_inside_a_write_is_an_outcome_unknown_result(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    sequence_sandbox.faults.garbled_answers = 2  # the credential check, then the GET before the PUT
    [result] = sequence_adapter.write_links([("cust-0001", ACCOUNT_A)])
    assert (result.status, result.error_code) == ("failed", OUTCOME_UNKNOWN)
    assert "read back" in result.message
    assert sequence_sandbox.counters.writes["cust-0001"] == 0


def test_an_unreadable_answer_to_an_address_fix_is_an_outcome_unknown_result(
    sequence_sandbox: RunningSequenceSandbox, sequence_adapter: SequenceBilling
) -> None:
    sequence_adapter.check_credentials()
    sequence_sandbox.faults.garbled_answers = 2  # the credential check, then the GET before the PUT
    change = RecordChange("customer", "cust-0001", (FieldChange("city", "London", "Leeds"),))
    [result] = sequence_adapter.update_addresses([change])
    assert (result.state, result.error_code) == ("failed", OUTCOME_UNKNOWN)
    assert sequence_sandbox.counters.writes["cust-0001"] == 0
