"""The plan: for every reviewed link and each side, what an apply would do — before anything is written.

A link is the pair (account_id, customer_id). Per side the plan holds an *action*:

- ``set``: the field gets the other side's id (``before`` is what it holds now, ``after`` the id);
- ``skip``: nothing to write (the field already holds this id in some form, or the policy keeps
  the other id it holds); ``after`` is then what it keeps;
- ``conflict``: the field holds another id and the policy does not allow replacing it.

``side_plan`` is the one rule for a side, shown by the Match page, the Plan page, the CLI dry run
and the report. An empty side of an accepted link is always written — a placeholder such as ``NA``
counts as empty (``core.link_values``) — and the same Account in its 15-character or case-damaged
form is the same link. The policy only decides what happens to a side that holds *another* id:

- ``skip_linked`` (default, what Sequence's own flows do): it is kept as it is (``skip``);
- ``fill_empty``: it is left alone and reported (``conflict``);
- ``overwrite``: it is replaced (explicit opt-in; the summary counts the replacements).

``normalize_ids`` (explicit, counted) rewrites an Account id held in another form to its
18-character form. Within one plan an account and a customer appear in at most one link (1:1);
later repeats are ``conflict`` on both sides with a note. The file format is in ``plan_file``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

import pandas as pd

from desktop_app.core.counted import counted
from desktop_app.core.ids import differs_only_in_case, normalize_id
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.link_values import is_form_rewrite, is_placeholder, link_key

Action = Literal["set", "skip", "conflict"]
Policy = Literal["skip_linked", "fill_empty", "overwrite"]
POLICIES: tuple[str, ...] = get_args(Policy)
# Each policy as the summary says it (the pages offer the same choices in these words).
POLICY_WORDS: dict[str, str] = {
    "skip_linked": "a field holding another id keeps it, only empty sides are written",
    "fill_empty": "a field holding another id is left alone and reported as a conflict",
    "overwrite": "a field holding another id is overwritten",
}
DEFAULT_STATUSES: tuple[str, ...] = ("matched", "already_linked")
SIDES: tuple[str, ...] = ("account", "customer")
LABEL_KEYS: tuple[str, ...] = ("account_name", "customer_name", "account_row", "customer_row")


class PlanError(ValueError):
    """The matches or the plan file cannot be used; the message says which row and what to do."""


def _verb(n: int, plural: str) -> str:
    """The verb agreeing with a count: "1 keeps", "2 keep"."""
    return plural + "s" if n == 1 else plural


@dataclass(frozen=True)
class SidePlan:
    """One side of one link: the action, the value the field holds now and the value after."""

    action: Action
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        """Plain form for the plan file."""
        return {"action": self.action, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class PlanLink:
    """One row of the plan (``row`` is 1-based, in plan order)."""

    row: int
    account_id: str
    customer_id: str
    account: SidePlan
    customer: SidePlan
    note: str = ""
    match_status: str = ""
    score: str = ""
    # What a person recognises the link by (from the matches): names and the rows of the input files.
    account_name: str = ""
    customer_name: str = ""
    account_row: str = ""
    customer_row: str = ""

    def side(self, name: str) -> SidePlan:
        """The ``account`` or ``customer`` side."""
        return self.account if name == "account" else self.customer


@dataclass(frozen=True)
class PlanSource:
    """What a plan was built from (shown to the reviewer, stored in the file)."""

    matches_file: str = ""
    link_field: str = DEFAULT_LINK_FIELD
    billing_system: str = ""
    billing_link_key: str = ""
    values_from: str = ""  # "live systems" or "match inputs (offline)"
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A reviewed, reproducible list of links with the action per side."""

    links: tuple[PlanLink, ...]
    policy: Policy
    source: PlanSource
    created_at: str
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    normalize_ids: bool = False  # rewrite an Account id held in another form to 18 characters

    def counts(self) -> dict[str, dict[str, int]]:
        """Per side, how many values would be set, skipped and left in conflict; of the values set,
        how many replace another id (``replace``), rewrite the same id in its 18-character form
        (``rewrite``) or replace a placeholder (``placeholder``); of the skipped, how many keep
        another id (``keep``)."""
        result: dict[str, dict[str, int]] = {}
        for name in SIDES:
            counter: Counter[str] = Counter()
            for link in self.links:
                side = link.side(name)
                counter[side.action] += 1
                counter[_detail(name, side, link.customer_id if name == "account" else link.account_id)] += 1
            result[name] = {key: counter[key] for key in ("set", "skip", "conflict", "replace", "rewrite",
                                                          "placeholder", "keep")}
        return result

    def summary_lines(self, billing_name: str = "billing") -> list[str]:
        """The dry-run figures as sentences, one per side."""
        counts = self.counts()
        lines = [f"{counted(len(self.links), 'link')}; {POLICY_WORDS.get(self.policy, '')} (policy {self.policy})"
                 + ("; Account ids rewritten in their 18-character form." if self.normalize_ids else ".")]
        for name, label in (("account", "Salesforce Accounts"), ("customer", f"{billing_name} customers")):
            label = label[:1].upper() + label[1:]  # a sentence of its own: "Billing customers: …"
            c = counts[name]
            text = f"{label}: {c['set']:,} to set, {c['skip']:,} skipped, {c['conflict']:,} in conflict"
            details = [
                f"{c['replace']:,} of the values set {_verb(c['replace'], 'replace')} another id" if c["replace"]
                else "",
                f"{c['rewrite']:,} {_verb(c['rewrite'], 'rewrite')} the same Account id in its 18-character form"
                if c["rewrite"] else "",
                f"{c['placeholder']:,} {_verb(c['placeholder'], 'replace')} a placeholder such as 'NA'"
                if c["placeholder"] else "",
                f"{c['keep']:,} of the skipped {_verb(c['keep'], 'keep')} another id" if c["keep"] else "",
            ]
            details = [d for d in details if d]
            if details:
                text += " (" + "; ".join(details) + ")"
            lines.append(text + ".")
        return lines

    def table(self) -> pd.DataFrame:
        """The full before/after table, one row per link in plan order (all text)."""
        records = [
            {
                "row": str(link.row),
                "account_id": link.account_id,
                "customer_id": link.customer_id,
                "account_name": link.account_name,
                "customer_name": link.customer_name,
                "account_row": link.account_row,
                "customer_row": link.customer_row,
                "account_action": link.account.action,
                "account_before": link.account.before,
                "account_after": link.account.after,
                "customer_action": link.customer.action,
                "customer_before": link.customer.before,
                "customer_after": link.customer.after,
                "note": link.note,
                "match_status": link.match_status,
                "score": link.score,
            }
            for link in self.links
        ]
        columns = [
            "row",
            "account_id",
            "customer_id",
            "account_name",
            "customer_name",
            "account_row",
            "customer_row",
            "account_action",
            "account_before",
            "account_after",
            "customer_action",
            "customer_before",
            "customer_after",
            "note",
            "match_status",
            "score",
        ]
        return pd.DataFrame(records, columns=columns, dtype=object)


