"""Options that say which two systems a link command talks to, and how to connect to them.

Salesforce: ``--profile NAME`` (a saved login) or ``--sandbox`` (the local sandbox org: its
``instance_url`` and ``ca_cert`` as printed by ``desktop-app sandbox`` go in ``--instance-url`` /
``--ca-cert`` or ``CROSSLINK_SANDBOX_INSTANCE_URL`` / ``CROSSLINK_SANDBOX_CA_CERT``; the access token
only ever in ``CROSSLINK_SANDBOX_ACCESS_TOKEN``). Billing: ``--billing NAME`` (any system of the
billing registry) with ``--billing-url``/``--billing-ca`` (API systems; credentials from the
environment or the keychain) or ``--billing-file`` (file route).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop_app.billing.base import BillingError, BillingSystem
from desktop_app.billing.registry import ConnectOptions, open_system, system_keys
from desktop_app.cli.common import UsageError
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.errors import SalesforceError
from desktop_app.salesforce.session import SalesforceSession, open_session
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.workflow.link_sides import BillingSide, LinkSide, SalesforceSide

SANDBOX_URL_ENV = "CROSSLINK_SANDBOX_INSTANCE_URL"
SANDBOX_TOKEN_ENV = "CROSSLINK_SANDBOX_ACCESS_TOKEN"
SANDBOX_CA_ENV = "CROSSLINK_SANDBOX_CA_CERT"


def add_system_options(parser: argparse.ArgumentParser, *, billing_required: bool = False) -> None:
    """Add the Salesforce and billing connection options."""
    add_salesforce_options(parser)
    add_billing_options(parser, billing_required=billing_required)


def add_salesforce_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that say which Salesforce org to talk to."""
    sf = parser.add_argument_group("Salesforce")
    choice = sf.add_mutually_exclusive_group()
    choice.add_argument("--profile", help="saved Salesforce connection (see 'desktop-app login')")
    choice.add_argument("--sandbox", action="store_true", help="use the local sandbox org ('desktop-app sandbox')")
    sf.add_argument("--instance-url", help=f"sandbox org URL (or {SANDBOX_URL_ENV})")
    sf.add_argument("--ca-cert", type=Path, help=f"sandbox CA certificate (or {SANDBOX_CA_ENV})")
    sf.add_argument("--link-field", default=None, help=f"Account link field (default {DEFAULT_LINK_FIELD})")


def add_billing_options(parser: argparse.ArgumentParser, *, billing_required: bool = False) -> None:
    """Add the options that say which billing system to talk to."""
    billing = parser.add_argument_group("billing system")
    billing.add_argument(
        "--billing",
        choices=system_keys(),
        required=billing_required,
        help="billing system holding the customers",
    )
    billing.add_argument("--billing-url", help="API base URL (a local sandbox or a regional host)")
    billing.add_argument("--billing-ca", type=Path, help="CA certificate to trust for --billing-url")
    billing.add_argument("--billing-file", type=Path, help="customer export (with --billing file)")
    billing.add_argument("--billing-profile", default="default", help="saved billing credentials to use")
    billing.add_argument(
        "--link-key",
        default=None,
        help="where the billing side keeps the Account id (Stripe metadata key, Sequence integration service, "
             "Chargebee custom field …; see docs/billing-systems.md)",
    )


def salesforce_session(args: argparse.Namespace) -> SalesforceSession:
    """A session for ``--profile`` or ``--sandbox``; ``UsageError`` when neither can be opened."""
    if args.sandbox:
        url = args.instance_url or os.environ.get(SANDBOX_URL_ENV, "")
        token = os.environ.get(SANDBOX_TOKEN_ENV, "")
        ca = args.ca_cert or (Path(os.environ[SANDBOX_CA_ENV]) if os.environ.get(SANDBOX_CA_ENV) else None)
        if not url or not token or ca is None:
            raise UsageError(
                f"--sandbox needs the sandbox org's URL (--instance-url or {SANDBOX_URL_ENV}), its CA "
                f"certificate (--ca-cert or {SANDBOX_CA_ENV}) and its access token in {SANDBOX_TOKEN_ENV}; "
                "'desktop-app sandbox' prints all three."
            )
        return SalesforceSession(TokenSet(access_token=token, instance_url=url, identity_url=""), verify=str(ca))
    try:
        return open_session(args.profile or "default")
    except SalesforceError as error:
        raise UsageError(str(error)) from None


def billing_system(
    args: argparse.Namespace, kind: str, *, run_id: str | None = None, link_key: str = ""
) -> BillingSystem:
    """The billing adapter the options describe (credentials from the environment or keychain)."""
    if not kind:
        raise UsageError(f"Say which billing system holds the customers: --billing {'|'.join(system_keys())}.")
    if kind == "file" and args.billing_file is None:
        raise UsageError("--billing file needs --billing-file EXPORT (the billing system's customer export).")
    options = ConnectOptions(
        base_url=args.billing_url or "", ca_cert=str(args.billing_ca or ""), link_key=args.link_key or link_key,
        file=str(args.billing_file or ""), run_id=run_id,
    )
    try:
        return open_system(kind, options, profile=args.billing_profile)
    except (BillingError, ValueError) as error:
        raise UsageError(str(error)) from None


def link_sides(
    args: argparse.Namespace, *, billing_kind: str, link_field: str, run_id: str | None = None, link_key: str = ""
) -> dict[str, LinkSide]:
    """Both sides of the link, connected."""
    client = SalesforceClient(salesforce_session(args))
    system = billing_system(args, billing_kind, run_id=run_id, link_key=link_key)
    try:
        account_side = SalesforceSide(client, args.link_field or link_field or DEFAULT_LINK_FIELD)
    except SalesforceError as error:
        raise UsageError(str(error)) from None
    return {"account": account_side, "customer": BillingSide(system)}
