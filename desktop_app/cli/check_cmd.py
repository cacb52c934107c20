"""``desktop-app check``: run the preflight checks against an org and print what they found.

The data-dependent checks take their inputs from a plan and a customers file as the wizard's Plan
page does (``--plan``, ``--customers``), or from the figures given outright."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from desktop_app.billing.registry import system_keys
from desktop_app.billing.requirements import SYSTEM_NAMES, customer_requirements
from desktop_app.cli.common import EXIT_FAILED, EXIT_OK, TerminalProgress, UsageError
from desktop_app.cli.systems_args import add_salesforce_options, salesforce_session
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.plan import Plan, PlanError
from desktop_app.core.plan_file import read_plan
from desktop_app.core.roles import Side
from desktop_app.core.tables import TableError
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError
from desktop_app.salesforce.preflight import CheckResult, run_preflight
from desktop_app.salesforce.preflight_data import data_inputs
from desktop_app.salesforce.profiles import DEFAULT_PROFILE
from desktop_app.salesforce.session import SalesforceSession, open_session
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.secrets import SecretStoreUnavailable
from desktop_app.workflow.billing_check import requirements_check
from desktop_app.workflow.load_files import load_input

_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "not_checked": "NOT CHECKED"}
LATER = ("Give it with --plan and --customers (or --longest-id, --currencies, --planned-writes, --billing / "
         "--package): the wizard runs these checks on the Plan page, once the customers are loaded.")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` command."""
    parser = subparsers.add_parser("check", help="check that a Salesforce org can hold the links")
    add_salesforce_options(parser)
    parser.add_argument("--scenario", help="check a new local sandbox org started with this scenario")
    data = parser.add_argument_group("the data-dependent checks (the wizard runs them on the Plan page)")
    data.add_argument("--plan", type=Path, default=None,
                      help="a plan from 'desktop-app plan': the ids it writes, the Account writes it needs and "
                           "its billing system give --longest-id, --planned-writes and --billing")
    data.add_argument("--customers", type=Path, default=None,
                      help="the customers file ('desktop-app customers' or an export): the currencies they bill "
                           "in (of the plan's customers, with --plan) give --currencies")
    data.add_argument("--currencies", default=None,
                      help="billing currencies, comma separated (EUR,USD); without it that check is not run")
    data.add_argument("--longest-id", type=int, default=None,
                      help="length of the longest billing id; without it that check is not run")
    data.add_argument("--planned-writes", type=int, default=None,
                      help="how many Accounts the run will update; without it the API limits are not "
                           "compared with the job")
    data.add_argument("--billing", choices=system_keys(),
                      help="the billing system (no --package then means its package is not needed)")
    data.add_argument("--package", default=None, help="namespace of the billing vendor's managed package")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run_check)


@contextlib.contextmanager
def _session_for(args: argparse.Namespace) -> Iterator[SalesforceSession]:
    if args.scenario and (args.profile or args.sandbox):
        raise UsageError("--scenario starts a new sandbox org: give it alone, without --profile or --sandbox.")
    if args.sandbox:
        with salesforce_session(args) as session:
            yield session
        return
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


@dataclass(frozen=True)
class _DataArguments:
    currencies: list[str] | None
    longest_id: int | None
    planned_writes: int | None
    billing: str | None
    plan: Plan | None = None
    customers: pd.DataFrame | None = None

    def billing_rules(self) -> CheckResult | None:
        """What the billing system requires of the customers the plan links (the Plan page's check;
        None without a plan, customers and a billing system with rules)."""
        if self.plan is None or not self.billing:
            return None
        return requirements_check(self.plan, self.customers, customer_requirements(self.billing),
                                  SYSTEM_NAMES.get(self.billing, self.billing))


def _data_arguments(args: argparse.Namespace) -> _DataArguments:
    """The data-dependent checks' inputs: given outright, else taken from --plan and --customers the
    way the wizard's Plan page takes them (``preflight_data.data_inputs``)."""
    plan = None
    if args.plan is not None:
        try:
            plan = read_plan(args.plan)
        except PlanError as error:
            raise UsageError(str(error)) from None
    customers = None
    if args.customers is not None:
        try:
            customers = load_input(args.customers, Side.CUSTOMERS).frame
        except TableError as error:
            raise UsageError(str(error)) from None
    found = data_inputs(plan, customers)
    currencies = None if args.currencies is None else [c for c in args.currencies.split(",") if c.strip()]
    if currencies is None and customers is not None:
        currencies = list(found.billing_currencies)
    if plan is None:
        return _DataArguments(currencies, args.longest_id, args.planned_writes, args.billing)
    return _DataArguments(
        plan=plan,
        customers=customers,
        currencies=currencies,
        # a plan without a link has no id to measure: that check is then "not checked", never a pass
        longest_id=(found.longest_billing_id or None) if args.longest_id is None else args.longest_id,
        planned_writes=found.planned_writes if args.planned_writes is None else args.planned_writes,
        billing=args.billing or plan.source.billing_system or None,
    )


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
    data = _data_arguments(args)
    progress = TerminalProgress()
    try:
        with _session_for(args) as session:
            client = SalesforceClient(session)
            results = run_preflight(
                client,
                link_field=args.link_field or (data.plan.source.link_field if data.plan else "") or DEFAULT_LINK_FIELD,
                billing_currencies=data.currencies,
                longest_billing_id=data.longest_id,
                planned_writes=data.planned_writes,
                expected_package_namespace=args.package,
                billing_system=SYSTEM_NAMES.get(data.billing) if data.billing else None,
                later=LATER,
                progress=progress,
            )
            rules = data.billing_rules()
            results += [rules] if rules is not None else []
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
