"""What the wizard's pages share: the person's choices and each step's results (no Qt, no rules)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.roles import Side

if TYPE_CHECKING:  # the Welcome page needs none of these, and start-up must stay quick
    import pandas as pd

    from desktop_app.core.journal import RunInfo
    from desktop_app.core.plan import Plan
    from desktop_app.core.run_figures import RunFigures
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


# What each result the wizard keeps was made from. When one of those changes, the result is cleared,
# and so is whatever was made from it in turn (``stale_after``). Names that are not fields:
# ``journey``/``source`` change on Welcome; ``salesforce_org``/``billing_system`` when a connection
# reaches another org or system than the one before (in a connected journey the files were read from
# them, so the Load page reads both again); ``link_key``: where the billing side keeps the Account id.
# Never cleared: the person's choices, the project, the files saved, and the run and undo reports
# (records of what was written, kept until the next run).
MADE_FROM: dict[str, tuple[str, ...]] = {
    "paths": ("journey", "source", "salesforce_org", "billing_system"),
    "overrides": ("journey", "source", "salesforce_org", "billing_system"),
    "loaded": ("paths", "overrides"),
    "address_check": ("paths", "overrides"),
    "account_describe": ("salesforce",),
    "preflight": ("salesforce", "billing", "link_field"),
    "match_run": ("loaded",),
    "reviewed": ("match_run",),
    "accepted_fixes": ("match_run", "address_check"),
    "plan": ("reviewed", "policy", "link_field", "link_key", "salesforce", "billing"),
}
# Results kept per side (a new accounts file leaves the customers as they were).
PER_SIDE: frozenset[str] = frozenset({"paths", "overrides", "loaded"})


def stale_after(*changed: str) -> tuple[str, ...]:
    """Every result made, directly or through another result, from what ``changed``, in table order."""
    stale: set[str] = set()
    grew = True
    while grew:
        grew = False
        for result, sources in MADE_FROM.items():
            if result not in stale and any(s in changed or s in stale for s in sources):
                stale.add(result)
                grew = True
    return tuple(result for result in MADE_FROM if result in stale)


@dataclass
class WizardState:
    """Choices and results carried from page to page.

    Pages read the fields and change them only through the methods below, each named for what
    happened; a method clears what ``MADE_FROM`` says was made from what it changed."""

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
    link_field: str = DEFAULT_LINK_FIELD
    policy: str = "skip_linked"
    plan: Plan | None = None  # the plan the Plan page built (live values when connected)
    run_report: RunReport | None = None  # the apply (or resumed) run of this session
    undo_report: RunReport | None = None
    project: Project | None = None  # what is remembered of this onboarding between sessions
    restored_calls: pd.DataFrame | None = None  # a reopened project's review calls, laid over the next match
    restored_fixes: pd.DataFrame | None = None  # … and its accepted address fixes
    billing_defaults: dict[str, str] = field(default_factory=dict)  # a reopened project's billing settings
    resume_run: RunInfo | None = None  # a run picked on Welcome to resume: connect, then straight to Apply
    # The org and billing system the files were last read from (kept across a disconnect).
    _org: str | None = field(default=None, init=False, repr=False)
    _billing_system: tuple[str, ...] | None = field(default=None, init=False, repr=False)

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

    # -- Welcome -----------------------------------------------------------------------------------

    def start_journey(self, journey: Journey, source: Source) -> None:
        """The person chose (again) where to go and where the data comes from. Another source closes
        the connections (the sandboxes' are no use for a real org, and back); another journey or
        source forgets the files."""
        if source is not self.source:
            self.close()
        changed = [name for name, before, now in (("journey", self.journey, journey), ("source", self.source, source))
                   if before is not now]
        self.journey, self.source = journey, source
        self._changed(*changed)

    def resume_chosen(self, run: RunInfo | None) -> None:
        """A run to resume was picked on Welcome (None: start afresh); its link field and billing
        settings become the defaults."""
        self.resume_run = run
        if run is not None:
            self.link_field_chosen(run.settings.get("link_field", self.link_field))
            self.billing_defaults = {k: v for k, v in run.settings.items() if k.startswith("billing_")}

    def project_started(self, project: Project) -> None:
        """A new project keeps this onboarding from now on."""
        self.project = project

    def project_reopened(self, project: Project, *, calls: pd.DataFrame | None, fixes: pd.DataFrame | None,
                         files: Mapping[Side, Path], overrides: Mapping[Side, list[ColumnOverride]]) -> None:
        """A saved project was reopened: its choices come back, its review calls and accepted fixes wait
        for the next match, and its files (still on disk) come back when the journey reads files (a
        connected one reads the systems again)."""
        self.project, self.restored_calls, self.restored_fixes = project, calls, fixes
        self.link_field_chosen(project.link_field)
        self.policy_chosen(project.policy)
        self.billing_defaults = dict(project.billing)
        if not self.connects:
            self.paths = dict(files)
            self.overrides = {side: list(chosen) for side, chosen in overrides.items()}
            self._changed("paths", "overrides")

    # -- connections ---------------------------------------------------------------------------------

    def salesforce_connected(self, connection: SalesforceConnection, demo_systems: DemoSystems | None = None) -> None:
        """Logged in to an org (with the demo, the sandboxes it started). Another org than the files
        were read from makes them stale too."""
        if self.salesforce is not None and self.salesforce is not connection:
            self.salesforce.close()
        self.salesforce = connection
        if demo_systems is not None:
            self.demo_systems = demo_systems
        changed = ["salesforce"]
        if connection.instance_url != self._org:
            self._org = connection.instance_url
            changed.append("salesforce_org")
        self._changed(*changed)

    def salesforce_disconnected(self) -> None:
        """The org's connection was closed (logged out, or about to log in again)."""
        if self.salesforce is not None:
            self.salesforce.close()
            self.salesforce = None
        self._changed("salesforce")

    def billing_connected(self, connection: BillingConnection) -> None:
        """The billing system's connection test passed. Another system than the files were read from
        makes them stale too."""
        self._use_billing(connection)
        changed = ["billing"]
        system = (connection.choice.kind, connection.choice.base_url, connection.choice.file)
        if system != self._billing_system:
            self._billing_system = system
            changed.append("billing_system")
        self._changed(*changed)

    def _use_billing(self, connection: BillingConnection) -> None:
        if self.billing is not None and self.billing is not connection:
            self.billing.close()
        self.billing = connection

    def billing_disconnected(self) -> None:
        """The billing connection was closed (another system picked, or testing again)."""
        if self.billing is not None:
            self.billing.close()
            self.billing = None
        self._changed("billing")

    def close(self) -> None:
        """Close live connections and stop the demo sandboxes (the app closes, the source changes, or the
        sandboxes start afresh)."""
        self.salesforce_disconnected()
        self.billing_disconnected()
        if self.demo_systems is not None:
            self.demo_systems.stop()
            self.demo_systems = None

    # -- link fields and preflight --------------------------------------------------------------------

    def describe_read(self, describe: dict[str, Any]) -> None:
        """The connected org's Account describe was read."""
        self.account_describe = describe

    def link_field_chosen(self, link_field: str) -> None:
        """The Account field that holds the link was chosen."""
        if link_field != self.link_field:
            self.link_field = link_field
            self._changed("link_field")

    def policy_chosen(self, policy: str) -> None:
        """What to do with accounts that already hold a link was chosen."""
        if policy != self.policy:
            self.policy = policy
            self._changed("policy")

    def link_key_chosen(self, connection: BillingConnection) -> None:
        """The billing side keeps the Account id elsewhere: ``connection`` is the same system opened
        with that link key."""
        self._use_billing(connection)
        self._changed("link_key")

    def preflight_started(self) -> None:
        """The checks run (again) on the org: the earlier results no longer stand."""
        self.preflight = None

    def preflight_checked(self, results: list[CheckResult]) -> None:
        """The preflight checks finished."""
        self.preflight = results

    def data_checked(self, checks: list[CheckResult]) -> None:
        """The checks that need the data ran on the plan: they replace the preflight's results of the same
        checks ("not checked yet" until the customers were loaded)."""
        if self.preflight is not None:
            fresh = {check.key: check for check in checks}
            self.preflight = [fresh.get(result.key, result) for result in self.preflight]

    # -- files ----------------------------------------------------------------------------------------

    def file_chosen(self, side: Side, path: Path) -> None:
        """A file (chosen, or read from the systems) is to be read for ``side``."""
        self.paths[side] = path
        self._changed("paths", side=side)

    def overrides_changed(self, side: Side, overrides: Iterable[ColumnOverride]) -> None:
        """The columns of ``side``'s file were chosen (none: as recognised)."""
        chosen = list(overrides)
        if chosen:
            self.overrides[side] = chosen
        else:
            self.overrides.pop(side, None)
        self._changed("overrides", side=side)

    def file_loaded(self, side: Side, loaded: LoadedInput) -> None:
        """``side``'s file was read and can be used."""
        self.loaded[side] = loaded
        self._changed("loaded", side=side)

    def addresses_checked(self, check: AddressCheck) -> None:
        """The address journey's file was checked."""
        self.address_check = check
        self._changed("address_check")

    # -- match, review, quality ----------------------------------------------------------------------

    def take_restored_calls(self) -> pd.DataFrame | None:
        """A reopened project's review calls, to lay over the next match (given out once)."""
        calls, self.restored_calls = self.restored_calls, None
        return calls

    def take_restored_fixes(self) -> pd.DataFrame | None:
        """A reopened project's accepted address fixes, to lay over the next problems (given out once)."""
        fixes, self.restored_fixes = self.restored_fixes, None
        return fixes

    def match_started(self) -> None:
        """Matching runs (again): the earlier match and all made from it no longer stand."""
        self.match_run = None
        self._changed("match_run")

    def matched(self, run: MatchRun) -> None:
        """The match finished."""
        self.match_run = run
        self._changed("match_run")

    def review_changed(self, decisions: pd.DataFrame) -> None:
        """The decisions as the person's review calls left them."""
        self.reviewed = decisions
        self._changed("reviewed")

    def fixes_accepted(self, fixes: pd.DataFrame) -> None:
        """The address problems whose suggestion the person accepted."""
        self.accepted_fixes = fixes

    # -- plan, apply, undo, files saved ----------------------------------------------------------------

    def planned(self, plan: Plan) -> None:
        """The Plan page built (or showed again) its plan."""
        self.plan = plan

    def run_finished(self, report: RunReport) -> None:
        """An apply or resumed run ended: it is the session's run, not undone."""
        self.run_report, self.undo_report = report, None

    def run_undone(self, report: RunReport, figures: RunFigures | None) -> None:
        """The session's run was undone; ``figures`` are its own figures as they are now."""
        self.undo_report = report
        if self.run_report is not None and figures is not None:
            self.run_report = dataclasses.replace(self.run_report, figures=figures)

    def file_saved(self, path: Path) -> None:
        """The person saved a file (plan, report, fixed copy)."""
        self.saved.append(path)

    # -- what changed clears what was made from it ------------------------------------------------------

    def _changed(self, *names: str, side: Side | None = None) -> None:
        """Clear every result made from ``names`` (per-side results only for ``side`` when given)."""
        for result in stale_after(*names):
            value = getattr(self, result)
            if result in PER_SIDE and side is not None:
                value.pop(side, None)
            elif isinstance(value, dict):
                value.clear()
            else:
                setattr(self, result, None)

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
