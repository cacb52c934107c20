"""The requests one adapter sends to its billing system, paced and bounded across threads.

A ``RequestPool`` holds a system's documented limits (``RateLimit``): a request takes a slot (one of
``max_concurrent``) and a start time from a token bucket paced at ``requests_per_second``. A 429
pauses the whole pool for the time the system asked (``Retry-After``), not just the thread that got
it, and sets the pace to 90% of what the system served over the last seconds; the pace then grows
5% a second while the system answers, up to the documented rate. A system whose limit is not
published is sent as fast as ``max_concurrent`` allows until it throttles, then paced that way
(each probe past its limit costs the requests then in flight, not a storm).
``map`` runs a function over items on the pool's worker threads, results in
order, so an adapter's per-customer writes go out concurrently with the journal as strict as before
(the engine journals a batch before and after the whole call).

The pool also tells how long the system has gone without answering: once a failing request finds
it silent for ``outage_seconds``, requests stop retrying, so a run facing an outage stops quickly.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from desktop_app.core.progress import Cancelled, CancelToken

T = TypeVar("T")
R = TypeVar("R")

# The pace never drops below this (requests/s): a system that throttles everything is a quota,
# which the per-request throttle budget turns into ``ThrottledTooLong``.
MIN_RATE = 0.5
KEEP_AFTER_429 = 0.9  # of the rate the system served just before it throttled
SERVED_WINDOW = 2.0  # seconds of answers that rate is measured over
RECOVERY_PER_SECOND = 0.05  # pace gained per second without a 429 (up to the documented rate)
MIN_ANSWERS_TO_PACE = 10
DEFAULT_PAUSE = 1.0  # seconds paused after a 429 without Retry-After
WORKER_PREFIX = "billing-pool"
MAX_WORKERS = 32  # threads per pool, whatever concurrency a system allows (Zuora: 200)
IDLE_SECONDS = 1.0  # a worker thread without work this long ends


@dataclass(frozen=True)
class RateLimit:
    """A system's documented limits: requests per second (None: not published) and concurrency."""

    requests_per_second: float | None = None
    max_concurrent: int = 4

    def describe(self) -> str:
        """Human text, e.g. "≤ 8.3 requests/s, 10 at once"."""
        pace = f"≤ {self.requests_per_second:g} requests/s" if self.requests_per_second else "no published rate"
        return f"{pace}, {self.max_concurrent} at once"


@dataclass(frozen=True)
class PoolFigures:
    """What a pool did: requests sent, 429s received, and the seconds some request wanted to go out
    (waiting for its turn or on the wire): the achieved rate is measured over those."""

    requests: int
    throttled: int
    busy_seconds: float
    limit: RateLimit

    @property
    def rate(self) -> float:
        """Requests per second while there were requests to send."""
        return self.requests / self.busy_seconds if self.busy_seconds > 0 else 0.0


