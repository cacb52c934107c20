"""Command line: ``desktop-app <step> …`` — thin shells over the same use cases the wizard runs.

Exit codes: 0 done, 1 a check or a step failed, 2 unusable input (message on stderr),
130 cancelled (Ctrl+C). With no command, the desktop app opens.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktop_app import __version__
from desktop_app.cli.common import EXIT_BAD_INPUT, EXIT_CANCELLED, EXIT_FAILED, UsageError, say
from desktop_app.core.intake_types import TableError
from desktop_app.core.journal_schema import JournalTooNew
from desktop_app.core.report import ReportError

# One module per command; each exposes ``register(subparsers)`` which sets ``func`` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "desktop_app.cli.gui_cmd",
    "desktop_app.cli.accounts_cmd",
    "desktop_app.cli.match_cmd",
    "desktop_app.cli.review_cmd",
    "desktop_app.cli.addresses_cmd",
    "desktop_app.cli.login_cmd",
    "desktop_app.cli.check_cmd",
    "desktop_app.cli.customers_cmd",
    "desktop_app.cli.billing_login_cmd",
    "desktop_app.cli.sandbox_cmd",
    "desktop_app.cli.plan_cmd",
    "desktop_app.cli.apply_cmd",
    "desktop_app.cli.audit_cmd",
    "desktop_app.cli.selftest_cmd",
)


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The argument parser with the commands of ``modules`` registered (every command by default)."""
    parser = argparse.ArgumentParser(
        prog="desktop-app",
        description="Crosslink: link Salesforce Accounts to billing customers, on both sides.",
    )
    parser.add_argument("--version", action="version", version=f"Crosslink {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--self-test"]:  # the installers' smoke test: `crosslink --self-test [--json]`
        args_list[0] = "self-test"
    if not args_list or (args_list[0].startswith("--") and args_list[0] not in ("--help", "--version")):
        args_list = ["gui", *args_list]
    # Opening the app registers only its own command: the others import pandas and the API clients,
    # which the first window does not need (start-up time).
    parser = build_parser(COMMAND_MODULES[:1] if args_list[0] == "gui" else COMMAND_MODULES)
    args = parser.parse_args(args_list)
    from desktop_app.secrets import use_native_keychain

    use_native_keychain()  # before any command can read or store a secret
    try:
        return int(args.func(args))
    except UsageError as error:
        say(f"desktop-app {args.command}: {error}")
        return EXIT_BAD_INPUT
    except JournalTooNew as error:
        print(f"desktop-app {args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED
    except ReportError as error:
        say(f"desktop-app {args.command}: {error}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"desktop-app {args.command}: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except TableError as error:  # a file read deep inside a step (e.g. --billing-file): its sentence, no traceback
        say(f"desktop-app {args.command}: {error}")
        return EXIT_BAD_INPUT

