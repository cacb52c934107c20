"""Demo mode's live systems: the sandbox org and the Sequence sandbox, seeded from the same demo data.

Both sides are generated once from ``demo_data.generate(accounts)``, so every demo Account has its
true customer in the billing sandbox (with the demo's realistic mess: missing emails, alpha-3
countries… which Sequence refuses on write exactly as the real one would).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.sandbox.billing_sandbox import BillingSandbox

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.sandbox.salesforce.server import RunningSalesforceSandbox
    from desktop_app.sandbox.sequence import RunningSequenceSandbox


@dataclass
class DemoSystems:
    """The running sandboxes; ``stop`` ends them (safe to call twice).

    The Sequence sandbox starts with the org; any other billing system's sandbox starts the first
    time demo mode picks it (``demo_billing_sandbox``) and is kept in ``billing``.
    """

    salesforce: RunningSalesforceSandbox | None
    sequence: RunningSequenceSandbox | None
    _frozen: bool = field(default=False, repr=False)
    accounts: int = 0
    billing: dict[str, BillingSandbox] = field(default_factory=dict)

    def stop(self) -> None:
        """Stop every server and its threads; the collector looks at their objects again."""
        for sandbox in self.billing.values():
            sandbox.stop()
        self.billing.clear()
        if self.salesforce is not None:
            self.salesforce.stop()
            self.salesforce = None
        if self.sequence is not None:
            self.sequence.stop()
            self.sequence = None
        if self._frozen:
            # What ``start_demo_systems`` froze goes back to the collector, so whatever the stopped
            # sandboxes leave in reference cycles is freed by the next full collection.
            gc.unfreeze()
            self._frozen = False


# Garbage collector and the demo's sandboxes. They run in the app's process and hold every demo record
# (100,000 companies: ~370,000 containers, millions of references); each full collection walks them all
# holding the GIL, 0.4-0.85 s in which no thread runs, the UI thread included, and seeding alone set off
# several. Seeding leaves almost no cyclic garbage (a few hundred small objects) and what it builds lives
# as long as the sandboxes, so collection is paused while seeding and ``gc.freeze()`` then takes
# everything alive out of the collector's sight (reference counting still frees it); ``DemoSystems.stop``
# unfreezes. This is process-wide policy, so it lives here, in the demo mode that owns its sandboxes, not
# in the sandbox start functions: tests and benchmarks start and stop dozens of sandboxes per process,
# and a freeze in each would keep every stopped sandbox's cycles for good. Thresholds stay the defaults:
# the app's own big data are pandas frames whose columns are numpy arrays, which the collector does not
# track, so they make full collections neither longer nor more frequent.
@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in any thread meanwhile (as it was afterwards)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rows(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """``frame``'s rows as plain dicts, built and dropped a slice at a time: freeing one list of
    100,000 dicts at once holds the GIL for 30-80 ms."""
    for start in range(0, len(frame), 5_000):
        for row in frame.iloc[start : start + 5_000].to_dict(orient="records"):
            yield {str(key): value for key, value in row.items()}


def _drop_gradually(items: list[Any]) -> None:
    """Empty ``items`` a slice at a time (freeing 100,000 dicts in one go holds the GIL 40-90 ms)."""
    while items:
        del items[-5_000:]


def start_demo_systems(accounts: int, *, progress: ProgressCallback = ignore_progress,
                       cancel: CancelToken | None = None) -> DemoSystems:
    """Start the sandbox org and the Sequence sandbox on 127.0.0.1 with ``accounts`` demo companies."""
    from desktop_app.sandbox.demo_data import generate
    from desktop_app.sandbox.salesforce.server import start_salesforce_sandbox
    from desktop_app.sandbox.sequence import customers_from_rows, start_sequence_sandbox

    with _collector_paused():
        progress(Progress(0, 3, f"Inventing {accounts:,} demo companies"))
        data = generate(accounts, seed=7)
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(Progress(1, 3, "Starting the sandbox org"))
        systems = DemoSystems(start_salesforce_sandbox(accounts=accounts, data=data), None, accounts=accounts)
        try:
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(Progress(2, 3, "Starting the Sequence sandbox"))
            payloads = customers_from_rows(_rows(data.customers), seed=7)
            systems.sequence = start_sequence_sandbox(customers=payloads)  # keeps its own copies
            _drop_gradually(payloads)
        except BaseException:
            systems.stop()
            raise
        del data  # the seed data is not kept: only what the sandboxes hold is frozen
        gc.freeze()
        systems._frozen = True
    progress(Progress(3, 3, "Sandboxes running"))
    return systems


def demo_billing_sandbox(systems: DemoSystems, kind: str, *, progress: ProgressCallback = ignore_progress,
                         cancel: CancelToken | None = None) -> BillingSandbox:
    """The sandbox of billing system ``kind`` holding the demo's customers, started on first use.

    The demo data is generated again from the same seed, so its customers are the true partners of
    the org's Accounts, as in the Sequence sandbox.
    """
    from desktop_app.billing.registry import system
    from desktop_app.sandbox.demo_data import generate

    running = systems.billing.get(kind)
    if running is not None:
        return running
    entry = system(kind)
    starter = entry.sandbox_starter()
    if starter is None:
        raise ValueError(f"{entry.name} has no sandbox for demo mode.")
    progress(Progress(0, 2, f"Inventing the demo's {entry.name} customers"))
    with _collector_paused():
        data = generate(systems.accounts, seed=7)
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(Progress(1, 2, f"Starting the {entry.name} sandbox"))
        sandbox = starter(_rows(data.customers))
        del data
    assert isinstance(sandbox, BillingSandbox)
    systems.billing[kind] = sandbox
    progress(Progress(2, 2, f"{entry.name} sandbox running"))
    return sandbox
