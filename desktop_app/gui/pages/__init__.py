"""The wizard's pages, in order. One module per page; ``PAGES`` is the only list of them.

Pages whose back-end is not wired yet (connect to a real org or billing system, link fields, apply)
are added here when it is — never a page that pretends.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.pages.connect_salesforce import ConnectSalesforcePage
from desktop_app.gui.pages.done import DonePage
from desktop_app.gui.pages.load import LoadPage
from desktop_app.gui.pages.match import MatchPage
from desktop_app.gui.pages.plan import PlanPage
from desktop_app.gui.pages.preflight import PreflightPage
from desktop_app.gui.pages.quality import QualityPage
from desktop_app.gui.pages.welcome import WelcomePage
from desktop_app.gui.state import Journey, WizardState

PageFactory = Callable[[WizardState, QWidget | None], BasePage]

# (key, page class) in wizard order; a page's id is its index here.
PAGES: tuple[tuple[str, PageFactory], ...] = (
    ("welcome", WelcomePage),
    ("connect_salesforce", ConnectSalesforcePage),
    ("preflight", PreflightPage),
    ("load", LoadPage),
    ("match", MatchPage),
    ("quality", QualityPage),
    ("plan", PlanPage),
    ("done", DonePage),
)

# Which pages each starting path visits, in order, with files only (the default) …
ROUTES: dict[Journey, tuple[str, ...]] = {
    Journey.LINK: ("welcome", "load", "match", "quality", "plan", "done"),
    Journey.MAPPING: ("welcome", "load", "match", "quality", "plan", "done"),
    Journey.ADDRESSES: ("welcome", "load", "quality", "done"),
}
# … and the pages a linking path adds in demo mode, where the sandbox org is there to check.
ORG_PAGES: tuple[str, ...] = ("connect_salesforce", "preflight")


def route_for(journey: Journey, demo: bool) -> tuple[str, ...]:
    """The pages a person goes through for ``journey`` (demo mode adds the org pages when linking)."""
    route = ROUTES[journey]
    if demo and journey is not Journey.ADDRESSES:
        return (route[0], *ORG_PAGES, *route[1:])
    return route

PAGE_IDS: dict[str, int] = {key: index for index, (key, _) in enumerate(PAGES)}
