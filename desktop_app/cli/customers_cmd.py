"""``desktop-app customers``: list a billing system's customers as a canonical customers CSV.

The output has the CUSTOMER_ROLES columns plus source_row, so ``desktop-app match --customers``
reads it directly. Credentials come from environment variables or the keychain, never arguments.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pandas as pd

from desktop_app.billing.base import BillingAuthError, BillingConnectionError, BillingSystem
from desktop_app.billing.credentials import DEFAULT_PROFILE
from desktop_app.billing.file_export import OutputIsSourceError, refuse_source
from desktop_app.billing.file_presets import PRESETS
from desktop_app.billing.registry import ConnectOptions, open_system, system_keys
from desktop_app.billing.registry import system as system_entry
from desktop_app.cli.common import EXIT_FAILED, EXIT_OK, TerminalProgress, UsageError, say
from desktop_app.core.report import write_data_csv
from desktop_app.core.tables import TableError
from desktop_app.workflow.input_refusals import customers_without_ids, customers_without_some_ids


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "customers", help="list a billing system's customers (by API or from an export file) as a CSV",
        description="Read every customer of a billing system and write them in Crosslink's canonical "
                    "customers shape (usable as `desktop-app match --customers`).",
    )
    parser.add_argument("--system", choices=system_keys(), required=True)
    parser.add_argument("--out", type=Path, required=True, help="FILE.csv to write")
    parser.add_argument("--api-key-env", metavar="VAR",
                        help="environment variable holding the credentials, joined by ':' when the system "
                             "takes several (Sequence: 'client_id:client_secret'); default: each credential's "
                             "own CROSSLINK_<SYSTEM>_<NAME> variable, then the keychain")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, help="keychain profile of saved credentials")
    parser.add_argument("--base-url", help="API base URL (a sandbox, or the system's region)")
    parser.add_argument("--ca-cert", type=Path, help="extra CA certificate to trust (sandbox)")
    parser.add_argument("--link-key", "--link-field", dest="link_key", default="",
                        help="where the system keeps the Salesforce id (Stripe metadata key; Sequence "
                             "integration:NAME or property:KEY; default: the system's own, see "
                             "docs/billing-systems.md)")
    parser.add_argument("--file", type=Path, help="customer export (CSV/TSV/XLSX) for --system file")
    parser.add_argument("--sheet", help="sheet of an .xlsx export")
    parser.add_argument("--preset", choices=sorted(PRESETS),
                        help="column preset of the export (default: detect from the headers)")
    parser.set_defaults(func=run)


def _env_value(var: str) -> str:
    value = os.environ.get(var, "").strip()
    if not value:
        raise UsageError(f"The environment variable {var} is empty or not set.")
    return value


def _typed_credentials(args: argparse.Namespace) -> dict[str, str]:
    """Credentials from ``--api-key-env`` (several joined by ':'), or none (environment/keychain)."""
    if not args.api_key_env:
        return {}
    entry = system_entry(args.system)
    names = [credential.name for credential in entry.credentials if credential.required]
    parts = _env_value(args.api_key_env).split(":", len(names) - 1) if names else []
    if len(parts) != len(names) or not all(parts):
        raise UsageError(f"{args.api_key_env} must hold {':'.join(names)} for {entry.name}.")
    return dict(zip(names, parts, strict=True))


def build_system(args: argparse.Namespace) -> BillingSystem:
    """The adapter the arguments describe (credentials from the environment or keychain)."""
    if args.system == "file" and args.file is None:
        raise UsageError("--system file needs --file PATH (the customer export).")
    options = ConnectOptions(base_url=args.base_url or "", ca_cert=str(args.ca_cert or ""), link_key=args.link_key,
                             file=str(args.file or ""), preset=args.preset, sheet=args.sheet)
    return open_system(args.system, options, typed=_typed_credentials(args), profile=args.profile)


def _refuse_customers_without_ids(frame: pd.DataFrame, args: argparse.Namespace) -> None:
    """Customers nothing could link are refused (``workflow/input_refusals``); rows without an id among
    others are named."""
    source = args.file.name if args.file is not None else args.system
    refusal = customers_without_ids(frame, source)
    if refusal is not None:
        raise UsageError(refusal.text("Otherwise choose the export's system with --preset.",
                                      "give it to `desktop-app match --accounts`"))
    note = customers_without_some_ids(frame, source)
    if note is not None:
        say(note)


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
    _refuse_customers_without_ids(frame, args)
    write_data_csv(args.out, frame)
    linked = int((frame["sf_account_id"].astype(str) != "").sum())
    print(f"Wrote {len(frame):,} {system.display_name} customers to {args.out} ({linked:,} already hold a "
          "Salesforce Account id).")
    return EXIT_OK
