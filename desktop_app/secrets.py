"""The only place Crosslink stores secrets: the operating system's keychain, through keyring.

Refresh tokens, client secrets and API keys live here keyed by (kind, account) — e.g.
(``salesforce-refresh-token``, ``<org id>/<user id>``) or (``stripe-api-key``, ``<profile>``).
Nothing secret is ever written to settings, files, logs, reports or exception text; errors from
this module name the kind and account, never the value.
"""

from __future__ import annotations

import keyring
import keyring.errors

SERVICE_PREFIX = "crosslink"


class SecretStoreUnavailable(RuntimeError):
    """No usable OS keychain; the message says how to get one."""


def _service(kind: str) -> str:
    return f"{SERVICE_PREFIX}:{kind}"


def _unavailable(action: str, kind: str, account: str, error: Exception) -> SecretStoreUnavailable:
    return SecretStoreUnavailable(
        f"Could not {action} the {kind} for {account} in the system keychain "
        f"({type(error).__name__}). On Linux, unlock or start a Secret Service keyring "
        "(GNOME Keyring or KWallet); on macOS and Windows, allow Crosslink to use the keychain."
    )


def keychain_backend_name() -> str:
    """Human-readable name of the keyring backend in use (shown in About and ``--self-test``)."""
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def save_secret(kind: str, account: str, value: str) -> None:
    """Store ``value`` under (kind, account), replacing any previous value."""
    try:
        keyring.set_password(_service(kind), account, value)
    except keyring.errors.KeyringError as error:
        raise _unavailable("save", kind, account, error) from None


def load_secret(kind: str, account: str) -> str | None:
    """The secret stored under (kind, account), or None when there is none."""
    try:
        return keyring.get_password(_service(kind), account)
    except keyring.errors.KeyringError as error:
        raise _unavailable("read", kind, account, error) from None


def delete_secret(kind: str, account: str) -> None:
    """Remove the secret under (kind, account); nothing happens when there is none."""
    try:
        keyring.delete_password(_service(kind), account)
    except keyring.errors.PasswordDeleteError:
        return
    except keyring.errors.KeyringError as error:
        raise _unavailable("delete", kind, account, error) from None
