"""Named connection profiles: where to log in and who logged in — never a secret.

Profiles live in one JSON file, ``connections.json``, in the app's config folder
(``desktop_app.core.app_folders.config_dir``). Tokens and client secrets go to the keychain through
``desktop_app.secrets``, keyed by ``secret_account``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from desktop_app.core.app_folders import config_dir
from desktop_app.salesforce.errors import ProfileNotFound

REFRESH_TOKEN_KIND = "salesforce-refresh-token"
CLIENT_SECRET_KIND = "salesforce-client-secret"
DEFAULT_PROFILE = "default"
_FILE_NAME = "connections.json"


@dataclass(frozen=True)
class ConnectionProfile:
    """A saved Salesforce connection. ``auth`` is ``web`` (browser login) or ``client-credentials``."""

    name: str
    login_host: str
    consumer_key: str
    instance_url: str
    org_id: str
    user_id: str
    username: str = ""
    ca_bundle: str | None = None
    auth: str = "web"
    redirect_port: int | None = None

    @property
    def secret_account(self) -> str:
        """The keychain account the refresh token (or client secret) is stored under."""
        return f"{self.org_id}/{self.user_id}"


def profiles_file() -> Path:
    """The JSON file holding every connection profile."""
    return config_dir() / _FILE_NAME


def load_profiles() -> dict[str, ConnectionProfile]:
    """Every saved profile by name (empty when none was saved yet)."""
    path = profiles_file()
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(ConnectionProfile)}
    return {
        name: ConnectionProfile(**{k: v for k, v in data.items() if k in known})
        for name, data in raw.get("profiles", {}).items()
    }


def get_profile(name: str) -> ConnectionProfile:
    """The profile called ``name``, or ``ProfileNotFound`` listing the saved ones."""
    profiles = load_profiles()
    if name not in profiles:
        saved = ", ".join(sorted(profiles)) or "none yet"
        raise ProfileNotFound(
            f"There is no Salesforce connection called '{name}' (saved: {saved}). "
            f"Run 'desktop-app login --profile {name}' first."
        )
    return profiles[name]


def save_profile(profile: ConnectionProfile) -> Path:
    """Add or replace ``profile``; returns the file written (readable by the user only)."""
    profiles = load_profiles()
    profiles[profile.name] = profile
    _write(profiles)
    return profiles_file()


def delete_profile(name: str) -> bool:
    """Remove the profile called ``name``; returns False when there was none."""
    profiles = load_profiles()
    if profiles.pop(name, None) is None:
        return False
    _write(profiles)
    return True


def _write(profiles: dict[str, ConnectionProfile]) -> None:
    path = profiles_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"profiles": {n: asdict(p) for n, p in sorted(profiles.items())}}, indent=2)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".connections-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
