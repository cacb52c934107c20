"""``desktop-app check``: run the preflight checks against an org and print what they found."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import asdict
from typing import TextIO

from desktop_app.billing.requirements import SYSTEM_NAMES
from desktop_app.cli.common import EXIT_FAILED, EXIT_OK, TerminalProgress, UsageError
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError
from desktop_app.salesforce.preflight import CheckResult, run_preflight
from desktop_app.salesforce.profiles import DEFAULT_PROFILE
from desktop_app.salesforce.session import SalesforceSession, open_session
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.secrets import SecretStoreUnavailable

_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "not_checked": "NOT CHECKED"}
LATER = ("Give it with --longest-id, --currencies, --planned-writes or --billing / --package (the wizard runs "
         "these checks on the Plan page, once the customers are loaded).")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` command."""
    parser = subparsers.add_parser("check", help="check that a Salesforce org can hold the links")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--profile", help=f"saved connection to check (default '{DEFAULT_PROFILE}')")
    source.add_argument("--scenario", help="check Crosslink's local sandbox org started with this scenario")
    parser.add_argument(
        "--link-field", default=DEFAULT_LINK_FIELD, help="Account field that holds the billing id"
    )
    parser.add_argument("--currencies", default=None,
                        help="billing currencies, comma separated (EUR,USD); without it that check is not run")
    parser.add_argument("--longest-id", type=int, default=None,
                        help="length of the longest billing id; without it that check is not run")
    parser.add_argument("--planned-writes", type=int, default=None,
                        help="how many Accounts the run will update; without it the API limits are not "
                             "compared with the job")
    parser.add_argument("--billing", choices=["sequence", "stripe", "file"],
                        help="the billing system (no --package then means its package is not needed)")
    parser.add_argument("--package", default=None, help="namespace of the billing vendor's managed package")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run_check)


@contextlib.contextmanager
def _session_for(args: argparse.Namespace) -> Iterator[SalesforceSession]:
    if not args.scenario:
        with open_session(args.profile or DEFAULT_PROFILE) as session:
            yield session
        return
    from desktop_app.sandbox.salesforce import start_salesforce_sandbox

    try:
        sandbox = start_salesforce_sandbox(scenario=args.scenario, accounts=200)
    except (KeyError, ValueError) as error:
        raise UsageError(f"Unknown sandbox scenario '{args.scenario}' ({error}).") from None
    try:
        tokens = TokenSet(
            access_token=sandbox.access_token, instance_url=sandbox.instance_url, identity_url=""
        )
        with SalesforceSession(tokens, verify=str(sandbox.ca_cert)) as session:
            yield session
    finally:
        sandbox.stop()


def print_table(results: list[CheckResult], stream: TextIO) -> None:
    """The results as a readable list: status, title, what was found and, when not passing, the fix."""
    for result in results:
        stream.write(f"[{_MARK[result.status]}] {result.title}\n")
        for line in textwrap.wrap(result.explanation, 96):
            stream.write(f"       {line}\n")
        if result.status != "pass" and result.remedy:
            for i, line in enumerate(textwrap.wrap(result.remedy, 90)):
                stream.write(f"       {'Fix: ' if i == 0 else '     '}{line}\n")
            if result.setup_url:
                stream.write(f"       Setup: {result.setup_url}\n")
    failed = sum(r.status == "fail" for r in results)
    warned = sum(r.status == "warn" for r in results)
    later = sum(r.status == "not_checked" for r in results)
    stream.write(f"\n{len(results)} checks: {failed} failed, {warned} warnings, {later} not checked.\n")


def run_check(args: argparse.Namespace) -> int:
    """Run the checks; exit 1 when any check fails or the org cannot be reached."""
    currencies = None if args.currencies is None else [c for c in args.currencies.split(",") if c.strip()]
    progress = TerminalProgress()
    try:
        with _session_for(args) as session:
            client = SalesforceClient(session)
            results = run_preflight(
                client,
                link_field=args.link_field,
                billing_currencies=currencies,
                longest_billing_id=args.longest_id,
                planned_writes=args.planned_writes,
                expected_package_namespace=args.package,
                billing_system=SYSTEM_NAMES.get(args.billing) if args.billing else None,
                later=LATER,
                progress=progress,
            )
    except (SalesforceError, SecretStoreUnavailable) as error:
        progress.finish()
        print(f"desktop-app check: {error}", file=sys.stderr)
        return EXIT_FAILED
    progress.finish()
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print_table(results, sys.stdout)
    return EXIT_FAILED if any(r.status == "fail" for r in results) else EXIT_OK
