"""Token responses from Salesforce's OAuth token endpoint, held so that no token is ever printed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from desktop_app.salesforce.errors import LoginError


@dataclass(frozen=True)
class TokenSet:
    """What a token response gave us. ``repr``/``str`` show ids and hosts, never the tokens."""

    access_token: str = field(repr=False)
    instance_url: str
    identity_url: str
    refresh_token: str | None = field(default=None, repr=False)
    scope: str = ""
    issued_at_ms: int | None = None

    @property
    def org_id(self) -> str:
        """The 18-character organization id, from the identity URL (``.../id/<org>/<user>``)."""
        return _identity_parts(self.identity_url)[0]

    @property
    def user_id(self) -> str:
        """The 18-character user id, from the identity URL."""
        return _identity_parts(self.identity_url)[1]

    def with_refreshed(self, newer: TokenSet) -> TokenSet:
        """This token set after a refresh: the new access token, the old refresh token unless rotated."""
        return replace(
            newer,
            refresh_token=newer.refresh_token or self.refresh_token,
            identity_url=newer.identity_url or self.identity_url,
        )


def _identity_parts(identity_url: str) -> tuple[str, str]:
    segments = [s for s in urlsplit(identity_url).path.split("/") if s]
    if len(segments) >= 3 and segments[-3] == "id":
        return segments[-2], segments[-1]
    raise LoginError("Salesforce answered without a usable identity URL; the login cannot be saved.")


def parse_token_response(payload: Mapping[str, Any]) -> TokenSet:
    """A ``TokenSet`` from the JSON of a successful token response, or ``LoginError`` if it is incomplete."""
    access = payload.get("access_token")
    instance = payload.get("instance_url")
    identity = payload.get("id", "")
    if not isinstance(access, str) or not access or not isinstance(instance, str) or not instance:
        raise LoginError("Salesforce's token answer had no access token or instance URL.")
    issued = payload.get("issued_at")
    refresh = payload.get("refresh_token")
    return TokenSet(
        access_token=access,
        instance_url=instance.rstrip("/"),
        identity_url=identity if isinstance(identity, str) else "",
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        scope=str(payload.get("scope", "")),
        issued_at_ms=int(issued) if isinstance(issued, str | int) and str(issued).isdigit() else None,
    )
