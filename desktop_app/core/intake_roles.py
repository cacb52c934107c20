"""Map a table's headers onto canonical roles, by name and confirmed by content.

Headers are compared in a normalised form (lower case, letters and digits only), so
``Billing Street``, ``billing_street`` and ``BillingStreet`` are the same. The link columns are
checked against their content: a Salesforce-id column must mostly hold Account ids (prefix 001),
a billing link column must not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import pandas as pd

from desktop_app.core.ids import to_18_series
from desktop_app.core.intake_aliases import ADDRESS_PREFIXES, ADDRESS_ROLES, ALIASES, OTHER_RECORDS
from desktop_app.core.intake_types import RoleMapping, TableError
from desktop_app.core.roles import ROLES_BY_SIDE, Side

_CONTENT_SAMPLE = 5_000
_CONFIRM_SHARE = 0.5  # a named sf/account id column must be at least this share Account ids
_OFFER_SHARE = 0.8  # an unnamed column must be at least this share Account ids to be offered


_LINK_FIELD = re.compile(r"(?i).*customer.*id.*__c")
_SF_FIELD = re.compile(r"(?i).*(salesforce|sfdc).*id.*")
_ID_WORD = re.compile(r"(?:^|[^a-zA-Z])(?:id|Id|ID)(?:[^a-zA-Z]|$)|[a-z](?:Id|ID)(?:[^a-z]|$)")
# Roles holding ids whose content is checked against the shape of Salesforce Account ids.
_MUST_BE_ACCOUNT_IDS = {
    (Side.ACCOUNTS, "account_id"),
    (Side.CUSTOMERS, "sf_account_id"),
    (Side.MAPPING, "account_id"),
}
_MUST_NOT_BE_ACCOUNT_IDS = {
    (Side.ACCOUNTS, "link_customer_id"),
    (Side.CUSTOMERS, "customer_id"),
    (Side.MAPPING, "customer_id"),
}
_SALESFORCE_ID_ROLE = {
    Side.ACCOUNTS: "account_id",
    Side.CUSTOMERS: "sf_account_id",
    Side.MAPPING: "account_id",
}
# Roles where the column with more values wins over a better-named one (name vs. code columns).
_MOST_CONTENT_WINS = {"country", "state"}
# A name column filled on fewer than half the rows another name column fills loses to it (QuickBooks'
# "Company name" is empty for most customers, its "Customer" never); a description never takes the name so.
_LAST_RESORT_NAMES = {"description"}


def normalize_header(header: str) -> str:
    """The form headers are compared in: lower case, accents folded ("Téléphone" -> "telephone"), letters
    and digits only."""
    folded = unicodedata.normalize("NFKD", str(header).lower().replace("ß", "ss"))
    return re.sub(r"[^0-9a-z]", "", folded)


def is_id_header(header: str) -> bool:
    """True when a header names an id: the word ``id`` or a known id/link column name."""
    key = field_of_record(header) or normalize_header(header)
    if _ID_WORD.search(str(header)) or _LINK_FIELD.fullmatch(str(header)) or _SF_FIELD.fullmatch(str(header)):
        return True
    id_roles = ("account_id", "customer_id", "contact_id", "link_customer_id", "sf_account_id")
    return any(key in ALIASES[side].get(role, ()) for side in ALIASES for role in id_roles if role != "name")


def account_id_share(values: pd.Series) -> float:
    """Share (0–1) of the non-empty values (a sample) that are valid Salesforce Account ids."""
    text = values.head(_CONTENT_SAMPLE * 4).astype(str).str.strip()
    text = text[text != ""].head(_CONTENT_SAMPLE)
    if len(text) == 0:
        return 0.0
    id18 = to_18_series(text)
    return float((id18.notna() & id18.fillna("").str.startswith("001")).mean())


def _filled(frame: pd.DataFrame, header: str) -> int:
    return int((frame[header] != "").sum())


def _candidates(headers: list[str], side: Side, role: str, used: set[str]) -> list[str]:
    keys = {h: normalize_header(h) for h in headers}
    found: list[str] = []
    # The role's own name first: a file the app or a script wrote with canonical headers reads back.
    for alias in (normalize_header(role), *ALIASES[side].get(role, ())):
        found += [h for h in headers if keys[h] == alias and h not in found]
    aliases = (normalize_header(role), *ALIASES[side].get(role, ()))
    if role in ADDRESS_ROLES:
        found += [h for h in headers if h not in found and _without_owner(keys[h]) in aliases]
    fields = {h: field_of_record(h) for h in headers}
    found += [h for h in headers if h not in found and fields[h] and (
        fields[h] in aliases or (role in ADDRESS_ROLES and _without_owner(fields[h]) in aliases))]
    pattern = {"link_customer_id": _LINK_FIELD, "sf_account_id": _SF_FIELD}.get(role)
    if pattern is not None and side in (Side.ACCOUNTS, Side.CUSTOMERS):
        found += [h for h in headers if pattern.fullmatch(h) and h not in found]
    return [h for h in found if h not in used]


def field_of_record(header: str) -> str:
    """The normalised field of an "Object.Field" / "Object: Field" header ("Account.AccountNumber" ->
    "accountnumber"); "" for a plain header or one whose object is another record (its owner, parent,
    shipping contact)."""
    parts = re.split(r"[.:\[]", str(header).replace("]", ""))
    if len(parts) < 2 or not normalize_header(parts[-1]):
        return ""
    owner = normalize_header("".join(parts[:-1]))
    return "" if any(other in owner for other in OTHER_RECORDS) else normalize_header(parts[-1])


def _without_owner(key: str) -> str:
    """An address header's key without the owner in front ("billingzippostalcode" -> "zippostalcode")."""
    prefix = next((p for p in ADDRESS_PREFIXES if key.startswith(p) and len(key) > len(p)), "")
    return key[len(prefix):]


