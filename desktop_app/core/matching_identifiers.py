"""Pass 3, shared identifiers: link-field values that point nowhere as written are retried after
normalising them, and each failure is reported by its cause — a *formatting* difference (matched
only after ignoring spaces, letter case, dashes or leading zeros), a *duplicate* (the value fits
several records) or a value that points at no record at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.ids import normalize_id
from desktop_app.core.matching_audit import Pointers
from desktop_app.core.matching_ledger import (
    AMBIGUOUS,
    CONFLICT,
    MATCHED,
    SUGGESTED,
    IntArray,
    Ledger,
    TextArray,
    describe_accounts,
    describe_customers,
)
from desktop_app.core.normalize import identifier_differences, normalize_identifier

_SEPARATORS = str.maketrans("", "", " \t\u00a0-")


def _positions_by_key(keys: TextArray) -> dict[str, list[int]]:
    """Every non-empty key → the positions holding it."""
    series = pd.Series(np.arange(len(keys)), index=pd.Index(keys, dtype=object))
    series = series[series.index != ""]
    return {str(k): list(v) for k, v in series.groupby(level=0).agg(list).items()} if len(series) else {}


def _join(labels: TextArray) -> str:
    return "; ".join(str(label) for label in labels)


def match_account_links(ledger: Ledger, pointers: Pointers) -> None:
    """Accounts whose link field names no customer as written: retry it normalised."""
    accounts, customers = ledger.accounts, ledger.customers
    waiting = np.flatnonzero(ledger.acc_free & (accounts.link != "") & (pointers.acc_to_cus < 0))
    if not len(waiting):
        return
    wanted = {normalize_identifier(accounts.link[a]) for a in waiting}
    keys = np.array([normalize_identifier(v) for v in customers.ids.tolist()], dtype=object)
    keys[~pd.Series(keys, dtype=object).isin(wanted).to_numpy()] = ""
    by_key = _positions_by_key(keys)
    rows: dict[str, list[object]] = {k: [] for k in ("acc", "cus", "status", "score", "reason")}
    for a in waiting.tolist():
        raw = accounts.link[a]
        found = by_key.get(normalize_identifier(raw), [])
        held = f"The account's link field holds '{raw}'"
        if len(found) == 1 and ledger.cus_free[found[0]] and customers.link[found[0]] == "":
            c = found[0]
            how = " and ".join(identifier_differences(raw, str(customers.ids[c])))
            _add(rows, a, c, MATCHED, 97.0,
                 f"{held}, which matches customer {customers.ids[c]} only after ignoring {how}; "
                 "the customer's side is empty — it will be written; the account's own field holds another "
                 "value, so the plan's policy decides it (overwrite rewrites it as the customer's exact id)")
        elif len(found) == 1:
            c = found[0]
            _add(rows, a, -1, CONFLICT, 0.0,
                 f"{held}, which after normalising is {describe_customers(customers, np.array([c]))[0]}, but that "
                 f"customer is already linked elsewhere or its own link field holds '{customers.link[c]}'")
        elif found:
            _add(rows, a, -1, AMBIGUOUS, 0.0,
                 f"{held}, which fits {len(found)} customers after normalising (duplicate identifier): "
                 + _join(describe_customers(customers, np.array(found))))
        else:
            _add(rows, a, -1, CONFLICT, 0.0,
                 f"{held}, which is no customer in the customers file (not even after ignoring spaces, "
                 "letter case, dashes and leading zeros)")
    _flush(ledger, rows, "identifier_normalized")


def match_customer_links(ledger: Ledger, pointers: Pointers) -> None:
    """Customers whose link field names no account as written: retry without inner spaces, then
    ignoring letter case (a 15-character id is case-sensitive, so that only suggests)."""
    accounts, customers = ledger.accounts, ledger.customers
    waiting = np.flatnonzero(ledger.cus_free & (customers.link != "") & (pointers.cus_to_acc < 0))
    if not len(waiting):
        return
    wanted = {customers.link[c].translate(_SEPARATORS)[:15].casefold() for c in waiting}
    prefix = np.array([v[:15].casefold() for v in accounts.ids.tolist()], dtype=object)
    prefix[~pd.Series(prefix, dtype=object).isin(wanted).to_numpy()] = ""
    by_prefix = _positions_by_key(prefix)
    exact = {str(accounts.ids[p]): int(p) for ps in by_prefix.values() for p in ps}
    rows: dict[str, list[object]] = {k: [] for k in ("acc", "cus", "status", "score", "reason")}
    for c in waiting.tolist():
        raw = customers.link[c]
        compact = raw.translate(_SEPARATORS)
        held = f"The customer's link field holds '{raw}'"
        repaired = normalize_id(compact)
        a = exact.get(repaired or "", -1)
        if a >= 0 and ledger.acc_free[a] and accounts.link[a] == "":
            _add(rows, a, c, MATCHED, 97.0,
                 f"{held}, which is account {accounts.ids[a]} once inner spaces or dashes are removed; the "
                 "account's side is empty — it will be written; the customer's own field holds another value, "
                 "so the plan's policy decides it (overwrite rewrites it as the account's 18-character id)")
            continue
        found = by_prefix.get(compact[:15].casefold(), []) if len(compact) in (15, 18) else []
        if a >= 0:
            _add(rows, -1, c, CONFLICT, 0.0,
                 f"{held}, which is {describe_accounts(accounts, np.array([a]))[0]}, but that account is "
                 f"already linked elsewhere or its link field holds '{accounts.link[a]}'")
        elif len(found) == 1 and ledger.acc_free[found[0]] and accounts.link[found[0]] == "":
            _add(rows, found[0], c, SUGGESTED, 80.0,
                 f"{held}, which equals account {accounts.ids[found[0]]} only when letter case is ignored; "
                 "15-character Salesforce ids are case-sensitive, so please confirm")
        elif len(found) > 1:
            _add(rows, -1, c, AMBIGUOUS, 0.0,
                 f"{held}, which fits {len(found)} accounts when letter case is ignored (ids that differ only "
                 "in case, as a spreadsheet lookup would confuse them): "
                 + _join(describe_accounts(accounts, np.array(found))))
        else:
            _add(rows, -1, c, CONFLICT, 0.0,
                 f"{held}, which is no account in the accounts file (not even in its 15-character form or "
                 "another letter case)")
    _flush(ledger, rows, "identifier_normalized")


def _add(rows: dict[str, list[object]], acc: int, cus: int, status: str, score: float, reason: str) -> None:
    rows["acc"].append(acc)
    rows["cus"].append(cus)
    rows["status"].append(status)
    rows["score"].append(score)
    rows["reason"].append(reason)


def _flush(ledger: Ledger, rows: dict[str, list[object]], method: str) -> None:
    acc: IntArray = np.array(rows["acc"], dtype=np.int64)
    ledger.record(acc, np.array(rows["cus"], dtype=np.int64), np.array(rows["status"], dtype=object),
                  np.array(rows["score"], dtype=float), np.array(rows["reason"], dtype=object), method)
