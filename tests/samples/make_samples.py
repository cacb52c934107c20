"""Write the sample files in this folder (run: ``.venv/bin/python tests/samples/make_samples.py``).

Everything is derived from one seeded list of companies, so the files are re-creatable (the CSVs byte
for byte) and coherent: the same company appears in the Salesforce export and in several billing
exports under its own ids, and some records already point at each other (see README.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from desktop_app.core.ids import checksum_suffix
from tests.samples.report_layouts import write_report_layouts

HERE = Path(__file__).resolve().parent
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Company:
    """One real-world company, as every system in the samples knows it."""

    index: int
    name: str
    domain: str
    street: str
    city: str
    state: str
    postcode: str
    country: str  # English name
    country_code: str
    currency: str
    account_id: str  # 18-character Salesforce Account id
    stripe_id: str
    phone: str


# name | domain | street | city | state | postcode | country | country code | currency
_COMPANIES = """\
Acme Corporation|acme.com|1 Market St|San Francisco|CA|94105|United States|US|USD
Globex LLC|globex.com|200 Park Ave|New York|NY|10166|United States|US|USD
Initech Inc.|initech.io|4120 Freidrich Ln|Austin|TX|78744|United States|US|USD
Société Générale Services|sgs.fr|29 Bd Haussmann|Paris||75009|France|FR|EUR
Müller GmbH|mueller.de|Königstraße 12|Stuttgart|BW|70173|Germany|DE|EUR
Øresund Shipping A/S|oresund.dk|Havnegade 39|København||1058|Denmark|DK|DKK
Umbrella Health Ltd|umbrella.co.uk|10 Downing Ct|London||SW1A 2AA|United Kingdom|GB|GBP
Hooli|hooli.xyz|1401 N Shoreline Blvd|Mountain View|CA|94043|United States|US|USD
Vandelay Industries|vandelay.com|129 W 81st St|New York|NY|10024|United States|US|USD
Dunder Mifflin|dundermifflin.com|1725 Slough Ave|Scranton|PA|18505|United States|US|USD
Café Olé S.L.|cafeole.es|Calle de Alcalá 21|Madrid|MD|28014|Spain|ES|EUR
Stark Industries|starkindustries.com|200 Park Ave|New York|NY|10166|United States|US|USD
Wayne Enterprises|wayne.com|1007 Mountain Dr|Gotham|NJ|07001|United States|US|USD
Tyrell Corp|tyrell.ai|2019 Spinner Way|Los Angeles|CA|90012|United States|US|USD
Dresdner Werkstatt e.K.|dresdner-werkstatt.de|Prager Straße 2|Dresden|SN|01069|Germany|DE|EUR
Maple Leaf Analytics|mapleleaf.ca|100 King St W|Toronto|ON|M5X 1A9|Canada|CA|CAD
Kangaroo Logistics Pty Ltd|kangaroo.com.au|1 Macquarie St|Sydney|NSW|2000|Australia|AU|AUD
Van der Berg B.V.|vanderberg.nl|Damrak 1|Amsterdam|NH|1012 LG|Netherlands|NL|EUR
Soylent Foods|soylent.example|55 Green St|Portland|OR|97205|United States|US|USD
Nakatomi Trading|nakatomi.jp|2121 Avenue of the Stars|Los Angeles|CA|90067|United States|US|USD
Bluth Company|bluth.com|1 Balboa Pier|Newport Beach|CA|92661|United States|US|USD
Pied Piper|piedpiper.com|5230 Newell Rd|Palo Alto|CA|94303|United States|US|USD
Gringotts Wizarding Bank|gringotts.co.uk|Diagon Alley 1|London||WC2H 0AW|United Kingdom|GB|GBP
Zürich Präzision AG|zuerich-praezision.ch|Bahnhofstrasse 45|Zürich|ZH|8001|Switzerland|CH|CHF
Ñandú Exportaciones|nandu.ar|Av. de Mayo 575|Buenos Aires|C|C1084|Argentina|AR|ARS
Cyberdyne Systems|cyberdyne.com|18144 El Camino Real|Sunnyvale|CA|94087|United States|US|USD
Oceanic Airlines|oceanic.com|1 Airport Rd|Honolulu|HI|96819|United States|US|USD
Prestige Worldwide|prestige.example|9 Boats Ln|Los Angeles|CA|90001|United States|US|USD
Łódź Tekstil Sp. z o.o.|lodztekstil.pl|ul. Piotrkowska 104|Łódź||90-926|Poland|PL|PLN
Massive Dynamic|massivedynamic.com|1 Liberty Plaza|New York|NY|10006|United States|US|USD
Wonka Confectionery|wonka.example|1 Chocolate Way|Chicago|IL|60601|United States|US|USD
Sirius Cybernetics|sirius.example|42 Galaxy Rd|Cambridge||CB2 1TN|United Kingdom|GB|GBP
Aperture Science|aperture.example|1 Enrichment Ctr|Cleveland|OH|44114|United States|US|USD
Les Délices d'Élodie SARL|delices-elodie.fr|8 Rue de la Paix|Lyon||69002|France|FR|EUR
Black Mesa Research|blackmesa.example|1 Mesa Rd|Albuquerque|NM|87101|United States|US|USD
Monsters Inc.|monsters.example|1 Scare Floor|Monstropolis|CA|90210|United States|US|USD
Northwind Traders|northwind.example|Obere Str. 57|Berlin|BE|12209|Germany|DE|EUR
Contoso Ltd|contoso.example|1 Microsoft Way|Redmond|WA|98052|United States|US|USD
Fabrikam Inc.|fabrikam.example|500 5th Ave|Seattle|WA|98104|United States|US|USD
Adventure Works|adventure-works.example|1 Trail Rd|Bothell|WA|98011|United States|US|USD
"""


def _account_id(rng: random.Random) -> str:
    id15 = "0015g00000" + "".join(rng.choice(_ALNUM) for _ in range(5))
    return id15 + checksum_suffix(id15)


def companies() -> list[Company]:
    """The 40 companies every sample file draws from, with their Salesforce and Stripe ids."""
    rng = random.Random(20240521)
    result = []
    for index, line in enumerate(_COMPANIES.splitlines()):
        name, domain, street, city, state, postcode, country, code, currency = line.split("|")
        stripe_id = "cus_" + "".join(rng.choice(_ALNUM) for _ in range(14))
        phone = f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        result.append(
            Company(
                index,
                name,
                domain,
                street,
                city,
                state,
                postcode,
                country,
                code,
                currency,
                _account_id(rng),
                stripe_id,
                phone,
            )
        )
    return result


def _write_csv(
    name: str,
    header: list[str],
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode(encoding))


def salesforce_accounts(cos: list[Company]) -> None:
    """Accounts 0–29. Accounts 0–7 already hold their Stripe id in the link field; account 8
    holds the Stripe id of company 9 (a conflict); the rest are unlinked."""
    header = [
        "Id",
        "Name",
        "Website",
        "Phone",
        "BillingStreet",
        "BillingCity",
        "BillingState",
        "BillingPostalCode",
        "BillingCountry",
        "BillingCountryCode",
        "CurrencyIsoCode",
        "Billing_Customer_ID__c",
    ]
    rows = []
    for c in cos[:30]:
        link = c.stripe_id if c.index < 8 else cos[9].stripe_id if c.index == 8 else ""
        rows.append(
            [
                c.account_id,
                c.name,
                f"https://www.{c.domain}",
                c.phone,
                c.street,
                c.city,
                c.state,
                c.postcode,
                c.country,
                c.country_code if c.index % 3 else "",
                c.currency,
                link,
            ]
        )
    _write_csv("salesforce_accounts_export.csv", header, rows)


def stripe_customers(cos: list[Company]) -> None:
    """Stripe customers for companies 0–19; customers 0–4 and 10–12 carry the Account id in
    metadata (so 0–4 are linked on both sides, 5–7 only on the Salesforce side)."""
    header = [
        "id",
        "Description",
        "Email",
        "Name",
        "Phone",
        "Created (UTC)",
        "Currency",
        "Address Line1",
        "Address Line2",
        "Address City",
        "Address State",
        "Address Country",
        "Address Zip",
        "Delinquent",
        "salesforce_account_id (metadata)",
    ]
    rows = []
    for c in cos[:20]:
        linked = c.account_id if c.index < 5 or 10 <= c.index <= 12 else ""
        created = dt.datetime(2023, 1, 1) + dt.timedelta(days=7 * c.index, hours=c.index)
        rows.append(
            [
                c.stripe_id,
                f"{c.name} (billing)",
                f"billing@{c.domain}",
                c.name,
                c.phone,
                created.strftime("%Y-%m-%d %H:%M"),
                c.currency.lower(),
                c.street,
                "",
                c.city,
                c.state,
                c.country_code,
                c.postcode,
                "false",
                linked,
            ]
        )
    _write_csv("stripe_customers_export.csv", header, rows)


def chargebee_customers(cos: list[Company]) -> None:
    """Chargebee customers for companies 15–34 (30–34 have no Salesforce Account); 15–17 carry
    the Account id in a custom field."""
    header = [
        "customers.id",
        "customers.first_name",
        "customers.last_name",
        "customers.email",
        "customers.company",
        "customers.preferred_currency_code",
        "billing_address.line1",
        "billing_address.city",
        "billing_address.state",
        "billing_address.country",
        "billing_address.zip",
        "customers.cf_salesforce_account_id",
    ]
    rows = []
    for c in cos[15:35]:
        linked = c.account_id if c.index <= 17 else ""
        rows.append(
            [
                f"16CHb{c.index:03d}Sq{c.domain[:4].upper()}",
                "Alex",
                "Doe",
                f"ap@{c.domain}",
                c.name,
                c.currency,
                c.street,
                c.city,
                c.state,
                c.country_code,
                c.postcode,
                linked,
            ]
        )
    _write_csv("chargebee_customers.csv", header, rows)


def quickbooks_customers(cos: list[Company]) -> None:
    """QuickBooks Online customers for companies 10–29: names as free text, country names."""
    header = [
        "Id",
        "Display Name",
        "Company Name",
        "Email",
        "Phone",
        "Billing Address Line 1",
        "Billing Address City",
        "Billing Address State",
        "Billing Address Postal Code",
        "Billing Address Country",
        "Currency",
        "Notes",
    ]
    rows = []
    for c in cos[10:30]:
        display = c.name.upper() if c.index % 4 == 0 else c.name
        note = f"SFDC {c.account_id}" if c.index in (10, 11) else ""
        rows.append(
            [
                str(50 + c.index),
                display,
                c.name,
                f"accounts@{c.domain}",
                c.phone,
                c.street,
                c.city,
                c.state,
                c.postcode,
                c.country,
                c.currency,
                note,
            ]
        )
    _write_csv("quickbooks_customers.csv", header, rows)


def xero_contacts(cos: list[Company]) -> None:
    """Xero contacts for companies 20–39; ContactNumber holds the Account id for 20–24 (a column
    no header rule knows, found by its content)."""
    header = [
        "*ContactName",
        "AccountNumber",
        "EmailAddress",
        "FirstName",
        "LastName",
        "POAttentionTo",
        "POAddressLine1",
        "POCity",
        "PORegion",
        "POPostalCode",
        "POCountry",
        "PhoneNumber",
        "ContactNumber",
    ]
    rows = []
    for c in cos[20:40]:
        linked = c.account_id if c.index <= 24 else ""
        rows.append(
            [
                c.name,
                f"XR-{1000 + c.index}",
                f"finance@{c.domain}",
                "Sam",
                "Lee",
                "Accounts Payable",
                c.street,
                c.city,
                c.state,
                c.postcode,
                c.country,
                c.phone,
                linked,
            ]
        )
    _write_csv("xero_contacts.csv", header, rows)


def zuora_accounts(cos: list[Company]) -> None:
    """Zuora accounts for companies 5–24; the native CRM id field holds the Account id for 5–9."""
    header = [
        "Id",
        "Account Number",
        "Account Name",
        "CRM Account ID",
        "Currency",
        "Bill To Work Email",
        "Bill To Address 1",
        "Bill To City",
        "Bill To State",
        "Bill To Postal Code",
        "Bill To Country",
        "Status",
    ]
    rng = random.Random(7)
    rows = []
    for c in cos[5:25]:
        zid = "8a8082c4" + "".join(rng.choice("0123456789abcdef") for _ in range(24))
        linked = c.account_id if c.index <= 9 else ""
        rows.append(
            [
                zid,
                f"A{c.index + 1:08d}",
                c.name,
                linked,
                c.currency,
                f"billing@{c.domain}",
                c.street,
                c.city,
                c.state,
                c.postcode,
                c.country,
                "Active",
            ]
        )
    _write_csv("zuora_accounts.csv", header, rows)


def nasty_encodings(cos: list[Company]) -> None:
    """The same Accounts saved the ways spreadsheets save them."""
    header = [
        "Account ID",
        "Account Name",
        "Billing Street",
        "Billing City",
        "Billing Postal Code",
        "Billing Country",
        "Billing_Customer_ID__c",
    ]
    german = {"Germany": "Deutschland", "France": "Frankreich", "Spain": "Spanien", "Switzerland": "Schweiz"}
    rows = [
        [
            c.account_id,
            c.name,
            c.street,
            c.city,
            c.postcode,
            german.get(c.country, c.country),
            c.stripe_id if c.index < 4 else "NA",
        ]
        for c in cos[:15]
        if _cp1252_safe(c)
    ]
    _write_csv("accounts_excel_cp1252_semicolon.csv", header, rows, delimiter=";", encoding="cp1252", line_end="\r\n")
    rows16 = [[c.account_id, c.name, c.street, c.city, c.postcode, c.country, ""] for c in cos[20:30]]
    _write_csv("accounts_utf16.csv", header, rows16, delimiter="\t", encoding="utf-16", line_end="\r\n")
    _write_csv("accounts_bom.csv", header, rows16, encoding="utf-8-sig", line_end="\r\n")


def _cp1252_safe(c: Company) -> bool:
    try:
        (c.name + c.street + c.city).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _case_twin(id15: str) -> str:
    """``id15`` with the case of its last letter swapped: a different record to Salesforce, the
    same one to any case-insensitive tool."""
    for pos in range(len(id15) - 1, 2, -1):
        if id15[pos].isalpha():
            return id15[:pos] + id15[pos].swapcase() + id15[pos + 1 :]
    return id15[:-1] + "a"


def _fixed_times(book: Workbook) -> None:
    book.properties.created = dt.datetime(2024, 5, 21)
    book.properties.modified = dt.datetime(2024, 5, 21)


def id_damage(cos: list[Company]) -> None:
    """Ids spreadsheets damaged: scientific notation, zeroed tails, dates, changed case."""
    header = ["Customer ID", "Name", "Email"]
    rows = [
        ["123456789012", "Acme Corporation", "billing@acme.com"],
        ["1.23457E+11", "Globex LLC", "billing@globex.com"],
        ["1234567890123450000", "Initech Inc.", "billing@initech.io"],
        ["2023-01-05", "Hooli", "billing@hooli.xyz"],
        ["1/5/2023", "Pied Piper", "billing@piedpiper.com"],
        ["05-Jan", "Bluth Company", "billing@bluth.com"],
        ["000123", "Soylent Foods", "billing@soylent.example"],
        ["9.87654E+14", "Tyrell Corp", "billing@tyrell.ai"],
    ]
    _write_csv("customers_scientific.csv", header, rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Customers"
    sheet.append(header)
    numbers: list[object] = [
        123456789012,
        987654321098,
        "1.23457E+11",
        1234567890123456789.0,
        dt.datetime(2023, 1, 5),
        42.0,
        "000123",
    ]
    for value, c in zip(numbers, cos, strict=False):
        sheet.append([value, c.name, f"billing@{c.domain}"])
    for row in (2, 3):
        sheet.cell(row=row, column=1).number_format = "0.00E+00"
    _fixed_times(book)
    book.save(HERE / "customers_scientific.xlsx")

    fifteen = [c.account_id[:15] for c in cos[:8]]
    twin = _case_twin(fifteen[0])
    _write_csv(
        "accounts_15char_ids.csv",
        ["Id", "Name"],
        [[i, c.name] for i, c in zip([*fifteen, twin], [*cos[:8], cos[30]], strict=True)],
    )
    _write_csv(
        "accounts_uppercased_ids.csv",
        ["Id", "Account ID (15)", "Name"],
        [[c.account_id.upper(), c.account_id[:15].upper(), c.name] for c in cos[:8]],
    )


def malformed(cos: list[Company]) -> None:
    """Files that must be refused (or read with warnings) with a clear message."""
    (HERE / "quoted_newlines.csv").write_text(
        "Id,Name,BillingStreet,Notes\n"
        f'{cos[0].account_id},"Acme, Corporation","1 Market St\nSuite 500\nFloor 5","He said ""hi"""\n'
        f'{cos[1].account_id},Globex LLC,"200 Park Ave, 10th floor",\n'
        f'{cos[2].account_id},"Initech\r\nInc.",4120 Freidrich Ln,"a;b|c\td"\n',
        encoding="utf-8",
        newline="",
    )
    (HERE / "ragged.csv").write_text(
        "Id,Name,City\n"
        f"{cos[0].account_id},Acme Corporation,San Francisco\n"
        f"{cos[1].account_id},Globex, LLC,New York\n"
        f"{cos[2].account_id},Initech Inc.,Austin\n",
        encoding="utf-8",
    )
    (HERE / "short_rows.csv").write_text(
        "Id,Name,City,Country\n"
        f"{cos[0].account_id},Acme Corporation,San Francisco,US\n"
        f"{cos[1].account_id},Globex LLC\n"
        f"{cos[2].account_id},Initech Inc.,Austin,US\n\n\n",
        encoding="utf-8",
    )
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "header_only.csv").write_text("Id,Name,Website\n", encoding="utf-8")
    (HERE / "binary.pdf").write_bytes(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    (HERE / "dup_headers.csv").write_text(
        "Name,Email,Name,Name (2),Email\n"
        "Acme Corporation,billing@acme.com,ACME CORP,Acme,ap@acme.com\n"
        "Globex LLC,billing@globex.com,GLOBEX,Globex,ap@globex.com\n",
        encoding="utf-8",
    )
    with zipfile.ZipFile(HERE / "not_a_workbook.xlsx", "w") as archive:
        archive.writestr("readme.txt", "This zip archive is not an Excel workbook.")


def multi_sheet(cos: list[Company]) -> None:
    """A workbook whose first sheet is empty; the data is on 'Customers' and 'Accounts'."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Notes"
    customers = book.create_sheet("Customers")
    customers.append(["id", "Name", "Address Country", "salesforce_account_id (metadata)"])
    for c in cos[:5]:
        customers.append([c.stripe_id, c.name, c.country_code, c.account_id if c.index < 2 else None])
    accounts = book.create_sheet("Accounts")
    accounts.append(["Id", "Name", "BillingCountry"])
    for c in cos[:3]:
        accounts.append([c.account_id, c.name, c.country])
    _fixed_times(book)
    book.save(HERE / "multi_sheet.xlsx")


def main() -> None:
    """Write every sample file."""
    cos = companies()
    salesforce_accounts(cos)
    stripe_customers(cos)
    chargebee_customers(cos)
    quickbooks_customers(cos)
    xero_contacts(cos)
    zuora_accounts(cos)
    nasty_encodings(cos)
    id_damage(cos)
    malformed(cos)
    multi_sheet(cos)
    write_report_layouts(HERE, cos)


if __name__ == "__main__":
    main()
