"""Passes 4 and 5: the same website / e-mail domain with names that agree, then the same cleaned
company name. Country breaks ties, and a country mismatch keeps an exact name from being accepted
without review.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from desktop_app.core.matching_evidence import Evidence
from desktop_app.core.matching_features import bare_names, clean_legal_names, record_domains
from desktop_app.core.matching_ledger import (
    AMBIGUOUS,
    MATCHED,
    SUGGESTED,
    IntArray,
    Ledger,
    Side,
    TextArray,
    quoted,
    resolve,
)
from desktop_app.core.matching_unlikely import drop_unlikely
from desktop_app.core.matching_weighed import guard_namesakes, place_levels
from desktop_app.core.name_qualifiers import has_filing_qualifier

_METHOD_WORDS = {"domain": "website/e-mail domain and name", "name": "company name", "fuzzy": "similar name"}
NAME_AGREES = 85.0  # token_sort_ratio of cleaned names that counts as "the same name" next to a domain
TIE_MARGIN = 0.5


def resolve_countries_of(side: Side, positions: IntArray) -> TextArray:
    """ISO α-2 codes of ``positions`` ("" when unknown)."""
    return side.country_codes(positions)


def country_note(acc_country: TextArray, cus_country: TextArray) -> tuple[np.ndarray, np.ndarray, TextArray]:
    """(same, different, sentence) per pair: same/different only when both countries are known.
    Worked out once per pair of countries (a few hundred) and looked up for each pair."""
    acc_codes, acc_uniques = pd.factorize(np.asarray(acc_country, dtype=object), use_na_sentinel=False)
    cus_codes, cus_uniques = pd.factorize(np.asarray(cus_country, dtype=object), use_na_sentinel=False)
    width = max(len(cus_uniques), 1)
    at, combos = pd.factorize(acc_codes.astype(np.int64) * width + cus_codes)
    a = np.asarray(acc_uniques, dtype=object)[combos // width]
    c = np.asarray(cus_uniques, dtype=object)[combos % width]
    known = (a != "") & (c != "")
    same = known & (a == c)
    different = known & ~same
    text = np.where(same, "; customer's country " + c + " = account's country",
                    np.where(different, "; but the countries differ (account " + a + ", customer " + c + ")",
                             "")).astype(object)
    return same[at], different[at], text[at]


def _domains(side: Side, positions: IntArray) -> pd.DataFrame:
    """Table (pos, domain) of the records at ``positions`` that have a domain."""
    table = pd.DataFrame({"pos": positions, "domain": record_domains(side, positions)})
    return table[table["domain"] != ""]


def record_resolution(ledger: Ledger, pairs: pd.DataFrame, method: str, auto_accept: float, *,
                      margin: float = TIE_MARGIN) -> None:
    """Resolve candidate pairs (acc, cus, score, tiebreak, reason) one-to-one and record the
    accepted ones (matched at ``auto_accept`` or more, else suggested) and the ambiguous ones.
    Namesakes (names agree, street/postcode/phone disagree) are only ever suggested. With
    ``ledger.defer_namesakes`` only the sure pairs are recorded; namesakes, weaker pairs and ties
    are left open for the weighed-evidence pass."""
    accounts, customers = ledger.accounts, ledger.customers
    if "namesake" not in pairs.columns:  # deferred pairs come back already checked
        pairs = guard_namesakes(ledger, pairs.drop_duplicates(["acc", "cus"]).reset_index(drop=True))
    if ledger.defer_namesakes:
        # Where both records say where they are, only sure pairs are taken here; namesakes, weaker
        # pairs and ties are left to the weighed evidence, which can tell them apart.
        placed = pairs["placed"].to_numpy(dtype=bool)
        sure = pairs[placed & ~pairs["namesake"].to_numpy(dtype=bool)]
        outcome = resolve(sure, accounts, customers, margin=margin, one_to_one=ledger.one_to_one)
        good = outcome.accepted
        _record_accepted(ledger, good[good["score"].to_numpy(dtype=float) >= auto_accept], auto_accept, method)
        ledger.deferred.append((method, auto_accept, margin, pairs[placed]))
        pairs = pairs[~placed]
        pairs = pairs[ledger.acc_free[pairs["acc"].to_numpy()] & ledger.cus_free[pairs["cus"].to_numpy()]]
    outcome = resolve(pairs, accounts, customers, margin=margin, one_to_one=ledger.one_to_one)
    _record_accepted(ledger, outcome.accepted, auto_accept, method)
    how = _METHOD_WORDS.get(method, method)
    amb = outcome.ambiguous_accounts
    reason = np.where(amb["contested"].to_numpy(dtype=bool),
                      f"The best customer by {how} fits other accounts just as well; please choose",
                      f"Several customers fit equally well by {how}; please choose one").astype(object)
    ledger.record(amb["acc"].to_numpy(), np.full(len(amb), -1), AMBIGUOUS, 0.0, reason, method,
                  amb["candidates"].to_numpy(dtype=object))
    amb = outcome.ambiguous_customers
    ledger.record(np.full(len(amb), -1), amb["cus"].to_numpy(), AMBIGUOUS, 0.0,
                  f"Several accounts fit this customer equally well by {how}; please choose one", method,
                  amb["candidates"].to_numpy(dtype=object))


def settle_deferred(ledger: Ledger, evidence: Evidence | None = None, suggest_min: float = 0.0) -> None:
    """After pass 7: the pairs passes 4-6 left to it whose records it did not decide are resolved
    as those passes would have (suggested, ambiguous, namesakes suggested), so no suggestion is lost;
    but merely similar names that ``evidence`` weighs below ``suggest_min`` % are left unmatched,
    with the closest candidate named (``matching_unlikely``)."""
    deferred, ledger.deferred = ledger.deferred, []
    defer, ledger.defer_namesakes = ledger.defer_namesakes, False
    try:
        for method, auto_accept, margin, pairs in deferred:
            still_open = ledger.acc_free[pairs["acc"].to_numpy()] & ledger.cus_free[pairs["cus"].to_numpy()]
            open_pairs = pairs[still_open]
            if evidence is not None and method == "fuzzy" and len(open_pairs):
                open_pairs = drop_unlikely(ledger, evidence, open_pairs, suggest_min)
            if len(open_pairs):
                record_resolution(ledger, open_pairs, method, auto_accept, margin=margin)
    finally:
        ledger.defer_namesakes = defer


def _record_accepted(ledger: Ledger, good: pd.DataFrame, auto_accept: float, method: str) -> None:
    """Record resolved pairs: matched at ``auto_accept`` or more unless a namesake, else suggested."""
    namesake = good["namesake"].to_numpy(dtype=bool)
    scores = np.where(namesake, np.minimum(good["score"].to_numpy(dtype=float), auto_accept - 5),
                      good["score"].to_numpy(dtype=float))
    ledger.record(good["acc"].to_numpy(), good["cus"].to_numpy(),
                  np.where(scores >= auto_accept, MATCHED, SUGGESTED).astype(object), scores,
                  good["reason"].to_numpy(dtype=object), method)


def _name_similarity(accounts: Side, acc: IntArray, customers: Side, cus: IntArray
                     ) -> tuple[np.ndarray, TextArray, TextArray]:
    """Per pair: similarity (0-100) of the account's cleaned name to the customer's cleaned name or
    cleaned legal name, whichever is closer, and both cleaned names ("" for names written
    identically, which need no cleaning)."""
    similarity = np.full(len(cus), 100.0)
    acc_name, cus_name = np.full(len(acc), "", dtype=object), np.full(len(cus), "", dtype=object)
    acc_raw, cus_raw = accounts.names[acc], customers.names[cus]
    differ = np.flatnonzero(~((acc_raw == cus_raw) & (acc_raw != "")))
    if not len(differ):
        return similarity, acc_name, cus_name
    acc_name[differ], cus_name[differ] = accounts.clean_names(acc[differ]), customers.clean_names(cus[differ])
    acc_clean, cus_clean = acc_name[differ], cus_name[differ]
    scores = np.full(len(differ), 100.0)
    unequal = np.flatnonzero(acc_clean != cus_clean)
    if len(unequal):
        scores[unequal] = process.cpdist(list(acc_clean[unequal]), list(cus_clean[unequal]), scorer=fuzz.ratio,
                                         workers=-1)
    legal_raw = customers.column("legal_name", cus[differ])
    retry = np.flatnonzero((scores < NAME_AGREES) & (legal_raw != ""))
    if len(retry):
        legal = clean_legal_names(customers, cus[differ][retry])
        scores[retry] = np.maximum(
            scores[retry], process.cpdist(list(acc_clean[retry]), list(legal), scorer=fuzz.ratio, workers=-1))
    scores[acc_clean == ""] = 0.0
    similarity[differ] = scores
    return similarity, acc_name, cus_name


def _name_text(accounts: Side, acc: IntArray, customers: Side, cus: IntArray, similarity: np.ndarray,
               acc_name: TextArray, cus_name: TextArray) -> TextArray:
    """How the names of pairs (scored by ``_name_similarity``) are said in a reason."""
    acc_raw = accounts.names[acc]
    identical = (acc_raw == customers.names[cus]) & (acc_raw != "")
    text = np.empty(len(acc), dtype=object)
    text[identical] = "name " + quoted(acc_raw[identical]) + " agree"
    cleaned = ~identical & (similarity >= 100)
    text[cleaned] = "cleaned name " + quoted(acc_name[cleaned]) + " agree"
    near = ~identical & ~cleaned
    text[near] = "names " + quoted(acc_name[near]) + " and " + quoted(cus_name[near]) + " nearly agree"
    return text


def match_by_domain(ledger: Ledger, auto_accept: float) -> None:
    """Pass 4: a shared website or company e-mail domain, with cleaned names that agree."""
    accounts, customers = ledger.accounts, ledger.customers
    acc_domains = _domains(accounts, ledger.free_accounts())
    cus_domains = _domains(customers, ledger.free_customers())
    pairs = acc_domains.merge(cus_domains, on="domain", suffixes=("_acc", "_cus"))
    pairs = pairs.rename(columns={"pos_acc": "acc", "pos_cus": "cus"}).drop_duplicates(["acc", "cus"])
    if pairs.empty:
        return
    similarity, acc_name, cus_name = _name_similarity(accounts, pairs["acc"].to_numpy(), customers,
                                                      pairs["cus"].to_numpy())
    agree = similarity >= NAME_AGREES
    pairs, similarity = pairs[agree], similarity[agree]
    acc, cus = pairs["acc"].to_numpy(), pairs["cus"].to_numpy()
    name_text = _name_text(accounts, acc, customers, cus, similarity, acc_name[agree], cus_name[agree])
    same, different, note = country_note(resolve_countries_of(accounts, acc), resolve_countries_of(customers, cus))
    score = np.where(different, np.minimum((100 + similarity) / 2, auto_accept - 5), (100 + similarity) / 2)
    pairs = pairs.assign(score=score, tiebreak=same,
                         reason="Website/e-mail domain " + pairs["domain"].to_numpy(dtype=object) + " and " +
                         name_text + note)
    record_resolution(ledger, pairs, "domain", auto_accept)


def _name_keys(ledger: Ledger, acc_pos: IntArray, cus_pos: IntArray) -> pd.DataFrame:
    """Pairs (acc, cus, key, via) whose cleaned names agree: as they are, with the customer's legal
    name, or with one name's qualifier left out ("spago (los angeles)" / "spago", "BANK OF AMERICA CORP
    /DE/" / "bank of america", "Acme Corp d/b/a Roadrunner" / "acme"; two names in brackets, two branches,
    are not paired by their brand)."""
    accounts, customers = ledger.accounts, ledger.customers
    left = pd.DataFrame({"acc": acc_pos, "key": accounts.clean_names(acc_pos), "side": "name"})
    left_bare = pd.DataFrame({"acc": acc_pos, "key": bare_names(accounts, acc_pos), "side": "bare"})
    names = pd.DataFrame({"cus": cus_pos, "key": customers.clean_names(cus_pos), "via": "name"})
    bare = pd.DataFrame({"cus": cus_pos, "key": bare_names(customers, cus_pos), "via": "bare"})
    legal_raw = customers.column("legal_name", cus_pos)
    has_legal = legal_raw != ""
    legal = pd.DataFrame({"cus": cus_pos[has_legal], "via": "legal name",
                          "key": clean_legal_names(customers, cus_pos[has_legal])})
    right = pd.concat([names, legal, bare], ignore_index=True)
    right = right[right["key"] != ""].drop_duplicates(["cus", "key"])
    pairs = pd.concat([left, left_bare], ignore_index=True)
    pairs = pairs[pairs["key"] != ""].merge(right, on="key")
    pairs = pairs[(pairs["side"] == "name") | (pairs["via"] == "name")]
    pairs["via"] = np.where(pairs["side"] == "bare", "bare", pairs["via"])
    # The closest way a pair agrees wins: its name, then the legal name, then without brackets.
    order = pairs["via"].map({"name": 0, "legal name": 1, "bare": 2})
    return pairs.assign(order=order).sort_values("order", kind="stable").drop_duplicates(["acc", "cus"])


def match_by_name(ledger: Ledger, auto_accept: float) -> None:
    """Pass 5: the same cleaned company name (or the customer's cleaned legal name, or either name
    without its qualifier when the place confirms it)."""
    accounts, customers = ledger.accounts, ledger.customers
    pairs = _name_keys(ledger, ledger.free_accounts(), ledger.free_customers())
    if pairs.empty:
        return
    acc, cus = pairs["acc"].to_numpy(), pairs["cus"].to_numpy()
    same, different, note = country_note(resolve_countries_of(accounts, acc), resolve_countries_of(customers, cus))
    via = pairs["via"].to_numpy()
    base = np.select([via == "legal name", via == "bare"], [97.0, 95.0], 100.0)
    # A name agreeing only without its branch in brackets may be one branch of several: it needs a
    # street with its number, a postcode, a phone or an e-mail address that agrees as well. A filing's
    # state of incorporation after a slash ("AMERICAN TOWER CORP /MA/") names no branch: without it the
    # name is the company's own, as good as a name with its legal form left out.
    bare_at = np.flatnonzero(via == "bare")
    if len(bare_at):
        own_names = np.where(pairs["side"].to_numpy()[bare_at] == "bare", accounts.column("name", acc[bare_at]),
                             customers.column("name", cus[bare_at]))
        bare_at = bare_at[~np.array([has_filing_qualifier(name) for name in own_names], dtype=bool)]
    if len(bare_at):
        levels = place_levels(ledger, acc[bare_at], cus[bare_at])
        confirmed = ((levels["street"] >= 2) | (levels["postcode"] >= 1) | (levels["phone"] >= 1)
                     | (levels["email"] == 1))
        base[bare_at[~confirmed]] = auto_accept - 5
    score = np.where(different, np.minimum(base, auto_accept - 5), base)
    what = np.select([via == "legal name", via == "bare"],
                     ["The customer's legal name matches once cleaned", "The company name matches once its "
                      "qualifier (a place in brackets, a state after a slash, a name after 'd/b/a') is left out"],
                     "The company name matches once cleaned").astype(object)
    pairs = pairs.assign(score=score, tiebreak=same,
                         reason=what + " (" + quoted(pairs["key"].to_numpy(dtype=object)) + ")" + note)
    record_resolution(ledger, pairs[["acc", "cus", "score", "tiebreak", "reason"]], "name", auto_accept)
