"""Our own exception types for everything that can go wrong talking to Salesforce.

Every message is a plain sentence a user can act on. No message, repr or ``args`` ever contains an
access token, refresh token, client secret or authorization code.
"""

from __future__ import annotations


class SalesforceError(Exception):
    """Base of every Salesforce-side failure; ``code`` is Salesforce's error code when known."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class LoginError(SalesforceError):
    """The OAuth login did not complete (refused, timed out, wrong host, bad client id, ...)."""


class LoginCancelled(LoginError):
    """The user cancelled the login, or refused access on the consent page."""


class PortBusy(LoginError):
    """The loopback port for the OAuth redirect is used by another program."""


class SessionExpired(SalesforceError):
    """The access token is no longer valid and could not be renewed; the user must log in again."""


class ApiDisabled(SalesforceError):
    """The org's edition or the user's permissions do not allow API access."""


class RequestLimitExceeded(SalesforceError):
    """The org has used up its daily API requests (or Bulk batches); stop and try again later."""


class ApiRequestFailed(SalesforceError):
    """Salesforce rejected a request (bad field, bad query, not found, server error ...)."""


class TransientFailure(SalesforceError):
    """A failure that went away on its own in the past (5xx, dropped connection) and did not this time."""


class WriteOutcomeUnknown(TransientFailure):
    """A write reached the wire but its answer was lost (dropped connection, read timeout).

    It is never re-sent blindly: whoever sent it re-reads the records before deciding to retry.
    """


class BulkJobFailed(SalesforceError):
    """A Bulk API 2.0 job ended Failed or Aborted."""


class ProfileNotFound(SalesforceError):
    """No saved connection profile has that name."""


class UnsafeSoqlValue(SalesforceError, ValueError):
    """A value (id, field name) cannot be put into a SOQL query safely."""
