"""Matching: propose, for every Salesforce Account, its billing customer — with a status, a score
and a reason a consultant can read.

Passes run in order, each only on the records earlier passes left open:

1. existing links (both link fields audited; agreement, one-sided links, contradictions),
2. the mapping file's pairs, validated,
3. link-field values that only match after normalising (formatting, duplicates, dangling ids),
4. the same website / company e-mail domain with agreeing names,
5. the same cleaned company name,
6. similar names (fuzzy, blocked so it scales), suggested or accepted by score,
7. weighed evidence: every shared attribute (name, domain, e-mail, street, postcode, city, state,
   phone, country, currency) combined by a Fellegi–Sunter model fitted on the two files.

Passes 4-7 never auto-accept a namesake (names agree, street/postcode/phone disagree). Every
decision carries its ``evidence``: per field agree / partly agree / disagree / missing with its weight.

With ``one_to_one`` (the default) no customer is ever given to two accounts and no account takes
two customers; records that several candidates fit equally well are marked ``ambiguous``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from desktop_app.core.link_values import PLACEHOLDER_PROBLEM
from desktop_app.core.matching_audit import audit_existing_links, read_pointers
from desktop_app.core.matching_doubts import settle_doubtful_links
from desktop_app.core.matching_evidence import Evidence, evidence_json, fit_evidence
from desktop_app.core.matching_features import compare_pairs
from desktop_app.core.matching_fuzzy import match_fuzzy
from desktop_app.core.matching_identifiers import match_account_links, match_customer_links
from desktop_app.core.matching_ledger import (
    ALREADY_LINKED,
    AMBIGUOUS,
    CONFLICT,
    MATCHED,
    STATUSES,
    SUGGESTED,
    UNMATCHED,
    Ledger,
    placeholder_positions,
    prepare_accounts,
    prepare_customers,
)
from desktop_app.core.matching_mapping import apply_mapping
from desktop_app.core.matching_names import match_by_domain, match_by_name, settle_deferred
from desktop_app.core.matching_taken import by_index, taken_partner_notes
from desktop_app.core.matching_unusable import hold_unusable_ids
from desktop_app.core.matching_weighed import match_by_evidence
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress

__all__ = [
    "ALREADY_LINKED",
    "AMBIGUOUS",
    "CONFLICT",
    "DECISION_COLUMNS",
    "MATCHED",
    "STATUSES",
    "SUGGESTED",
    "UNMATCHED",
    "MatchConfig",
    "MatchResult",
    "match",
]

DECISION_COLUMNS: tuple[str, ...] = (
    "account_id", "account_name", "customer_id", "customer_name", "status", "score", "reason", "method",
    "candidates", "account_row", "customer_row", "evidence",
)
_EVIDENCE_SLICE = 100_000  # decided pairs whose evidence is worked out together
# Decisions taken on a link or the mapping file rather than on the records' attributes.
_LINK_EVIDENCE = {"existing_link": '{"link_field":["agree",null]}', "identifier_normalized":
                  '{"link_field":["agree after normalising",null]}', "mapping": '{"mapping_file":["agree",null]}'}


@dataclass(frozen=True)
class MatchConfig:
    """How bold the matcher is."""

    auto_accept_score: float = 90.0  # fuzzy matches below this are "suggested", never auto-accepted
    suggest_min_score: float = 70.0
    # False = one account may take several customers: all valid mapping pairs, and every customer
    # whose best candidate it is within one pass. A customer never goes to two accounts.
    one_to_one: bool = True
    use_fuzzy: bool = True
    # Pass 7 (weighed evidence over every shared attribute); like pass 6 it is not deterministic in
    # the sense of the earlier passes, so ``use_fuzzy=False`` turns it off as well.
    use_evidence: bool = True


@dataclass
class MatchResult:
    """The decisions (one row per account, plus one per customer no account took) and their tally."""

    decisions: pd.DataFrame
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)  # e.g. mapping rows that name no loaded record


def match(accounts: pd.DataFrame, customers: pd.DataFrame, mapping: pd.DataFrame | None = None,
          config: MatchConfig = MatchConfig(), *, progress: ProgressCallback = ignore_progress,
          cancel: CancelToken | None = None) -> MatchResult:
    """Match canonical account and customer frames (optionally with a mapping frame of known
    pairs). Every account appears in ``decisions``; every customer appears at most once among the
    accepted rows (``matched`` / ``already_linked``). Raises ``Cancelled`` when ``cancel`` is set."""
    if not 0 <= config.suggest_min_score <= config.auto_accept_score <= 100:
        raise ValueError("scores must satisfy 0 ≤ suggest_min_score ≤ auto_accept_score ≤ 100 "
                         f"(got {config.suggest_min_score} and {config.auto_accept_score})")
    steps = ["Reading existing links", "Checking the mapping file", "Normalising identifiers",
             "Comparing website domains", "Comparing company names", "Comparing similar names",
             "Weighing addresses, phones and e-mails", "Collecting the decisions"]

    total = 100 * len(steps)  # each step is 100 units, so the fuzzy pass can report within its step

    def step(number: int) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(Progress(100 * number, total, steps[number]))

    def fuzzy_progress(report: Progress) -> None:
        progress(Progress(500 + int(100 * (report.fraction or 0.0)), total, report.message))

    step(0)
    ledger = Ledger(prepare_accounts(accounts), prepare_customers(customers), one_to_one=config.one_to_one,
                    defer_namesakes=config.use_fuzzy and config.use_evidence)
    hold_unusable_ids(ledger)
    pointers = read_pointers(ledger)
    doubtful = audit_existing_links(ledger, pointers)
    step(1)
    notes = apply_mapping(ledger, mapping) if mapping is not None and len(mapping) else []
    step(2)
    match_account_links(ledger, pointers)
    match_customer_links(ledger, pointers)
    step(3)
    match_by_domain(ledger, config.auto_accept_score)
    step(4)
    match_by_name(ledger, config.auto_accept_score)
    settle_doubtful_links(ledger, doubtful)
    step(5)
    if config.use_fuzzy:
        match_fuzzy(ledger, auto_accept=config.auto_accept_score, suggest_min=config.suggest_min_score,
                    progress=fuzzy_progress, cancel=cancel)
    step(6)
    evidence = fit_evidence(ledger, _sure_pairs(ledger), keep_candidates=config.use_fuzzy and config.use_evidence,
                            cancel=cancel)
    if config.use_fuzzy and config.use_evidence:
        match_by_evidence(ledger, evidence, auto_accept=config.auto_accept_score,
                          suggest_min=config.suggest_min_score, cancel=cancel)
        settle_deferred(ledger, evidence, config.suggest_min_score)
    step(7)
    decisions = _assemble(ledger, evidence)
    progress(Progress(total, total, "Done"))
    counts = {status: int(n) for status, n in decisions["status"].value_counts().items()}
    return MatchResult(decisions, {status: counts.get(status, 0) for status in STATUSES}, notes)


def _unmatched_reasons(ledger: Ledger, acc: np.ndarray, cus: np.ndarray,
                       decided: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Why nothing was found, naming what was missing (Upflow's "missing" cause), or the record of
    the other side that shares the domain or name but went to another row."""
    accounts = ledger.accounts
    has_contact = (accounts.column("website", acc) != "") | (accounts.column("email", acc) != "")
    # Indexing an object array shares its str objects (np.where / np.full on a text would copy it per row).
    acc_reason = np.array([
        "No customer found: the link field is empty, the account has no website or e-mail to compare, and no "
        "open customer has a similar name",
        "No customer found: the link field is empty, and no open customer shares its website/e-mail domain "
        "or a similar name",
        "No customer found: the account has no name, link or website",
    ], dtype=object)[np.where(accounts.names[acc] == "", 2, has_contact.astype(np.intp))]
    cus_reason = np.array(["No account found: the customer's link field is empty and no open account "
                           "shares its domain or a similar name"], dtype=object)[np.zeros(len(cus), dtype=np.intp)]
    by_account, by_customer = taken_partner_notes(ledger, acc, cus, decided)
    # Where no taken partner is named, the closest candidate the evidence spoke against (matching_unlikely).
    for positions, notes, found in zip((acc, cus), ledger.closest_notes, (by_account, by_customer), strict=True):
        for index, text in by_index(notes, positions).items():
            found.setdefault(index, text)
    for index, text in by_account.items():
        acc_reason[index] = f"No customer found: the link field is empty, and {text}"
    for index, text in by_customer.items():
        cus_reason[index] = f"No account found: the customer's link field is empty, and {text}"
    _mention_placeholders(acc_reason, accounts.column("link_customer_id", acc))
    _mention_placeholders(cus_reason, ledger.customers.column("sf_account_id", cus))
    return acc_reason, cus_reason


