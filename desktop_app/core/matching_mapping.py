"""Pass 2, the mapping file: pairs of ids the user already knows belong together.

Each pair is checked before it is trusted: both ids must exist (account ids in their 15- or
18-character form), a customer can belong to one account only, and with the one-to-one policy an
account to one customer only. Every pair that fails is reported against the records it names, with
the mapping file's row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.ids import to_18_series
from desktop_app.core.matching_audit import lookup
from desktop_app.core.matching_ledger import CONFLICT, MATCHED, UNMATCHED, Ledger


def apply_mapping(ledger: Ledger, mapping: pd.DataFrame) -> list[str]:
    """Record the valid, still-open pairs of ``mapping`` as matched; report the others.

    Returns notes about mapping rows that name no record at all (they have no row to go on).
    """
    accounts, customers = ledger.accounts, ledger.customers
    frame = mapping.reset_index(drop=True)
    raw_acc = _text(frame, "account_id")
    raw_cus = _text(frame, "customer_id")
    rows = _text(frame, "source_row") if "source_row" in frame.columns else \
        (np.arange(len(frame)) + 2).astype(str).astype(object)
    id18 = to_18_series(pd.Series(raw_acc, dtype=object)).to_numpy(dtype=object)
    acc = lookup(np.where(pd.isna(id18), "", id18).astype(object), accounts.ids)
    cus = lookup(raw_cus, customers.ids)
    # A row without one of its ids pairs nothing: its record stays open for the other passes.
    incomplete = (raw_acc == "") | (raw_cus == "")
    notes = [f"Mapping row {row}: no {'customer' if account else 'account'} id beside "
             f"{'account' if account else 'customer'} '{account or customer}'; the row was ignored."
             for row, account, customer in zip(rows[incomplete].tolist(), raw_acc[incomplete].tolist(),
                                               raw_cus[incomplete].tolist(), strict=True)
             if account or customer]
    pairs = pd.DataFrame({"acc": acc, "cus": cus, "row": rows, "raw_acc": raw_acc, "raw_cus": raw_cus})[~incomplete]
    pairs = pairs.drop_duplicates(["raw_acc", "raw_cus"]) if len(pairs) else pairs

    # Pairs naming a record that does not exist.
    missing = pairs[(pairs["acc"] < 0) | (pairs["cus"] < 0)]
    for item in missing.itertuples():
        if item.acc < 0 and item.cus < 0:
            notes.append(f"Mapping row {item.row}: neither account '{item.raw_acc}' nor customer "
                         f"'{item.raw_cus}' is in the loaded files; the row was ignored.")
        elif item.acc < 0 and ledger.cus_free[item.cus]:
            ledger.record(np.array([-1]), np.array([item.cus]), UNMATCHED, 0.0,
                          f"Mapping row {item.row} pairs this customer with account '{item.raw_acc}', which is "
                          "not in the accounts file (check the id, or load that account)", "mapping")
        elif item.cus < 0 and ledger.acc_free[item.acc]:
            ledger.record(np.array([item.acc]), np.array([-1]), UNMATCHED, 0.0,
                          f"Mapping row {item.row} pairs this account with customer '{item.raw_cus}', which is "
                          "not in the customers file (check the id, or load that customer)", "mapping")
    pairs = pairs[(pairs["acc"] >= 0) & (pairs["cus"] >= 0)].drop_duplicates(["acc", "cus"])

    # Conflicting pairs: a customer (or, one-to-one, an account) in several pairs.
    per_cus = pairs.groupby("cus")["acc"].transform("nunique")
    per_acc = pairs.groupby("acc")["cus"].transform("nunique")
    clash = (per_cus > 1) | ((per_acc > 1) if ledger.one_to_one else False)
    for item in pairs[clash].itertuples():
        others = pairs[((pairs["acc"] == item.acc) | (pairs["cus"] == item.cus)) & (pairs["row"] != item.row)]
        listed = ", ".join(f"row {r}" for r in others["row"])
        reason = (f"Mapping row {item.row} pairs {accounts.ids[item.acc]} with {customers.ids[item.cus]}, but "
                  f"{listed} pair{'s' if len(others) == 1 else ''} one of them with another record")
        if ledger.acc_free[item.acc]:
            ledger.record(np.array([item.acc]), np.array([-1]), CONFLICT, 0.0, reason, "mapping")
        if ledger.cus_free[item.cus]:
            ledger.record(np.array([-1]), np.array([item.cus]), CONFLICT, 0.0, reason, "mapping")
    pairs = pairs[~clash]

    # Pairs whose records an earlier pass already decided otherwise.
    acc_open = ledger.acc_free[pairs["acc"].to_numpy()] if ledger.one_to_one else np.ones(len(pairs), dtype=bool)
    cus_open = ledger.cus_free[pairs["cus"].to_numpy()]
    good = pairs[acc_open & cus_open]
    ledger.record(good["acc"].to_numpy(), good["cus"].to_numpy(), MATCHED, 100.0,
                  "Mapping file row " + good["row"].to_numpy(dtype=object) + " pairs them", "mapping")
    decided = ledger.decisions()
    known = set(zip(decided["acc"].tolist(), decided["cus"].tolist(), strict=True))
    for item in pairs[~(acc_open & cus_open)].itertuples():
        if (item.acc, item.cus) in known:
            continue  # the existing link says the same
        notes.append(f"Mapping row {item.row} pairs {accounts.ids[item.acc]} with {customers.ids[item.cus]}, "
                     "but the existing links already decided one of them; the existing link was kept.")
    return notes


def _text(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    values = frame[column].astype(object).where(frame[column].notna(), "")
    result: np.ndarray = values.astype(str).str.strip().to_numpy(dtype=object)
    return result