class RequestPool:
    """Paces (token bucket), bounds (slots) and, with ``map``, parallelises one system's requests."""

    def __init__(self, limit: RateLimit | None = None, *, outage_seconds: float = 15.0) -> None:
        self.limit = limit or RateLimit()
        self.outage_seconds = outage_seconds
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, self.limit.max_concurrent))
        self._pace: float | None = self.limit.requests_per_second
        self._next_start = 0.0
        self._paused_until = 0.0
        self._last_change = 0.0
        self._served: deque[float] = deque(maxlen=16384)  # when the last answers (not 429s) came
        self._requests = self._throttled = 0
        self._wanting = 0  # requests waiting for or holding a slot
        self._wanted_since = self._busy = 0.0
        self._first = self._last = 0.0
        self._last_answer = time.monotonic()
        self._silent_since: float | None = None
        self._unanswered_in_row = 0
        self._threads = _Workers(min(self.limit.max_concurrent, MAX_WORKERS))

    @property
    def pace(self) -> float | None:
        """The current requests/s the pool keeps to (None: unpaced)."""
        return self._pace

    def figures(self) -> PoolFigures:
        """Counts so far (for benchmarks and the run's figures)."""
        with self._lock:
            busy = self._busy + (time.monotonic() - self._wanted_since if self._wanting else 0.0)
            return PoolFigures(self._requests, self._throttled, busy, self.limit)

    # --- one request --------------------------------------------------------------------------

    @contextmanager
    def slot(self, cancel: CancelToken | None = None) -> Iterator[None]:
        """Hold one of the concurrent slots and wait for this request's turn under the pace."""
        self._demand(+1)
        try:
            while not self._slots.acquire(timeout=0.2):
                _raise_if_cancelled(cancel)
            try:
                self._wait_turn(cancel)
                yield
            finally:
                self._slots.release()
        finally:
            self._demand(-1)

    def _demand(self, change: int) -> None:
        """Count the time some request wanted to go out (the rate is measured over that time)."""
        with self._lock:
            now = time.monotonic()
            if self._wanting == 0:
                self._wanted_since = now
            self._wanting += change
            if self._wanting == 0:
                self._busy += now - self._wanted_since

    def _wait_turn(self, cancel: CancelToken | None) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                self._recover(now)
                start = max(now, self._paused_until)
                if self._pace:
                    start = max(start, self._next_start)
                    self._next_start = start + 1.0 / self._pace
                if start <= now:
                    self._count(now)
                    return
            _sleep(start - now, cancel)
            with self._lock:  # a 429 elsewhere may have paused the pool meanwhile
                now = time.monotonic()
                if now >= self._paused_until:
                    self._count(now)
                    return

    def _count(self, now: float) -> None:
        self._requests += 1
        self._first = self._first or now
        self._last = now

    def _recover(self, now: float) -> None:
        """Speed back up while the system answers (a shared quota freed up, or a limit found too low),
        never past the documented rate; an unpublished one is probed again by the next 429."""
        ceiling = self.limit.requests_per_second
        if self._pace is None or (ceiling is not None and self._pace >= ceiling):
            return
        if now - self._last_change < 1.0 or now < self._paused_until:
            return
        grown = self._pace * (1 + RECOVERY_PER_SECOND * (now - self._last_change))
        self._pace = min(ceiling, grown) if ceiling is not None else grown
        self._last_change = now

    def throttled(self, wait: float | None) -> None:
        """A 429 arrived: pause every request for ``wait`` seconds and pace below what the system served
        lately (once per pause: requests already in flight when it began do not cut again)."""
        with self._lock:
            now = time.monotonic()
            self._throttled += 1
            self._mark_answer(now)
            if now < self._paused_until:
                return
            self._paused_until = now + (DEFAULT_PAUSE if wait is None else wait)
            self._next_start = self._paused_until
            self._last_change = self._paused_until
            window = min(SERVED_WINDOW, max(now - self._first, 0.25))
            answers = sum(1 for t in self._served if t > now - window)
            if answers < MIN_ANSWERS_TO_PACE:
                return  # too few answers lately to tell a rate (a storm from the start): the pause alone
            served = answers / window
            current = self._pace if self._pace is not None else served
            self._pace = max(MIN_RATE, KEEP_AFTER_429 * min(current, served))

    # --- outage -------------------------------------------------------------------------------

    def answered(self) -> None:
        """The system answered a request (any status but 429)."""
        with self._lock:
            now = time.monotonic()
            self._mark_answer(now)
            self._served.append(now)

    def _mark_answer(self, now: float) -> None:
        self._last_answer = now
        self._silent_since = None
        self._unanswered_in_row = 0

    def unanswered(self, began: float) -> bool:
        """A request sent at ``began`` (monotonic) got no answer; True when it is time to give up
        rather than retry: the system has been silent for ``outage_seconds`` since the last answer
        (or since the first unanswered request began, after an idle spell), or more requests in a
        row went unanswered than can be in flight at once (so not just the ones sent together)."""
        with self._lock:
            now = time.monotonic()
            self._silent_since = min(self._silent_since or began, began)
            self._unanswered_in_row += 1
            return (now - max(self._last_answer, self._silent_since) >= self.outage_seconds
                    or self._unanswered_in_row > self.limit.max_concurrent + 1)

    def forget_silence(self) -> None:
        """Start afresh (a run or a resume starts): an earlier silence does not make the first failure
        of this one give up at once."""
        with self._lock:
            self._mark_answer(time.monotonic())

    @property
    def unanswered_in_row(self) -> int:
        """Requests that went unanswered since the system last answered one."""
        return self._unanswered_in_row

    @property
    def silent(self) -> bool:
        """True while the last requests went unanswered (the next ones try once, quickly)."""
        return self._silent_since is not None

    # --- many requests ------------------------------------------------------------------------

    def map(self, function: Callable[[T], R], items: Sequence[T], *, cancel: CancelToken | None = None,
            on_done: Callable[[int], None] | None = None) -> list[R | None]:
        """``function`` over ``items`` on up to ``max_concurrent`` threads; results in order.

        The first exception stops new items from starting, waits for those running and is raised.
        After a cancel, items not started get None. ``on_done(count)`` runs in the calling thread.
        Several calls may run at once (the engine overlaps batches): they share the slots and threads."""
        results: list[R | None] = [None] * len(items)
        on_a_worker = threading.current_thread().name.startswith(WORKER_PREFIX)  # nested: run inline
        if len(items) <= 1 or self.limit.max_concurrent <= 1 or on_a_worker:
            for position, item in enumerate(items):
                if cancel is not None and cancel.cancelled:
                    break
                results[position] = function(item)
                if on_done is not None:
                    on_done(position + 1)
            return results
        return self._run(min(self.limit.max_concurrent, MAX_WORKERS), function, items, results, cancel, on_done)

    def _run(self, workers: int, function: Callable[[T], R], items: Sequence[T], results: list[R | None],
             cancel: CancelToken | None, on_done: Callable[[int], None] | None) -> list[R | None]:
        # Each call's outcome comes back on this call's own queue (cheaper than a future per item
        # and ``concurrent.futures.wait``, which builds a waiter on every pending future each time).
        finished: queue.SimpleQueue[_Outcome] = queue.SimpleQueue()
        upcoming = iter(enumerate(items))
        failure: BaseException | None = None
        in_flight = done = 0
        while True:
            while failure is None and in_flight < workers and not (cancel and cancel.cancelled):
                nxt = next(upcoming, None)
                if nxt is None:
                    break
                self._threads.submit(function, nxt[1], nxt[0], finished)
                in_flight += 1
            if not in_flight:
                break
            outcomes = [finished.get()]
            while not finished.empty():
                outcomes.append(finished.get())
            in_flight -= len(outcomes)
            for position, succeeded, value in outcomes:
                if not succeeded:
                    failure = failure or value
                    continue
                results[position] = value
                done += 1
            if on_done is not None:
                on_done(done)
        if failure is not None:
            raise failure
        return results

    def close(self) -> None:
        """Nothing to release: worker threads end on their own once idle. Kept for the adapters' close."""


