"""A small JSON-over-HTTPS client with retries, used by the adapters that have no vendor SDK.

It retries server errors (5xx) and dropped connections with backoff, rides out throttling (429,
honouring ``Retry-After``) for a bounded time, and lets the user cancel any wait; refused
credentials raise ``BillingAuthError`` at once. A write (any method but GET/HEAD) whose answer was
lost after it left is never sent again here: ``BillingWriteOutcomeUnknown`` tells the caller to
re-read first. Once a request has waited out its read timeout (or given up on an unreachable system),
the next ones probe it one at a time with a short timeout; once a probe went unanswered, every
request gives up at once without being sent, until the system answers again, ``forget_outage`` is
called (a run or a resume starts) or ``PROBE_AGAIN_AFTER`` has passed. While a request sent
``HOLD_AFTER`` seconds ago has heard nothing back (nor has any sent after it), new requests wait
to go out until something answers or that one times out: none goes out with the full timeout deep
into a silence. So a run facing an outage stops about one read timeout and one probe after it began.

Requests go out through ``requests`` or, for the adapters that ask for it (``lean=True``), through
``billing.transport`` (``http.client`` on kept-alive connections, a third of the CPU per request);
its failures are mapped exactly as those of ``requests``. An environment naming a proxy for the
system's address (``HTTPS_PROXY`` not bypassed by ``NO_PROXY``) keeps ``requests``, which speaks
to proxies.
"""

from __future__ import annotations

import functools
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, Protocol, Self, TypeVar

import requests
from urllib3.exceptions import NewConnectionError

from desktop_app.billing.base import (
    BillingAuthError,
    BillingConnectionError,
    BillingQuotaExceeded,
    BillingUnreachable,
    BillingWriteOutcomeUnknown,
    LinkWriteResult,
)
from desktop_app.billing.http11 import Headers
from desktop_app.billing.pool import RequestPool
from desktop_app.billing.retry import RetryPolicy, parse_retry_after, sleep_or_cancel
from desktop_app.billing.session_adapter import CheckedOnceAdapter
from desktop_app.billing.transport import Answer, LeanTransport, LineFailure
from desktop_app.core.progress import CancelToken
from desktop_app.core.secret_text import blank_secrets, request_secrets

ReadT = TypeVar("ReadT")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures of the line itself (refused, dropped, timed out, cut mid-answer): retried for reads.
TRANSPORT_FAILURES = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                      requests.exceptions.ContentDecodingError, LineFailure)
PROBE_TIMEOUT = (5.0, 5.0)
# How long the verdict of a failed probe holds (requests give up unsent meanwhile) before a request
# probes again: a run stops within a second of it; a client kept for later work (a person trying
# again a little later) asks the system again rather than being refused without a request.
PROBE_AGAIN_AFTER = 10.0
# Seconds without any answer to a request on the wire after which new requests wait for an answer
# (or for that request's timeout) before going out. Only a wait, never a verdict: a slow system
# answers and the requests go on.
HOLD_AFTER = 5.0
# What ``request`` answers with: ``requests.Response``, or the lean transport's ``Answer`` (the same
# ``status_code``, ``ok``, ``headers``, ``content``, ``text`` and ``json()``).
HttpAnswer = requests.Response | Answer


class RetriesExhausted(BillingConnectionError):
    """The last answer was still a 429/5xx after every retry (kept on ``response``)."""

    def __init__(self, message: str, response: HttpAnswer) -> None:
        super().__init__(message)
        self.response = response


class ThrottledTooLong(RetriesExhausted, BillingQuotaExceeded):
    """HTTP 429 past the throttle budget: a rate limit or quota the system will not lift soon."""


def _timed_out(failure: Exception) -> bool:
    """True when the request waited out its timeout (not refused or dropped at once)."""
    return isinstance(failure, requests.Timeout) or (isinstance(failure, LineFailure) and failure.timed_out)


def never_sent(failure: Exception) -> bool:
    """True when the request surely did not reach the server (no connection was made)."""
    if isinstance(failure, LineFailure):
        return failure.never_sent
    if isinstance(failure, requests.ConnectTimeout):
        return True
    reason = getattr(failure.args[0], "reason", None) if failure.args else None
    return isinstance(reason, NewConnectionError)


