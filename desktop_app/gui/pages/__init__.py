"""The wizard's pages, in order. One module per page; ``PAGES`` is the only list of them.

The connection, link-field, preflight and apply pages run on live APIs: they are on the route when the
person connects systems (Crosslink's sandboxes or their own org and billing system), not with files only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from desktop_app.gui.pages.apply import ApplyPage
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.pages.connect_billing import ConnectBillingPage
from desktop_app.gui.pages.connect_salesforce import ConnectSalesforcePage
from desktop_app.gui.pages.done import DonePage
from desktop_app.gui.pages.link_fields import LinkFieldsPage
from desktop_app.gui.pages.load import LoadPage
from desktop_app.gui.pages.match import MatchPage
from desktop_app.gui.pages.plan import PlanPage
from desktop_app.gui.pages.preflight import PreflightPage
from desktop_app.gui.pages.quality import QualityPage
from desktop_app.gui.pages.welcome import WelcomePage
from desktop_app.gui.state import Journey, Source, WizardState

PageFactory = Callable[[WizardState, QWidget | None], BasePage]

# (key, page class) in wizard order; a page's id is its index here.
PAGES: tuple[tuple[str, PageFactory], ...] = (
    ("welcome", WelcomePage),
    ("connect_salesforce", ConnectSalesforcePage),
    ("connect_billing", ConnectBillingPage),
    ("link_fields", LinkFieldsPage),
    ("preflight", PreflightPage),
    ("load", LoadPage),
    ("match", MatchPage),
    ("quality", QualityPage),
    ("plan", PlanPage),
    ("apply", ApplyPage),
    ("done", DonePage),
)

# Which pages each starting path visits, in order, with files only (the default) …
ROUTES: dict[Journey, tuple[str, ...]] = {
    Journey.LINK: ("welcome", "load", "match", "quality", "plan", "done"),
    Journey.MAPPING: ("welcome", "load", "match", "quality", "plan", "done"),
    Journey.ADDRESSES: ("welcome", "load", "quality", "done"),
}
# … and the pages a linking path adds when it connects to systems (the sandboxes or the person's own):
# the connections and fields after Welcome, and writing the links (Apply) before Done.
ORG_PAGES: tuple[str, ...] = ("connect_salesforce", "connect_billing", "link_fields", "preflight")
WRITE_PAGES: tuple[str, ...] = ("apply",)
# Checking addresses with a connection reads the Accounts from the org (fixes are written from Done).
ADDRESS_ORG_PAGES: tuple[str, ...] = ("connect_salesforce",)


# Resuming a run picked on Welcome: connect to the run's systems, then write what its own plan still has to.
RESUME_ROUTE: tuple[str, ...] = ("welcome", "connect_salesforce", "connect_billing", "apply", "done")


def route_for(journey: Journey, source: Source) -> tuple[str, ...]:
    """The pages a person goes through for ``journey`` from ``source`` (connecting to systems adds the
    org and write pages when linking)."""
    route = ROUTES[journey]
    if source is Source.FILES:
        return route
    if journey is Journey.ADDRESSES:
        return (route[0], *ADDRESS_ORG_PAGES, *route[1:])
    return (route[0], *ORG_PAGES, *route[1:-1], *WRITE_PAGES, route[-1])

PAGE_IDS: dict[str, int] = {key: index for index, (key, _) in enumerate(PAGES)}
