"""What the wizard's pages share: the person's choices and each step's results (no Qt, no rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from desktop_app.core.roles import Side
from desktop_app.workflow.address_check import AddressCheck
from desktop_app.workflow.inputs import ColumnOverride, LoadedInput

if TYPE_CHECKING:
    from desktop_app.gui.connections import SalesforceConnection
    from desktop_app.salesforce.preflight import CheckResult
    from desktop_app.workflow.matching import MatchRun


class Journey(StrEnum):
    """The three ways in from the Welcome page."""

    LINK = "link"  # link accounts to a billing system's customers
    MAPPING = "mapping"  # populate Customer IDs from a mapping file the person already has
    ADDRESSES = "addresses"  # check addresses and country codes of one file


JOURNEY_TITLES: dict[Journey, str] = {
    Journey.LINK: "Link accounts to a billing system",
    Journey.MAPPING: "Populate Customer IDs from a mapping file I already have",
    Journey.ADDRESSES: "Check addresses and country codes",
}


@dataclass
class WizardState:
    """Choices and results carried from page to page."""

    demo: bool = True
    journey: Journey = Journey.LINK
    paths: dict[Side, Path] = field(default_factory=dict)
    loaded: dict[Side, LoadedInput] = field(default_factory=dict)
    overrides: dict[Side, list[ColumnOverride]] = field(default_factory=dict)
    match_run: MatchRun | None = None
    reviewed: pd.DataFrame | None = None  # decisions after the person's review
    address_check: AddressCheck | None = None  # the address journey's result
    accepted_fixes: pd.DataFrame | None = None  # address problems whose suggestion was accepted
    saved: list[Path] = field(default_factory=list)
    salesforce: SalesforceConnection | None = None  # demo mode: the sandbox org
    preflight: list[CheckResult] | None = None

    def close(self) -> None:
        """Close live connections (the app is closing)."""
        if self.salesforce is not None:
            self.salesforce.close()
            self.salesforce = None

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
