"""Plain sentences, each with its remedy, for the OAuth errors Salesforce answers a login with.

The codes arrive either in the redirect to the loopback listener (``?error=..&error_description=..``)
or in the JSON of the token endpoint. Since September 2025 Salesforce blocks connected apps that are
not installed in the org, and an app whose Permitted Users are "Admin approved users are pre-authorized"
refuses every user its policy does not list; an admin meets both when first connecting Crosslink.
"""

from __future__ import annotations

_NOT_INSTALLED = (
    "Salesforce refused the login because the External Client App is not installed in this org "
    "(since September 2025 Salesforce blocks apps that are not installed). Remedy: a Salesforce admin "
    "creates Crosslink's External Client App in this org, or installs the app from Setup → Connected "
    "Apps OAuth Usage → Install; until then only users with the 'Approve Uninstalled Connected Apps' "
    "permission can log in through it."
)

_NOT_PRE_AUTHORISED = (
    "Salesforce refused the login because your user is not pre-authorised for the External Client App "
    "(its Permitted Users policy is 'Admin approved users are pre-authorized' and does not list your "
    "profile or any of your permission sets). Remedy: a Salesforce admin opens the app's policies "
    "(Setup → External Client App Manager → the app → Edit Policies) and adds your profile or a "
    "permission set assigned to you, or sets Permitted Users to 'All users may self-authorize'; then "
    "log in again."
)

_NOT_APPROVED_CONSUMER = (
    "Salesforce refused the login because this user has not approved the External Client App. Remedy: "
    "log in once through the browser and allow access, or ask a Salesforce admin to pre-authorise your "
    "profile or permission set in the app's policies."
)

_REDIRECT_MISMATCH = (
    "Salesforce refused the login because the redirect address Crosslink used is not one of the External "
    "Client App's callback URLs. Remedy: add http://localhost:<port>/OauthRedirect (with the port "
    "Crosslink shows) to the app's callback URLs, or log in with --port set to a registered one."
)


def explain_login_error(error: str, description: str = "") -> str | None:
    """The sentence with the remedy for OAuth ``error`` (and its ``error_description``), or None when
    there is no better text than Salesforce's own description."""
    lowered = description.lower()
    if error == "invalid_client" and "must be installed" in lowered:
        return _NOT_INSTALLED
    if error == "invalid_app_access" or "not admin approved" in lowered:
        return _NOT_PRE_AUTHORISED
    if error == "invalid_grant" and "hasn't approved this consumer" in lowered:
        return _NOT_APPROVED_CONSUMER
    if error == "redirect_uri_mismatch":
        return _REDIRECT_MISMATCH
    return None
