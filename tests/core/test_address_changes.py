"""Accepted address fixes as compare-and-set writes, and the journal of their states."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from desktop_app.core.address_changes import (
    AddressWriteResult,
    FieldChange,
    RecordChange,
    decide,
    record_changes,
    reversed_change,
)
from desktop_app.core.journal_addresses import AddressJournal

ACC = "001000000000001AAA"


def _fixes(*rows: tuple[str, str, str, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["side", "record_id", "field", "value", "suggestion", "confidence"])


def test_one_change_per_record_with_the_most_confident_fix_per_part() -> None:
    accepted = _fixes(("account", ACC, "country", "Deutschland", "DE", 0.99),
                      ("account", ACC, "country", "Deutschland", "CH", 0.6),
                      ("account", ACC, "state", "bavaria", "BY", 0.95),
                      ("customer", "cus_1", "country", "U.K.", "GB", 0.97),
                      ("customer", "cus_1", "street", "", "", 1.0),  # a missing street has no fix to write
                      ("customer", "", "country", "France", "FR", 0.99),  # no record id: cannot be written
                      ("account", ACC, "postcode", "1234", "1234", 1.0))  # suggestion = value: nothing to do
    changes = record_changes(accepted)
    assert changes == [
        RecordChange("account", ACC, (FieldChange("country", "Deutschland", "DE"),
                                      FieldChange("state", "bavaria", "BY"))),
        RecordChange("customer", "cus_1", (FieldChange("country", "U.K.", "GB"),)),
    ]
    assert sum(len(c.changes) for c in changes) == 3  # the other 4 rows cannot be written
    assert record_changes(accepted.iloc[0:0]) == []


def test_compare_and_set_writes_only_parts_that_still_hold_what_the_check_saw() -> None:
    change = RecordChange("account", ACC, (FieldChange("country", "Deutschland", "DE"),
                                           FieldChange("state", "bavaria", "BY")))
    assert decide(change, {"country": "Deutschland", "state": "bavaria"}).values == {"country": "DE", "state": "BY"}
    partly = decide(change, {"country": "DE", "state": "bavaria"})  # an earlier attempt wrote the country
    assert (partly.action, partly.values) == ("write", {"state": "BY"})
    assert decide(change, {"country": "DE", "state": "BY"}).action == "unchanged"
    moved = decide(change, {"country": "Austria", "state": "bavaria"})
    assert moved.action == "conflict"
    assert moved.values == {}
    assert "country is now 'Austria' (the check saw 'Deutschland')" in moved.message
    back = reversed_change(change)
    assert back.changes == (FieldChange("country", "DE", "Deutschland"), FieldChange("state", "BY", "bavaria"))


@pytest.fixture
def journal(tmp_path: Path):
    with AddressJournal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def test_the_journal_keeps_each_part_state_through_a_lost_answer_and_an_undo(journal: AddressJournal) -> None:
    first = RecordChange("account", ACC, (FieldChange("country", "Deutschland", "DE"),
                                          FieldChange("state", "bavaria", "BY")))
    second = RecordChange("account", "001000000000002AAA", (FieldChange("country", "France", "FR"),))
    journal.add("run-1", [first, second])
    journal.add("run-1", [first])  # adding again (resume) keeps what is recorded
    assert journal.counts("run-1") == {"account": {"todo": 3}}

    journal.mark_sending("run-1", "account", [first, second])
    # The process died after the writes landed; the next attempt finds the values already there.
    journal.record("run-1", "account", [first, second], [
        AddressWriteResult(ACC, "unchanged", {}),
        AddressWriteResult("001000000000002AAA", "conflict", {}, "changed", "Changed since the check."),
    ])
    assert journal.counts("run-1") == {"account": {"written": 2, "conflict": 1}}
    assert journal.changes("run-1", "account", ["written"]) == [first]
    assert journal.problems("run-1") == [("account", "001000000000002AAA", "country", "conflict", "changed",
                                          "Changed since the check.")]

    journal.record("run-1", "account", [first], [AddressWriteResult(ACC, "written", {"country": "DE"})], undo=True)
    assert journal.counts("run-1") == {"account": {"undone": 2, "conflict": 1}}


def test_a_part_written_before_another_part_failed_counts_as_written(journal: AddressJournal) -> None:
    change = RecordChange("account", ACC, (FieldChange("country", "Deutschland", "DE"),
                                           FieldChange("state", "bavaria", "BY")))
    journal.add("run-2", [change])
    journal.mark_sending("run-2", "account", [change])
    journal.record("run-2", "account", [change],
                   [AddressWriteResult(ACC, "failed", {"country": "Deutschland"}, "FIELD_CUSTOM_VALIDATION", "no")])
    assert journal.counts("run-2") == {"account": {"written": 1, "failed": 1}}
    assert journal.changes("run-2", "account", ["failed"]) == [
        RecordChange("account", ACC, (FieldChange("state", "bavaria", "BY"),))]