class JsonApiClient:
    """Client for one API base URL (keep-alive, timeouts, CA, retries), safe to use from many threads.

    Every request goes through ``pool`` (the system's pace and concurrency, shared by the adapter's
    threads) on a session of its own for the time of the attempt: ``requests.Session`` is not
    thread-safe, so sessions are lent out one per request and kept for reuse (keep-alive). With
    ``lean`` (and no proxy configured for ``base_url``) the lean transport sends them instead."""

    def __init__(
        self,
        base_url: str,
        *,
        system_name: str,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        ca_cert: Path | str | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (10.0, 20.0),
        pool: RequestPool | None = None,
        lean: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.system_name = system_name
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.pool = pool or RequestPool()
        self._auth = auth
        self._headers = dict(headers or {})
        self._idle: queue.LifoQueue[requests.Session] = queue.LifoQueue()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        # Passed on every request: a session-level ``verify`` loses to REQUESTS_CA_BUNDLE.
        self._verify: str | bool = str(ca_cert) if ca_cert else True
        # The environment's proxy settings (HTTPS_PROXY, NO_PROXY …), read once: with ``trust_env``
        # requests reads and parses the whole environment again on every request (~0.5 ms of CPU).
        self._proxies = requests.utils.get_environ_proxies(self.base_url)
        self._lean: LeanTransport | None = None
        if lean and self.base_url.startswith("https://") and not requests.utils.select_proxy(
                self.base_url, self._proxies):
            self._lean = LeanTransport(self.base_url, auth=auth, headers=headers, ca_cert=ca_cert)
        self._down = False  # a request timed out or gave up unanswered since the last answer: probe
        self.accepted_at = float("-inf")  # monotonic time of the last 2xx answer (the credentials work)
        self._probe = threading.Lock()
        self._probe_failed_at: float | None = None  # a probe went unanswered then (no answer since)
        self._wire_lock = threading.Lock()
        self._on_wire: dict[int, float] = {}  # requests sent with the full timeout: number → monotonic sent time
        self._numbers = itertools.count()
        self._heard_at = time.monotonic()  # the last time any answer came back

    def __repr__(self) -> str:  # the sessions hold credentials; never print them
        return f"JsonApiClient({self.base_url!r})"

    @property
    def transport(self) -> str:
        """Which transport sends the requests: "lean" or "requests"."""
        return "lean" if self._lean is not None else "requests"

    def close(self) -> None:
        """Close pooled connections and let the pool's worker threads end."""
        self.pool.close()
        if self._lean is not None:
            self._lean.close()
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    @contextmanager
    def _session(self) -> Iterator[requests.Session]:
        try:
            session = self._idle.get_nowait()
        except queue.Empty:
            session = requests.Session()
            session.trust_env = False  # the proxies are given below; credentials never come from ~/.netrc
            session.proxies.update(self._proxies)
            session.auth = self._auth
            session.headers.update(self._headers)
            for prefix in ("https://", "http://"):
                session.mount(prefix, CheckedOnceAdapter())
            with self._sessions_lock:
                self._sessions.append(session)
        try:
            yield session
        finally:
            self._idle.put(session)

    def _one(self, method: str, url: str, timeout: tuple[float, float], options: dict[str, Any]) -> HttpAnswer:
        if self._lean is not None:
            return self._lean.send(method, url, timeout=timeout, params=options["params"], json_body=options["json"],
                                   data=options["data"], headers=options["headers"])
        with self._session() as session:
            return session.request(method, url, timeout=timeout, verify=self._verify, **options)

    def _without_credentials(self, response: HttpAnswer, headers: Mapping[str, str] | None,
                             form: Mapping[str, str] | None) -> HttpAnswer:
        """An error answer with the request's credentials (this client's, the request's own headers and
        form fields) blanked out of its body: a server or proxy that echoes the request would otherwise
        put them into the error messages built from it."""
        secrets = request_secrets({**self._headers, **(headers or {})}, form, basic_auth=self._auth)
        content = blank_secrets(response.content, secrets)
        if content == response.content:
            return response
        return Answer(response.status_code, Headers(list(response.headers.items())), content, response.url)

    def forget_outage(self) -> None:
        """Forget that the system went silent (a run or a resume starts): the next request is sent as
        usual and finds out afresh."""
        with self._probe:
            self._down = False
            self._probe_failed_at = None
        self.pool.forget_silence()

    def _send(self, method: str, url: str, cancel: CancelToken | None, **options: Any) -> HttpAnswer:
        if not self._down:
            with self.pool.slot(cancel):
                self._hold_while_unheard(cancel)
                if not self._down:  # checked again: it may have gone silent while this one waited its turn
                    with self._wire_lock:
                        self._on_wire[number := next(self._numbers)] = time.monotonic()
                    try:
                        answer = self._one(method, url, self.timeout, options)
                        self._heard_at = time.monotonic()
                        return answer
                    except TRANSPORT_FAILURES as failure:
                        # Marked before the slot is free, so no request waiting for it goes out with
                        # the full timeout into a silence already found.
                        self._down = self._down or _timed_out(failure)
                        raise
                    finally:
                        with self._wire_lock:
                            del self._on_wire[number]
        return self._probe_once(method, url, cancel, options)

    def _hold_while_unheard(self, cancel: CancelToken | None) -> None:
        """Wait while a request on the wire has heard nothing back for ``HOLD_AFTER`` seconds (nor has
        any sent after it): until something answers, it ends, or it times out (then this one probes)."""
        while not self._down:
            with self._wire_lock:
                unheard = [sent for sent in self._on_wire.values() if sent > self._heard_at]
            if not unheard or time.monotonic() - min(unheard) < HOLD_AFTER:
                return
            sleep_or_cancel(0.05, cancel)

    def _probe_once(self, method: str, url: str, cancel: CancelToken | None, options: dict[str, Any]) -> HttpAnswer:
        """The system went silent: one request at a time probes it with a short timeout; once a probe
        went unanswered, the others (waiting or arriving) give up at once without being sent."""
        self._raise_if_found_down()
        with self._probe:
            self._raise_if_found_down()
            timeout = (min(self.timeout[0], PROBE_TIMEOUT[0]), min(self.timeout[1], PROBE_TIMEOUT[1]))
            try:
                with self.pool.slot(cancel):
                    answer = self._one(method, url, timeout, options)
            except TRANSPORT_FAILURES:
                self._probe_failed_at = time.monotonic()
                raise
            self._heard_at = time.monotonic()
            return answer

    def _raise_if_found_down(self) -> None:
        failed_at = self._probe_failed_at
        if failed_at is not None and self._down and time.monotonic() - failed_at < PROBE_AGAIN_AFTER:
            raise BillingUnreachable(
                f"{self.system_name} is not answering at {self.base_url}. Check the network connection and "
                "the system's status, then try again.")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        cancel: CancelToken | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpAnswer:
        """Send a request, retrying 429/5xx/dropped connections; any other answer is returned.

        Raises ``BillingAuthError`` on 401/403, ``RetriesExhausted`` when server errors outlast the
        retries (``ThrottledTooLong`` for 429s past the throttle budget), ``BillingUnreachable`` when
        the server stays unreachable, ``BillingWriteOutcomeUnknown`` when a write's answer was lost,
        ``BillingConnectionError`` for any other transport failure (a bad address, a broken body),
        ``Cancelled`` when the user cancels during a wait. No ``requests`` exception leaves here.
        """
        url = f"{self.base_url}/{path.lstrip('/')}"
        write = method.upper() not in SAFE_METHODS
        attempt = throttled = 0
        throttle_waited = 0.0
        began = time.monotonic()  # a server that hangs spends the give-up time in timeouts, not waits
        second_chance = True  # a read that waited out its timeout is asked once more, as a probe
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            sent, probing = time.monotonic(), self._down
            try:
                response = self._send(method, url, cancel, params=params, json=json, data=data, headers=headers)
            except TRANSPORT_FAILURES as failure:
                silent_too_long = self.pool.unanswered(sent)
                if write and not never_sent(failure):
                    # A server that let a write time out may hang on the next request too: try that once.
                    # (Lost answers to writes alone do not stop a run: reads tell whether it is down.)
                    self._down = self._down or _timed_out(failure)
                    raise BillingWriteOutcomeUnknown(
                        f"{self.system_name} did not answer a {method} to {path} ({type(failure).__name__}); "
                        "it may or may not have been applied, so it is read back before any new attempt."
                    ) from None
                wait = None if probing or silent_too_long else self.retry.failure_wait(
                    attempt, time.monotonic() - began)
                if wait is None and second_chance and not probing and _timed_out(failure):
                    # One stalled connection is no outage: the probe (``_down`` is set) tells, in 5 s.
                    second_chance, wait = False, 0.0
                if wait is None:
                    self._down = True
                    raise BillingUnreachable(
                        f"{self.system_name} did not answer at {self.base_url} ({type(failure).__name__}) "
                        f"after {attempt + 1} attempt(s). Check the network connection and the system's "
                        "status, then try again."
                    ) from None
                attempt += 1
                sleep_or_cancel(wait, cancel)
                continue
            except requests.RequestException as failure:  # not a dropped line: an address or body problem
                raise BillingConnectionError(
                    f"{self.system_name} could not be asked ({type(failure).__name__}: {failure})."
                ) from None
            if not response.ok:
                response = self._without_credentials(response, headers, data)
            if response.status_code == 429:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                wait = self.retry.throttle_wait(throttled, throttle_waited, retry_after)
                self.pool.throttled(wait if wait is not None else retry_after)
                if wait is None:
                    raise ThrottledTooLong(
                        f"{self.system_name} kept refusing requests as over its rate limit or quota "
                        f"(HTTP 429) for {throttle_waited:.0f} s. Wait for the quota to renew, then try again.",
                        response,
                    )
                throttled += 1
                throttle_waited += wait
                continue  # the pool holds every request back until the pause is over
            self.pool.answered()
            if response.status_code in (401, 403):
                raise BillingAuthError(
                    f"{self.system_name} refused the API credentials (HTTP {response.status_code}). "
                    "Check the key or client id/secret and that it may read and update customers."
                )
            if response.status_code not in RETRY_STATUSES:
                self._down, self._probe_failed_at = False, None
                if response.ok:
                    self.accepted_at = time.monotonic()
                return response
            wait = None if self._down else self.retry.failure_wait(attempt, time.monotonic() - began)
            if wait is None:
                self._down = True
                raise RetriesExhausted(
                    f"{self.system_name} kept answering HTTP {response.status_code} "
                    f"after {attempt + 1} attempt(s).",
                    response,
                )
            attempt += 1
            sleep_or_cancel(wait, cancel)


def failed_after_retries(customer_id: str, account_id: str, previous: str | None, failure: RetriesExhausted,
                         hint: str = "Nothing was changed for this customer; run again later.") -> LinkWriteResult:
    """The result of one customer whose request outlasted the retries (5xx), for every adapter.

    Throttling past its budget (``ThrottledTooLong``) is a quota, not this customer's problem: it is
    raised again so the run stops with the rest pending instead of failing customer after customer."""
    if isinstance(failure, ThrottledTooLong):
        raise failure
    status = failure.response.status_code
    return LinkWriteResult(customer_id, account_id, "failed", previous=previous,
                           error_code="rate_limited" if status == 429 else f"http_{status}",
                           message=f"{failure} {hint}")


def transport_errors(read: Callable[..., ReadT]) -> Callable[..., ReadT]:
    """For an adapter's read methods: an answer that could not be read (a broken or non-JSON body,
    which ``requests`` reports as its own exception) becomes a ``BillingConnectionError``, so no
    ``requests`` exception reaches the engine."""

    @functools.wraps(read)
    def checked(self: Any, *args: Any, **kwargs: Any) -> ReadT:
        try:
            return read(self, *args, **kwargs)
        except requests.RequestException as failure:
            raise BillingConnectionError(
                f"{getattr(self, 'display_name', 'The billing system')}'s answer could not be read "
                f"({type(failure).__name__}); try again later."
            ) from None

    return checked


class _Closable(Protocol):
    def close(self) -> None: ...


ApiT = TypeVar("ApiT", bound=_Closable)


class PooledAdapter(Generic[ApiT]):
    """What every API adapter does with its pooled connections: ``close`` them, also as a context
    manager. ``_api`` is the adapter's client (``JsonApiClient`` or one wrapping it)."""

    _api: ApiT

    def close(self) -> None:
        """Release pooled connections."""
        self._api.close()

    def forget_outage(self) -> None:
        """Forget that the system went silent (a run or a resume starts: it probes afresh)."""
        forget = getattr(self._api, "forget_outage", None)
        if callable(forget):
            forget()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