def _mention_placeholders(reasons: np.ndarray, raw_links: np.ndarray) -> None:
    """Say so where the "empty" link field really holds a placeholder such as ``NA``."""
    for position in placeholder_positions(raw_links):
        raw = raw_links[position]
        reasons[position] = reasons[position].replace(
            "the link field is empty", f"the link field holds '{raw}' ({PLACEHOLDER_PROBLEM}, read as empty)"
        ).replace(
            "the customer's link field is empty",
            f"the customer's link field holds '{raw}' ({PLACEHOLDER_PROBLEM}, read as empty)",
        )


def _sure_pairs(ledger: Ledger) -> pd.DataFrame:
    """The pairs the domain, name and fuzzy passes matched (true pairs to learn from)."""
    decided = ledger.decisions()
    sure = decided[(decided["status"] == MATCHED) & decided["method"].isin(["domain", "name", "fuzzy"]) &
                   (decided["acc"] >= 0) & (decided["cus"] >= 0)]
    return sure[["acc", "cus"]]


def _evidence_column(ledger: Ledger, evidence: Evidence, acc: np.ndarray, cus: np.ndarray,
                     method: np.ndarray) -> np.ndarray:
    """Per decision row, its evidence as compact JSON ("" for a row with one record)."""
    out = np.full(len(acc), "", dtype=object)
    for name, text in _LINK_EVIDENCE.items():
        out[(method == name) & (acc >= 0) & (cus >= 0)] = text
    weighed = np.flatnonzero((acc >= 0) & (cus >= 0) & (out == ""))
    known: dict[str, str] = {}  # one str object per distinct text across the slices
    # In slices: the features, levels and weights of a million pairs at once would add ~0.5 GB to the peak.
    for start in range(0, len(weighed), _EVIDENCE_SLICE):
        rows = weighed[start:start + _EVIDENCE_SLICE]
        a, c = acc[rows], cus[rows]
        levels = compare_pairs(ledger.accounts, a, ledger.customers, c)
        _, weights = evidence.weigh(ledger.accounts, a, ledger.customers, c, levels)
        out[rows] = evidence_json(levels, weights, known)
    return out


