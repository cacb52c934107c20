"""``desktop-app self-test`` (also ``--self-test``): check that this installation can run, then exit.

Prints one line per check (or JSON with ``--json``); exit code 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse

from desktop_app.cli.common import EXIT_FAILED


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "self-test", help="check Qt, the wizard, resources, the keychain and the sandboxes, then exit")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the self-test starts Qt, which no other command needs.
    from desktop_app.selftest import format_lines, passed, run_self_test, to_json

    results = run_self_test()
    print(to_json(results) if args.json else format_lines(results), flush=True)
    return 0 if passed(results) else EXIT_FAILED
