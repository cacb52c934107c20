"""A local Upflow API over HTTPS for tests, benchmarks and demo mode.

Reference followed: the facts gathered in the project's billing reference (Upflow API
``https://api.upflow.io/v1/``, ``X-Api-Key`` + ``X-Api-Secret`` headers, customers carrying the
billing system's id as ``externalId``, 600 requests a minute) and Upflow's Salesforce guide (the same
*shared identifier* on the Salesforce Account and the Upflow customer, a text value, 1:1). Upflow's
full API reference (docs.upflow.io) could not be read from here, so the list paging (``limit`` ≤ 100,
``offset``, ``{"data", "total"}``), the ``customFields`` object and ``PATCH /customers/{id}`` are this
sandbox's assumptions — check them against docs.upflow.io before a live run.
"""

from __future__ import annotations

import copy
import hmac
import random
import secrets
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.sandbox.billing_sandbox import BillingSandbox
from desktop_app.sandbox.httpserver import Request, Response, Router, SandboxServer
from desktop_app.sandbox.sequence.api import RateLimiter
from desktop_app.sandbox.tls import create_tls_files

DEFAULT_FIELD = "salesforce_account_id"
MAX_LIMIT = 100
VALUE_MAX = 255


@dataclass
class UpflowState:
    """Customers, faults (``storm_requests``) and counters (``writes`` per id, ``statuses``)."""

    customers: dict[str, dict[str, Any]]
    storm_requests: int = 0
    retry_after_seconds: int = 1
    writes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)


@dataclass
class RunningUpflowSandbox:
    """A started sandbox: ``url`` is the API base (ends in ``/v1``); trust ``ca_cert``."""

    url: str
    ca_cert: Path
    api_key: str
    api_secret: str
    state: UpflowState
    _server: SandboxServer
    _tempdir: tempfile.TemporaryDirectory[str] | None

    def __repr__(self) -> str:  # never show the secret
        return f"RunningUpflowSandbox(url={self.url!r}, customers={len(self.state.customers)})"

    def stop(self) -> None:
        """Stop serving and remove the temporary certificate directory."""
        self._server.stop()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None


def _error(status: int, code: str, message: str) -> Response:
    return Response.json({"error": {"code": code, "message": message}}, status)


def build_router(state: UpflowState, *, api_key: str, api_secret: str, rate_limiter: RateLimiter) -> Router:
    """``/v1/customers`` list, get and patch behind the key and secret headers."""
    router = Router()

    def guarded(request: Request) -> Response | None:
        if not (hmac.compare_digest(request.header("X-Api-Key") or "", api_key)
                and hmac.compare_digest(request.header("X-Api-Secret") or "", api_secret)):
            return _error(401, "UNAUTHORIZED", "Invalid API key or secret.")
        with state.lock:
            storm = state.storm_requests > 0
            state.storm_requests -= 1 if storm else 0
        if storm or not rate_limiter.allow():
            answer = _error(429, "TOO_MANY_REQUESTS", "Rate limit exceeded (600 requests per minute).")
            answer.headers["Retry-After"] = str(state.retry_after_seconds)
            return answer
        return None

    def counted(answer: Response) -> Response:
        state.statuses[answer.status] += 1
        return answer

    def list_customers(request: Request) -> Response:
        refused = guarded(request)
        if refused is not None:
            return counted(refused)
        try:
            limit, offset = int(request.arg("limit", "50") or 50), int(request.arg("offset", "0") or 0)
        except ValueError:
            limit, offset = 0, -1
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            return counted(_error(400, "INVALID_PARAMETER", f"limit must be 1-{MAX_LIMIT} and offset ≥ 0."))
        with state.lock:
            items = list(state.customers.values())
            return counted(Response.json({"data": copy.deepcopy(items[offset : offset + limit]),
                                          "total": len(items)}))

    def one_customer(request: Request) -> Response:
        refused = guarded(request)
        if refused is not None:
            return counted(refused)
        customer_id = request.params["customer_id"]
        with state.lock:
            customer = state.customers.get(customer_id)
            if customer is None:
                return counted(_error(404, "NOT_FOUND", f"Customer {customer_id} not found."))
            if request.method == "GET":
                return counted(Response.json(copy.deepcopy(customer)))
            try:
                body = request.json()
            except ValueError:
                body = None
            fields = body.get("customFields") if isinstance(body, dict) else None
            if not isinstance(fields, dict) or set(body) != {"customFields"}:
                return counted(_error(400, "INVALID_BODY", "Send {\"customFields\": {name: text}}."))
            for name, value in fields.items():
                if value is not None and (not isinstance(value, str) or len(value) > VALUE_MAX):
                    return counted(_error(422, "VALIDATION_ERROR",
                                          f"customFields.{name} must be text of at most {VALUE_MAX} characters "
                                          "(Upflow does not take numbers for a shared identifier)."))
            kept = dict(customer.get("customFields") or {})
            for name, value in fields.items():
                if value:
                    kept[name] = value
                else:
                    kept.pop(name, None)
            customer["customFields"] = kept
            state.writes[customer_id] += 1
            return counted(Response.json(copy.deepcopy(customer)))

    router.add("GET", r"/v1/customers", list_customers)
    router.add("GET", r"/v1/customers/(?P<customer_id>[^/]+)", one_customer)
    router.add("PATCH", r"/v1/customers/(?P<customer_id>[^/]+)", one_customer)
    return router


