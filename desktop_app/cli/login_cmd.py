"""``desktop-app login`` and ``desktop-app logout``: connect Crosslink to an org, or forget it.

Secrets are never taken from the command line (other users can see it in the process list): the
optional consumer secret comes from ``$CROSSLINK_CLIENT_SECRET`` or a hidden prompt.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from desktop_app.cli.common import EXIT_FAILED, EXIT_OK, UsageError
from desktop_app.salesforce import oauth
from desktop_app.salesforce.errors import LoginError, SalesforceError
from desktop_app.salesforce.hosts import resolve_login_host
from desktop_app.salesforce.oauth import CONSUMER_KEY_ENV
from desktop_app.salesforce.profiles import DEFAULT_PROFILE
from desktop_app.salesforce.session import forget_login, save_login
from desktop_app.secrets import SecretStoreUnavailable

CLIENT_SECRET_ENV = "CROSSLINK_CLIENT_SECRET"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``login`` and ``logout`` commands."""
    login = subparsers.add_parser("login", help="connect to a Salesforce org through your browser")
    login.add_argument("--profile", default=DEFAULT_PROFILE, help="name to save this connection under")
    login.add_argument(
        "--login-host",
        default="production",
        help="production, sandbox, or your My Domain (https://acme.my.salesforce.com)",
    )
    login.add_argument(
        "--consumer-key",
        default=os.environ.get(CONSUMER_KEY_ENV),
        help=f"your External Client App's consumer key (or ${CONSUMER_KEY_ENV})",
    )
    login.add_argument(
        "--port",
        type=int,
        default=oauth.DEFAULT_PORT,
        help=f"loopback port of the redirect URI (default {oauth.DEFAULT_PORT})",
    )
    login.add_argument(
        "--client-credentials",
        action="store_true",
        help=f"log in without a browser as the app's run-as user (secret from ${CLIENT_SECRET_ENV})",
    )
    login.add_argument("--ca-bundle", type=Path, help="CA certificate to trust (the local sandbox org's)")
    login.add_argument(
        "--local-sandbox",
        action="store_true",
        help="allow a https://127.0.0.1:<port> login host (Crosslink's sandbox org)",
    )
    login.add_argument("--timeout", type=float, default=oauth.LOGIN_TIMEOUT_SECONDS, help=argparse.SUPPRESS)
    login.set_defaults(func=run_login)

    logout = subparsers.add_parser("logout", help="revoke and forget a saved Salesforce connection")
    logout.add_argument("--profile", default=DEFAULT_PROFILE, help="the connection to forget")
    logout.set_defaults(func=run_logout)


def _client_secret(required: bool) -> str | None:
    secret = os.environ.get(CLIENT_SECRET_ENV)
    if secret or not required:
        return secret or None
    if not sys.stdin.isatty():
        raise UsageError(f"--client-credentials needs the consumer secret in ${CLIENT_SECRET_ENV}.")
    return getpass.getpass("Consumer secret of the External Client App: ") or None


def run_login(args: argparse.Namespace) -> int:
    """Log in, save the profile and the refresh token; exit 1 when Salesforce refused."""
    if not args.consumer_key:
        raise UsageError(
            f"Give the consumer key of your External Client App with --consumer-key or ${CONSUMER_KEY_ENV}."
        )
    if args.ca_bundle is not None and not args.ca_bundle.is_file():
        raise UsageError(f"The CA certificate {args.ca_bundle} does not exist.")
    try:
        host = resolve_login_host(args.login_host, allow_local=args.local_sandbox)
    except LoginError as error:
        raise UsageError(str(error)) from None
    app = oauth.OAuthApp(
        login_host=host,
        consumer_key=args.consumer_key,
        client_secret=_client_secret(args.client_credentials),
        verify=str(args.ca_bundle) if args.ca_bundle else True,
    )

    def open_browser(url: str) -> None:
        print(f"Opening your browser to log in at {host}.\nIf it does not open, visit:\n{url}", file=sys.stderr)
        import webbrowser

        webbrowser.open(url)

    try:
        if args.client_credentials:
            tokens = oauth.client_credentials_login(app)
        else:
            tokens = oauth.login(app, port=args.port, open_browser=open_browser, timeout=args.timeout)
        profile = save_login(
            args.profile,
            app,
            tokens,
            auth="client-credentials" if args.client_credentials else "web",
            redirect_port=None if args.client_credentials else args.port,
        )
    except (SalesforceError, SecretStoreUnavailable) as error:
        print(f"desktop-app login: {error}", file=sys.stderr)
        return EXIT_FAILED
    who = profile.username or profile.user_id
    print(f"Connected as {who} to {profile.instance_url}; saved as profile '{profile.name}'.")
    return EXIT_OK


def run_logout(args: argparse.Namespace) -> int:
    """Revoke the saved login, delete it from the keychain and remove the profile."""
    try:
        profile = forget_login(args.profile)
    except (SalesforceError, SecretStoreUnavailable) as error:
        print(f"desktop-app logout: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Logged out of {profile.instance_url}; profile '{profile.name}' removed.")
    return EXIT_OK
