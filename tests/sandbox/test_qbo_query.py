"""The QuickBooks Online sandbox's query endpoint, sent raw statements over HTTPS (GET ?query= and POST
application/text, as Intuit documents both): each operator, keyword spelling, quoting, ordering,
paging, COUNT(*), and QBO's 400 ValidationFault for what QBO refuses (docs/billing-systems.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from desktop_app.sandbox.quickbooks import RunningQuickBooksSandbox, start_quickbooks_sandbox
from desktop_app.sandbox.quickbooks.query import QueryError, parse_customer_query


def _customer(number: int, name: str, **extra: Any) -> dict[str, Any]:
    stamp = f"2024-0{number}-01T09:00:00-08:00"
    return {"Id": str(number), "SyncToken": "0", "DisplayName": name, "CompanyName": f"{name} Inc", "Active": True,
            "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp}, **extra}


CUSTOMERS = [
    _customer(1, "Acme", GivenName="Ann", FamilyName="Lee", PrimaryEmailAddr={"Address": "ap@acme.example"},
              Balance=250),
    _customer(2, "Acme_Tools", GivenName="Bob", Balance=10.5),
    _customer(3, "O'Brien's Bakery", FamilyName="O'Brien"),
    _customer(4, "back\\slash & Co"),
    _customer(5, "Zenith", Active=False, Balance=99),
    _customer(6, "beta foods"),
]


pytestmark = pytest.mark.allow_threads  # one sandbox server for the module


@pytest.fixture(scope="module")
def qbo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningQuickBooksSandbox]:
    sandbox = start_quickbooks_sandbox(CUSTOMERS, workdir=tmp_path_factory.mktemp("qbo-query"))
    yield sandbox
    sandbox.stop()


def _ask(qbo: RunningQuickBooksSandbox, statement: str, *, post: bool = False) -> requests.Response:
    url = f"{qbo.url}/v3/company/{qbo.realm_id}/query"
    headers = {"Authorization": f"Bearer {qbo.access_token}", "Accept": "application/json"}
    with requests.Session() as session:  # closed, so no connection thread outlives the test
        session.verify, session.trust_env = str(qbo.ca_cert), False
        if post:
            return session.post(url, data=statement.encode(), timeout=10,
                                headers={**headers, "Content-Type": "application/text"})
        return session.get(url, params={"query": statement, "minorversion": "75"}, headers=headers, timeout=10)


def _ids(qbo: RunningQuickBooksSandbox, statement: str, *, post: bool = False) -> list[str]:
    answer = _ask(qbo, statement, post=post)
    assert answer.status_code == 200, answer.text
    return [c["Id"] for c in answer.json()["QueryResponse"].get("Customer", [])]


@pytest.mark.parametrize(("where", "expected"), [
    ("DisplayName = 'Acme'", ["1"]),
    ("DisplayName = 'ACME'", ["1"]),  # QuickBooks names ignore case
    ("DisplayName = 'O\\'Brien\\'s Bakery'", ["3"]),
    ("DisplayName = 'back\\\\slash & Co'", ["4"]),
    ("FamilyName = 'O\\'Brien'", ["3"]),
    ("GivenName = 'Ann'", ["1"]),
    ("PrimaryEmailAddr = 'ap@acme.example'", ["1"]),
    ("CompanyName LIKE 'Acme%'", ["1", "2"]),
    ("DisplayName LIKE '%bakery'", ["3"]),
    ("DisplayName LIKE '%_%'", ["2"]),  # only % is a wildcard; _ is itself
    ("DisplayName LIKE 'Ac'", []),  # no % means the whole value
    ("DisplayName IN ('Acme', 'beta foods', 'Nobody')", ["1", "6"]),
    ("DisplayName > 'b'", ["3", "4", "6"]),
    ("Id = '2'", ["2"]),
    ("Id = 2", ["2"]),
    ("Id IN ('1', '3', '5')", ["1", "3"]),  # 5 is inactive
    ("Id < '3'", ["1", "2"]),
    ("Id <= '3'", ["1", "2", "3"]),
    ("Id >= '4'", ["4", "6"]),
    ("Id > '10'", []),  # compared as numbers, not text
    ("Balance > 100", ["1"]),
    ("Balance >= '10.5'", ["1", "2"]),
    ("Balance < 1", ["3", "4", "6"]),  # no Balance is 0, as QBO shows it
    ("Active = false", ["5"]),
    ("Active IN (true, false)", ["1", "2", "3", "4", "5", "6"]),
    ("Active = true AND DisplayName LIKE 'a%'", ["1", "2"]),
    ("MetaData.CreateTime > '2024-03-15'", ["4", "6"]),
    ("MetaData.LastUpdatedTime <= '2024-02-01T09:00:00-08:00'", ["1", "2"]),
    ("MetaData.LastUpdatedTime < '2024-02-01T17:00:00Z'", ["1"]),  # offsets compared as instants
    ("MetaData.LastUpdatedTime = '2024-02-01T17:00:00+00:00'", ["2"]),
])
def test_each_operator_on_each_kind_of_field(qbo: RunningQuickBooksSandbox, where: str, expected: list[str]) -> None:
    statement = f"SELECT * FROM Customer WHERE {where}"
    assert _ids(qbo, statement) == expected
    assert _ids(qbo, statement, post=True) == expected


def test_keywords_and_field_names_in_any_case_and_both_order_spellings(qbo: RunningQuickBooksSandbox) -> None:
    assert _ids(qbo, "select * from customer where displayname like 'a%' orderby id desc") == ["2", "1"]
    assert _ids(qbo, "Select * From Customer Where Active In (TRUE, false) Order By Balance DESC, Id") == [
        "1", "5", "2", "3", "4", "6"]
    assert _ids(qbo, "SELECT * FROM Customer ORDER BY DisplayName ASC") == ["1", "2", "4", "6", "3"]
    assert _ids(qbo, "SELECT * FROM Customer ORDERBY GivenName") == ["1", "2", "3", "4", "6"]  # unset ones last


def test_startposition_and_maxresults_page_after_ordering(qbo: RunningQuickBooksSandbox) -> None:
    statement = "SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY Id DESC STARTPOSITION {} MAXRESULTS 2"
    pages = [_ids(qbo, statement.format(start)) for start in (1, 3, 5, 7)]
    assert pages == [["6", "5"], ["4", "3"], ["2", "1"], []]
    answer = _ask(qbo, statement.format(3)).json()["QueryResponse"]
    assert (answer["startPosition"], answer["maxResults"]) == (3, 2)
    assert _ask(qbo, statement.format(7)).json()["QueryResponse"] == {}


def test_count_ignores_the_page_and_honours_the_where(qbo: RunningQuickBooksSandbox) -> None:
    def count(statement: str) -> int:
        answer = _ask(qbo, statement)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["QueryResponse"]["totalCount"])

    assert count("SELECT COUNT(*) FROM Customer") == 5
    assert count("select count( * ) from Customer WHERE Active IN (true, false) MAXRESULTS 1") == 6
    assert count("SELECT COUNT(*) FROM Customer WHERE CompanyName LIKE '%inc' AND Balance > 0") == 2


@pytest.mark.parametrize(("statement", "code", "detail"), [
    ("SELECT * FROM Customer WHERE DisplayName = 'Acme' OR DisplayName = 'Zenith'", "4000", 'Encountered "OR"'),
    ("SELECT * FROM Customer WHERE NOT Active = true", "4000", 'Encountered "NOT"'),
    ("SELECT * FROM Customer WHERE (Active = true)", "4000", 'Encountered "("'),
    ("SELECT * FROM Customer WHERE DisplayName != 'Acme'", "4000", 'Encountered "!="'),
    ("SELECT * FROM Customer WHERE Id <> '1'", "4000", 'Encountered "<>"'),
    ("SELECT * FROM Customer WHERE DisplayName = 'O'Brien'", "4000", "QueryParserError"),
    ("SELECT * FROM Customer WHERE DisplayName = Acme", "4000", 'Encountered "Acme"'),
    ("SELECT * FROM Customer WHERE Id IN ()", "4000", 'Encountered ")"'),
    ("SELECT * FROM Customer WHERE", "4000", "<EOF>"),
    ("SELECT DisplayName FROM Customer", "4000", 'Encountered "DisplayName"'),
    ("SELECT * FROM Customer GROUP BY DisplayName", "4000", 'Encountered "GROUP"'),
    ("SELECT * FROM Customer STARTPOSITION one", "4000", 'Encountered "one"'),
    ("SELECT * FROM Customer WHERE Notes = 'x'", "4001", "property 'Notes' is not queryable"),
    ("SELECT * FROM Customer WHERE BillAddr.City = 'Austin'", "4001", "property 'BillAddr.City' is not queryable"),
    ("SELECT * FROM Customer ORDERBY Notes", "4001", "property 'Notes' is not queryable"),
    ("SELECT * FROM Customer WHERE Active LIKE 'tr%'", "4001", "operator LIKE is not supported for property 'Active'"),
    ("SELECT * FROM Customer WHERE Active > false", "4001", "operator > is not supported for property 'Active'"),
    ("SELECT * FROM Customer WHERE Balance LIKE '1%'", "4001", "operator LIKE is not supported for property 'Balance'"),
    ("SELECT * FROM Customer WHERE Active = 'yes'", "4001", "not a valid boolean"),
    ("SELECT * FROM Customer WHERE MetaData.CreateTime > 'last week'", "4001", "not a valid datetime"),
    ("SELECT * FROM Customer MAXRESULTS 1001", "4001", "MAXRESULTS between 1 and 1000"),
    ("SELECT * FROM Customer STARTPOSITION 0", "4001", "STARTPOSITION must be at least 1"),
    ("SELECT * FROM Invoice", "4001", "Customer entity only"),
])
def test_what_qbo_refuses_is_a_validation_fault_never_an_unfiltered_list(
        qbo: RunningQuickBooksSandbox, statement: str, code: str, detail: str) -> None:
    answer = _ask(qbo, statement)
    assert answer.status_code == 400, answer.text
    fault = answer.json()["Fault"]
    assert fault["type"] == "ValidationFault"
    [error] = fault["Error"]
    assert error["code"] == code
    assert error["Message"] == ("Error parsing query" if code == "4000" else "Invalid query")
    assert detail in error["Detail"]
    with pytest.raises(QueryError) as refused:
        parse_customer_query(statement)
    assert refused.value.code == code


def test_a_sparse_update_moves_last_updated_time(tmp_path: Path) -> None:
    qbo = start_quickbooks_sandbox(CUSTOMERS, workdir=tmp_path)
    try:
        changed_since = "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2025-01-01'"
        assert _ids(qbo, changed_since) == []
        updated, problems = qbo.store.sparse_update({"Id": "6", "SyncToken": "0", "sparse": True, "GivenName": "Bea"})
        assert not problems
        assert updated is not None
        assert updated["MetaData"]["CreateTime"] == CUSTOMERS[5]["MetaData"]["CreateTime"]
        assert _ids(qbo, changed_since) == ["6"]
        assert _ids(qbo, "SELECT * FROM Customer WHERE GivenName = 'bea'") == ["6"]
    finally:
        qbo.stop()
