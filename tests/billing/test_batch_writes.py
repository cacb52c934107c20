"""``write_in_batches`` when the system is found unreachable while several batches are on the wire: what
was answered keeps its result, what was not sent is None (pending), and a batch whose request may have
landed is read back (``outcome_unknown``), never reported unsent."""

from __future__ import annotations

import threading
import time

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


def test_a_batch_whose_answer_was_lost_is_read_back_while_the_one_given_up_on_stays_unsent() -> None:
    pairs = [(f"c{n}", f"a{n}") for n in range(6)]
    given_up = threading.Event()

    def write_batch(items: list[tuple[int, str, str]], cancel: CancelToken | None) -> dict[int, LinkWriteResult]:
        first = items[0][0]
        if first == 0:
            return {p: LinkWriteResult(c, a, "written") for p, c, a in items}
        if first == 2:  # sent, its answer lost after the other batch found the system down
            given_up.wait(5)
            time.sleep(0.3)  # that batch's failure reaches the pool first: the call raises BillingUnreachable
            raise BillingWriteOutcomeUnknown("no answer")
        given_up.set()
        raise BillingUnreachable("not answering")

    pool = RequestPool(RateLimit(None, 3))
    try:
        with pytest.raises(BillingUnreachable) as stop:
            write_in_batches(pairs, {}, write_batch, batch_size=2, system_name="Test", pool=pool)
    finally:
        pool.close()
    found = [(r.status, r.error_code) if r else None for r in stop.value.results or []]
    assert found == [("written", None)] * 2 + [("failed", OUTCOME_UNKNOWN)] * 2 + [None, None]
