"""The SOQL tokenizer, parser and executor of the sandbox org (no server needed)."""

from __future__ import annotations

import pytest

from desktop_app.sandbox.salesforce.query_exec import bind
from desktop_app.sandbox.salesforce.scenario import scenario_named
from desktop_app.sandbox.salesforce.seed import build_org
from desktop_app.sandbox.salesforce.soql import BoolOp, Condition, CountCall, Not, SoqlError, parse, tokenize


@pytest.fixture(scope="module")
def org(hand_made):
    return build_org(
        scenario_named("healthy"), hand_made.accounts, hand_made.contacts, link_field="Billing_Customer_ID__c", seed=7
    )


def run(org, text: str, *, include_deleted: bool = False, tooling: bool = False):
    bound = bind(parse(text), lambda name: org.table(name, tooling=tooling))
    return bound, bound.matching_rows(include_deleted=include_deleted)


def names(org, text: str) -> list[str]:
    bound, rows = run(org, text)
    return [bound.record(row, "/services/data/v59.0").get("Name") for row in rows]


def test_tokenizer_reads_strings_with_escapes_numbers_dates_and_operators() -> None:
    tokens = tokenize(r"WHERE Name = 'O\'Brien \\ x' AND n >= -1.5 AND d > 2024-01-02T03:04:05Z AND e <> 2024-01-02")
    kinds = [t.kind for t in tokens]
    assert kinds.count("string") == 1
    assert kinds.count("datetime") == 1
    assert kinds.count("date") == 1
    assert next(t for t in tokens if t.kind == "string").value == "O'Brien \\ x"
    assert [t.text for t in tokens if t.kind == "op"] == ["=", ">=", ">", "<>"]
    assert next(t for t in tokens if t.kind == "number").text == "-1.5"


def test_parser_builds_the_query_tree() -> None:
    query = parse(
        "select Id, Account.Name, COUNT() from Contact where (A = 1 or B != null) and not C in ('x','y') "
        "order by Name desc nulls last, Id limit 10 offset 5"
    )
    assert query.from_name == "Contact"
    assert [getattr(item, "parts", None) for item in query.select[:2]] == [("Id",), ("Account", "Name")]
    assert isinstance(query.select[2], CountCall)
    assert isinstance(query.where, BoolOp)
    assert query.where.op == "AND"
    first, second = query.where.items
    assert isinstance(first, BoolOp)
    assert first.op == "OR"
    assert isinstance(second, Not)
    assert isinstance(second.expr, Condition)
    assert second.expr.op == "IN"
    assert query.order_by[0].descending
    assert query.order_by[0].nulls_last
    assert not query.order_by[1].descending
    assert not query.order_by[1].nulls_last
    assert (query.limit, query.offset) == (10, 5)
    assert parse("SELECT COUNT() FROM Account").is_count


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("SELECT Id FROM Account WHERE", 29),
        ("SELECT FROM Account", 8),
        ("SELECT Id, FROM Account", 12),
        ("SELECT Id FROM Account WHERE Name = 'x' AND Id = 'y' OR Name = 'z'", 54),
        ("SELECT Id FROM Account WHERE Name = 'unterminated", 50),
        ("SELECT Id FROM Account LIMIT x", 30),
        ("SELECT Id FROM Account ORDER Name", 30),
        ("SELECT Id FROM Account WHERE Name IN ()", 39),
        ("SELECT Id FROM Account WHERE Name ~ 'x'", 35),
        ("SELECT Id FROM Account extra", 24),
        ("SELECT Id FROM Account WHERE Name = 'bad \\q escape'", 37),
    ],
)
def test_malformed_queries_are_rejected_with_salesforce_positions(text: str, column: int) -> None:
    with pytest.raises(SoqlError) as caught:
        parse(text)
    assert caught.value.code == "MALFORMED_QUERY"
    assert f"ERROR at Row:1:Column:{column}" in str(caught.value)
    assert str(caught.value).startswith("\n" + text + "\n")