# A call's outcome on a worker: (its position, whether it returned, its result or exception).
_Outcome = tuple[int, bool, Any]


class _Workers:
    """Threads that run submitted calls and end after ``IDLE_SECONDS`` without work.

    Starting threads per call cost a run of 100,000 links some 12,000 thread starts; these live
    across the calls of a busy run, yet nothing is left running once an adapter is dropped without
    ``close``. A thread ends only when it finds no call queued, checked under the lock ``submit``
    queues under, so a queued call always has a thread that will take it. Each call queued claims a
    waiting thread, or starts one, or (all ``limit`` threads busy) waits as ``_unclaimed`` for the
    first thread to finish: calls never wait while the pool runs under its limit."""

    def __init__(self, limit: int) -> None:
        self._limit = max(1, limit)
        self._tasks: queue.SimpleQueue[tuple[Callable[[Any], Any], Any, int, queue.SimpleQueue[_Outcome]]] = (
            queue.SimpleQueue())
        self._lock = threading.Lock()
        self._waiting = 0  # threads waiting for a call that no queued call has claimed
        self._unclaimed = 0  # calls queued while every thread was busy
        self._count = 0

    def submit(self, function: Callable[[T], R], item: T, position: int,
               finished: queue.SimpleQueue[_Outcome]) -> None:
        """Run ``function(item)`` on a thread; ``(position, True, result)`` or ``(position, False,
        exception)`` then goes on ``finished``."""
        with self._lock:
            self._tasks.put((function, item, position, finished))
            if self._waiting:
                self._waiting -= 1
            elif self._count < self._limit:
                self._count += 1
                threading.Thread(target=self._work, name=f"{WORKER_PREFIX}-{self._count}", daemon=True).start()
            else:
                self._unclaimed += 1

    def _work(self) -> None:
        while True:
            try:
                function, item, position, finished = self._tasks.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._tasks.empty():
                        self._waiting -= 1
                        self._count -= 1
                        return
                continue
            try:
                outcome: _Outcome = (position, True, function(item))
            except BaseException as error:  # handed to the caller, as ThreadPoolExecutor does
                outcome = (position, False, error)
            finished.put(outcome)
            del function, item, finished, outcome
            with self._lock:
                if self._unclaimed:
                    self._unclaimed -= 1  # this thread takes one of them next
                else:
                    self._waiting += 1


def _raise_if_cancelled(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def _sleep(seconds: float, cancel: CancelToken | None) -> None:
    if seconds <= 0:
        return
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        raise Cancelled("cancelled by the user")
