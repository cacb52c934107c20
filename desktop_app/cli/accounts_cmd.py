"""``desktop-app accounts``: export the org's Accounts for matching (``desktop-app match --accounts``).

Writes Salesforce's own header names (``Id``, ``Name``, ``BillingCountry``…, the link field), so
the file reads exactly like a Data Loader export. REST below the client's Bulk threshold, Bulk 2.0
above it; progress on a terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.cli.common import EXIT_OK, TerminalProgress, UsageError
from desktop_app.cli.systems_args import DEFAULT_LINK_FIELD, add_salesforce_options, salesforce_session
from desktop_app.core.report import write_data_csv
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError

STANDARD_FIELDS = (
    "Name", "Website", "Phone", "BillingStreet", "BillingCity", "BillingState", "BillingPostalCode",
    "BillingCountry",
)


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


def account_fields(describe: dict[str, object], link_field: str, extra: list[str]) -> list[str]:
    """The fields to read: standard ones that exist, CurrencyIsoCode in a multi-currency org, the link field."""
    raw_fields = describe.get("fields")
    described = raw_fields if isinstance(raw_fields, list) else []
    existing = {str(f.get("name")) for f in described if isinstance(f, dict)}
    if link_field not in existing:
        raise UsageError(
            f"the link field {link_field!r} does not exist on Account in this org; create it in Setup → "
            "Object Manager → Account → Fields & Relationships, or name another with --link-field."
        )
    unknown = [f for f in extra if f not in existing]
    if unknown:
        raise UsageError(f"no Account field named {', '.join(map(repr, unknown))} in this org (use API names).")
    wanted = [f for f in STANDARD_FIELDS if f in existing]
    if "CurrencyIsoCode" in existing:
        wanted.append("CurrencyIsoCode")
    return list(dict.fromkeys([*wanted, link_field, *extra]))


def run(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".csv":
        raise UsageError(f"--out {args.out}: use a file ending in .csv.")
    link_field = args.link_field or DEFAULT_LINK_FIELD
    progress = TerminalProgress()
    try:
        with salesforce_session(args) as session:
            client = SalesforceClient(session)
            fields = account_fields(client.describe("Account"), link_field, args.field)
            frame = client.read_accounts(fields, progress=progress)
    except SalesforceError as error:
        raise UsageError(str(error)) from None
    finally:
        progress.finish()
    write_data_csv(args.out, frame)
    linked = int((frame[link_field].astype(str).str.strip() != "").sum()) if len(frame) else 0
    print(f"{len(frame):,} accounts written to {args.out} ({linked:,} already hold a value in {link_field}).")
    return EXIT_OK
