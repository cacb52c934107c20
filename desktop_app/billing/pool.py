"""The requests one adapter sends to its billing system, paced and bounded across threads.

A ``RequestPool`` holds a system's documented limits (``RateLimit``): a request takes a slot (one of
``max_concurrent``) and a start time from a token bucket paced at ``requests_per_second``. A 429
pauses the whole pool for the time the system asked (``Retry-After``), not just the thread that got
it, and sets the pace to 90% of what the system served over the last seconds; with a documented
rate the pace creeps back up to it while the system answers. A system whose limit is not published
is sent as fast as ``max_concurrent`` allows until it throttles, then kept at 90% of what it served.
``map`` runs a function over items on the pool's worker threads, results in
order, so an adapter's per-customer writes go out concurrently with the journal as strict as before
(the engine journals a batch before and after the whole call).

The pool also tells how long the system has gone without answering: once a failing request finds
it silent for ``outage_seconds``, requests stop retrying, so a run facing an outage stops quickly.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from desktop_app.core.progress import Cancelled, CancelToken

T = TypeVar("T")
R = TypeVar("R")

# The pace never drops below this (requests/s): a system that throttles everything is a quota,
# which the per-request throttle budget turns into ``ThrottledTooLong``.
MIN_RATE = 0.5
KEEP_AFTER_429 = 0.9  # of the rate the system served just before it throttled
SERVED_WINDOW = 2.0  # seconds of answers that rate is measured over
RECOVERY_PER_SECOND = 0.02  # of the documented rate, per second without a 429
DEFAULT_PAUSE = 1.0  # seconds paused after a 429 without Retry-After


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
    """What a pool did: requests sent, 429s received, and the achieved rate while busy."""

    requests: int
    throttled: int
    busy_seconds: float
    limit: RateLimit

    @property
    def rate(self) -> float:
        """Requests per second between the first and the last request."""
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
        self._first = self._last = 0.0
        self._last_answer = time.monotonic()
        self._silent_since: float | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def pace(self) -> float | None:
        """The current requests/s the pool keeps to (None: unpaced)."""
        return self._pace

    def figures(self) -> PoolFigures:
        """Counts so far (for benchmarks and the run's figures)."""
        with self._lock:
            return PoolFigures(self._requests, self._throttled, self._last - self._first, self.limit)

    # --- one request --------------------------------------------------------------------------

    @contextmanager
    def slot(self, cancel: CancelToken | None = None) -> Iterator[None]:
        """Hold one of the concurrent slots and wait for this request's turn under the pace."""
        while not self._slots.acquire(timeout=0.2):
            _raise_if_cancelled(cancel)
        try:
            self._wait_turn(cancel)
            yield
        finally:
            self._slots.release()

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
        """Creep back towards the documented rate after a slowdown (a shared quota freed up)."""
        ceiling = self.limit.requests_per_second
        if ceiling is None or self._pace is None or self._pace >= ceiling:
            return
        if now - self._last_change < 1.0 or now < self._paused_until:
            return
        self._pace = min(ceiling, self._pace + RECOVERY_PER_SECOND * ceiling * (now - self._last_change))
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
            window = min(SERVED_WINDOW, max(now - self._first, 0.25))
            served = sum(1 for t in self._served if t > now - window) / window
            current = self._pace if self._pace is not None else served
            self._pace = max(MIN_RATE, KEEP_AFTER_429 * min(current, served or current or MIN_RATE))
            self._next_start = self._paused_until
            self._last_change = self._paused_until

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

    def unanswered(self, began: float) -> bool:
        """A request sent at ``began`` (monotonic) got no answer; True when the system has now been
        silent for ``outage_seconds`` since the last answer (or since the first unanswered request
        began, after an idle spell): time to give up rather than retry."""
        with self._lock:
            now = time.monotonic()
            self._silent_since = min(self._silent_since or began, began)
            return now - max(self._last_answer, self._silent_since) >= self.outage_seconds

    @property
    def silent(self) -> bool:
        """True while the last requests went unanswered (the next ones try once, quickly)."""
        return self._silent_since is not None

    # --- many requests ------------------------------------------------------------------------

    def map(self, function: Callable[[T], R], items: Sequence[T], *, cancel: CancelToken | None = None,
            on_done: Callable[[int], None] | None = None) -> list[R | None]:
        """``function`` over ``items`` on up to ``max_concurrent`` threads; results in order.

        The first exception stops new items from starting, waits for those running and is raised.
        After a cancel, items not started get None. ``on_done(count)`` runs in the calling thread."""
        results: list[R | None] = [None] * len(items)
        if len(items) <= 1 or self.limit.max_concurrent <= 1:
            for position, item in enumerate(items):
                if cancel is not None and cancel.cancelled:
                    break
                results[position] = function(item)
                if on_done is not None:
                    on_done(position + 1)
            return results
        executor = self._workers()
        pending: dict[Future[R], int] = {}
        upcoming = iter(enumerate(items))
        failure: BaseException | None = None
        done = 0
        while True:
            while failure is None and len(pending) < self.limit.max_concurrent and not (cancel and cancel.cancelled):
                nxt = next(upcoming, None)
                if nxt is None:
                    break
                pending[executor.submit(function, nxt[1])] = nxt[0]
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                position = pending.pop(future)
                error = future.exception()
                if error is not None:
                    failure = failure or error
                    continue
                results[position] = future.result()
                done += 1
            if on_done is not None:
                on_done(done)
        if failure is not None:
            raise failure
        return results

    def _workers(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.limit.max_concurrent, thread_name_prefix="billing-pool")
            return self._executor

    def close(self) -> None:
        """Let the worker threads end (the pool can still pace requests from the caller's thread)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


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
