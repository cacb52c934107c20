"""Which column of an accounts file holds the link (the billing customer id), and why, in words.

An org that moved billing systems keeps one link field per system (Stripe_Customer_ID__c and
Sequence_Customer_ID__c). The header alone ranks them; once the customers file is read, the column
whose values are that file's customer ids is read instead (``load_files.prefer_link_found_among``).
The wizard's Load page and the command line say the same sentence about the choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from desktop_app.core.intake_types import RoleMapping

LINK_ROLE = "link_customer_id"


@dataclass(frozen=True)
class LinkCheck:
    """The accounts file's link columns, and, once checked against a customers file, how many values of
    each are customer ids of that file."""

    candidates: tuple[str, ...]  # every column header and content allow, in the header's own ranking
    found: Mapping[str, int] | None = None  # per candidate: values that are ids of ``against``
    against: str = ""  # the customers file's name

    @property
    def several(self) -> bool:
        """More than one column could hold the link: the choice needs the customers' ids."""
        return len(self.candidates) > 1


def _quoted(headers: list[str]) -> str:
    names = [f"'{h}'" for h in headers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _holds(count: int) -> str:
    return "none" if count == 0 else f"{count:,}"


def link_reason(header: str, check: LinkCheck) -> str:
    """Why ``header`` was read as the link, given ``check`` (see ``link_column_text``)."""
    others = [h for h in check.candidates if h != header]
    if check.found is None:
        return (f"for now, by its header; {_quoted(others)} could hold the link too: the one whose values are "
                "customer ids is read once the customers file is loaded")
    found = check.found
    if found.get(header, 0) == 0:
        names = list(check.candidates)
        every = f"neither '{names[0]}' nor '{names[1]}'" if len(names) == 2 else f"none of {_quoted(names)}"
        return f"by its header: {every} holds a customer id of {check.against}"
    held = "; ".join(f"'{h}' holds {_holds(found.get(h, 0))}" for h in others)
    return f"{found[header]:,} of its values are customer ids of {check.against}; {held}"


def link_column_text(roles: RoleMapping, check: LinkCheck | None, *, chosen: str = "chosen by you") -> str:
    """One sentence: the column read as the link and why ("" when no column holds it). ``chosen`` says
    where a column given by hand came from (an API snapshot's is the field set on the Link fields page)."""
    header = roles.columns.get(LINK_ROLE)
    if header is None:
        return ""
    reason = roles.reasons.get(LINK_ROLE, "")
    if reason.startswith("chosen by you"):
        why = chosen
    elif check is None or not check.several:
        why = "by its header"
    else:
        why = link_reason(header, check)
    return f"Link: column '{header}' ({why})."
