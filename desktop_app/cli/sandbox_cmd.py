"""``desktop-app sandbox``: serve the local Salesforce org and billing sandboxes until interrupted.

Prints one JSON line when ready — the org's instance and login URL, the demo admin's access token,
the CA file to trust, the consumer key and username; the Sequence sandbox's URL, CA and API
credentials; and, with ``--stripe``, localstripe's URL and test key — so scripts and tests can read
it. The billing sandboxes are seeded from the same demo data as the org, so the two sides
correspond. SIGINT/SIGTERM stop everything cleanly.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import signal
import threading
from pathlib import Path
from typing import Any

from desktop_app.billing.registry import SYSTEMS, system
from desktop_app.cli.common import EXIT_OK, UsageError


def register(subparsers: Any) -> None:
    """Add the ``sandbox`` command."""
    parser = subparsers.add_parser(
        "sandbox",
        help="serve a local Salesforce sandbox org over HTTPS (demo mode, tests)",
        description="Serve a local Salesforce sandbox org on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument("--scenario", default="healthy", help="org set-up, e.g. healthy, no-api, faults")
    parser.add_argument("--accounts", type=int, default=2000, help="number of demo Accounts (default 2000)")
    parser.add_argument("--seed", type=int, default=7, help="demo data seed (default 7)")
    parser.add_argument("--ca-cert", type=Path, default=None, help="write the CA certificate to trust here")
    parser.add_argument(
        "--token-lifetime", type=float, default=7200.0, help="access token lifetime in seconds (default 7200)"
    )
    parser.add_argument("--no-sequence", action="store_true", help="do not start the Sequence sandbox")
    parser.add_argument("--stripe", action="store_true",
                        help="also start localstripe on 127.0.0.1 (needs the localstripe package)")
    parser.add_argument("--stripe-customers", type=int, default=100,
                        help="demo customers to create in localstripe (default 100; it is slow to seed)")
    parser.add_argument("--billing", action="append", default=[], metavar="SYSTEM",
                        choices=[e.key for e in SYSTEMS if e.sandbox and e.key not in ("sequence", "stripe")],
                        help="also start this billing system's sandbox, seeded from the same demo data "
                             "(repeatable); its URL, CA and credentials are printed under 'billing'")
    parser.add_argument("--rate-limit", type=float, default=None, metavar="PER_SECOND",
                        help="billing sandboxes answer 429 with Retry-After past this many requests per second")
    parser.add_argument("--latency-ms", type=float, default=0.0, metavar="MS",
                        help="billing sandboxes hold every answer back this long, as a network round trip "
                             "would (e.g. 150)")
    parser.set_defaults(func=run)


def ready_payload(salesforce: Any, sequence: Any = None, stripe: Any = None,
                  billing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one dict printed when the sandboxes are ready."""
    from desktop_app.sandbox.salesforce import ready_info

    payload = dict(ready_info(salesforce))
    if sequence is not None:
        payload.update(
            sequence_url=sequence.url,
            sequence_ca_cert=str(sequence.ca_cert),
            sequence_client_id=sequence.client_id,
            sequence_client_secret=sequence.client_secret,
        )
    if stripe is not None:
        payload.update(stripe_url=stripe.url, stripe_api_key=stripe.api_key)
    if billing:
        payload["billing"] = {
            key: {"url": sandbox.url, "ca_cert": str(sandbox.ca_cert or ""), "credentials": sandbox.credentials}
            for key, sandbox in billing.items()
        }
    return payload


def _start_other_billing(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    """Start the sandboxes of ``--billing`` systems, seeded from the demo data."""
    started: dict[str, Any] = {}
    if not args.billing:
        return started
    from desktop_app.sandbox.demo_data import generate

    customers = generate(max(args.accounts, 1), seed=args.seed).customers
    for key in dict.fromkeys(args.billing):
        starter = system(key).sandbox_starter()
        assert starter is not None  # the choices only list systems with a sandbox
        rows = ({str(k): v for k, v in row.items()} for row in customers.to_dict("records"))
        sandbox: Any = starter(rows, rate_limit_per_second=args.rate_limit, latency_ms=args.latency_ms)
        stack.callback(sandbox.stop)
        started[key] = sandbox
    return started


def _start_billing(args: argparse.Namespace, stack: contextlib.ExitStack) -> tuple[Any, Any]:
    """Start the billing sandboxes asked for; each is stopped when ``stack`` closes."""
    sequence = stripe = None
    if not args.no_sequence:
        from desktop_app.sandbox.sequence import start_sequence_sandbox

        sequence = start_sequence_sandbox(customers=args.accounts, seed=args.seed,
                                          rate_limit_per_second=args.rate_limit, latency_ms=args.latency_ms)
        stack.callback(sequence.stop)
    if args.stripe:
        try:
            from desktop_app.sandbox.localstripe_runner import start_localstripe
        except ImportError as missing:
            raise UsageError(f"--stripe needs the localstripe package ({missing.name} is not installed)") from None
        from desktop_app.sandbox.demo_data import generate

        stripe = start_localstripe(persist=False, rate_limit_per_second=args.rate_limit, latency_ms=args.latency_ms)
        stack.callback(stripe.stop)
        customers = generate(max(args.accounts, 1), seed=args.seed).customers.head(args.stripe_customers)
        stripe.create_customers([{str(k): v for k, v in row.items()} for row in customers.to_dict("records")])
    return sequence, stripe


def ready_line(payload: dict[str, Any]) -> str:
    """``payload`` as the single JSON line the command prints."""
    return json.dumps(payload, separators=(",", ":"))


def run(args: argparse.Namespace) -> int:
    """Start the org, print the ready line, serve until SIGINT/SIGTERM."""
    from desktop_app.sandbox.salesforce import SCENARIOS, start_salesforce_sandbox

    if args.scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {args.scenario!r}; choose one of: {', '.join(sorted(SCENARIOS))}")
    if args.accounts < 0:
        raise UsageError("--accounts must be 0 or more")
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            sandbox = start_salesforce_sandbox(
                scenario=args.scenario,
                accounts=args.accounts,
                seed=args.seed,
                port=args.port,
                ca_cert=args.ca_cert,
                token_lifetime_seconds=args.token_lifetime,
            )
        except OSError as problem:
            if problem.errno in (errno.EADDRINUSE, errno.EACCES):
                raise UsageError(
                    f"cannot serve on port {args.port} ({problem.strerror}); choose another with --port, "
                    "or --port 0 for any free port"
                ) from problem
            raise UsageError(f"cannot start the sandbox: {problem}") from problem
        with contextlib.ExitStack() as stack:
            stack.callback(sandbox.stop)
            sequence, stripe = _start_billing(args, stack)
            others = _start_other_billing(args, stack)
            print(ready_line(ready_payload(sandbox, sequence, stripe, others)), flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK
