"""What a billing system requires of a customer before it accepts a link, checked before the write.

A billing adapter declares its rules as ``CustomerRequirement`` values (Sequence: legal name, e-mail,
a complete billing address with an ISO 3166-1 alpha-2 country; Stripe and files: none). The checks
add to the address problems of a customers frame, in the same columns, so the Data quality page and
``check-addresses`` show them like any address problem: a missing value the system requires is an
``error`` that names the system, its own field and where to fill it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop_app.core.addresses import ADDRESS_OUTPUT_COLUMNS, ERROR, PLACEHOLDERS
from desktop_app.core.countries import is_alpha2
from desktop_app.core.roles import ID_ROLE, SOURCE_ROW, Side

REQUIRED_CODE_PREFIX = "required_"


@dataclass(frozen=True)
class CustomerRequirement:
    """One value a billing system needs on a customer before it takes a link.

    ``roles``: the customers-frame roles that may hold it (the first is the one reported; the value
    that counts is the first one the frame fills anywhere); ``label``: its name in words; ``api_field``: the system's
    own field; ``iso_country``: the value must be an ISO 3166-1 alpha-2 code.
    """

    roles: tuple[str, ...]
    label: str
    api_field: str
    iso_country: bool = False

    @property
    def role(self) -> str:
        """The role problems are reported on."""
        return self.roles[0]

    @property
    def code(self) -> str:
        """The problem code of a customer that breaks this rule."""
        return REQUIRED_CODE_PREFIX + self.role


def _blank(values: pd.Series) -> np.ndarray:
    """Per row: empty or a placeholder (judged once per distinct value)."""
    codes, uniques = pd.factorize(values.fillna("").astype(str), use_na_sentinel=False)
    cleaned = [str(u).strip() for u in np.asarray(uniques, dtype=object)]
    flags = np.asarray([c == "" or c.casefold() in PLACEHOLDERS for c in cleaned], dtype=bool)
    result: np.ndarray = flags[codes] if len(codes) else np.zeros(0, dtype=bool)
    return result


class _Blanks(dict[str, np.ndarray]):
    """Per role, which rows are blank (computed once per role: columns may hold 100,000 values)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        super().__init__()
        self.frame = frame

    def __missing__(self, role: str) -> np.ndarray:
        self[role] = _blank(self.frame[role])
        return self[role]


def _source_role(frame: pd.DataFrame, rule: CustomerRequirement, blanks: _Blanks) -> str | None:
    """The first of the rule's roles the frame fills anywhere (a file may lack the preferred one)."""
    present = [role for role in rule.roles if role in frame.columns]
    for role in present:
        if not blanks[role].all():
            return role
    return present[0] if present else None


def _broken(frame: pd.DataFrame, rule: CustomerRequirement, blanks: _Blanks) -> np.ndarray:
    """Per row: True when the row breaks ``rule``."""
    role = _source_role(frame, rule, blanks)
    if role is None:
        return np.ones(len(frame), dtype=bool)
    broken = blanks[role]
    if rule.iso_country:
        codes, uniques = pd.factorize(frame[role].fillna("").astype(str), use_na_sentinel=False)
        not_iso = np.asarray([not is_alpha2(str(u)) for u in np.asarray(uniques, dtype=object)], dtype=bool)
        broken = broken | (not_iso[codes] if len(codes) else np.zeros(0, dtype=bool))
    return np.asarray(broken, dtype=bool)


def _sentence(rule: CustomerRequirement, system: str, value: str) -> str:
    if rule.iso_country and value.strip():
        found = f"is '{value.strip()}', not an ISO 3166-1 alpha-2 code"
    else:
        found = "is missing"
    return (f"{rule.label[0].upper()}{rule.label[1:]} {found}; {system} refuses a customer without "
            f"{'an ISO country code' if rule.iso_country else 'it'} and so will refuse the link. Fill it in "
            f"{system} (the customer's {rule.api_field}) or in the customers file, then load again.")


