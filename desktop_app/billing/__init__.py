"""Billing systems behind one protocol: Stripe (SDK), Sequence (REST) and any system by file.

``BillingSystem`` (in ``base``) is what the workflow talks to; ``StripeBilling``,
``SequenceBilling`` and ``FileBilling`` implement it. Import adapters from their modules.
"""

from desktop_app.billing.base import (
    BillingAuthError,
    BillingConnectionError,
    BillingError,
    BillingSystem,
    Capabilities,
    CustomerRecord,
    LinkWriteResult,
)

__all__ = [
    "BillingAuthError",
    "BillingConnectionError",
    "BillingError",
    "BillingSystem",
    "Capabilities",
    "CustomerRecord",
    "LinkWriteResult",
]
