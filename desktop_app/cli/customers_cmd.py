"""``desktop-app customers``: list a billing system's customers as a canonical customers CSV.

The output has the CUSTOMER_ROLES columns plus source_row, so ``desktop-app match --customers``
reads it directly. Credentials come from environment variables or the keychain, never arguments.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop_app.billing.base import BillingAuthError, BillingConnectionError, BillingSystem
from desktop_app.billing.credentials import (
    DEFAULT_PROFILE,
    SEQUENCE_ID_ENV,
    SEQUENCE_SECRET_ENV,
    STRIPE_KEY_ENV,
    sequence_credentials,
    stripe_api_key,
)
from desktop_app.billing.file_adapter import FileBilling
from desktop_app.billing.file_export import OutputIsSourceError, refuse_source
from desktop_app.billing.file_presets import PRESETS
from desktop_app.billing.sequence_adapter import DEFAULT_BASE_URL, SequenceBilling, SequenceLinkStorage
from desktop_app.billing.stripe_adapter import DEFAULT_LINK_KEY, StripeBilling
from desktop_app.cli.common import EXIT_FAILED, EXIT_OK, TerminalProgress, UsageError, say
from desktop_app.core.report import write_data_csv
from desktop_app.core.tables import TableError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "customers", help="list billing customers (Stripe, Sequence or an export file) as a CSV",
        description="Read every customer of a billing system and write them in Crosslink's canonical "
                    "customers shape (usable as `desktop-app match --customers`).",
    )
    parser.add_argument("--system", choices=("stripe", "sequence", "file"), required=True)
    parser.add_argument("--out", type=Path, required=True, help="FILE.csv to write")
    parser.add_argument("--api-key-env", metavar="VAR",
                        help=f"environment variable holding the Stripe key (default {STRIPE_KEY_ENV}) or, "
                             "for Sequence, 'client_id:client_secret'")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, help="keychain profile of saved credentials")
    parser.add_argument("--base-url", help="API base URL (a sandbox, or Sequence's region)")
    parser.add_argument("--ca-cert", type=Path, help="extra CA certificate to trust (sandbox)")
    parser.add_argument("--link-key", default=DEFAULT_LINK_KEY,
                        help="Stripe metadata key holding the Salesforce id (default %(default)s)")
    parser.add_argument("--link-field", default="integration:Salesforce",
                        metavar="integration:NAME|property:KEY",
                        help="where Sequence keeps the Salesforce id (default %(default)s)")
    parser.add_argument("--file", type=Path, help="customer export (CSV/TSV/XLSX) for --system file")
    parser.add_argument("--sheet", help="sheet of an .xlsx export")
    parser.add_argument("--preset", choices=sorted(PRESETS),
                        help="column preset of the export (default: detect from the headers)")
    parser.set_defaults(func=run)


def _sequence_storage(text: str) -> SequenceLinkStorage:
    kind, _, name = text.partition(":")
    if kind not in ("integration", "property") or not name.strip():
        raise UsageError(f"--link-field {text!r} must look like integration:NAME or property:KEY.")
    return SequenceLinkStorage("integration_id" if kind == "integration" else "custom_property", name.strip())


def _env_value(var: str) -> str:
    value = os.environ.get(var, "").strip()
    if not value:
        raise UsageError(f"The environment variable {var} is empty or not set.")
    return value


def build_system(args: argparse.Namespace) -> BillingSystem:
    """The adapter the arguments describe (credentials from the environment or keychain)."""
    if args.system == "file":
        if args.file is None:
            raise UsageError("--system file needs --file PATH (the customer export).")
        return FileBilling(args.file, preset=args.preset, sheet=args.sheet)
    if args.system == "stripe":
        key = _env_value(args.api_key_env) if args.api_key_env else stripe_api_key(args.profile)
        return StripeBilling(key, base_url=args.base_url, link_key=args.link_key)
    if args.api_key_env:
        client_id, sep, client_secret = _env_value(args.api_key_env).partition(":")
        if not sep or not client_id or not client_secret:
            raise UsageError(f"{args.api_key_env} must hold 'client_id:client_secret' for Sequence.")
    else:
        client_id, client_secret = sequence_credentials(args.profile, id_env_var=SEQUENCE_ID_ENV,
                                                        secret_env_var=SEQUENCE_SECRET_ENV)
    return SequenceBilling(client_id, client_secret, base_url=args.base_url or DEFAULT_BASE_URL,
                           ca_cert=args.ca_cert, link_storage=_sequence_storage(args.link_field))


def run(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".csv":
        raise UsageError(f"--out {args.out} must be a .csv file.")
    progress = TerminalProgress()
    try:
        if args.file is not None:
            refuse_source(args.out, args.file)
        system = build_system(args)
        try:
            frame = system.customers_frame(progress=progress)
        finally:
            system.close()
    except (BillingAuthError, OutputIsSourceError, TableError, ValueError) as error:
        raise UsageError(str(error)) from None
    except BillingConnectionError as error:
        progress.finish()
        say(f"desktop-app customers: {error}")
        return EXIT_FAILED
    progress.finish()
    write_data_csv(args.out, frame)
    linked = int((frame["sf_account_id"].astype(str) != "").sum())
    print(f"Wrote {len(frame):,} {system.display_name} customers to {args.out} ({linked:,} already hold a "
          "Salesforce Account id).")
    return EXIT_OK