def requirement_problems(frame: pd.DataFrame, requirements: Sequence[CustomerRequirement], system: str,
                         address_problems: pd.DataFrame) -> pd.DataFrame:
    """``address_problems`` of a customers ``frame`` with the billing system's own rules added.

    A value the system requires that is missing (or not an alpha-2 country code) becomes an
    ``error``: an address problem already found on that cell is raised to ``error`` and says that
    ``system`` refuses it; any other gets its own row (code ``required_<role>``). Rows stay in file
    order. With no requirements the problems are returned unchanged.
    """
    if not requirements or frame.empty:
        return address_problems
    id_role = ID_ROLE[Side.CUSTOMERS]
    result = address_problems.copy().reset_index(drop=True)
    found = _keys(result["row"], result["record_id"], result["field"]) if len(result) else np.empty(0, dtype=object)
    rows = frame[SOURCE_ROW].to_numpy()
    ids = _text(frame[id_role]) if id_role in frame.columns else np.full(len(frame), "", dtype=object)
    blocks: list[pd.DataFrame] = []
    blanks = _Blanks(frame)
    for rule in requirements:
        role = _source_role(frame, rule, blanks) or rule.role
        broken = np.flatnonzero(_broken(frame, rule, blanks))
        if not broken.size:
            continue
        keys = _keys(pd.Series(rows[broken]), pd.Series(ids[broken]), pd.Series([role] * broken.size))
        raised = pd.Series(found, dtype=object).isin(set(keys)).to_numpy()
        if raised.any():
            note = f" {system} refuses the customer without a valid {rule.label} ({rule.api_field})."
            result.loc[raised, "severity"] = ERROR
            result.loc[raised, "problem"] = result.loc[raised, "problem"].astype(str) + note
        fresh = broken[~pd.Series(keys, dtype=object).isin(set(found)).to_numpy()]
        values = _text(frame[role])[fresh] if role in frame.columns else np.full(fresh.size, "", dtype=object)
        sentences: dict[str, str] = {}
        blocks.append(pd.DataFrame({
            "row": rows[fresh], "record_id": ids[fresh], "field": role,
            "problem": [sentences.setdefault(v, _sentence(rule, system, v)) for v in values],
            "value": values, "suggestion": "", "confidence": 0.0, "severity": ERROR, "code": rule.code,
        }, columns=list(ADDRESS_OUTPUT_COLUMNS)))
    if not any(len(block) for block in blocks):
        return result
    merged = pd.concat([result, *blocks] if len(result) else blocks, ignore_index=True)
    order = np.argsort(pd.to_numeric(merged["row"], errors="coerce").fillna(0).to_numpy(), kind="stable")
    merged = merged.iloc[order].reset_index(drop=True)
    return merged.astype({c: object for c in ADDRESS_OUTPUT_COLUMNS if c not in ("row", "confidence")})


def _text(series: pd.Series) -> np.ndarray:
    values: np.ndarray = series.fillna("").astype(str).to_numpy(dtype=object)
    return values


def _keys(rows: pd.Series, ids: pd.Series, fields: pd.Series) -> np.ndarray:
    """One text key per (source row, record id, field), to find a cell among the problems."""
    joined = rows.astype(str).to_numpy() + "\x1f" + ids.astype(str).to_numpy() + "\x1f" + fields.astype(str).to_numpy()
    keys: np.ndarray = np.asarray(joined, dtype=object)
    return keys


# Where a matched Account may hold what its customer lacks (customer role → account role).
ACCOUNT_SOURCES = {"legal_name": "name", "name": "name", "email": "email", "street": "street", "city": "city",
                   "postcode": "postcode", "country": "country"}
LINKED_STATUSES = ("matched", "already_linked")


def where_to_find(problems: pd.DataFrame, decisions: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """``problems`` where each customer that lacks a required value says what its matched Account holds
    for it, with the Account's file row ("The matched Account … (accounts row 12) has 'ap@acme.com'")."""
    if problems.empty or decisions.empty or accounts.empty or "account_id" not in accounts.columns:
        return problems
    wanted = [int(i) for i in np.flatnonzero(problems["code"].astype(str).str.startswith(REQUIRED_CODE_PREFIX))]
    if not wanted:
        return problems
    linked = decisions[decisions["status"].astype(str).isin(LINKED_STATUSES)]
    partner = dict(zip(linked["customer_id"].astype(str), linked["account_id"].astype(str), strict=True))
    needed = {partner.get(str(problems["record_id"].iat[i]), "") for i in wanted} - {""}
    chosen = accounts[accounts["account_id"].astype(str).isin(needed)]
    records: dict[str, dict[str, object]] = {}
    for record in chosen.to_dict("records"):
        records.setdefault(str(record["account_id"]), {str(k): v for k, v in record.items()})
    result = problems.copy()
    column = int(list(result.columns).index("problem"))
    for position in wanted:
        account = records.get(partner.get(str(result["record_id"].iat[position]), ""))
        source = ACCOUNT_SOURCES.get(str(result["field"].iat[position]), "")
        value = str(account.get(source) or "").strip() if account is not None else ""
        if account is None or not value or value.casefold() in PLACEHOLDERS:
            continue
        name = str(account.get("name") or account["account_id"])
        result.iat[position, column] = (f"{result['problem'].iat[position]} The matched Account {name} (accounts "
                                        f"row {account.get(SOURCE_ROW, '?')}) has '{value}'.")
    return result
