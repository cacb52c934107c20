"""Run localstripe (a stateful fake of the Stripe API, from PyPI) on 127.0.0.1 for tests and demos.

localstripe's own CLI listens on every interface and keeps its state in ``/tmp/localstripe.pickle``,
shared by every run on the machine. ``start_localstripe`` instead starts a child Python process that
binds to loopback only, redirects the state file into a per-run directory (or keeps state in
memory only), and prints the port it got; ``RunningLocalStripe.stop`` ends exactly that process.

Run as ``python -m desktop_app.sandbox.localstripe_runner --port 0 [--state-file PATH]``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pickle
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from desktop_app.sandbox.billing_sandbox import BillingSandbox

READY_PREFIX = "LOCALSTRIPE_PORT="
DEFAULT_API_KEY = "sk_test_crosslink_sandbox"


@dataclass
class RunningLocalStripe:
    """A localstripe child process. ``url`` is the API base (``http://127.0.0.1:PORT``)."""

    url: str
    api_key: str
    state_file: Path | None
    _process: subprocess.Popen[str]
    _tempdir: tempfile.TemporaryDirectory[str] | None = None
    _session: requests.Session = field(default_factory=requests.Session)

    def __repr__(self) -> str:  # the key is a sandbox key, but keys never go to reprs
        return f"RunningLocalStripe(url={self.url!r}, state_file={self.state_file!r})"

    def reset(self) -> None:
        """Forget every object (``DELETE /_config/data``)."""
        self._session.delete(f"{self.url}/_config/data", timeout=30).raise_for_status()

    def create_customers(
        self, rows: Iterable[Mapping[str, Any]], *, link_key: str = "salesforce_account_id"
    ) -> list[str]:
        """Create customers from canonical customers rows; returns Stripe's new ids in order.

        A row's ``sf_account_id`` (when present) goes to ``metadata[link_key]``.
        """
        created: list[str] = []
        for row in rows:
            form: dict[str, str] = {}
            for role, param in (("name", "name"), ("email", "email")):
                if str(row.get(role) or ""):
                    form[param] = str(row[role])
            for role, part in (("street", "line1"), ("city", "city"), ("state", "state"),
                               ("postcode", "postal_code"), ("country", "country")):
                if str(row.get(role) or ""):
                    form[f"address[{part}]"] = str(row[role])
            if str(row.get("sf_account_id") or ""):
                form[f"metadata[{link_key}]"] = str(row["sf_account_id"])
            if str(row.get("customer_id") or ""):
                form["metadata[crosslink_demo_id]"] = str(row["customer_id"])
            answer = self._session.post(f"{self.url}/v1/customers", data=form,
                                        auth=(self.api_key, ""), timeout=30)
            answer.raise_for_status()
            created.append(str(answer.json()["id"]))
        return created

    def stop(self) -> None:
        """Stop the child process and remove the per-run state directory."""
        self._session.close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> RunningLocalStripe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# localstripe creates customers one request at a time (~100/s); demo mode seeds only this many.
DEMO_CUSTOMERS = 300


def demo_sandbox(rows: Iterable[Mapping[str, Any]], *, workdir: Path | None = None,
                 rate_limit_per_second: float | None = None, latency_ms: float = 0.0) -> BillingSandbox:
    """localstripe seeded with the first ``DEMO_CUSTOMERS`` demo customers, as a ``BillingSandbox``."""
    server = start_localstripe(workdir=workdir, persist=False, rate_limit_per_second=rate_limit_per_second,
                               latency_ms=latency_ms)
    try:
        server.create_customers(itertools.islice(rows, DEMO_CUSTOMERS))
    except BaseException:
        server.stop()
        raise
    return BillingSandbox("stripe", server.url, None, {"api_key": server.api_key}, server, server.stop)


def start_localstripe(
    *, workdir: Path | None = None, persist: bool = True, port: int = 0, timeout: float = 30.0,
    api_key: str = DEFAULT_API_KEY, rate_limit_per_second: float | None = None, latency_ms: float = 0.0,
) -> RunningLocalStripe:
    """Start localstripe on 127.0.0.1 in a child process and wait until it answers.

    With ``persist`` the state is pickled to ``<workdir>/localstripe.pickle`` (a temporary
    directory when ``workdir`` is None) after every change, as localstripe does; without it the
    state lives in memory only, which is much faster for large seeds. ``rate_limit_per_second``
    answers 429 with ``Retry-After`` past that many requests per second (as Stripe does past 100/s
    live, 25/s in test mode); ``latency_ms`` holds every answer back that long (a network round trip).
    """
    tempdir = None
    state_file: Path | None = None
    if persist:
        if workdir is None:
            tempdir = tempfile.TemporaryDirectory(prefix="crosslink-localstripe-")
            workdir = Path(tempdir.name)
        state_file = Path(workdir) / "localstripe.pickle"
    command = [sys.executable, "-m", "desktop_app.sandbox.localstripe_runner", "--port", str(port)]
    if state_file is not None:
        command += ["--state-file", str(state_file)]
    if rate_limit_per_second:
        command += ["--rate-limit", str(rate_limit_per_second)]
    if latency_ms:
        command += ["--latency-ms", str(latency_ms)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        bound = _read_port(process, timeout)
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        if tempdir is not None:
            tempdir.cleanup()
        raise
    return RunningLocalStripe(f"http://127.0.0.1:{bound}", api_key, state_file, process, tempdir)


def _read_port(process: subprocess.Popen[str], timeout: float) -> int:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith(READY_PREFIX):
                return int(line[len(READY_PREFIX):].strip())
    raise RuntimeError(
        "localstripe did not start (is the localstripe package installed in this Python?). "
        f"Exit code: {process.poll()}."
    )


def _redirect_state(state_file: Path | None) -> None:
    """Make localstripe keep its pickle at ``state_file`` (None: keep state in memory only)."""
    from localstripe import resources

    def load(store: Any) -> None:
        if state_file is not None and state_file.exists():
            with state_file.open("rb") as handle:
                old = pickle.load(handle)
            store.clear()
            store.update(old)

    def dump(store: Any) -> None:
        if state_file is not None:
            partial = state_file.with_suffix(".tmp")
            with partial.open("wb") as handle:
                pickle.dump(dict(store), handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(state_file)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


# Stripe's metadata limits (docs.stripe.com/api/metadata): up to 50 keys, key names up to 40
# characters without square brackets, values up to 500 characters. localstripe takes any metadata.
METADATA_KEYS_MAX, METADATA_KEY_MAX, METADATA_VALUE_MAX = 50, 40, 500


def metadata_problem(current: Mapping[str, Any] | None, sent: Mapping[str, Any]) -> str:
    """Why Stripe would refuse updating metadata ``current`` with ``sent`` ("" when it would not)."""
    for key, value in sent.items():
        if len(str(key)) > METADATA_KEY_MAX or "[" in str(key) or "]" in str(key):
            return (f"Metadata keys can have up to {METADATA_KEY_MAX} characters and no square brackets; "
                    f"'{key}' does not qualify.")
        if value is not None and len(str(value)) > METADATA_VALUE_MAX:
            return (f"Metadata values can have up to {METADATA_VALUE_MAX} characters, but you passed in a value "
                    f"that is {len(str(value))} characters long (key '{key}').")
    kept = {k for k, v in {**(current or {}), **sent}.items() if v not in (None, "")}
    if len(kept) > METADATA_KEYS_MAX:
        return f"Metadata can have up to {METADATA_KEYS_MAX} keys; this update would leave {len(kept)}."
    return ""


def _enforce_metadata_limits() -> None:
    """Make localstripe refuse metadata updates Stripe refuses (400, ``invalid_request_error``)."""
    from localstripe import resources
    from localstripe.errors import UserError

    update = resources.StripeObject._update

    def checked_update(self: Any, **data: Any) -> None:
        sent = data.get("metadata")
        if isinstance(sent, dict):
            problem = metadata_problem(getattr(self, "metadata", None), sent)
            if problem:
                raise UserError(400, problem, {"param": "metadata"})
        update(self, **data)

    resources.StripeObject._update = checked_update


def _network_conditions(rate: float | None, latency_seconds: float) -> Any:
    """aiohttp middleware: Stripe's 429 past ``rate`` requests/s, and a round trip on every answer."""
    import asyncio
    import json

    from aiohttp import web

    from desktop_app.sandbox.sequence.api import RateLimiter

    limiter = RateLimiter(rate)

    @web.middleware
    async def conditions(request: Any, handler: Any) -> Any:
        if latency_seconds:
            await asyncio.sleep(latency_seconds)
        if not limiter.allow():
            body = {"error": {"type": "invalid_request_error", "code": "rate_limit",
                              "message": "Too many requests hit the API too quickly."}}
            return web.Response(status=429, text=json.dumps(body), content_type="application/json",
                                headers={"Retry-After": str(limiter.retry_after())})
        return await handler(request)

    return conditions


def main(argv: list[str] | None = None) -> None:
    """Child-process entry point: serve localstripe on 127.0.0.1 and print the port."""
    parser = argparse.ArgumentParser(description="localstripe on 127.0.0.1 with its own state file")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-file", type=Path, default=None)
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second before 429s")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="hold every answer back this long")
    args = parser.parse_args(argv)
    _redirect_state(args.state_file)
    _enforce_metadata_limits()
    from aiohttp import web
    from localstripe import resources, server

    if args.rate_limit or args.latency_ms:
        server.app.middlewares.insert(0, _network_conditions(args.rate_limit, args.latency_ms / 1000))

    resources.store.try_load_from_disk()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)  # connections wait in the backlog until the app accepts them
    print(f"{READY_PREFIX}{sock.getsockname()[1]}", flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
