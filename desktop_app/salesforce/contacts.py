"""Finding each Account's billing contact (and its mailing address) in the org."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from desktop_app.core.ids import normalize_id
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback
from desktop_app.core.roles import CONTACT_ROLES, SOURCE_ROW
from desktop_app.salesforce.soql import soql_field, soql_id_list

if TYPE_CHECKING:
    from desktop_app.salesforce.client import SalesforceClient

_CONTACT_FIELDS = (
    "Id",
    "AccountId",
    "FirstName",
    "LastName",
    "Email",
    "MailingStreet",
    "MailingCity",
    "MailingState",
    "MailingPostalCode",
    "MailingCountry",
    "CreatedDate",
)
_CODE_FIELDS = ("MailingStateCode", "MailingCountryCode")  # orgs with State and Country/Territory picklists
IDS_PER_QUERY = 300  # keeps each SOQL statement far below the 100,000-character limit


def relationship_name(lookup_field: str) -> str:
    """The relationship a lookup field is traversed by: ``Billing_Contact__c`` → ``Billing_Contact__r``,
    ``ContactId`` → ``Contact``."""
    if lookup_field.endswith("__c"):
        return lookup_field[:-3] + "__r"
    if lookup_field.endswith("Id"):
        return lookup_field[:-2]
    return lookup_field


def _canonical(frame: pd.DataFrame, prefix: str, account_column: str) -> pd.DataFrame:
    def column(name: str) -> pd.Series:
        full = prefix + name
        return frame[full] if full in frame.columns else pd.Series([""] * len(frame), dtype=object)

    def coded(name: str) -> pd.Series:
        # With State and Country/Territory picklists the code counts; a record without one keeps its text.
        code, text = column(name + "Code"), column(name)
        return code.where(code.fillna("").astype(str).str.strip() != "", text)

    names = (column("FirstName").str.cat(column("LastName"), sep=" ")).str.strip()
    out = pd.DataFrame(
        {
            "contact_id": column("Id"),
            "account_id": frame[account_column],
            "name": names,
            "email": column("Email"),
            "street": column("MailingStreet"),
            "city": column("MailingCity"),
            "state": coded("MailingState"),
            "postcode": column("MailingPostalCode"),
            "country": coded("MailingCountry"),
        }
    ).astype(object)
    out[SOURCE_ROW] = range(1, len(out) + 1)
    return out[[*CONTACT_ROLES, SOURCE_ROW]].reset_index(drop=True)


def read_billing_contacts(
    client: SalesforceClient,
    *,
    lookup_field: str | None,
    emails_by_account: Mapping[str, str] | None,
    progress: ProgressCallback,
    cancel: CancelToken,
) -> pd.DataFrame:
    """See ``SalesforceClient.read_billing_contacts``."""
    names = {str(f.get("name")) for f in client.describe("Contact").get("fields") or []}
    fields = [*_CONTACT_FIELDS, *(f for f in _CODE_FIELDS if f in names)]
    if lookup_field:
        relation = relationship_name(soql_field(lookup_field))
        parent = [f"{relation}.{f}" for f in fields if f != "CreatedDate"]
        soql = f"SELECT Id, {', '.join(parent)} FROM Account WHERE {lookup_field} != null"
        frame = client.query(soql, progress=progress, cancel=cancel)
        return _canonical(frame, f"{relation}.", "Id")
    wanted = {}
    for account, email in (emails_by_account or {}).items():
        canonical = normalize_id(account)
        if canonical and email.strip():
            wanted[canonical] = email.strip().lower()
    accounts = sorted(wanted)
    pages = []
    for start in range(0, len(accounts), IDS_PER_QUERY):
        cancel.raise_if_cancelled()
        chunk = accounts[start : start + IDS_PER_QUERY]
        soql = (
            f"SELECT {', '.join(fields)} FROM Contact WHERE AccountId IN "
            f"{soql_id_list(chunk, sobject='Account')} ORDER BY CreatedDate, Id"
        )
        pages.append(client.query(soql, cancel=cancel))
        progress(Progress(min(start + IDS_PER_QUERY, len(accounts)), len(accounts), "Reading billing contacts"))
    if not pages:
        return _canonical(pd.DataFrame({"Id": [], "AccountId": []}, dtype=object), "", "AccountId")
    contacts = pd.concat(pages, ignore_index=True)
    if contacts.empty:
        return _canonical(contacts.reindex(columns=list(_CONTACT_FIELDS), fill_value=""), "", "AccountId")
    contacts["AccountId"] = contacts["AccountId"].map(lambda v: normalize_id(v) or v)
    expected = contacts["AccountId"].map(wanted)
    matching = contacts[contacts["Email"].str.strip().str.lower() == expected]
    first = matching.drop_duplicates("AccountId", keep="first")
    return _canonical(first.reset_index(drop=True), "", "AccountId")