def test_unknown_fields_objects_and_relationships_use_salesforce_messages(org) -> None:
    with pytest.raises(SoqlError) as field:
        run(org, "SELECT Id, Foo FROM Account")
    assert field.value.code == "INVALID_FIELD"
    assert "No such column 'Foo' on entity 'Account'" in str(field.value)
    assert "Column:12" in str(field.value)
    with pytest.raises(SoqlError) as relation:
        run(org, "SELECT Nope.Name FROM Contact")
    assert relation.value.code == "INVALID_FIELD"
    assert "Didn't understand relationship 'Nope'" in str(relation.value)
    with pytest.raises(SoqlError) as kind:
        run(org, "SELECT Id FROM Widget__c")
    assert kind.value.code == "INVALID_TYPE"
    assert "sObject type 'Widget__c' is not supported" in str(kind.value)
    with pytest.raises(SoqlError) as tooling_only:
        run(org, "SELECT Id FROM ValidationRule")
    assert tooling_only.value.code == "INVALID_TYPE"
    with pytest.raises(SoqlError) as quoted_number:
        run(org, "SELECT Id FROM CurrencyType WHERE ConversionRate = '1'")
    assert quoted_number.value.code == "INVALID_FIELD"
    with pytest.raises(SoqlError) as bad_id:
        run(org, "SELECT Id FROM Account WHERE Id = 'nonsense'")
    assert bad_id.value.code == "INVALID_QUERY_FILTER_OPERATOR"


def test_where_operators_follow_soql_semantics(org) -> None:
    everyone = sorted(names(org, "SELECT Name FROM Account"))
    assert everyone == sorted(["Acme GmbH", "O'Brien & Co", "acme inc", "Zeta 100%"])
    assert names(org, "SELECT Name FROM Account WHERE Name = 'ACME GMBH'") == ["Acme GmbH"]  # case-insensitive
    assert sorted(names(org, "SELECT Name FROM Account WHERE Name LIKE 'acme%'")) == ["Acme GmbH", "acme inc"]
    assert names(org, r"SELECT Name FROM Account WHERE Name LIKE '%100\%'") == ["Zeta 100%"]
    assert names(org, "SELECT Name FROM Account WHERE Name LIKE 'O_Brien%'") == ["O'Brien & Co"]
    assert names(org, r"SELECT Name FROM Account WHERE Name = 'O\'Brien & Co'") == ["O'Brien & Co"]
    # != keeps records whose value is null, as SOQL does.
    assert len(names(org, "SELECT Name FROM Account WHERE BillingCountry != 'DE'")) == 3
    assert names(org, "SELECT Name FROM Account WHERE BillingCountry = null") == ["acme inc"]
    assert sorted(names(org, "SELECT Name FROM Account WHERE BillingCountry IN ('de', 'us')")) == [
        "Acme GmbH",
        "Zeta 100%",
    ]
    assert len(names(org, "SELECT Name FROM Account WHERE BillingCountry NOT IN ('DE')")) == 3
    assert names(
        org, "SELECT Name FROM Account WHERE NOT (BillingCountry = null OR Name LIKE 'A%') AND Website != null"
    ) == ["Zeta 100%"]
    assert names(
        org,
        "SELECT Name FROM Account WHERE Billing_Customer_ID__c IN ('cus_1', '42') "
        "AND (BillingCity = 'Austin' OR BillingCity = 'Nowhere')",
    ) == ["Zeta 100%"]


def test_ids_match_in_15_and_18_character_forms(org) -> None:
    assert names(org, "SELECT Name FROM Account WHERE Id = '001000000000001'") == ["Acme GmbH"]
    assert names(org, "SELECT Name FROM Account WHERE Id IN ('001000000000002AAA', '001000000000003')") == [
        "O'Brien & Co",
        "acme inc",
    ]


def test_order_limit_offset_and_nulls(org) -> None:
    assert names(org, "SELECT Name FROM Account ORDER BY Name") == [
        "Acme GmbH",
        "acme inc",
        "O'Brien & Co",
        "Zeta 100%",
    ]
    ordered = names(org, "SELECT Name FROM Account ORDER BY BillingCountry ASC NULLS LAST, Name DESC")
    assert ordered == ["Acme GmbH", "O'Brien & Co", "Zeta 100%", "acme inc"]
    first_nulls = names(org, "SELECT Name FROM Account ORDER BY BillingCountry")
    assert first_nulls[0] == "acme inc"
    assert names(org, "SELECT Name FROM Account ORDER BY BillingCountry DESC LIMIT 2 OFFSET 1") == [
        "O'Brien & Co",
        "Acme GmbH",
    ]


