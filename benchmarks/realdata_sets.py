"""The real two-source datasets ``bench_realdata.py`` runs, each read from the folder it is shipped in.

A dataset is two tables as their sources wrote them, the accounts side's ids turned into Salesforce
Account ids (as an export carries them; nothing else touched), and its true pairs in those ids.
Which dataset a folder holds is told by its files:

* ``fodors.csv``, ``zagats.csv``, ``matches_fodors_zagats.csv``: the Fodor's and Zagat restaurant
  guides (RIDDLE, as shipped by py_entitymatching, ``datasets/end-to-end/restaurants/``).
* ``csv_example_input_with_true_ids.csv``: Chicago early-childhood sites from nine public lists with
  a hand-made ``True Id`` per site (dedupe-examples, ``csv_example/``, MIT licence; the lists are
  City of Chicago / State of Illinois / Chicago Public Schools directories of 2011-2012). Two of its
  ``Source`` lists are taken as the two sides; a site listed twice in one list gives a true pair to
  each of its records, so a one-to-one matcher cannot reach recall 1 there (``ceiling``).
* ``constituents.csv`` and ``company_tickers.json``: the S&P 500 as Wikipedia names its members
  ("3M", "A. O. Smith", "Alphabet Inc. (Class A)"; datasets/s-and-p-500-companies, ``data/``, ODC-PDDL)
  as the accounts, with their headquarters city and state, against every company the SEC lists with a
  ticker, under its EDGAR name ("3M CO", "SMITH A O CORP", "AMAZON COM INC"; sec.gov
  ``files/company_tickers.json``, public domain), one customer per CIK. The CIK both carry is the truth;
  it is not handed to the matcher. A company with two share classes is two accounts for one customer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from desktop_app.core.ids import checksum_suffix

Pairs = set[tuple[str, str]]

CHICAGO_FILE = "csv_example_input_with_true_ids.csv"
CHICAGO_SOURCES = {
    "dfss2011": "chapin_dfss_providers_2011_070212.csv",
    "dfss2012": "DFSS_AgencySiteLies_2012.csv",
    "ece": "ECE Chicago Find a School scrape.csv",
    "cps": "CPS_Early_Childhood_Portal_scrape.csv",
    "purple": "purple_binder_early_childhood.csv",
    "naeyc": "NAEYC_accreditation.csv",
    "idhs": "IDHS_child_care_provider_list.csv",
}


@dataclass(frozen=True)
class RealData:
    """Two tables, their true pairs, and the headers the baseline and ``--show`` read."""

    label: str
    accounts: pd.DataFrame
    customers: pd.DataFrame
    truth: Pairs
    id_column: str
    name: str
    street: str
    phone: str
    place: str  # city or postcode: shown with each missed/wrong pair
    # the customers' name, street, phone and place headers when they differ from the accounts'
    customer_fields: tuple[str, str, str, str] | None = None

    def fields(self, side: str) -> tuple[str, str, str, str]:
        """The name, street, phone and place headers of one side ("" where it has none)."""
        if side == "customers" and self.customer_fields is not None:
            return self.customer_fields
        return self.name, self.street, self.phone, self.place

    def id_of(self, side: str) -> str:
        return self.id_column if side == "accounts" or self.customer_fields is None else "customer_id"

    @property
    def ceiling(self) -> float:
        """The recall a one-to-one matcher can reach: true pairs whose records are each in one pair."""
        reachable = len({a for a, _ in self.truth}), len({b for _, b in self.truth})
        return min(reachable) / max(1, len(self.truth))

    def describe(self, side: str, record_id: str) -> str:
        table = self.accounts if side == "accounts" else self.customers
        row = table[table[self.id_of(side)] == record_id].iloc[0]
        name, street, phone, place = self.fields(side)
        return " | ".join(" ".join(str(row[c]).split()) for c in (name, street, place, phone) if c)


def account_id(number: int) -> str:
    """An 18-character Account id made from a record's number."""
    id15 = f"001A{number:011d}"
    return id15 + checksum_suffix(id15)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def fodors_zagat(folder: Path) -> RealData:
    """Fodor's as the accounts, Zagat as the customers (533 × 331, 112 true pairs)."""
    fodors, zagats = _read(folder / "fodors.csv"), _read(folder / "zagats.csv")
    truth_raw = _read(folder / "matches_fodors_zagats.csv")
    ids = {raw: account_id(int(raw)) for raw in fodors["id"]}
    fodors["id"] = fodors["id"].map(ids)
    truth = {(ids[a], b) for a, b in zip(truth_raw["fodors_id"], truth_raw["zagats_id"], strict=True)}
    return RealData("Fodor's × Zagat restaurants", fodors, zagats, truth, "id", "name", "addr", "phone", "city")