def customers_from_rows(rows: Iterable[Mapping[str, Any]], *, seed: int = 7, messy: bool = True,
                        field_name: str = DEFAULT_FIELD) -> list[dict[str, Any]]:
    """Upflow customers from canonical customers rows; ``sf_account_id`` becomes the shared identifier.

    With ``messy``, the three failure causes of Upflow's guide: identifiers missing, the same
    identifier on two customers, and formatting differences (spaces, lower case, a 15-character id).
    """
    rng = random.Random(seed)
    customers: list[dict[str, Any]] = []
    last_identifier = ""
    for position, row in enumerate(rows):
        draw = rng.random() if messy else 1.0
        identifier = str(row.get("sf_account_id") or "").strip()
        if messy and identifier:
            if draw < 0.05:
                identifier = ""
            elif draw < 0.08 and last_identifier:
                identifier = last_identifier
            elif draw < 0.12:
                identifier = f" {identifier.lower()}" if draw < 0.1 else identifier[:15]
        last_identifier = identifier.strip() or last_identifier
        customers.append({
            "id": f"upf_{position + 1:06d}",
            "externalId": str(row.get("customer_id") or ""),
            "name": str(row.get("name") or row.get("legal_name") or ""),
            "email": str(row.get("email") or ""),
            "currency": str(row.get("currency") or "").upper(),
            "address": {"address": str(row.get("street") or ""), "city": str(row.get("city") or ""),
                        "zipcode": str(row.get("postcode") or ""), "state": str(row.get("state") or ""),
                        "country": str(row.get("country") or "")},
            "customFields": {field_name: identifier} if identifier else {},
        })
    return customers


def start_upflow_sandbox(customers: Sequence[dict[str, Any]], *, workdir: Path | None = None, port: int = 0,
                         rate_limit_per_second: float | None = None, latency_ms: float = 0.0,
                         retry_after_seconds: int = 1,
                         api_key: str | None = None, api_secret: str | None = None) -> RunningUpflowSandbox:
    """Serve ``customers`` (Upflow customer payloads) on 127.0.0.1."""
    tempdir = None
    if workdir is None:
        tempdir = tempfile.TemporaryDirectory(prefix="crosslink-upflow-")
        workdir = Path(tempdir.name)
    tls = create_tls_files(Path(workdir) / "tls")
    state = UpflowState({str(c["id"]): dict(c) for c in customers}, retry_after_seconds=retry_after_seconds)
    key, secret = api_key or secrets.token_hex(12), api_secret or secrets.token_urlsafe(24)
    router = build_router(state, api_key=key, api_secret=secret, rate_limiter=RateLimiter(rate_limit_per_second))
    server = SandboxServer(router.dispatch, tls=tls, port=port, latency_seconds=latency_ms / 1000)
    server.start()
    return RunningUpflowSandbox(f"{server.url}/v1", tls.ca_cert, key, secret, state, server, tempdir)


def demo_sandbox(rows: Iterable[Mapping[str, Any]], *, workdir: Path | None = None,
                 rate_limit_per_second: float | None = None, latency_ms: float = 0.0) -> BillingSandbox:
    """An Upflow sandbox seeded from canonical customers rows (with the shared-identifier mess)."""
    sandbox = start_upflow_sandbox(customers_from_rows(rows), workdir=workdir,
        rate_limit_per_second=rate_limit_per_second, latency_ms=latency_ms)
    return BillingSandbox("upflow", sandbox.url, sandbox.ca_cert,
                          {"api_key": sandbox.api_key, "api_secret": sandbox.api_secret},
                          sandbox.state, sandbox.stop)
