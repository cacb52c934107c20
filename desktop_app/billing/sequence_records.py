"""A Sequence customer as the API carries it: where the Salesforce Account id is kept on it, the
body a ``PUT /customers/{id}`` takes back, and the text of an error answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from desktop_app.billing.base import clean_text
from desktop_app.billing.http import HttpAnswer

# The fields the body of ``PUT /customers/{id}`` takes (Sequence's API reference): the PUT replaces
# exactly these, so each is sent back as read; the rest of a GET answer (id, createdAt, domain,
# organizations, sequenceAccountId, archivedAt …) is kept by Sequence and never sent.
WRITABLE_FIELDS = (
    "legalName", "contactName", "address", "email", "billingEmails", "telephone", "url", "label",
    "integrationIds", "taxStatus", "customerAliases", "customProperties",
)


@dataclass(frozen=True)
class SequenceLinkStorage:
    """Where the Salesforce Account id is kept on a Sequence customer."""

    kind: Literal["integration_id", "custom_property"] = "integration_id"
    name: str = "Salesforce"

    def describe(self) -> str:
        """Human text for the capabilities screen."""
        if self.kind == "integration_id":
            return f'integrationIds entry with service "{self.name}"'
        return f'custom property "{self.name}"'

    def read(self, customer: dict[str, Any], *, exact: bool = False) -> str:
        """The stored Salesforce Account id, "" when none (stripped unless ``exact``)."""
        text = (lambda value: "" if value is None else str(value)) if exact else clean_text
        if self.kind == "integration_id":
            for entry in customer.get("integrationIds") or []:
                if isinstance(entry, dict) and entry.get("service") == self.name:
                    return text(entry.get("id"))
            return ""
        return text((customer.get("customProperties") or {}).get(self.name))

    def write(self, body: dict[str, Any], account_id: str) -> None:
        """Set the link in a PUT body, keeping every other integration id / property.

        An empty ``account_id`` removes the link (how an undo restores "no link").
        """
        if self.kind == "integration_id":
            kept = [e for e in body.get("integrationIds") or [] if e.get("service") != self.name]
            body["integrationIds"] = [*kept, {"service": self.name, "id": account_id}] if account_id else kept
        else:
            properties = {k: v for k, v in (body.get("customProperties") or {}).items() if k != self.name}
            body["customProperties"] = {**properties, self.name: account_id} if account_id else properties


def put_body(customer: dict[str, Any]) -> dict[str, Any]:
    """The whole writable record from a GET answer, ready to send back with ``PUT``."""
    body = {key: customer[key] for key in WRITABLE_FIELDS if key in customer}
    body["integrationIds"] = [
        {"service": entry.get("service"), "id": entry.get("id")}
        for entry in customer.get("integrationIds") or [] if isinstance(entry, dict)
    ]
    return body


def error_text(response: HttpAnswer) -> tuple[str, str]:
    """(code, readable message) from a Sequence error answer, tolerant of unexpected bodies."""
    try:
        payload = response.json()
    except ValueError:
        return f"http_{response.status_code}", response.text[:200]
    error = payload.get("error", payload) if isinstance(payload, dict) else {}
    if not isinstance(error, dict):  # ``{"error": "some text"}``: the text is the message
        error = {"message": error}
    code = str(error.get("code") or f"http_{response.status_code}")
    message = str(error.get("message") or "")
    fields = error.get("fields")
    if not isinstance(fields, list):
        fields = []
    details = "; ".join(
        f"{f.get('field')}: {str(f.get('message') or '').rstrip('.')}" for f in fields if isinstance(f, dict)
    )
    return code, " ".join(part.rstrip(".") for part in (message, details) if part)
