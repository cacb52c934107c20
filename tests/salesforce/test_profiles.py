"""Connection profiles on disk: where they go, what they hold, and what a missing one says."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from desktop_app.salesforce.contacts import relationship_name
from desktop_app.salesforce.errors import ProfileNotFound
from desktop_app.salesforce.profiles import (
    ConnectionProfile,
    delete_profile,
    get_profile,
    load_profiles,
    profiles_file,
    save_profile,
)


def profile(name: str) -> ConnectionProfile:
    return ConnectionProfile(
        name=name,
        login_host="https://login.salesforce.com",
        consumer_key="3MVGkey",
        instance_url="https://acme.my.salesforce.com",
        org_id="00D5g000004XyZaEAK",
        user_id="0055g00000AbCdEAAV",
        username="admin@acme.com",
    )


def test_profiles_round_trip_in_the_config_dir_readable_by_the_user_only(private_config_dir: Path) -> None:
    save_profile(profile("prod"))
    save_profile(profile("uat"))
    assert profiles_file() == private_config_dir / "connections.json"
    assert stat.S_IMODE(profiles_file().stat().st_mode) == 0o600
    assert load_profiles()["prod"] == profile("prod")
    assert get_profile("uat").secret_account == "00D5g000004XyZaEAK/0055g00000AbCdEAAV"
    assert delete_profile("prod")
    assert not delete_profile("prod")
    assert list(load_profiles()) == ["uat"]


def test_missing_profile_lists_the_saved_ones() -> None:
    save_profile(profile("prod"))
    with pytest.raises(ProfileNotFound, match=r"'staging' \(saved: prod\).*desktop-app login --profile staging"):
        get_profile("staging")


@pytest.mark.parametrize(
    ("lookup", "relationship"),
    [("Billing_Contact__c", "Billing_Contact__r"), ("ContactId", "Contact"), ("Owner", "Owner")],
)
def test_lookup_fields_map_to_their_relationship(lookup: str, relationship: str) -> None:
    assert relationship_name(lookup) == relationship
