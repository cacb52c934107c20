"""Who may use the org's External Client App, as Salesforce decides it since the September 2025
connected-app usage restrictions.

- An app that is not installed in the org is refused at login to every user without the
  "Approve Uninstalled Connected Apps" permission (``invalid_client``, "app must be installed into org").
- With Permitted Users = "Admin approved users are pre-authorized", a user whose profile or permission
  sets the app's policy does not list is refused (``invalid_app_access``), at login and when a saved
  refresh token is used. The client-credentials run-as user is not subject to Permitted Users.
"""

from __future__ import annotations

from desktop_app.sandbox.salesforce.scenario import Scenario

NOT_INSTALLED = ("invalid_client", "app must be installed into org")
NOT_APPROVED = ("invalid_app_access", "user is not admin approved to access this app")


def login_refusal(scenario: Scenario, profile_name: str) -> tuple[str, str] | None:
    """The (error, description) a login through the web-server flow gets, or None when allowed."""
    if not scenario.app_installed and not scenario.user_may_approve_uninstalled_apps:
        return NOT_INSTALLED
    return refresh_refusal(scenario, profile_name)


def refresh_refusal(scenario: Scenario, profile_name: str) -> tuple[str, str] | None:
    """The (error, description) a refresh-token grant gets, or None when allowed.

    Users who authorised an uninstalled app before the restriction keep using it, so only the
    Permitted Users policy applies here.
    """
    if scenario.admin_approved_users_only and profile_name not in scenario.preauthorized_profiles:
        return NOT_APPROVED
    return None
