"""The only place Crosslink stores secrets: the operating system's keychain, through keyring.

Refresh tokens, client secrets and API keys live here keyed by (kind, account) — e.g.
(``salesforce-refresh-token``, ``<org id>/<user id>``) or (``stripe-api-key``, ``<profile>``).
Nothing secret is ever written to settings, files, logs, reports or exception text; errors from
this module name the kind and account, never the value.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail

SERVICE_PREFIX = "crosslink"


@dataclass(frozen=True)
class NativeKeychain:
    """The operating system's own secret store, as a keyring backend class and a name for people."""

    module: str
    backend: str
    label: str
    remedy: str


NATIVE_KEYCHAINS = {
    "win32": NativeKeychain("keyring.backends.Windows", "WinVaultKeyring", "Windows Credential Manager",
                            "sign in to Windows with your own account (Credential Manager is per user)"),
    "darwin": NativeKeychain("keyring.backends.macOS", "Keyring", "the macOS login Keychain",
                             "unlock the login keychain in Keychain Access and allow Crosslink to use it"),
    "linux": NativeKeychain("keyring.backends.SecretService", "Keyring", "a Secret Service keyring",
                            "start and unlock GNOME Keyring or KWallet (5.97 or newer) in your desktop session"),
}
_why_unavailable = ""


class SecretStoreUnavailable(RuntimeError):
    """No usable OS keychain; the message says how to get one."""


def _service(kind: str) -> str:
    return f"{SERVICE_PREFIX}:{kind}"


def native_keychain(platform: str | None = None) -> NativeKeychain:
    """The secret store Crosslink uses on ``platform`` (``sys.platform`` by default; other Unixes as Linux)."""
    platform = platform or sys.platform
    return NATIVE_KEYCHAINS.get(platform, NATIVE_KEYCHAINS["linux"])


def native_backend(platform: str | None = None) -> KeyringBackend:
    """This system's own keychain as a keyring backend; ``SecretStoreUnavailable`` saying which keychain
    is missing and how to get it when it cannot be used here."""
    native = native_keychain(platform)
    try:
        backend_class = getattr(importlib.import_module(native.module), native.backend)
        backend_class.priority  # noqa: B018 - keyring's viability check: raises when unusable here
    except Exception as error:  # keyring reports an unusable backend with any exception type
        raise SecretStoreUnavailable(
            f"{native.label[0].upper()}{native.label[1:]} is not available ({error}): {native.remedy}. "
            "Until then logins and keys are not remembered.") from None
    backend: KeyringBackend = backend_class()
    return backend


def use_native_keychain() -> str:
    """Make this system's own keychain the one keyring uses (never a file or a third-party store that
    keyring might otherwise pick); with none, every secret operation fails with the reason. Returns
    the backend's name, or the reason there is none."""
    global _why_unavailable
    try:
        keyring.set_keyring(native_backend())
    except SecretStoreUnavailable as error:
        _why_unavailable = str(error)
        keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
        return _why_unavailable
    _why_unavailable = ""
    return keychain_backend_name()


def unavailable_reason() -> str:
    """Why this system's keychain could not be used ("" when it is in use or was not looked for)."""
    return _why_unavailable


def _unavailable(action: str, kind: str, account: str, error: Exception) -> SecretStoreUnavailable:
    native = native_keychain()
    why = _why_unavailable or f"{native.label} answered {type(error).__name__}: {native.remedy}."
    return SecretStoreUnavailable(f"Could not {action} the {kind} for {account} in the system keychain. {why}")


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
