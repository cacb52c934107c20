"""Shared fixtures: a Sequence sandbox per test, one localstripe process per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from billing_support import FAST_RETRY, sequence_customer

from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.sandbox.localstripe_runner import RunningLocalStripe, start_localstripe
from desktop_app.sandbox.sequence import RunningSequenceSandbox, SequenceFaults, start_sequence_sandbox


@pytest.fixture
def sequence_sandbox(tmp_path: Path) -> Iterator[RunningSequenceSandbox]:
    """30 clean customers, 429s answered with ``Retry-After: 0``."""
    sandbox = start_sequence_sandbox(
        customers=[sequence_customer(i) for i in range(30)], workdir=tmp_path,
        faults=SequenceFaults(retry_after_seconds=0),
    )
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sequence_adapter(sequence_sandbox: RunningSequenceSandbox) -> Iterator[SequenceBilling]:
    adapter = SequenceBilling(
        sequence_sandbox.client_id, sequence_sandbox.client_secret, base_url=sequence_sandbox.url,
        ca_cert=sequence_sandbox.ca_cert, retry=FAST_RETRY, page_size=7,
    )
    yield adapter
    adapter.close()


@pytest.fixture(scope="module")
def localstripe_server() -> Iterator[RunningLocalStripe]:
    server = start_localstripe(persist=False)
    yield server
    server.stop()


@pytest.fixture
def localstripe(localstripe_server: RunningLocalStripe) -> RunningLocalStripe:
    """The module's localstripe, emptied for this test."""
    localstripe_server.reset()
    return localstripe_server
