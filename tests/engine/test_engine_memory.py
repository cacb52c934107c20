"""The engine against in-memory sides: order, results, crash between send and journal, undo, cancel."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from engine_memory_side import MemorySide, SimulatedKill

from desktop_app.core.journal import Journal
from desktop_app.core.plan import Plan, build_plan
from desktop_app.core.progress import CancelToken
from desktop_app.workflow.engine import resume, start_apply, start_undo
from desktop_app.workflow.stop_reason import NextAction

ACCOUNT_IDS = [f"0015g0000{n:06d}" for n in range(10)]


def _ids() -> list[str]:
    from desktop_app.core.ids import normalize_id

    return [normalize_id(i) or "" for i in ACCOUNT_IDS]


def setup(
    tmp_path: Path, *, account_values: dict[str, str] | None = None
) -> tuple[Plan, Journal, dict[str, MemorySide]]:
    accounts = _ids()
    customers = [f"cus_{n}" for n in range(10)]
    frame = pd.DataFrame({"account_id": accounts, "customer_id": customers, "status": "matched"}, dtype=object)
    account_side = MemorySide("account", {a: (account_values or {}).get(a, "") for a in accounts})
    customer_side = MemorySide("customer", {c: "" for c in customers})
    plan = build_plan(frame, account_values=account_side.values, customer_values=customer_side.values)
    journal = Journal(tmp_path / "journal.sqlite3")
    return plan, journal, {"account": account_side, "customer": customer_side}


def test_apply_links_both_sides_and_results_line_up(tmp_path: Path) -> None:
    plan, journal, sides = setup(tmp_path)
    report = start_apply(journal, plan, sides)
    assert report.state == "done"
    assert report.pairs == {"linked": 10}
    assert report.verification is not None
    assert report.verification.sentence() == ("10 of 10 links verified on both sides")
    with report.results_path.open(encoding="utf-8-sig") as handle:  # type: ignore[union-attr]
        rows = list(csv.DictReader(handle))
    assert [r["account_id"] for r in rows] == [link.account_id for link in plan.links]
    assert {r["account_status"] for r in rows} == {"written"}
    assert sides["customer"].values["cus_3"] == plan.links[3].account_id


def test_billing_waits_for_a_failed_account_and_resume_finishes_the_pair(tmp_path: Path) -> None:
    plan, journal, sides = setup(tmp_path)
    locked = plan.links[4].account_id
    sides["account"].fail_ids.add(locked)
    report = start_apply(journal, plan, sides)
    assert report.state == "done_with_failures"
    assert report.pairs == {"linked": 9, "failed": 1}
    assert sides["customer"].writes["cus_4"] == 0  # held: never linked to an Account that lacks the link
    sides["account"].fail_ids.clear()
    again = resume(journal, report.run_id, sides)
    assert again.pairs == {"linked": 10}
    assert again.state == "done"


def test_kill_between_send_and_journal_never_writes_twice(tmp_path: Path) -> None:
    plan, journal, sides = setup(tmp_path)
    sides["customer"].kill_after_writes = 3  # dies right after the first customer batch is applied
    with pytest.raises(SimulatedKill):
        start_apply(journal, plan, sides, run_id="run-kill")
    assert journal.state_counts("run-kill")["customer"].get("sending") == 3
    report = resume(journal, "run-kill", sides)
    assert report.pairs == {"linked": 10}
    assert max(sides["account"].writes.values()) == 1
    assert max(sides["customer"].writes.values()) == 1
    assert report.write_counts["customer"] == {"written": 10}


def test_undo_restores_and_refuses_changed_values(tmp_path: Path) -> None:
    first = _ids()[0]
    plan, journal, sides = setup(tmp_path, account_values={first: ""})
    before = {name: dict(side.values) for name, side in sides.items()}
    report = start_apply(journal, plan, sides)
    sides["customer"].values["cus_2"] = "0015g00000ZZZZZAAA"  # someone changed it again since the run
    undo = start_undo(journal, report.run_id, sides)
    assert undo.pairs == {"restored": 9, "refused": 1}
    assert sides["customer"].values["cus_2"] == "0015g00000ZZZZZAAA"
    expected = {name: dict(values) for name, values in before.items()}
    expected["customer"]["cus_2"] = "0015g00000ZZZZZAAA"  # left as the person set it; all else restored
    assert {name: side.values for name, side in sides.items()} == expected
    assert "cus_2" in {r.record_id for r in journal.items(undo.run_id, states=["refused"])}


def test_undo_calls_a_row_the_run_never_wrote_skipped_not_restored(tmp_path: Path) -> None:
    plan, journal, sides = setup(tmp_path)
    already = plan.links[0]  # linked on both sides before the run: the plan skips it
    sides["account"].values[already.account_id] = already.customer_id
    sides["customer"].values[already.customer_id] = already.account_id
    plan = build_plan(
        pd.DataFrame({"account_id": [link.account_id for link in plan.links],
                      "customer_id": [link.customer_id for link in plan.links], "status": "matched"}, dtype=object),
        account_values=sides["account"].values, customer_values=sides["customer"].values,
    )
    report = start_apply(journal, plan, sides)
    assert report.pairs == {"linked": 10}
    undo = start_undo(journal, report.run_id, sides)
    assert undo.pairs == {"restored": 9, "skipped": 1}
    with undo.results_path.open(encoding="utf-8-sig") as handle:  # type: ignore[union-attr]
        statuses = {r["account_id"]: r["pair_status"] for r in csv.DictReader(handle)}
    assert statuses[already.account_id] == "skipped"
    assert sides["customer"].values[already.customer_id] == already.account_id  # the link it found stays


class _ReadBackFails(MemorySide):
    """Reads of one batch work; the read-back of every record at once fails (the disk, the network)."""

    def read(self, record_ids: Sequence[str], cancel: CancelToken | None = None) -> dict[str, str]:
        if len(record_ids) > self.batch_size:
            raise OSError("the read-back's connection dropped")
        return super().read(record_ids, cancel)


def test_a_read_back_that_fails_after_some_writes_failed_does_not_say_every_write_was_sent(tmp_path: Path) -> None:
    plan, journal, sides = setup(tmp_path)
    sides["customer"] = _ReadBackFails("customer", dict(sides["customer"].values))
    sides["customer"].fail_ids.add("cus_4")
    report = start_apply(journal, plan, sides)
    assert report.state == "interrupted"
    assert report.stop is not None
    assert "Every write was sent" not in report.stop.why
    assert "1 write failed or was not sent" in report.stop.why
    assert report.stop.action == NextAction.CONTINUE  # resume retries the failed write, then reads back

    clean = setup(tmp_path / "clean")
    clean[2]["customer"] = _ReadBackFails("customer", dict(clean[2]["customer"].values))
    ok = start_apply(clean[1], clean[0], clean[2])
    assert ok.stop is not None
    assert ok.stop.why.startswith("Every write was sent, but the read-back failed")
    assert ok.stop.action == NextAction.READ_BACK


def test_cancel_between_batches_keeps_the_journal_consistent(tmp_path: Path) -> None:
    plan, journal, sides = setup(tmp_path)
    cancel = CancelToken()
    sides["account"].cancel_after_writes = (3, cancel)
    report = start_apply(journal, plan, sides, cancel=cancel)
    assert report.state == "cancelled"
    counts = journal.state_counts(report.run_id)
    assert "sending" not in counts["account"]
    assert "sending" not in counts.get("customer", {})
    finished = resume(journal, report.run_id, sides)
    assert finished.pairs == {"linked": 10}
    assert max(sides["account"].writes.values()) == 1
