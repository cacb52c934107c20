"""Serve the Sequence sandbox in the foreground: ``python -m desktop_app.sandbox.sequence``.

Credentials are taken from CROSSLINK_SEQUENCE_CLIENT_ID / _SECRET when set (so the app and the
sandbox agree), otherwise made up for this run and printed as ``export`` lines: they are throwaway
sandbox credentials, valid only while this process runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path

from desktop_app.sandbox.sequence import start_sequence_sandbox


def main() -> None:
    """Start the sandbox and block until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m desktop_app.sandbox.sequence", description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000, help="demo accounts to derive customers from")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="where the CA certificate is written")
    parser.add_argument("--rate-limit", type=float, help="requests per second before 429s")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="hold every answer back this long (a network round trip, e.g. 150)")
    args = parser.parse_args()
    client_id = os.environ.get("CROSSLINK_SEQUENCE_CLIENT_ID") or None
    client_secret = os.environ.get("CROSSLINK_SEQUENCE_CLIENT_SECRET") or None
    sandbox = start_sequence_sandbox(
        customers=args.accounts, seed=args.seed, port=args.port, workdir=args.workdir,
        rate_limit_per_second=args.rate_limit, latency_ms=args.latency_ms, client_id=client_id,
        client_secret=client_secret,
    )
    print(f"Sequence sandbox: {sandbox.url} ({len(sandbox.store):,} customers)")
    print(f"Trust this CA:     {sandbox.ca_cert}")
    if client_id is None or client_secret is None:
        print(f"export CROSSLINK_SEQUENCE_CLIENT_ID={sandbox.client_id}")
        print(f"export CROSSLINK_SEQUENCE_CLIENT_SECRET={sandbox.client_secret}")
    print("Ctrl+C stops it.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
