"""The wizard's billing connection: open the chosen system, test it, and keep its credentials.

Credentials go to the keychain through ``billing.credentials`` only when the person asks; the
connection settings kept with a run (URL, CA file, export file) are never secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from desktop_app.billing.base import BillingAuthError, BillingError, BillingSystem
from desktop_app.billing.registry import SYSTEMS, ConnectOptions, open_system, system
from desktop_app.core.progress import CancelToken

BillingKind = str  # a key of the billing registry
KIND_NAMES: dict[str, str] = {entry.key: entry.name for entry in SYSTEMS}


class BillingConnectionProblem(ValueError):
    """The billing system could not be used; the text is one sentence with what to do."""


@dataclass(frozen=True)
class BillingChoice:
    """What the person chose on the Connect billing page (secrets live in ``credentials`` only)."""

    kind: BillingKind
    base_url: str = ""
    ca_cert: str = ""
    file: str = ""
    link_key: str = ""  # where the billing side keeps the Account id ("" = the system's default)
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
    options = ConnectOptions(base_url=choice.base_url, ca_cert=choice.ca_cert, link_key=choice.link_key,
                             file=choice.file)
    try:
        return open_system(choice.kind, options, typed=choice.credentials, profile=profile)
    except BillingError as error:
        raise BillingConnectionProblem(_sentence(choice, error)) from None
    except ValueError as error:
        raise BillingConnectionProblem(str(error)) from None


def default_link_key(kind: str) -> str:
    """Where the adapter keeps the Salesforce Account id unless told otherwise."""
    return system(kind).default_link_key


def save_credentials(choice: BillingChoice, profile: str = "default") -> None:
    """Store the typed-in credentials in the keychain (``SecretStoreUnavailable`` when there is none)."""
    system(choice.kind).save_credentials(choice.credentials, profile)


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
        what = _credential_words([credential.label for credential in system(choice.kind).credentials])
        return f"{name} refused the {what}: check them (copy them again from {name}'s settings) and test again."
    text = str(error).strip()
    return text if text.endswith(".") else f"{name} could not be reached: {text or type(error).__name__}."


def _credential_words(labels: list[str]) -> str:
    """"client id and secret" from ["client id", "client secret"] (a shared first word said once)."""
    if len(labels) > 1:
        first = labels[0].split(" ", 1)[0]
        if all(label.startswith(f"{first} ") for label in labels):
            labels = [labels[0], *(label.removeprefix(f"{first} ") for label in labels[1:])]
    return ", ".join(labels[:-1]) + (" and " if len(labels) > 1 else "") + labels[-1] if labels else "credentials"


def sign_in(choice: BillingChoice, *, cancel: CancelToken | None = None) -> dict[str, str]:
    """Sign in through the browser to the OAuth system ``choice`` names (its app client id, and secret
    when the app has one, typed in ``choice.credentials``); the credentials to use from now on.

    A local API address (a sandbox on this computer) is also where the sign-in happens.
    """
    from urllib.parse import urlsplit

    from desktop_app.billing.oauth_login import browser_login, moved_to

    entry = system(choice.kind)
    client_id = (choice.credentials.get("client_id") or "").strip()
    if entry.oauth is None:
        raise BillingConnectionProblem(f"{entry.name} has no browser sign-in; type its credentials instead.")
    if not client_id:
        raise BillingConnectionProblem(f"Type the client id of your {entry.name} app first (from the vendor's "
                                       "developer portal), then sign in.")
    address = urlsplit(choice.base_url)
    local = address.hostname in ("127.0.0.1", "localhost")
    auth_host = f"{address.scheme}://{address.netloc}" if local else ""
    endpoints = moved_to(entry.oauth, auth_host) if auth_host else entry.oauth
    try:
        tokens = browser_login(endpoints, client_id, client_secret=choice.credentials.get("client_secret", ""),
                               cancel=cancel, verify=choice.ca_cert or True)
    except BillingError as error:
        raise BillingConnectionProblem(str(error)) from None
    found = {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token, "auth_host": auth_host,
             entry.company_credential: tokens.company_id}
    return {**choice.credentials, **{k: v for k, v in found.items() if k and v}}
