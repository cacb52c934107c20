"""What a reviewer weighs for one decision: the account and its candidate customers field by field.

Values come from the loaded accounts and customers frames, looked up by id. Each candidate's value is
compared with the record it would be linked to (same / differs / missing on one side), after the
light normalising a person would do in their head (case, spacing, phone punctuation, "www.").
When the matcher wrote per-field evidence (an ``evidence`` column holding JSON), that is read too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from desktop_app.core.countries import resolve_country
from desktop_app.core.ids import same_account
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.normalize import clean_company_name
from desktop_app.workflow.review import candidates_of

SAME, DIFFERS, MISSING = "same", "differs", "missing"
# (label, account column, customer column); "domain" and the link rows are worked out below.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("Name", "name", "name"),
    ("Legal name", "legal_name", "legal_name"),
    ("Website / e-mail domain", "domain", "domain"),
    ("E-mail", "email", "email"),
    ("Phone", "phone", "phone"),
    ("Street", "street", "street"),
    ("City", "city", "city"),
    ("Postcode", "postcode", "postcode"),
    ("State", "state", "state"),
    ("Country", "country", "country"),
    ("Currency", "currency", "currency"),
)


@dataclass(frozen=True)
class Record:
    """One account or customer as shown in the evidence: its id, a title and its field values."""

    side: str  # "account" or "customer"
    record_id: str
    title: str
    values: dict[str, str]
    found: bool  # False when the id is not among the loaded records


@dataclass(frozen=True)
class Evidence:
    """The row's own record, the records on the other side it may be linked to, and the reason."""

    anchor: Record
    candidates: tuple[Record, ...]
    labels: tuple[str, ...]  # one per field row, in order
    reason: str
    matcher: tuple[tuple[str, str], ...]  # (field, what the matcher found) when it wrote evidence

    def verdict(self, candidate: Record, label: str) -> str:
        """``SAME``, ``DIFFERS`` or ``MISSING`` for one candidate's field against the anchor."""
        return compare(label, self.anchor.values.get(label, ""), candidate.values.get(label, ""))


class Lookup:
    """Rows of a loaded frame by id (the index is built once, on first use)."""

    def __init__(self, frame: pd.DataFrame | None, id_column: str) -> None:
        self._frame = frame if frame is not None and id_column in frame.columns else None
        self._column = id_column
        self._index: pd.Index | None = None

    def prepare(self) -> Lookup:
        """Build the index now (off the UI thread, say) rather than on the first ``get``."""
        self.get("\0")
        return self

    def get(self, record_id: str) -> dict[str, str] | None:
        """The record's values as text, or None when no loaded record has that id."""
        if self._frame is None or not record_id:
            return None
        if self._index is None:
            self._index = pd.Index(self._frame[self._column].astype(str).str.strip())
            self._index.get_indexer_for(pd.Index([""]))  # builds the hash table once
        hits = self._index.get_indexer_for(pd.Index([record_id]))
        hits = hits[hits >= 0]
        if not len(hits):
            return None
        row = self._frame.iloc[int(hits[0])]
        return {str(k): "" if pd.isna(v) else str(v).strip() for k, v in row.items()}


def domain_of(website: str, email: str) -> str:
    """The web domain of a website, else of an e-mail address ("" when neither has one)."""
    site = re.sub(r"^[a-z]+://", "", website.strip().casefold()).split("/")[0].removeprefix("www.")
    if site:
        return site
    return email.strip().casefold().rpartition("@")[2] if "@" in email else ""


def compare(label: str, left: str, right: str) -> str:
    """How two values of one field relate, normalised the way a person reads them."""
    if not left.strip() or not right.strip():
        return MISSING
    if label == "Phone":
        left, right = re.sub(r"\D", "", left)[-9:], re.sub(r"\D", "", right)[-9:]
    elif label in ("Name", "Legal name"):  # "Acme Ltd." and "ACME" name the same company
        left, right = clean_company_name(left) or left.casefold(), clean_company_name(right) or right.casefold()
    elif label == "Country":  # "Netherlands" and "NL" are the same country
        left, right = (getattr(resolve_country(v), "code", v.casefold()) for v in (left, right))
    elif label == "Account id":  # the 15-, 18- and case-damaged forms name one Account, as Salesforce reads them
        return SAME if same_account(left, right) else DIFFERS
    else:
        left, right = " ".join(left.casefold().split()), " ".join(right.casefold().split())
    return SAME if left == right else DIFFERS


