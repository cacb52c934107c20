"""The wizard's pages, in order. One module per page; ``PAGES`` is the only list of them.

The connection, link-field, preflight and apply pages run on live APIs: they are on the route when the
person connects systems (Crosslink's sandboxes or their own org and billing system), not with files only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from desktop_app.gui.state import Journey, Source, WizardState

if TYPE_CHECKING:
    from desktop_app.gui.pages.base import BasePage

PageFactory = Callable[[WizardState, QWidget | None], "BasePage"]


def _page(module: str, class_name: str) -> PageFactory:
    """Builds the page ``class_name`` of ``desktop_app.gui.pages.<module>``, importing it only then: the
    Welcome page shows before the later pages' modules (pandas, the API clients) are loaded."""

    def build(state: WizardState, parent: QWidget | None) -> BasePage:
        page_class = getattr(importlib.import_module(f"desktop_app.gui.pages.{module}"), class_name)
        return page_class(state, parent)  # type: ignore[no-any-return]

    build.__qualname__ = class_name
    return build


# (key, page factory) in wizard order; a page's id is its index here.
PAGES: tuple[tuple[str, PageFactory], ...] = (
    ("welcome", _page("welcome", "WelcomePage")),
    ("connect_salesforce", _page("connect_salesforce", "ConnectSalesforcePage")),
    ("connect_billing", _page("connect_billing", "ConnectBillingPage")),
    ("link_fields", _page("link_fields", "LinkFieldsPage")),
    ("preflight", _page("preflight", "PreflightPage")),
    ("load", _page("load", "LoadPage")),
    ("match", _page("match", "MatchPage")),
    ("quality", _page("quality", "QualityPage")),
    ("plan", _page("plan", "PlanPage")),
    ("apply", _page("apply", "ApplyPage")),
    ("done", _page("done", "DonePage")),
)
# Each page's title, for the steps panel before the page is built (pages are built lazily).
TITLES: dict[str, str] = {
    "welcome": "Welcome to Crosslink",
    "connect_salesforce": "Connect Salesforce",
    "connect_billing": "Connect the billing system",
    "link_fields": "Choose the link fields",
    "preflight": "Check the org (preflight)",
    "load": "Load your files",
    "match": "Match and review",
    "quality": "Check addresses and country codes",
    "plan": "Plan the links (dry run)",
    "apply": "Write the links",
    "done": "Done",
}
PAGE_MODULES: tuple[str, ...] = tuple(f"desktop_app.gui.pages.{key}" for key, _ in PAGES)

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
# Resuming an undo picked on Welcome: connect to its systems, then Done, which shows why it stopped and
# offers Resume undo.
RESUME_UNDO_ROUTE: tuple[str, ...] = ("welcome", "connect_salesforce", "connect_billing", "done")


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
