"""What a billing system requires of a customer before it accepts a link, checked before the write.

A billing system declares its rules as ``CustomerRequirement`` values: a value it requires
(Sequence: legal name, e-mail, a complete billing address with an ISO 3166-1 alpha-2 country; Zuora:
a state where the country is the US or Canada), the longest value a field takes (Xero's
ContactNumber, Zuora's CrmId), a value unique across the book (QuickBooks Online's DisplayName) and a
format (Upflow's shared identifier). The checks add to the address problems of a customers frame, in
the same columns, so the Data quality page, ``check-addresses`` and the Plan page's checks show them
like any address problem: each broken rule names the system, its own field, the row and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop_app.core.addresses import ADDRESS_OUTPUT_COLUMNS, ERROR, PLACEHOLDERS
from desktop_app.core.billing_rule_checks import Broken, in_countries, not_matching, shared, too_long
from desktop_app.core.countries import is_alpha2
from desktop_app.core.roles import ID_ROLE, SOURCE_ROW, Side

REQUIRED_CODE_PREFIX = "required_"
TOO_LONG_CODE_PREFIX = "too_long_"
DUPLICATE_CODE_PREFIX = "duplicate_"
FORMAT_CODE_PREFIX = "format_"
RULE_CODE_PREFIXES = (REQUIRED_CODE_PREFIX, TOO_LONG_CODE_PREFIX, DUPLICATE_CODE_PREFIX, FORMAT_CODE_PREFIX)


@dataclass(frozen=True)
class CustomerRequirement:
    """One rule a billing system holds a customer to before it takes a link.

    ``roles``: the customers-frame roles that may hold the value (the first is the one reported; the
    value that counts is the first one the frame fills anywhere); ``label``: its name in words;
    ``api_field``: the system's own field. The rule has one or more of these parts:

    - ``required``: the value must be there (``iso_country``: and be an ISO 3166-1 alpha-2 code;
      ``when_countries``: only where the customer's country is one of these alpha-2 codes);
    - ``max_length``: at most this many characters (0: no limit);
    - ``unique``: no two customers hold the same value, compared ignoring letter case and the spaces
      around it (``unique_scope`` says across what, in words);
    - ``pattern``: a present value must match this regular expression entirely (``pattern_text``
      says what it asks for in words).

    ``severity``: ``error`` when the system refuses the customer (the Plan page then blocks the
    write), ``warning`` when it takes it but the link will not work as meant (``consequence`` says
    what happens then; "" means the system refuses it).
    """

    roles: tuple[str, ...]
    label: str
    api_field: str
    iso_country: bool = False
    required: bool = True
    when_countries: frozenset[str] = frozenset()
    max_length: int = 0
    unique: bool = False
    unique_scope: str = ""
    pattern: str = ""
    pattern_text: str = ""
    severity: str = ERROR
    consequence: str = ""

    @property
    def role(self) -> str:
        """The role problems are reported on."""
        return self.roles[0]

    @property
    def code(self) -> str:
        """The problem code of a customer that lacks the required value."""
        return REQUIRED_CODE_PREFIX + self.role

    def codes(self) -> dict[str, str]:
        """Problem code → what it means in words, for every part of this rule (on any of its roles:
        a file that lacks the first reports on the next)."""
        label, article = self.label, _article(self.label)
        lacking = f"lack a 2-letter ISO {label} code" if self.iso_country else f"lack {article} {label}"
        parts = {
            REQUIRED_CODE_PREFIX: lacking if self.required else "",
            TOO_LONG_CODE_PREFIX: f"have {article} {label} that is too long" if self.max_length else "",
            DUPLICATE_CODE_PREFIX: f"share {article} {label} with another" if self.unique else "",
            FORMAT_CODE_PREFIX: f"have {article} {label} in the wrong format" if self.pattern else "",
        }
        return {prefix + role: words for role in self.roles for prefix, words in parts.items() if words}

    def kind_names(self) -> dict[str, str]:
        """Problem code → the kind of problem as a filter lists it ("Display name shared with another customer")."""
        label = _capital(self.label)
        missing = f"{label} missing or not a 2-letter ISO code" if self.iso_country else f"{label} missing"
        parts = {
            REQUIRED_CODE_PREFIX: missing if self.required else "",
            TOO_LONG_CODE_PREFIX: f"{label} too long" if self.max_length else "",
            DUPLICATE_CODE_PREFIX: f"{label} shared with another customer" if self.unique else "",
            FORMAT_CODE_PREFIX: f"{label} in the wrong format" if self.pattern else "",
        }
        return {prefix + role: words for role in self.roles for prefix, words in parts.items() if words}

    def describe(self) -> str:
        """The rule in words, as the registry and the docs show it ("ContactNumber at most 50 characters")."""
        parts: list[str] = []
        if self.required:
            where = f" where the country is {' or '.join(sorted(self.when_countries))}" if self.when_countries else ""
            iso = " (an ISO 3166-1 alpha-2 code)" if self.iso_country else ""
            parts.append(f"{self.label}{iso} ({self.api_field}){where}")
        if self.max_length:
            parts.append(f"{self.api_field} at most {self.max_length:,} characters")
        if self.unique:
            scope = f" {self.unique_scope}" if self.unique_scope else ""
            parts.append(f"{self.api_field} unique{scope} (ignoring case and surrounding spaces)")
        if self.pattern:
            parts.append(f"{self.api_field}: {self.pattern_text}")
        return "; ".join(parts)


def _article(label: str) -> str:
    return "an" if label[:1].lower() in "aeiou" else "a"


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
    if rule.when_countries:
        broken = broken & in_countries(frame, rule.when_countries)
    if rule.iso_country:
        codes, uniques = pd.factorize(frame[role].fillna("").astype(str), use_na_sentinel=False)
        not_iso = np.asarray([not is_alpha2(str(u)) for u in np.asarray(uniques, dtype=object)], dtype=bool)
        broken = broken | (not_iso[codes] if len(codes) else np.zeros(0, dtype=bool))
    return np.asarray(broken, dtype=bool)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(rule: CustomerRequirement, system: str, value: str) -> str:
    if rule.iso_country and value.strip():
        found = f"is '{value.strip()}', not an ISO 3166-1 alpha-2 code"
    else:
        found = "is missing"
    if rule.consequence and not value.strip():
        return f"{_capital(rule.label)} is missing: {rule.consequence}."
    where = (f" where the country is {' or '.join(sorted(rule.when_countries))}" if rule.when_countries else "")
    return (f"{_capital(rule.label)} {found}; {system} refuses a customer without "
            f"{'an ISO country code' if rule.iso_country else 'it'}{where} and so will refuse the link. Fill it in "
            f"{system} (the customer's {rule.api_field}) or in the customers file, then load again.")


def _consequence(rule: CustomerRequirement, system: str) -> str:
    return rule.consequence or f"{system} refuses such a customer and so will refuse the link"


def _other_parts(frame: pd.DataFrame, rule: CustomerRequirement, system: str, role: str,
                 blanks: _Blanks) -> list[tuple[str, Broken]]:
    """(code, broken rows) for the rule's length, uniqueness and format parts."""
    if role not in frame.columns:
        return []
    values, blank, label = _text(frame[role]), blanks[role], _capital(rule.label)
    # Sentences are templates for str.format: braces in names or fields must not be read as fields.
    said = {k: v.replace("{", "{{").replace("}", "}}") for k, v in
            (("label", label), ("field", rule.api_field), ("system", system), ("then", _consequence(rule, system)))}
    parts: list[tuple[str, Broken]] = []
    if rule.max_length:
        parts.append((TOO_LONG_CODE_PREFIX + role, too_long(values, rule.max_length, (
            f"{said['label']} is {{length:,}} characters; {said['system']} takes at most {rule.max_length:,} in "
            f"{said['field']}: {said['then']}. Shorten it in {said['system']} or in the customers file."))))
    if rule.unique:
        scope = f" {rule.unique_scope}" if rule.unique_scope else ""
        unique = f"{said['system']}'s {said['field']} must be unique{scope}, ignoring case and surrounding spaces"
        template = (f"{said['label']} '{{value}}' is also on {{others}}: {said['then']}. Keep it on one customer "
                    f"only ({unique})." if rule.consequence else
                    f"{said['system']} refuses a second customer with the {rule.label} '{{value}}' (also "
                    f"{{others}}): rename one ({unique}).")
        parts.append((DUPLICATE_CODE_PREFIX + role, shared(values, blank, frame[SOURCE_ROW].to_numpy(), template)))
    if rule.pattern:
        parts.append((FORMAT_CODE_PREFIX + role, not_matching(values, blank, rule.pattern, (
            f"{said['label']} '{{value}}' is not {rule.pattern_text}: {said['then']}. Correct it in "
            f"{said['system']} ({said['field']}) or in the customers file."))))
    return parts


def requirement_problems(frame: pd.DataFrame, requirements: Sequence[CustomerRequirement], system: str,
                         address_problems: pd.DataFrame) -> pd.DataFrame:
    """``address_problems`` of a customers ``frame`` with the billing system's own rules added.

    A value the system requires that is missing (or not an alpha-2 country code) becomes a problem
    of the rule's severity: an address problem already found on that cell is raised to ``error``
    and says that ``system`` refuses it; any other gets its own row (code ``required_<role>``). A
    value too long, shared with another customer or in the wrong format gets its own row (codes
    ``too_long_<role>``, ``duplicate_<role>``, ``format_<role>``; a duplicate names the other rows).
    Rows stay in file order. With no requirements the problems are returned unchanged.
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
        for code, broken_part in _other_parts(frame, rule, system, role, blanks):
            at = broken_part.positions
            blocks.append(pd.DataFrame({
                "row": rows[at], "record_id": ids[at], "field": role, "problem": broken_part.sentences,
                "value": _text(frame[role])[at], "suggestion": "", "confidence": 0.0, "severity": rule.severity,
                "code": code}, columns=list(ADDRESS_OUTPUT_COLUMNS)))
        broken = np.flatnonzero(_broken(frame, rule, blanks)) if rule.required else np.zeros(0, dtype=np.intp)
        if not broken.size:
            continue
        keys = _keys(pd.Series(rows[broken]), pd.Series(ids[broken]), pd.Series([role] * broken.size))
        raised = pd.Series(found, dtype=object).isin(set(keys)).to_numpy()
        if raised.any():
            note = f" {system} refuses the customer without a valid {rule.label} ({rule.api_field})."
            if rule.severity == ERROR:
                result.loc[raised, "severity"] = ERROR
            result.loc[raised, "problem"] = result.loc[raised, "problem"].astype(str) + note
        fresh = broken[~pd.Series(keys, dtype=object).isin(set(found)).to_numpy()]
        values = _text(frame[role])[fresh] if role in frame.columns else np.full(fresh.size, "", dtype=object)
        sentences: dict[str, str] = {}
        blocks.append(pd.DataFrame({
            "row": rows[fresh], "record_id": ids[fresh], "field": role,
            "problem": [sentences.setdefault(v, _sentence(rule, system, v)) for v in values],
            "value": values, "suggestion": "", "confidence": 0.0, "severity": rule.severity, "code": rule.code,
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
