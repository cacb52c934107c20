"""`desktop-app match` on two files of companies from many countries, each written differently on the
two sides (legal form at the other end, in another spelling, joined to the name, in quotes)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from csv_files import write_rows

from desktop_app.cli import main
from desktop_app.core.ids import to_18

# (account name, customer name, the cleaned name both share, city, country)
COMPANIES = [
    ("İstanbul Holding A.Ş.", "ISTANBUL HOLDING AS", "istanbul holding", "Istanbul", "TR"),
    ("Grupo Bimbo S.A.B. de C.V.", "Grupo Bimbo", "grupo bimbo", "Mexico City", "MX"),
    ("Infosys Pvt. Ltd.", "Infosys Private Limited", "infosys", "Bengaluru", "IN"),
    ("SIA “Rimi Latvia”", "Rimi Latvia SIA", "rimi latvia", "Riga", "LV"),
    ("UAB „Maxima LT“", "Maxima LT", "maxima lt", "Vilnius", "LT"),
    ("ООО «Ромашка»", "Ромашка, ООО", "ромашка", "Moscow", "RU"),
    ("ПАО Газпром", "Газпром", "газпром", "Saint Petersburg", "RU"),
    ("トヨタ株式会社", "株式会社トヨタ", "トヨタ", "Toyota", "JP"),
    ("华为技术有限公司", "华为技术", "华为技术", "Shenzhen", "CN"),
    ("(주)카카오", "카카오 주식회사", "카카오", "Jeju", "KR"),
    ("ΟΤΕ Α.Ε.", "ΟΤΕ", "οτε", "Athens", "GR"),
    ("PT Bank Central Asia Tbk", "Bank Central Asia", "bank central asia", "Jakarta", "ID"),
]


def test_companies_written_differently_per_country_are_matched_on_their_cleaned_names(tmp_path: Path) -> None:
    ids = [to_18(f"0015g0000{number:06d}") for number in range(1, len(COMPANIES) + 1)]
    accounts = write_rows(tmp_path / "accounts.csv", ["Account ID", "Account Name", "Billing City", "Billing Country"],
                      [[ids[i], account, city, country] for i, (account, _, _, city, country) in enumerate(COMPANIES)])
    customers = write_rows(tmp_path / "customers.csv", ["customer_id", "name", "city", "country"],
                       [[f"cus_{i}", customer, city, country]
                        for i, (_, customer, _, city, country) in enumerate(COMPANIES)])
    out = tmp_path / "matches.csv"
    assert main(["match", "--accounts", str(accounts), "--customers", str(customers), "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["account_id"]: row for row in csv.DictReader(handle) if row["account_id"]}
    for i, (account, customer, clean, _, country) in enumerate(COMPANIES):
        row = rows[ids[i]]
        assert (row["customer_id"], row["status"], row["method"]) == (f"cus_{i}", "matched", "name"), (account, row)
        assert row["reason"].startswith(f"The company name matches once cleaned ('{clean}')"), row["reason"]
        assert f"country {country} = account's country" in row["reason"]
        assert json.loads(row["evidence"])["name"][0] == "agree", (customer, row["evidence"])
