"""``desktop-app sandbox``: serve the local Salesforce sandbox org until interrupted.

Prints one JSON line when ready (instance and login URL, the demo admin's access token, the CA file to
trust, the consumer key and username) so scripts and tests can read it; SIGINT/SIGTERM stop it cleanly.
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import threading
from pathlib import Path
from typing import Any

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
    parser.set_defaults(func=run)


def ready_payload(salesforce: Any) -> dict[str, Any]:
    """The one dict printed when the sandboxes are ready; further sandboxes (billing) add their keys here."""
    from desktop_app.sandbox.salesforce import ready_info

    return dict(ready_info(salesforce))


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
        try:
            print(ready_line(ready_payload(sandbox)), flush=True)
            while not stop.wait(0.5):
                pass
        finally:
            sandbox.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK
