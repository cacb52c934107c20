"""``desktop-app audit``: read both systems and report link health, writing nothing to them.

Exit codes: 0 no findings, 1 findings (listed, and in ``--out`` as CSV/XLSX), 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from desktop_app.cli.common import EXIT_FAILED, EXIT_OK, TerminalProgress, UsageError, say
from desktop_app.cli.systems_args import add_system_options, billing_system, salesforce_session
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.report import write_csv, write_xlsx_report
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError
from desktop_app.workflow.audit import read_and_audit

FINDINGS_PRINTED = 20


def register(subparsers: Any) -> None:
    """Add the ``audit`` command."""
    parser = subparsers.add_parser("audit", help="report link health on both systems (read-only)")
    parser.add_argument("--out", type=Path, help="write the findings here (.csv or .xlsx)")
    parser.add_argument(
        "--many-per-customer",
        action="store_true",
        help="several Accounts may share one customer (do not report sharing)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_system_options(parser, billing_required=True)
    parser.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    """Audit and print the figures; exit 1 when anything is wrong."""
    client = SalesforceClient(salesforce_session(args))
    billing = billing_system(args, args.billing)
    progress = TerminalProgress()
    try:
        result = read_and_audit(
            client,
            billing,
            args.link_field or DEFAULT_LINK_FIELD,
            one_to_one=not args.many_per_customer,
            progress=progress,
        )
    except SalesforceError as error:
        raise UsageError(str(error)) from None
    finally:
        progress.finish()
        client.session.http.close()
        closer = getattr(billing, "close", None)
        if callable(closer):
            closer()
    if args.out:
        if args.out.suffix.lower() == ".xlsx":
            write_xlsx_report(args.out, summary=dict(result.counts()), extra_sheets={"Findings": result.findings})
        else:
            write_csv(args.out, result.findings)
    if args.json:
        print(
            json.dumps(
                {
                    "accounts": result.accounts,
                    "customers": result.customers,
                    "linked_both_sides": result.linked_both_sides,
                    "findings": result.counts(),
                },
                sort_keys=True,
            )
        )
    else:
        print(
            f"{result.accounts:,} Accounts, {result.customers:,} {billing.display_name} customers, "
            f"{result.linked_both_sides:,} linked on both sides."
        )
        for kind, count in result.counts().items():
            print(f"  {kind.replace('_', ' ')}: {count:,}")
        for kind, account_id, customer_id, detail in result.findings.head(FINDINGS_PRINTED).itertuples(index=False):
            print(f"  - {kind} (Account {account_id or '—'}, customer {customer_id or '—'}): {detail}")
        more = len(result.findings) - FINDINGS_PRINTED
        if more > 0:
            print(f"  … and {more:,} more" + (": all of them are in the findings file." if args.out else
                                               "; --out FILE.csv|.xlsx lists them all."))
        if args.out:
            print(f"Findings: {args.out}")
    if result.nothing_audited is not None:
        say(result.nothing_audited)
    return EXIT_OK if result.healthy else EXIT_FAILED
