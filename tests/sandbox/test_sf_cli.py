"""``desktop-app sandbox``: one JSON line when ready, a usable org, a clean exit on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

COMMAND = [sys.executable, "-m", "desktop_app", "sandbox"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_sandbox_command_prints_ready_line_and_stops_cleanly(tmp_path: Path, stop_signal: signal.Signals) -> None:
    ca = tmp_path / "ca.pem"
    process = subprocess.Popen(
        [
            *COMMAND,
            "--accounts",
            "40",
            "--scenario",
            "single-currency",
            "--ca-cert",
            str(ca),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert set(ready) == {"instance_url", "login_url", "access_token", "ca_cert", "consumer_key", "username"}
        assert ready["ca_cert"] == str(ca)
        assert ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
        with requests.Session() as session:
            session.trust_env = False
            session.verify = str(ca)
            answer = session.get(
                f"{ready['instance_url']}/services/data/v59.0/query",
                params={"q": "SELECT COUNT() FROM Account"},
                headers={"Authorization": f"Bearer {ready['access_token']}"},
                timeout=10,
            )
        assert answer.json()["totalSize"] == 40
        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_busy_port_is_a_clear_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*COMMAND, "--accounts", "5", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
    assert done.returncode == 2
    assert f"cannot serve on port {port}" in done.stderr


def test_unknown_scenario_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [*COMMAND, "--scenario", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown scenario 'nope'" in done.stderr
