"""Secrets go to each system's own keychain (Credential Manager, login Keychain, Secret Service) and
nowhere else; where it cannot be used, the error says which keychain is missing and what to do.
Here (Linux, a real Secret Service on a private D-Bus) the Windows and macOS branches are run with
``sys.platform`` patched: keyring's own viability check of those backends refuses them off their
system, which is the "none available" path a person would meet."""

from __future__ import annotations

import sys

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, fail

from desktop_app import secrets
from desktop_app.secrets import SecretStoreUnavailable, native_backend, native_keychain, use_native_keychain

REAL_PLATFORM = sys.platform


class PlainFileKeyring(KeyringBackend):
    """Stands for a non-native store keyring might pick (keyrings.alt's plaintext file, a stray config)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a secret reached a non-native store")

    def delete_password(self, service: str, username: str) -> None:
        return None


@pytest.fixture(autouse=True)
def _restore_keyring() -> object:
    previous, why = keyring.get_keyring(), secrets._why_unavailable
    yield
    keyring.set_keyring(previous)
    secrets._why_unavailable = why


@pytest.mark.parametrize(("platform", "module", "label"), [
    ("win32", "keyring.backends.Windows", "Windows Credential Manager"),
    ("darwin", "keyring.backends.macOS", "macOS login Keychain"),
    ("linux", "keyring.backends.SecretService", "Secret Service"),
    ("freebsd14", "keyring.backends.SecretService", "Secret Service"),
])
def test_each_system_has_its_own_keychain(platform: str, module: str, label: str) -> None:
    native = native_keychain(platform)
    assert native.module == module
    assert label in native.label


@pytest.mark.keyring
@pytest.mark.skipif(not REAL_PLATFORM.startswith("linux"), reason="needs a real Secret Service (Linux)")
def test_on_linux_the_secret_service_replaces_whatever_keyring_picked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    keyring.set_keyring(PlainFileKeyring())
    assert use_native_keychain() == "keyring.backends.SecretService.Keyring"
    assert isinstance(keyring.get_keyring(), SecretService.Keyring)
    secrets.save_secret("test-kind", "native-check", "s3cret")
    assert secrets.load_secret("test-kind", "native-check") == "s3cret"
    secrets.delete_secret("test-kind", "native-check")


@pytest.mark.parametrize(("platform", "words"), [
    pytest.param("win32", ("Windows Credential Manager is not available", "sign in to Windows"),
                 marks=pytest.mark.skipif(REAL_PLATFORM == "win32", reason="it is available here")),
    pytest.param("darwin", ("The macOS login Keychain is not available", "Keychain Access"),
                 marks=pytest.mark.skipif(REAL_PLATFORM == "darwin", reason="it is available here")),
])
def test_without_the_native_keychain_every_secret_fails_saying_which_and_what_to_do(
    platform: str, words: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    with pytest.raises(SecretStoreUnavailable) as raised:
        native_backend()
    for word in words:
        assert word in str(raised.value)
    keyring.set_keyring(PlainFileKeyring())
    assert "is not available" in use_native_keychain()
    assert isinstance(keyring.get_keyring(), fail.Keyring)  # never the plain file
    with pytest.raises(SecretStoreUnavailable) as saving:
        secrets.save_secret("stripe-api-key", "default", "sk_test_never_stored")
    message = str(saving.value)
    assert "Could not save the stripe-api-key for default" in message
    assert words[0] in message
    assert "sk_test_never_stored" not in message


def test_a_linux_without_a_secret_service_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/crosslink-test-bus")
    with pytest.raises(SecretStoreUnavailable) as raised:
        native_backend()
    assert "A Secret Service keyring is not available" in str(raised.value)
    assert "GNOME Keyring or KWallet" in str(raised.value)


@pytest.mark.skipif(REAL_PLATFORM == "darwin", reason="the login Keychain is available here")
def test_the_self_test_says_why_the_keychain_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app import selftest

    monkeypatch.setattr(sys, "platform", "darwin")
    use_native_keychain()
    [result] = selftest.run_self_test((selftest.check_keychain,))
    assert result.status == "warn"
    assert "keyring.backends.fail.Keyring: The macOS login Keychain is not available" in result.detail