def test_parent_fields_and_count(org) -> None:
    bound, rows = run(org, "SELECT Id, Account.Name, Owner.Name FROM Contact ORDER BY Name")
    records = [bound.record(row, "/b") for row in rows]
    assert records[0]["Account"]["Name"] == "Acme GmbH"
    assert records[0]["Account"]["attributes"] == {"type": "Account", "url": "/b/sobjects/Account/001000000000001AAA"}
    assert records[1]["Account"] is None  # an empty lookup is null, not a nested record
    assert records[0]["Owner"]["Name"] == "Ada Admin"
    assert bound.csv_header() == ["Id", "Account.Name", "Owner.Name"]
    assert bound.csv_row(rows[1])[1] == ""
    count, rows = run(org, "SELECT COUNT() FROM Account WHERE Name LIKE 'a%'")
    assert count.query.is_count
    assert len(rows) == 2
    aggregate, rows = run(org, "SELECT COUNT(Website) total FROM Account")
    assert aggregate.aggregate_record(rows) == {"attributes": {"type": "AggregateResult"}, "total": 3}
    with pytest.raises(SoqlError, match="duplicate field selected: Name"):
        run(org, "SELECT Name, Id, name FROM Account")
    with pytest.raises(SoqlError, match="Maximum SOQL offset allowed is 2000") as offset:
        run(org, "SELECT Name FROM Account OFFSET 2001")
    assert offset.value.code == "NUMBER_OUTSIDE_VALID_RANGE"
    with pytest.raises(SoqlError, match="grouped or aggregated"):
        run(org, "SELECT Name, COUNT() FROM Account")


def test_semi_join_and_tooling_relationship_filters(org) -> None:
    admin = org.default_user.user_id
    bound, rows = run(
        org,
        "SELECT Field, PermissionsEdit FROM FieldPermissions WHERE SobjectType = 'Account' AND "
        f"ParentId IN (SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = "
        f"'{admin}')",
    )
    assert [bound.record(r, "")["Field"] for r in rows] == ["Account.Billing_Customer_ID__c"]
    bound, rows = run(
        org,
        "SELECT ValidationName, Active FROM ValidationRule WHERE EntityDefinition.QualifiedApiName = 'Account'",
        tooling=True,
    )
    assert len(rows) == 1
    assert bound.record(rows[0], "")["Active"] is False


def test_column_metadata_describes_nested_columns(org) -> None:
    bound, _ = run(org, "SELECT Id, Account.Name, Account.Website FROM Contact")
    document = bound.column_metadata()
    assert document["entityName"] == "Contact"
    assert document["idSelected"] is True
    account = document["columnMetadata"][1]
    assert account["columnName"] == "Account"
    assert account["foreignKeyName"] == "Account"
    assert [c["columnName"] for c in account["joinColumns"]] == ["Name", "Website"]


def test_deleted_records_only_show_in_query_all(org) -> None:
    org.delete_record("Account", "001000000000004AAA")
    try:
        assert "Zeta 100%" not in names(org, "SELECT Name FROM Account")
        bound, rows = run(org, "SELECT Name, IsDeleted FROM Account", include_deleted=True)
        assert {bound.record(r, "")["Name"]: bound.record(r, "")["IsDeleted"] for r in rows}["Zeta 100%"] is True
    finally:
        org.set_field("Account", "001000000000004AAA", "IsDeleted", False)


def test_group_by_having_and_order_by_count(org) -> None:
    bound = bind(
        parse(
            "SELECT CurrencyIsoCode, COUNT(Id) n, COUNT(Website) FROM Account GROUP BY CurrencyIsoCode "
            "ORDER BY COUNT(Id) DESC, CurrencyIsoCode"
        ),
        org.table,
    )
    records = bound.aggregate_records()
    assert [(r["CurrencyIsoCode"], r["n"], r["expr0"]) for r in records] == [
        ("EUR", 2, 1),
        ("JPY", 1, 1),
        ("USD", 1, 1),
    ]
    assert records[0]["attributes"] == {"type": "AggregateResult"}
    duplicates = bind(
        parse("SELECT CurrencyIsoCode FROM Account GROUP BY CurrencyIsoCode HAVING COUNT(Id) > 1"), org.table
    )
    assert duplicates.aggregate_records() == [{"attributes": {"type": "AggregateResult"}, "CurrencyIsoCode": "EUR"}]
    for bad in (
        "SELECT Name, COUNT(Id) FROM Account GROUP BY CurrencyIsoCode",
        "SELECT Name FROM Account HAVING COUNT(Id) > 1",
        "SELECT Name FROM Account WHERE COUNT(Id) > 1",
        "SELECT Name FROM Account ORDER BY COUNT(Id)",
    ):
        with pytest.raises(SoqlError) as caught:
            bind(parse(bad), org.table)
        assert caught.value.code == "MALFORMED_QUERY"
