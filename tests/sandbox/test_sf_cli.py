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
        assert set(ready) == {
            "instance_url", "login_url", "access_token", "ca_cert", "consumer_key", "username",
            "sequence_url", "sequence_ca_cert", "sequence_client_id", "sequence_client_secret",
        }
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
        with requests.Session() as session:
            session.trust_env = False
            listed = session.get(
                f"{ready['sequence_url']}/customers", params={"limit": 100},
                auth=(ready["sequence_client_id"], ready["sequence_client_secret"]),
                headers={"Sequence-Version": "2024-07-30"}, verify=ready["sequence_ca_cert"], timeout=10,
            )
        assert listed.status_code == 200
        assert len(listed.json()["items"]) > 0
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


@pytest.mark.slow
def test_sandbox_command_can_start_localstripe_with_demo_customers() -> None:
    process = subprocess.Popen(
        [*COMMAND, "--accounts", "20", "--no-sequence", "--stripe", "--stripe-customers", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert "sequence_url" not in ready
        assert ready["stripe_url"].startswith("http://127.0.0.1:")
        with requests.Session() as session:
            session.trust_env = False
            listed = session.get(f"{ready['stripe_url']}/v1/customers", params={"limit": 100},
                                 auth=(ready["stripe_api_key"], ""), timeout=10)
        assert len(listed.json()["data"]) == 5
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