def _confirm(frame: pd.DataFrame, side: Side, role: str, header: str) -> tuple[bool, str]:
    """Whether the content of ``header`` fits ``role``, and the reason in words."""
    if (side, role) not in _MUST_BE_ACCOUNT_IDS and (side, role) not in _MUST_NOT_BE_ACCOUNT_IDS:
        return True, f"header '{header}'"
    if _filled(frame, header) == 0:
        return True, f"header '{header}' (the column is empty)"
    share = account_id_share(frame[header])
    if (side, role) in _MUST_BE_ACCOUNT_IDS:
        return share >= _CONFIRM_SHARE, f"header '{header}'; content: {share:.0%} look like Account ids"
    return share < _CONFIRM_SHARE, f"header '{header}'; content: {share:.0%} look like Account ids"


def role_candidates(frame: pd.DataFrame, side: Side, role: str) -> list[str]:
    """Every header that names ``role`` and whose content fits it, in the order ``detect_roles`` ranks them."""
    headers = [str(h) for h in frame.columns]
    return [h for h in _candidates(headers, side, role, set()) if _confirm(frame, side, role, h)[0]]


def _apply_overrides(
    frame: pd.DataFrame, side: Side, overrides: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    headers = [str(h) for h in frame.columns]
    columns: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for role, header in overrides.items():
        if role not in ROLES_BY_SIDE[side]:
            raise TableError(
                f"There is no role {role!r} for {side.value}; the roles are: {', '.join(ROLES_BY_SIDE[side])}."
            )
        if header == "":
            reasons[role] = "left empty by you"
            continue
        match = header if header in headers else None
        if match is None:
            loose = [h for h in headers if normalize_header(h) == normalize_header(header)]
            match = loose[0] if len(loose) == 1 else None
        if match is None:
            raise TableError(
                f"The column {header!r} chosen for {role!r} is not in the file; its columns are: "
                f"{', '.join(repr(h) for h in headers)}."
            )
        columns[role] = match
        reasons[role] = f"chosen by you (column '{match}')"
    return columns, reasons


def detect_roles(frame: pd.DataFrame, side: Side, overrides: Mapping[str, str] | None = None) -> RoleMapping:
    """Which header holds each role of ``side``, with a reason per role.

    Caller overrides win (``{"country": "Land"}``; ``""`` leaves a role unmapped) and raise
    ``TableError`` for an unknown role or header. Id and link roles are confirmed by content; a
    column no header matched but holding mostly Account ids is offered for the side's Salesforce-id
    role with a reason that says so.
    """
    columns, reasons = _apply_overrides(frame, side, overrides or {})
    headers = [str(h) for h in frame.columns]
    used = set(columns.values())
    id_first = sorted(ROLES_BY_SIDE[side], key=lambda r: 0 if r.endswith("_id") else 1)
    for role in id_first:
        if role in columns or role in reasons:
            continue
        accepted: list[tuple[str, str]] = []
        for header in _candidates(headers, side, role, used):
            ok, why = _confirm(frame, side, role, header)
            if ok:
                accepted.append((header, why))
            else:
                reasons.setdefault(role, f"{why}, so it was not used")
        if not accepted:
            continue
        filled = {h: _filled(frame, h) for h, _ in accepted}
        if role in _MOST_CONTENT_WINS:
            header, why = max(accepted, key=lambda hw: filled[hw[0]])  # max keeps the first on ties
        else:
            header, why = next((hw for hw in accepted if filled[hw[0]] > 0), accepted[0])
            if role == "name":
                header, why = _fuller_name(accepted, filled, header, why)
        others = [h for h, _ in accepted if h != header]
        if others:
            why += f" (preferred over {', '.join(repr(o) for o in others)})"
        columns[role] = header
        reasons[role] = why
        used.add(header)
    _offer_by_content(frame, side, columns, reasons, used)
    if side is Side.CUSTOMERS and "name" not in columns and "legal_name" in columns and "name" not in reasons:
        columns["name"] = columns["legal_name"]
        reasons["name"] = f"same column as legal_name ('{columns['legal_name']}')"
    return RoleMapping(columns=columns, reasons=reasons)


def _fuller_name(
    accepted: list[tuple[str, str]], filled: dict[str, int], header: str, why: str
) -> tuple[str, str]:
    """The name column to read: the best-named one, unless another is filled on more than twice its rows."""
    usable = [hw for hw in accepted if normalize_header(hw[0]) not in _LAST_RESORT_NAMES]
    if not usable:
        return header, why
    fuller, fuller_why = max(usable, key=lambda hw: filled[hw[0]])
    if filled[fuller] <= 2 * filled[header]:
        return header, why
    return fuller, (f"{fuller_why}; filled on {filled[fuller]:,} rows, '{header}' only on {filled[header]:,}")


def _offer_by_content(
    frame: pd.DataFrame, side: Side, columns: dict[str, str], reasons: dict[str, str], used: set[str]
) -> None:
    """Offer an unnamed column of Account ids for the side's Salesforce-id role."""
    role = _SALESFORCE_ID_ROLE.get(side)
    if role is None or role in columns or reasons.get(role) == "left empty by you":
        return
    for header in (str(h) for h in frame.columns):
        if header in used:
            continue
        share = account_id_share(frame[header])
        if share >= _OFFER_SHARE:
            columns[role] = header
            reasons[role] = f"content: {share:.0%} of column '{header}' look like Account ids (no header matched)"
            used.add(header)
            return
