"""Where adapters get their credentials: environment variables (automation) or the keychain.

Environment variables win so CI and scripts never need a keychain; the desktop app saves keys
through ``desktop_app.secrets`` only. Values are returned to the caller and never logged.
"""

from __future__ import annotations

import os

from desktop_app import secrets
from desktop_app.billing.base import BillingAuthError

STRIPE_KEY_ENV = "CROSSLINK_STRIPE_API_KEY"
SEQUENCE_ID_ENV = "CROSSLINK_SEQUENCE_CLIENT_ID"
SEQUENCE_SECRET_ENV = "CROSSLINK_SEQUENCE_CLIENT_SECRET"

STRIPE_SECRET_KIND = "stripe-api-key"
SEQUENCE_SECRET_KIND = "sequence-client-secret"
SEQUENCE_ID_KIND = "sequence-client-id"
DEFAULT_PROFILE = "default"


def _from_env_or_keychain(env_var: str, kind: str, profile: str) -> str | None:
    value = os.environ.get(env_var, "").strip()
    if value:
        return value
    try:
        stored = secrets.load_secret(kind, profile)
    except secrets.SecretStoreUnavailable as error:
        raise BillingAuthError(f"{error} Or set {env_var} for this run.") from None
    return stored.strip() if stored else None


def stripe_api_key(profile: str = DEFAULT_PROFILE, *, env_var: str = STRIPE_KEY_ENV) -> str:
    """The Stripe secret key from ``env_var`` or the keychain; ``BillingAuthError`` when neither has one."""
    key = _from_env_or_keychain(env_var, STRIPE_SECRET_KIND, profile)
    if not key:
        raise BillingAuthError(
            f"No Stripe API key: set {env_var} or save the key in Crosslink (profile {profile!r})."
        )
    return key


def sequence_credentials(
    profile: str = DEFAULT_PROFILE,
    *,
    id_env_var: str = SEQUENCE_ID_ENV,
    secret_env_var: str = SEQUENCE_SECRET_ENV,
) -> tuple[str, str]:
    """Sequence (client id, client secret) from the environment or the keychain."""
    client_id = _from_env_or_keychain(id_env_var, SEQUENCE_ID_KIND, profile)
    client_secret = _from_env_or_keychain(secret_env_var, SEQUENCE_SECRET_KIND, profile)
    if not client_id or not client_secret:
        raise BillingAuthError(
            f"No Sequence API credentials: set {id_env_var} and {secret_env_var}, or save them in "
            f"Crosslink (profile {profile!r})."
        )
    return client_id, client_secret


def credential_env_var(system: str, name: str) -> str:
    """The environment variable that holds credential ``name`` of billing system ``system``."""
    return f"CROSSLINK_{system}_{name}".upper().replace("-", "_")


def credential_kind(system: str, name: str) -> str:
    """The keychain kind under which credential ``name`` of ``system`` is saved."""
    return f"{system}-{name}".lower().replace("_", "-")


def load_credential(system: str, name: str, profile: str = DEFAULT_PROFILE) -> str | None:
    """Credential ``name`` of ``system`` from its environment variable or the keychain (None when neither)."""
    return _from_env_or_keychain(credential_env_var(system, name), credential_kind(system, name), profile)


def save_credential(system: str, name: str, value: str, profile: str = DEFAULT_PROFILE) -> None:
    """Store credential ``name`` of ``system`` in the keychain."""
    secrets.save_secret(credential_kind(system, name), profile, value)
