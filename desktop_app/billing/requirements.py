"""What each billing system requires of a customer before it accepts a link, by system kind.

The adapters declare their rules in ``Capabilities.customer_requirements``; this gives the same
rules where no adapter is open (``check-addresses --billing``, a customers file checked on its own).
"""

from __future__ import annotations

from desktop_app.core.billing_rules import CustomerRequirement

SYSTEM_NAMES = {"sequence": "Sequence", "stripe": "Stripe", "file": "the billing system"}


def customer_requirements(kind: str) -> tuple[CustomerRequirement, ...]:
    """Sequence: legal name, e-mail, a complete billing address and an ISO country; others: none."""
    if kind == "sequence":
        from desktop_app.billing.sequence_adapter import CUSTOMER_REQUIREMENTS

        return CUSTOMER_REQUIREMENTS
    return ()
