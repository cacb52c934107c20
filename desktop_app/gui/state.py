"""What the wizard's pages share: the person's choices and each step's results (no Qt, no rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.roles import Side

if TYPE_CHECKING:  # the Welcome page needs none of these, and start-up must stay quick
    import pandas as pd

    from desktop_app.core.journal import RunInfo
    from desktop_app.core.plan import Plan
    from desktop_app.gui.connections import SalesforceConnection
    from desktop_app.salesforce.preflight import CheckResult
    from desktop_app.workflow.connect_billing import BillingConnection
    from desktop_app.workflow.demo import DemoSystems
    from desktop_app.workflow.engine import RunReport
    from desktop_app.workflow.load_files import ColumnOverride, LoadedInput
    from desktop_app.workflow.match import MatchRun
    from desktop_app.workflow.projects import Project
    from desktop_app.workflow.quality import AddressCheck


class Journey(StrEnum):
    """The three ways in from the Welcome page."""

    LINK = "link"  # link accounts to a billing system's customers
    MAPPING = "mapping"  # populate Customer IDs from a mapping file the person already has
    ADDRESSES = "addresses"  # check addresses and country codes of one file


class Source(StrEnum):
    """Where the accounts and customers come from."""

    SANDBOX = "sandbox"  # Crosslink's sandbox org and billing sandbox on this computer (demo data)
    SYSTEMS = "systems"  # the person's own Salesforce org and billing system, through their APIs
    FILES = "files"  # exports only: nothing is connected, nothing is written


JOURNEY_TITLES: dict[Journey, str] = {
    Journey.LINK: "Link accounts to a billing system",
    Journey.MAPPING: "Populate Customer IDs from a mapping file I already have",
    Journey.ADDRESSES: "Check addresses and country codes",
}


@dataclass
class WizardState:
    """Choices and results carried from page to page."""

    source: Source = Source.SANDBOX
    journey: Journey = Journey.LINK
    paths: dict[Side, Path] = field(default_factory=dict)
    loaded: dict[Side, LoadedInput] = field(default_factory=dict)
    overrides: dict[Side, list[ColumnOverride]] = field(default_factory=dict)
    match_run: MatchRun | None = None
    reviewed: pd.DataFrame | None = None  # decisions after the person's review
    address_check: AddressCheck | None = None  # the address journey's result
    accepted_fixes: pd.DataFrame | None = None  # address problems whose suggestion was accepted
    saved: list[Path] = field(default_factory=list)
    salesforce: SalesforceConnection | None = None  # the sandbox org, or the person's org
    preflight: list[CheckResult] | None = None
    demo_size: int = 2_000  # demo companies in the sandboxes (tests use fewer)
    demo_systems: DemoSystems | None = None  # demo mode: both sandboxes, stopped on close
    billing: BillingConnection | None = None
    account_describe: dict[str, Any] | None = None  # Account describe of the connected org
    link_field: str = "Billing_Customer_ID__c"
    policy: str = "skip_linked"
    plan: Plan | None = None  # the plan the Plan page built (live values when connected)
    run_report: RunReport | None = None  # the apply (or resumed) run of this session
    undo_report: RunReport | None = None
    project: Project | None = None  # what is remembered of this onboarding between sessions
    restored_calls: pd.DataFrame | None = None  # a reopened project's review calls, laid over the next match
    restored_fixes: pd.DataFrame | None = None  # … and its accepted address fixes
    billing_defaults: dict[str, str] = field(default_factory=dict)  # a reopened project's billing settings
    resume_run: RunInfo | None = None  # a run picked on Welcome to resume: connect, then straight to Apply

    @property
    def demo(self) -> bool:
        """True when the data comes from Crosslink's sandboxes."""
        return self.source is Source.SANDBOX

    @property
    def connects(self) -> bool:
        """True when this source connects to systems (the sandboxes or the person's own)."""
        return self.source is not Source.FILES

    @property
    def live(self) -> bool:
        """True when both systems are connected through their APIs (load, plan and apply go live)."""
        return self.salesforce is not None and self.billing is not None and self.billing.choice.kind != "file"

    def close(self) -> None:
        """Close live connections and stop the demo sandboxes (the app is closing)."""
        if self.salesforce is not None:
            self.salesforce.close()
            self.salesforce = None
        if self.billing is not None:
            self.billing.close()
            self.billing = None
        if self.demo_systems is not None:
            self.demo_systems.stop()
            self.demo_systems = None

    def sides_needed(self) -> tuple[Side, ...]:
        """The files this journey asks for, in the order the Load page shows them."""
        if self.journey is Journey.ADDRESSES:
            return (Side.ACCOUNTS,)
        if self.journey is Journey.MAPPING:
            return (Side.ACCOUNTS, Side.CUSTOMERS, Side.MAPPING)
        return (Side.ACCOUNTS, Side.CUSTOMERS, Side.MAPPING)

    def side_optional(self, side: Side) -> bool:
        """True for a file the journey can do without (the mapping when linking)."""
        return self.journey is Journey.LINK and side is Side.MAPPING

    def all_overrides(self) -> list[ColumnOverride]:
        """Every column override the person chose, each tied to its side."""
        return [o for side in self.overrides for o in self.overrides[side]]
