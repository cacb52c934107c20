"""Logins an admin meets since Salesforce's September 2025 connected-app restrictions, against sandbox
orgs set up that way: each refusal reaches the person as a sentence with its remedy."""

from __future__ import annotations

import urllib.request
from dataclasses import replace
from typing import Any

import pytest
from sf_support import registered_login, sandbox_app, walk_sandbox_login

from desktop_app.salesforce import oauth
from desktop_app.salesforce.errors import LoginError
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.sandbox.salesforce import with_knobs


def browser_login(started: tuple[Any, int]) -> TokenSet:
    """The whole login: our listener, the sandbox's login page walked over HTTPS, the redirect followed."""
    sandbox, port = started

    def browser(url: str) -> None:
        with urllib.request.urlopen(walk_sandbox_login(sandbox, url), timeout=5) as answer:
            answer.read()

    return oauth.login(sandbox_app(sandbox), port=port, open_browser=browser, timeout=30)


def test_an_app_not_installed_in_the_org_is_refused_with_the_install_remedy(start_sandbox: Any) -> None:
    with pytest.raises(LoginError) as refused:
        browser_login(registered_login(start_sandbox, "app-not-installed", accounts=5))
    assert refused.value.code == "invalid_client"
    message = str(refused.value)
    assert "not installed in this org" in message
    assert "Remedy:" in message
    assert "Approve Uninstalled Connected Apps" in message


def test_a_user_who_may_approve_uninstalled_apps_still_logs_in(start_sandbox: Any) -> None:
    allowed = with_knobs("app-not-installed", user_may_approve_uninstalled_apps=True)
    assert browser_login(registered_login(start_sandbox, allowed, accounts=5)).refresh_token


def test_a_user_not_pre_authorised_is_refused_with_invalid_app_access(start_sandbox: Any) -> None:
    with pytest.raises(LoginError) as refused:
        browser_login(registered_login(start_sandbox, "user-not-preauthorized", accounts=5))
    assert refused.value.code == "invalid_app_access"
    message = str(refused.value)
    assert "not pre-authorised" in message
    assert "Edit Policies" in message
    assert "All users may self-authorize" in message


def test_pre_authorising_the_profile_lets_the_user_in(start_sandbox: Any) -> None:
    started = registered_login(start_sandbox, "user-not-preauthorized", accounts=5)
    sandbox = started[0]
    profile = sandbox.org.default_user.profile_name
    sandbox.org.scenario = replace(sandbox.org.scenario, preauthorized_profiles=(profile,))
    assert browser_login(started).refresh_token


def test_a_saved_login_refused_after_the_policy_changed_says_so(start_sandbox: Any) -> None:
    """The admin switched Permitted Users to pre-authorised after the user logged in: the saved refresh
    token now answers invalid_app_access, and the message says what to change."""
    started = registered_login(start_sandbox, accounts=5)
    sandbox = started[0]
    tokens = browser_login(started)
    assert tokens.refresh_token
    sandbox.org.scenario = replace(sandbox.org.scenario, admin_approved_users_only=True)
    with pytest.raises(LoginError) as refused:
        oauth.refresh_access_token(sandbox_app(sandbox), tokens.refresh_token)
    assert refused.value.code == "invalid_app_access"
    assert "not pre-authorised" in str(refused.value)
    assert tokens.refresh_token not in str(refused.value)
