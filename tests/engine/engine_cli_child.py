"""The link commands of the real command line, run in a child process against the engine sandboxes,
so that a test can SIGKILL it at any moment and resume."""

from __future__ import annotations

import os
import subprocess
import sys

from engine_sandboxes import Systems

# The link commands only (the full CLI works the same; this keeps the child independent of the rest).
DRIVER = """
import argparse, sys
from desktop_app.cli import apply_cmd
from desktop_app.cli.common import UsageError
parser = argparse.ArgumentParser(prog="desktop-app")
apply_cmd.register(parser.add_subparsers(dest="command"))
args = parser.parse_args(sys.argv[1:])
try:
    sys.exit(args.func(args))
except UsageError as error:
    print(error, file=sys.stderr)
    sys.exit(2)
"""


def connection_options(systems: Systems) -> list[str]:
    """The options that point ``apply``/``resume`` at these sandboxes, with a JSON report."""
    return ["--sandbox", "--billing", "sequence", "--billing-url", systems.seq.url,
            "--billing-ca", str(systems.seq.ca_cert), "--json"]


def start_cli_child(systems: Systems, arguments: list[str]) -> subprocess.Popen[str]:
    """``desktop-app ARGUMENTS`` in a child process, the sandboxes' credentials in its environment
    (as ``--sandbox`` and the Sequence login read them), output captured."""
    env = {
        **os.environ,
        "CROSSLINK_SANDBOX_INSTANCE_URL": systems.sf.instance_url,
        "CROSSLINK_SANDBOX_ACCESS_TOKEN": systems.sf.access_token,
        "CROSSLINK_SANDBOX_CA_CERT": str(systems.sf.ca_cert),
        "CROSSLINK_SEQUENCE_CLIENT_ID": systems.seq.client_id,
        "CROSSLINK_SEQUENCE_CLIENT_SECRET": systems.seq.client_secret,
    }
    return subprocess.Popen([sys.executable, "-c", DRIVER, *arguments], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
