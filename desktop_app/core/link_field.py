"""The Account field that holds each account's billing customer id when nobody names another.

The wizard proposes it, the command line assumes it without ``--link-field``, a plan or project that
names none uses it, and the sandbox org is created with it.
"""

from __future__ import annotations

DEFAULT_LINK_FIELD = "Billing_Customer_ID__c"
