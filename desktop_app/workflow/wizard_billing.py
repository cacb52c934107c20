"""The wizard's billing connection: open the chosen system, test it, and keep its credentials.

Credentials go to the keychain through ``billing.credentials`` only when the person asks; the
connection settings kept with a run (URL, CA file, export file) are never secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from desktop_app.billing.base import BillingAuthError, BillingError, BillingSystem
from desktop_app.core.progress import CancelToken

BillingKind = Literal["stripe", "sequence", "file"]
KIND_NAMES: dict[str, str] = {"stripe": "Stripe", "sequence": "Sequence", "file": "From a file"}


class BillingConnectionProblem(ValueError):
    """The billing system could not be used; the text is one sentence with what to do."""


@dataclass(frozen=True)
class BillingChoice:
    """What the person chose on the Connect billing page (secrets live in ``credentials`` only)."""

    kind: BillingKind
    base_url: str = ""
    ca_cert: str = ""
    file: str = ""
    link_key: str = ""  # Stripe metadata key / Sequence integration service ("" = the adapter's default)
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)

    def settings(self) -> dict[str, str]:
        """The non-secret settings kept with a run, so it can be resumed against the same system."""
        values = {"billing_system": self.kind, "billing_url": self.base_url, "billing_ca": self.ca_cert,
                  "billing_file": self.file, "billing_link_key": self.link_key}
        return {k: v for k, v in values.items() if v}


@dataclass
class BillingConnection:
    """An opened billing system and what the connection test found."""

    choice: BillingChoice
    system: BillingSystem
    summary: str

    def close(self) -> None:
        """Release the adapter's connections."""
        self.system.close()


def open_billing(choice: BillingChoice, *, profile: str = "default") -> BillingSystem:
    """The adapter ``choice`` describes; credentials typed in win over the saved ones."""
    creds = choice.credentials
    try:
        if choice.kind == "sequence":
            from desktop_app.billing.sequence_adapter import SequenceBilling, SequenceLinkStorage

            options: dict[str, object] = {}
            if choice.base_url:
                options["base_url"] = choice.base_url
            if choice.ca_cert:
                options["ca_cert"] = Path(choice.ca_cert)
            if choice.link_key:
                options["link_storage"] = SequenceLinkStorage(name=choice.link_key)
            if creds.get("client_id") and creds.get("client_secret"):
                return SequenceBilling(creds["client_id"], creds["client_secret"], **options)  # type: ignore[arg-type]
            return SequenceBilling.from_saved_credentials(profile, **options)
        if choice.kind == "stripe":
            from desktop_app.billing.stripe_adapter import StripeBilling

            base = {"base_url": choice.base_url} if choice.base_url else {}
            if choice.link_key:
                base["link_key"] = choice.link_key
            if creds.get("api_key"):
                return StripeBilling(creds["api_key"], **base)  # type: ignore[arg-type]
            return StripeBilling.from_saved_credentials(profile, **base)
        from desktop_app.billing.file_adapter import FileBilling

        if not choice.file:
            raise BillingConnectionProblem("Choose the billing system's customer export file first.")
        return FileBilling(Path(choice.file))
    except BillingError as error:
        raise BillingConnectionProblem(_sentence(choice, error)) from None


def default_link_key(kind: str) -> str:
    """Where the adapter keeps the Salesforce Account id unless told otherwise."""
    if kind == "sequence":
        from desktop_app.billing.sequence_adapter import SequenceLinkStorage

        return SequenceLinkStorage().name
    if kind == "stripe":
        from desktop_app.billing.stripe_adapter import DEFAULT_LINK_KEY

        return DEFAULT_LINK_KEY
    return ""


def save_credentials(choice: BillingChoice, profile: str = "default") -> None:
    """Store the typed-in credentials in the keychain (``SecretStoreUnavailable`` when there is none)."""
    from desktop_app.billing.credentials import save_sequence_credentials, save_stripe_api_key

    creds = choice.credentials
    if choice.kind == "stripe" and creds.get("api_key"):
        save_stripe_api_key(creds["api_key"], profile)
    elif choice.kind == "sequence" and creds.get("client_id") and creds.get("client_secret"):
        save_sequence_credentials(creds["client_id"], creds["client_secret"], profile)


def check_connection(choice: BillingChoice, *, profile: str = "default",
                    cancel: CancelToken | None = None) -> BillingConnection:
    """Open the system and read its first customer; a refusal becomes one sentence to show."""
    system = open_billing(choice, profile=profile)
    try:
        first = next(iter(system.iter_customers(cancel=cancel)), None)
    except BillingError as error:
        system.close()
        raise BillingConnectionProblem(_sentence(choice, error)) from None
    except OSError as error:
        system.close()
        raise BillingConnectionProblem(f"Crosslink could not read {choice.file or choice.base_url}: "
                                       f"{error.strerror or error}. Check the path and try again.") from None
    except BaseException:
        system.close()
        raise
    name = system.display_name
    if first is None:
        return BillingConnection(choice, system, f"Connected to {name}; it has no customers yet.")
    return BillingConnection(choice, system, f"Connected to {name} (first customer: {first.customer_id}).")


def _sentence(choice: BillingChoice, error: BillingError) -> str:
    name = KIND_NAMES[choice.kind]
    if isinstance(error, BillingAuthError):
        what = "API key" if choice.kind == "stripe" else "client id and secret"
        return f"{name} refused the {what}: check them (copy them again from {name}'s settings) and test again."
    text = str(error).strip()
    return text if text.endswith(".") else f"{name} could not be reached: {text or type(error).__name__}."
