"""The identity URL and OpenID userinfo documents of a sandbox user (``urls`` keep a literal
``{version}``, as Salesforce's do)."""

from __future__ import annotations

from typing import Any

from desktop_app.sandbox.salesforce.org import DemoUser


def identity_url(base_url: str, org_id: str, user_id: str) -> str:
    """The ``id`` of a token response."""
    return f"{base_url}/id/{org_id}/{user_id}"


def _urls(base: str, org: str, user: DemoUser) -> dict[str, str]:
    data = f"{base}/services/data/v{{version}}"
    return {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{org}",
        "metadata": f"{base}/services/Soap/m/{{version}}/{org}",
        "partner": f"{base}/services/Soap/u/{{version}}/{org}",
        "rest": f"{data}/",
        "sobjects": f"{data}/sobjects/",
        "search": f"{data}/search/",
        "query": f"{data}/query/",
        "recent": f"{data}/recent/",
        "tooling_soap": f"{base}/services/Soap/T/{{version}}/{org}",
        "tooling_rest": f"{data}/tooling/",
        "profile": f"{base}/{user.user_id}",
        "users": f"{data}/chatter/users",
        "custom_domain": base,
    }


def identity_document(base_url: str, org_id: str, user: DemoUser) -> dict[str, Any]:
    """What ``GET {id}`` answers for ``user``."""
    first, _, last = user.name.partition(" ")
    return {
        "id": identity_url(base_url, org_id, user.user_id),
        "asserted_user": True,
        "user_id": user.user_id,
        "organization_id": org_id,
        "username": user.username,
        "nick_name": user.username.split("@")[0],
        "display_name": user.name,
        "email": user.email,
        "email_verified": True,
        "first_name": first,
        "last_name": last,
        "timezone": "America/Los_Angeles",
        "photos": {},
        "addr_street": None,
        "addr_city": None,
        "addr_state": None,
        "addr_country": "US",
        "addr_zip": None,
        "mobile_phone": None,
        "mobile_phone_verified": False,
        "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None},
        "urls": _urls(base_url, org_id, user),
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "last_modified_date": "2024-01-15T09:30:00.000+0000",
        "is_app_installed": True,
    }


def userinfo_document(base_url: str, org_id: str, user: DemoUser) -> dict[str, Any]:
    """What ``GET /services/oauth2/userinfo`` answers for ``user``."""
    first, _, last = user.name.partition(" ")
    return {
        "sub": identity_url(base_url, org_id, user.user_id),
        "user_id": user.user_id,
        "organization_id": org_id,
        "preferred_username": user.username,
        "nickname": user.username.split("@")[0],
        "name": user.name,
        "email": user.email,
        "email_verified": True,
        "given_name": first,
        "family_name": last,
        "zoneinfo": "America/Los_Angeles",
        "photos": {},
        "profile": f"{base_url}/{user.user_id}",
        "picture": None,
        "address": {"country": "US"},
        "is_salesforce_integration_user": False,
        "urls": _urls(base_url, org_id, user),
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "updated_at": "2024-01-15T09:30:00Z",
    }