def chicago(folder: Path, accounts_list: str, customers_list: str) -> RealData:
    """Two of the Chicago early-childhood lists; each keeps only the columns its list fills."""
    table = _read(folder / CHICAGO_FILE)
    sides = []
    for key in (accounts_list, customers_list):
        if key not in CHICAGO_SOURCES:
            raise SystemExit(f"unknown Chicago list {key!r}: choose from {', '.join(CHICAGO_SOURCES)}")
        rows = table[table["Source"] == CHICAGO_SOURCES[key]]
        kept = [c for c in rows.columns if c not in ("True Id", "Source") and (rows[c] != "").any()]
        sides.append((rows, rows[kept].copy()))
    (left_rows, accounts), (right_rows, customers) = sides
    ids = {raw: account_id(int(raw)) for raw in accounts["Id"]}
    accounts["Id"] = accounts["Id"].map(ids)
    pairs = left_rows[["True Id", "Id"]].merge(right_rows[["True Id", "Id"]], on="True Id")
    truth = {(ids[a], b) for a, b in zip(pairs["Id_x"], pairs["Id_y"], strict=True)}
    label = f"Chicago early-childhood sites: {accounts_list} × {customers_list}"
    return RealData(label, accounts, customers, truth, "Id", "Site name", "Address", "Phone", "Zip")


SP500_FILE, SEC_FILE = "constituents.csv", "company_tickers.json"
_NOT_US = {"Bermuda", "Canada", "Ireland", "Netherlands", "Switzerland", "United Kingdom"}


def _headquarters(location: str) -> tuple[str, str, str]:
    """City, state and country of a Wikipedia headquarters cell ("Saint Paul, Minnesota", "Dublin, Ireland")."""
    parts = [re.sub(r"\[\d+\]$", "", part).strip() for part in location.split(",")]
    if parts[-1] in _NOT_US:
        return ", ".join(parts[:-1]), "", parts[-1]
    if len(parts) < 2:
        return "", "", ""
    return ", ".join(parts[:-1]), parts[-1], "United States"


def sp500_sec(folder: Path) -> RealData:
    """S&P 500 members (Wikipedia's names) as Salesforce accounts × the SEC's ticker list as customers."""
    members = _read(folder / SP500_FILE)
    with (folder / SEC_FILE).open(encoding="utf-8") as handle:
        listed = pd.DataFrame(json.load(handle).values())
    listed = listed.drop_duplicates("cik_str")
    customers = pd.DataFrame({"customer_id": listed["cik_str"].astype(str), "name": listed["title"]})
    places = [_headquarters(cell) for cell in members["Headquarters Location"]]
    ids = [account_id(number) for number in range(1, len(members) + 1)]
    accounts = pd.DataFrame({
        "Id": ids, "Name": members["Security"], "BillingStreet": "",
        "BillingCity": [city for city, _, _ in places], "BillingState": [state for _, state, _ in places],
        "BillingCountry": [country for _, _, country in places], "Phone": "", "Website": "",
    })
    known = set(customers["customer_id"])
    truth = {(a, str(int(cik))) for a, cik in zip(ids, members["CIK"], strict=True) if str(int(cik)) in known}
    return RealData("S&P 500 (Wikipedia) × SEC company tickers", accounts, customers, truth, "Id", "Name",
                    "BillingStreet", "Phone", "BillingCity", customer_fields=("name", "", "", ""))


def load(folder: Path, lists: tuple[str, str]) -> RealData:
    if (folder / "fodors.csv").exists():
        return fodors_zagat(folder)
    if (folder / CHICAGO_FILE).exists():
        return chicago(folder, *lists)
    if (folder / SP500_FILE).exists() and (folder / SEC_FILE).exists():
        return sp500_sec(folder)
    raise SystemExit(f"{folder}: none of fodors.csv, {CHICAGO_FILE}, {SP500_FILE} + {SEC_FILE} is there; "
                     "see benchmarks/README.md")
