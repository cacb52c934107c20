"""``desktop-app accounts``: export the org's Accounts for matching (``desktop-app match --accounts``).

Writes Salesforce's own header names (``Id``, ``Name``, ``BillingCountry``…, the link field), so
the file reads exactly like a Data Loader export. REST below the client's Bulk threshold, Bulk 2.0
above it; progress on a terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.cli.common import EXIT_OK, TerminalProgress, UsageError
from desktop_app.cli.systems_args import add_salesforce_options, salesforce_session
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.report import write_data_csv
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError
from desktop_app.workflow.link_fields import AccountFieldError, account_fields_to_read


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "accounts", help="export the org's Accounts (with billing address and link field) to a CSV",
        description="Read every Account with its billing address, currency and link field into a CSV "
                    "that 'desktop-app match --accounts' reads directly.",
    )
    add_salesforce_options(parser)
    parser.add_argument("--field", action="append", default=[], metavar="API_NAME",
                        help="another Account field to include (repeatable)")
    parser.add_argument("--out", type=Path, required=True, help="FILE.csv to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".csv":
        raise UsageError(f"--out {args.out}: use a file ending in .csv.")
    link_field = args.link_field or DEFAULT_LINK_FIELD
    progress = TerminalProgress()
    try:
        with salesforce_session(args) as session:
            client = SalesforceClient(session)
            chosen = account_fields_to_read(client.describe("Account"), link_field, args.field)
            link_field = chosen["link_customer_id"]
            fields = list(dict.fromkeys(name for role, name in chosen.items() if role != "account_id"))
            frame = client.read_accounts(fields, progress=progress)
    except (SalesforceError, AccountFieldError) as error:
        raise UsageError(str(error)) from None
    finally:
        progress.finish()
    write_data_csv(args.out, frame)
    linked = int((frame[link_field].astype(str).str.strip() != "").sum()) if len(frame) else 0
    print(f"{len(frame):,} accounts written to {args.out} ({linked:,} already hold a value in {link_field}).")
    return EXIT_OK