def _assemble(ledger: Ledger, evidence: Evidence) -> pd.DataFrame:
    """One row per account (in input order), then one per customer no account row names."""
    accounts, customers = ledger.accounts, ledger.customers
    decided = ledger.decisions()
    ledger.chunks.clear()  # ``decided`` holds them all now, and nothing reads the ledger after this
    acc_all, cus_all = decided["acc"].to_numpy(dtype=np.int64), decided["cus"].to_numpy(dtype=np.int64)
    undecided_acc = np.flatnonzero(ledger.acc_free)
    undecided_cus = np.flatnonzero(ledger.cus_free)
    acc_reason, cus_reason = _unmatched_reasons(ledger, undecided_acc, undecided_cus, decided)
    # The evidence first: the normalised attributes it reads are freed before the rows are gathered.
    evidence_texts = _evidence_column(ledger, evidence, acc_all, cus_all, decided["method"].to_numpy(dtype=object))
    for side in (accounts, customers):
        side.cache.clear()
        side.distinct.clear()
    named = acc_all >= 0
    # A customer-only row is dropped when an account row already names that customer.
    customer_only = ~named & ~np.isin(cus_all, cus_all[named])
    undecided = len(undecided_acc) + len(undecided_cus)
    rest: dict[str, np.ndarray] = {
        "acc": np.concatenate([undecided_acc, np.full(len(undecided_cus), -1)]),
        "cus": np.concatenate([np.full(len(undecided_acc), -1), undecided_cus]),
        "status": np.empty(undecided, dtype=object), "score": np.zeros(undecided),
        "reason": np.concatenate([acc_reason, cus_reason]), "method": np.full(undecided, "", dtype=object),
        "candidates": np.full(undecided, "", dtype=object), "evidence": np.full(undecided, "", dtype=object),
    }
    rest["status"].fill(UNMATCHED)  # one shared str (np.full would copy it per row)
    acc = np.concatenate([acc_all[named], acc_all[customer_only], rest["acc"]])
    cus = np.concatenate([cus_all[named], cus_all[customer_only], rest["cus"]])
    order = np.argsort(np.where(acc >= 0, acc, len(accounts.ids) + cus), kind="stable")
    acc, cus = acc[order], cus[order]

    def gathered(name: str, dtype: type = object) -> np.ndarray:
        """Column ``name`` of the rows, in their final order (one copy, not one per step; each
        column of ``decided`` is let go once gathered)."""
        whole = evidence_texts if name == "evidence" else decided.pop(name).to_numpy(dtype=dtype)
        result: np.ndarray = np.concatenate([whole[named], whole[customer_only], rest[name].astype(dtype)])[order]
        return result

    has_acc, has_cus = acc >= 0, cus >= 0

    def pick(values: np.ndarray, positions: np.ndarray, present: np.ndarray, as_text: bool = False) -> np.ndarray:
        out = np.full(len(positions), "", dtype=object)
        chosen = values[positions[present]]
        out[present] = [str(v) for v in chosen.tolist()] if as_text else chosen
        return out

    frame = pd.DataFrame({
        "account_id": pick(accounts.ids, acc, has_acc),
        "account_name": pick(accounts.names, acc, has_acc),
        "customer_id": pick(customers.ids, cus, has_cus),
        "customer_name": pick(customers.names, cus, has_cus),
        "status": gathered("status"),
        "score": gathered("score", float).round(1),
        "reason": gathered("reason"),
        "method": gathered("method"),
        "candidates": gathered("candidates"),
        "account_row": pick(accounts.rows, acc, has_acc, as_text=True),
        "customer_row": pick(customers.rows, cus, has_cus, as_text=True),
        "evidence": gathered("evidence"),
    })
    return frame
