"""``write_in_batches`` when the system is found unreachable while several batches are on the wire: what
was answered keeps its result, what was not sent is None (pending), and a batch whose request may have
landed is read back (``outcome_unknown``), never reported unsent."""

from __future__ import annotations

import threading

import pytest

from desktop_app.billing.base import (
    OUTCOME_UNKNOWN,
    BillingUnreachable,
    BillingWriteOutcomeUnknown,
    LinkWriteResult,
)
from desktop_app.billing.link_writes import write_in_batches
from desktop_app.billing.pool import RateLimit, RequestPool
from desktop_app.core.progress import CancelToken


@pytest.mark.parametrize("lost_answer_first", [False, True], ids=["unreachable first", "lost answer first"])
def test_a_batch_whose_answer_was_lost_is_read_back_while_the_one_given_up_on_stays_unsent(
        lost_answer_first: bool) -> None:
    pairs = [(f"c{n}", f"a{n}") for n in range(6)]
    failed = {"lost": threading.Event(), "unreachable": threading.Event()}

    def write_batch(items: list[tuple[int, str, str]], cancel: CancelToken | None) -> dict[int, LinkWriteResult]:
        first = items[0][0]
        if first == 0:
            return {p: LinkWriteResult(c, a, "written") for p, c, a in items}
        if first == 2:  # sent, its answer lost while the other batch found the system down
            if not lost_answer_first:
                assert failed["unreachable"].wait(5)
            failed["lost"].set()
            raise BillingWriteOutcomeUnknown("no answer")
        if lost_answer_first:
            assert failed["lost"].wait(5)
        failed["unreachable"].set()
        raise BillingUnreachable("not answering")  # whichever reaches the pool first, the run stops unsent

    pool = RequestPool(RateLimit(None, 3))
    try:
        with pytest.raises(BillingUnreachable) as stop:
            write_in_batches(pairs, {}, write_batch, batch_size=2, system_name="Test", pool=pool)
    finally:
        pool.close()
    found = [(r.status, r.error_code) if r else None for r in stop.value.results or []]
    assert found == [("written", None)] * 2 + [("failed", OUTCOME_UNKNOWN)] * 2 + [None, None]
