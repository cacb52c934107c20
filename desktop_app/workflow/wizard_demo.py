"""Demo mode's live systems: the sandbox org and the Sequence sandbox, seeded from the same demo data.

Both sides are generated once from ``demo_data.generate(accounts)``, so every demo Account has its
true customer in the billing sandbox (with the demo's realistic mess: missing emails, alpha-3
countries… which Sequence refuses on write exactly as the real one would).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

if TYPE_CHECKING:
    from desktop_app.sandbox.salesforce.server import RunningSalesforceSandbox
    from desktop_app.sandbox.sequence import RunningSequenceSandbox


@dataclass
class DemoSystems:
    """Both running sandboxes; ``stop`` ends them (safe to call twice)."""

    salesforce: RunningSalesforceSandbox | None
    sequence: RunningSequenceSandbox | None

    def stop(self) -> None:
        """Stop both servers and their threads."""
        if self.salesforce is not None:
            self.salesforce.stop()
            self.salesforce = None
        if self.sequence is not None:
            self.sequence.stop()
            self.sequence = None


def start_demo_systems(accounts: int, *, progress: ProgressCallback = ignore_progress,
                       cancel: CancelToken | None = None) -> DemoSystems:
    """Start the sandbox org and the Sequence sandbox on 127.0.0.1 with ``accounts`` demo companies."""
    from desktop_app.sandbox.demo_data import generate
    from desktop_app.sandbox.salesforce.server import start_salesforce_sandbox
    from desktop_app.sandbox.sequence import customers_from_rows, start_sequence_sandbox

    progress(Progress(0, 3, f"Inventing {accounts:,} demo companies"))
    data = generate(accounts, seed=7)
    if cancel is not None:
        cancel.raise_if_cancelled()
    progress(Progress(1, 3, "Starting the sandbox org"))
    systems = DemoSystems(start_salesforce_sandbox(accounts=accounts, data=data), None)
    try:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(Progress(2, 3, "Starting the Sequence sandbox"))
        rows = [{str(k): v for k, v in row.items()} for row in data.customers.to_dict(orient="records")]
        systems.sequence = start_sequence_sandbox(customers=customers_from_rows(rows, seed=7))
        progress(Progress(3, 3, "Sandboxes running"))
        return systems
    except BaseException:
        systems.stop()
        raise
