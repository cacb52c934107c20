"""``desktop-app billing-login``: sign in to a billing system that uses OAuth 2.0 with PKCE
(QuickBooks Online, Xero) through the browser, and keep the tokens in the keychain.

The app's client id is an argument; its secret (QuickBooks needs one, Xero's PKCE apps do not) only
ever comes from ``$CROSSLINK_BILLING_CLIENT_SECRET``. ``--auth-host`` points the sign-in at another
host with the vendor's paths (the local sandboxes).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop_app.billing.base import BillingError
from desktop_app.billing.credentials import DEFAULT_PROFILE, save_credential
from desktop_app.billing.oauth_login import DEFAULT_PORT, browser_login, moved_to
from desktop_app.billing.registry import SYSTEMS, system
from desktop_app.cli.common import EXIT_OK, UsageError
from desktop_app.secrets import SecretStoreUnavailable

CLIENT_SECRET_ENV = "CROSSLINK_BILLING_CLIENT_SECRET"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``billing-login`` command."""
    parser = subparsers.add_parser("billing-login", help="sign in to QuickBooks Online or Xero through your browser",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--system", required=True, choices=[e.key for e in SYSTEMS if e.oauth is not None])
    parser.add_argument("--client-id", required=True, help="your app's client id at the vendor")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, help="keychain profile to save the tokens under")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="loopback port of the redirect (register http://localhost:PORT/OauthRedirect)")
    parser.add_argument("--auth-host", help="sign in at this host instead (a local sandbox)")
    parser.add_argument("--ca-cert", type=Path, help="CA certificate to trust for --auth-host")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    entry = system(args.system)
    assert entry.oauth is not None  # the choices hold only systems with a browser sign-in
    endpoints = moved_to(entry.oauth, args.auth_host) if args.auth_host else entry.oauth
    print(f"Opening the {entry.name} sign-in page in your browser…", flush=True)
    try:
        client_secret = os.environ.get(CLIENT_SECRET_ENV, "")
        tokens = browser_login(endpoints, args.client_id, client_secret=client_secret,
                               port=args.port, verify=str(args.ca_cert) if args.ca_cert else True)
        saved = {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                 "client_id": args.client_id, "client_secret": client_secret, "auth_host": args.auth_host or "",
                 entry.company_credential: tokens.company_id}
        for name, value in saved.items():  # the refresh token, app id and secret let a run renew its token
            if name and value:
                save_credential(entry.key, name, value, args.profile)
    except (BillingError, SecretStoreUnavailable) as error:
        raise UsageError(str(error)) from None
    print(f"Signed in to {entry.name} ({entry.company_credential or 'company'} {tokens.company_id}); the tokens "
          f"are in the keychain under profile {args.profile!r}.")
    return EXIT_OK