def _detail(side: str, plan: SidePlan, target: str) -> str:
    """Which finer count a side adds to (see ``Plan.counts``), or ``""``."""
    held = link_key(plan.before, side)
    if plan.action == "set":
        if is_placeholder(plan.before):
            return "placeholder"
        if is_form_rewrite(plan.before, plan.after, side):
            return "rewrite"
        return "replace" if held else ""
    if plan.action == "skip" and held and held != link_key(target, side):
        return "keep"
    return ""


def now_text() -> str:
    """The current UTC time as ISO 8601 with seconds (used for created times)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text  # report.py's formula guard


def side_plan(side: str, current: str, target: str, policy: Policy, *, normalize_ids: bool = False) -> SidePlan:
    """What happens to ``side``'s link field (holding ``current``) when the link to ``target`` is applied.

    The one rule every screen and file shows: a field that holds nothing (empty or a placeholder)
    is always ``set``; a field that already holds ``target`` in any form is ``skip`` (``set`` to the
    18-character form when ``normalize_ids``); only a field holding *another* id follows the policy.
    """
    key = link_key(current, side)
    if not key:
        return SidePlan("set", current, target)
    if key == link_key(target, side):
        if normalize_ids and current != target:
            return SidePlan("set", current, target)
        return SidePlan("skip", current, current)
    if policy == "overwrite":
        return SidePlan("set", current, target)
    if policy == "skip_linked":
        return SidePlan("skip", current, current)
    return SidePlan("conflict", current, target)


_LABELS = {"account": "the Account's link field", "customer": "the customer's link field"}


def side_note(side: str, plan: SidePlan, target: str, policy: Policy) -> str:
    """One sentence on why ``plan`` is what it is, or ``""`` when there is nothing to explain."""
    label = _LABELS.get(side, side)
    before = plan.before
    if is_placeholder(before):
        return f"{label.capitalize()} holds the placeholder '{before}' (treated as empty): it will be written."
    if not before.strip() or before == target:
        return ""
    if link_key(before, side) == link_key(target, side):
        if plan.action == "set":
            return f"{label.capitalize()} holds '{before}', the same Account; it is rewritten in its 18-character form."
        return f"{label.capitalize()} already holds this link as '{before}' (the same Account in another form)."
    case = (" (this Account's id in other letter case, which Salesforce reads as another record)"
            if side == "customer" and differs_only_in_case(before, target) else "")
    if plan.action == "skip":
        return f"{label.capitalize()} holds another id ('{before}'){case}; it is kept (policy {policy})."
    if plan.action == "conflict":
        return f"{label.capitalize()} holds another id ('{before}'){case}; it is left alone (policy {policy})."
    return f"{label.capitalize()} holds another id ('{before}'){case}; it is replaced (policy {policy})."


def plan_link(
    row: int,
    account_id: str,
    customer_id: str,
    account_current: str,
    customer_current: str,
    policy: Policy,
    *,
    normalize_ids: bool = False,
) -> PlanLink:
    """The plan row for one link given what each side holds now (``""`` = empty)."""
    account = side_plan("account", account_current, customer_id, policy, normalize_ids=normalize_ids)
    customer = side_plan("customer", customer_current, account_id, policy, normalize_ids=normalize_ids)
    notes = [side_note("account", account, customer_id, policy), side_note("customer", customer, account_id, policy)]
    return PlanLink(row, account_id, customer_id, account, customer, " ".join(n for n in notes if n))


def build_plan(
    decisions: pd.DataFrame,
    *,
    account_values: Mapping[str, str],
    customer_values: Mapping[str, str],
    policy: Policy = "skip_linked",
    statuses: Sequence[str] = DEFAULT_STATUSES,
    source: PlanSource | None = None,
    created_at: str | None = None,
    normalize_ids: bool = False,
) -> Plan:
    """The plan for the links of ``decisions`` whose status is in ``statuses``.

    ``account_values`` maps account id → the link field's current value, ``customer_values`` maps
    customer id → the stored Salesforce Account id (missing keys count as empty). Rows keep the order
    of ``decisions``. ``PlanError`` names the row of a link with an id that is not usable.
    """
    if policy not in POLICIES:
        raise PlanError(f"Unknown policy '{policy}'; use one of {', '.join(POLICIES)}.")
    for column in ("account_id", "customer_id", "status"):
        if column not in decisions.columns:
            raise PlanError(f"The matches have no '{column}' column; export them with 'desktop-app match'.")
    chosen = decisions[decisions["status"].map(_text).isin(list(statuses))]
    normalized_accounts = {normalize_id(k) or k: _text(v) for k, v in account_values.items()}
    seen_accounts: dict[str, int] = {}
    seen_customers: dict[str, int] = {}
    links: list[PlanLink] = []
    for position, record in zip(chosen.index, chosen.to_dict("records"), strict=True):
        raw_account = _text(record.get("account_id"))
        account_id = normalize_id(raw_account)
        customer_id = _text(record.get("customer_id"))
        file_row = int(position) + 2 if isinstance(position, int) else position
        if account_id is None:
            raise PlanError(
                f"Matches row {file_row}, column account_id: '{raw_account}' is not a Salesforce "
                "Account id. Fix or remove the row and build the plan again."
            )
        if not customer_id:
            raise PlanError(
                f"Matches row {file_row}, column customer_id: empty for a "
                f"'{_text(record.get('status'))}' row. Pick a customer or drop the row."
            )
        row = len(links) + 1
        link = plan_link(
            row,
            account_id,
            customer_id,
            normalized_accounts.get(account_id, ""),
            _text(customer_values.get(customer_id, "")),
            policy,
            normalize_ids=normalize_ids,
        )
        first_account = seen_accounts.setdefault(account_id, row)
        first_customer = seen_customers.setdefault(customer_id, row)
        if first_account != row or first_customer != row:
            link = replace(
                link,
                account=replace(
                    link.account, action="conflict" if link.account.action == "set" else link.account.action
                ),
                customer=replace(
                    link.customer,
                    action="conflict" if link.customer.action == "set" else link.customer.action,
                ),
                note=f"The account or customer is already in plan row {min(first_account, first_customer)} "
                "(one customer per account); this row is not written.",
            )
        links.append(replace(
            link, match_status=_text(record.get("status")), score=_text(record.get("score")),
            account_name=_text(record.get("account_name")), customer_name=_text(record.get("customer_name")),
            account_row=_text(record.get("account_row")), customer_row=_text(record.get("customer_row")),
        ))
    return Plan(
        tuple(links), policy, source or PlanSource(), created_at or now_text(), tuple(statuses), normalize_ids
    )


def values_from_decisions(decisions: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Current link values as the match inputs saw them (for ``--offline`` plans).

    Uses the columns ``account_link_customer_id`` / ``customer_sf_account_id`` when the matches carry
    them; otherwise an ``already_linked`` row counts as both sides holding each other's id.
    """
    accounts: dict[str, str] = {}
    customers: dict[str, str] = {}
    has_columns = {"account_link_customer_id", "customer_sf_account_id"} <= set(decisions.columns)
    for record in decisions.to_dict("records"):
        account_id = normalize_id(_text(record.get("account_id"))) or ""
        customer_id = _text(record.get("customer_id"))
        if has_columns:
            if account_id:
                accounts[account_id] = _text(record.get("account_link_customer_id"))
            if customer_id:
                customers[customer_id] = _text(record.get("customer_sf_account_id"))
        elif _text(record.get("status")) == "already_linked" and account_id and customer_id:
            accounts[account_id] = customer_id
            customers[customer_id] = account_id
    return accounts, customers
