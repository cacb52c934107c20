"""What each billing system requires of a customer before it accepts a link, by system kind.

The rules live in ``billing.customer_rules`` and reach the rest of the app through the registry
(``SystemEntry.customer_rules``) and the adapters' ``Capabilities.customer_requirements``; this gives
them where no adapter is open (``check-addresses --billing``, a customers file checked on its own).
"""

from __future__ import annotations

from desktop_app.billing.registry import SYSTEMS, UnknownSystem, system
from desktop_app.core.billing_rules import CustomerRequirement

FILE_ROUTE_NAME = "the billing system"
SYSTEM_NAMES = {entry.key: entry.name if entry.reads_back else FILE_ROUTE_NAME for entry in SYSTEMS}


def customer_requirements(kind: str) -> tuple[CustomerRequirement, ...]:
    """The rules of the registered system ``kind`` (none for the file route or no system: "")."""
    if not kind:
        return ()
    try:
        return system(kind).customer_rules
    except UnknownSystem:
        return ()