def _record(side: str, record_id: str, values: dict[str, str] | None, link_field: str) -> Record:
    raw = values or {}
    shown = {label: raw.get(column if side == "account" else other, "")
             for label, column, other in FIELDS}
    shown["Website / e-mail domain"] = domain_of(raw.get("website", ""), raw.get("email", ""))
    if side == "account":
        shown[f"Link field {link_field}"] = raw.get("link_customer_id", "")
        shown["Account id"] = record_id
    else:
        shown[f"Link field {link_field}"] = record_id  # what the account's link field should hold
        shown["Account id"] = raw.get("sf_account_id", "")  # the account id the customer holds
    title = raw.get("name", "") or "(not among the loaded records)"
    return Record(side, record_id, title, shown, values is not None)


def _matcher_evidence(value: object) -> tuple[tuple[str, str], ...]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return ()
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return (("", str(value)),)
    items: list[tuple[object, object]]
    if isinstance(parsed, Mapping):
        items = list(parsed.items())
    elif isinstance(parsed, list):
        items = [(str(p.get("field", "")) if isinstance(p, Mapping) else "", p) for p in parsed]
    else:
        return (("", str(parsed)),)
    rows = []
    for name, detail in items:
        if isinstance(detail, Mapping):
            text = ", ".join(f"{k}: {v}" for k, v in detail.items() if k != "field")
        elif isinstance(detail, list | tuple) and detail:
            text = _weighed(detail)
        else:
            text = str(detail)
        rows.append((str(name).replace("_", " "), text))
    return tuple(rows)


_LEVEL_WORDS = {"agree": "agrees", "partly agree": "agrees only in part", "disagree": "differs",
                "missing": "missing on one side",
                "agree without the qualifier": "agrees without its qualifier"}


def _weighed(detail: list[object] | tuple[object, ...]) -> str:
    """``["agree", 11.2]`` as "agrees (weight +11.2)"; a decision without a weight (an existing link,
    a mapping row) says what it rests on instead."""
    level = str(detail[0])
    words = _LEVEL_WORDS.get(level, level.replace("_", " "))
    weight = detail[1] if len(detail) > 1 else None
    if isinstance(weight, int | float):
        return f"{words} (weight {weight:+.1f})"
    return f"{words} (decided by the link itself, not weighed)"


def evidence_for(decisions: pd.DataFrame, position: int, accounts: pd.DataFrame | None,
                 customers: pd.DataFrame | None, *, link_field: str = DEFAULT_LINK_FIELD,
                 account_lookup: Lookup | None = None, customer_lookup: Lookup | None = None) -> Evidence:
    """The evidence for decision row ``position``: an account row against every customer it may take
    (proposed, candidates, the one its link field names), a customer row against its candidate accounts."""
    accounts_by_id = account_lookup or Lookup(accounts, "account_id")
    customers_by_id = customer_lookup or Lookup(customers, "customer_id")
    account_id = str(decisions["account_id"].iat[position])
    customer_id = str(decisions["customer_id"].iat[position])
    if account_id:
        values = accounts_by_id.get(account_id)
        anchor = _record("account", account_id, values, link_field)
        ids = [c for c, _ in candidates_of(decisions, position)]
        held = (values or {}).get("link_customer_id", "")
        ids += [held] if held and held not in ids else []
        others = tuple(_record("customer", c, customers_by_id.get(c), link_field) for c in ids)
    else:
        anchor = _record("customer", customer_id, customers_by_id.get(customer_id), link_field)
        ids = [c for c, _ in candidates_of(decisions, position) if c != customer_id]
        others = tuple(_record("account", a, accounts_by_id.get(a), link_field) for a in ids)
    labels = tuple(anchor.values)
    reason = str(decisions["reason"].iat[position]) if "reason" in decisions.columns else ""
    matcher = _matcher_evidence(decisions["evidence"].iat[position]) if "evidence" in decisions.columns else ()
    return Evidence(anchor, others, labels, reason, matcher)
