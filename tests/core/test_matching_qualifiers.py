"""A branch or place in brackets ending a name ("Spago (Los Angeles)") does not make names disagree,
and does not let a namesake at another street be matched."""

from __future__ import annotations

import json

import pytest
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core.matching import AMBIGUOUS, MATCHED, SUGGESTED, MatchConfig, match
from desktop_app.core.name_qualifiers import names_without_qualifier

OTHERS = [
    {"name": f"{word} Analytics", "street": f"{10 + i} {street} Road", "postcode": f"9{i:04d}", "city": "Denver",
     "state": "CO", "phone": f"(303) 555-{1000 + i}", "country": "US"}
    for i, (word, street) in enumerate(zip(["Alder", "Birch", "Cobalt", "Delta", "Ember", "Falcon"],
                                           ["Cherry", "Spruce", "Willow", "Aspen", "Juniper", "Hazel"], strict=True))
]


def _site(name: str, street: str, phone: str = "", postcode: str = "90069") -> dict[str, str]:
    return {"name": name, "street": street, "postcode": postcode, "city": "Los Angeles", "state": "CA",
            "phone": phone, "country": "US"}


@pytest.mark.parametrize(("name", "bare"), [
    ("Spago (Los Angeles)", "spago"), ("Acme Ltd [Berlin] ", "acme"), ("Spago", ""), ("(Los Angeles)", ""),
    ("Acme (UK) Ltd", ""), ("Spago (Beverly Hills) (LA)", "spago beverly hills"), ("Spago (LA", ""),
    # SEC filings' names: the state of incorporation after a slash, after a space or a legal form
    ("BANK OF AMERICA CORP /DE/", "bank of america"), ("WELLS FARGO & COMPANY/MN", "wells fargo"),
    ("WALT DISNEY CO/", "walt disney"), ("L3HARRIS TECHNOLOGIES, INC. /DE/", "l3harris technologies"),
    ("AC/DC", ""), ("Acme A/S", ""), ("LORD ABBETT/NEW", ""),
    # another name the entity trades (or traded) under
    ("Acme Corp d/b/a Roadrunner Supplies", "acme"), ("ACME CORP DBA ROADRUNNER", "acme"),
    ("Acme, dba Roadrunner", "acme"), ("Smith Holdings Ltd t/a The Corner Shop", "smith holdings"),
    ("John Smith trading as Smith Plumbing", "john smith"), ("Globex Corp f/k/a Initech Inc", "globex"),
    ("Acme Inc. formerly Beta Inc.", "acme"), ("Acme Corp d.b.a. Roadrunner", "acme"),
    ("DBA Solutions Inc", ""), ("Acme DBA Services", ""), ("Formerly Known As Records", ""),
])
def test_a_name_without_its_trailing_part_in_brackets(name: str, bare: str) -> None:
    assert names_without_qualifier([name]) == [bare]


_NAMES_ONLY = MatchConfig(use_fuzzy=False)  # `desktop-app match --no-fuzzy`: the deterministic passes only


@pytest.mark.parametrize("config", [MatchConfig(), _NAMES_ONLY], ids=["all passes", "no fuzzy"])
@pytest.mark.parametrize("qualified_side", ["account", "customer"])
def test_a_name_with_its_branch_in_brackets_agrees_with_the_name_alone(qualified_side: str,
                                                                      config: MatchConfig) -> None:
    with_branch, alone = "Spago (Los Angeles)", "Spago"
    account_name, customer_name = (with_branch, alone) if qualified_side == "account" else (alone, with_branch)
    left = accounts(_site(account_name, "1114 Horn Ave.", "310-652-4025"), *OTHERS)
    right = customers(_site(customer_name, "1114 Horn Ave", "(310) 652-4025"), *OTHERS)
    first = row_of(match(left, right, config=config).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "name", "cus_1")
    assert json.loads(first["evidence"])["name"][0] == "agree without the qualifier"
    # Found by the cleaned-name pass (its street and phone confirm the place), so explained by it.
    assert first["reason"].startswith("The company name matches once its qualifier (a place in brackets, a state "
                                      "after a slash, a name after 'd/b/a') is left out ('spago')")


@pytest.mark.parametrize("config", [MatchConfig(), _NAMES_ONLY], ids=["all passes", "no fuzzy"])
def test_a_filing_name_with_its_state_of_incorporation_agrees_with_the_name(config: MatchConfig) -> None:
    left = accounts(_site("Berkshire Hathaway Inc.", "3555 Farnam St", "402-346-1400"), *OTHERS)
    right = customers(_site("BERKSHIRE HATHAWAY INC /DE/", "3555 FARNAM STREET", "(402) 346-1400"), *OTHERS)
    first = row_of(match(left, right, config=config).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "name", "cus_1")
    assert json.loads(first["evidence"])["name"][0] == "agree without the qualifier"
    assert "once its qualifier (a place in brackets, a state after a slash, a name after 'd/b/a') is left out " \
           "('berkshire hathaway')" in first["reason"]


@pytest.mark.parametrize("config", [MatchConfig(), _NAMES_ONLY], ids=["all passes", "no fuzzy"])
@pytest.mark.parametrize("filing_name", ["AMERICAN TOWER CORP /MA/", "VERTEX PHARMACEUTICALS INC / MA",
                                         "WELLS FARGO & COMPANY/MN", "COSTCO WHOLESALE CORP /NEW"])
def test_a_filing_name_needs_no_place_to_agree_without_its_state_of_incorporation(filing_name: str,
                                                                                  config: MatchConfig) -> None:
    # The SEC's ticker list against the S&P 500's names: nothing but the name and a city on one side.
    # A state after a slash is where the company was incorporated, not a branch of it.
    plain = names_without_qualifier([filing_name])[0].title()
    left = accounts({"name": plain, "city": "Boston", "country": "US"}, *OTHERS)
    right = customers({"name": filing_name}, *OTHERS)
    first = row_of(match(left, right, config=config).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "name", "cus_1")


def test_two_filing_names_differing_only_by_their_state_are_left_to_a_person() -> None:
    left = accounts({"name": "American Tower", "city": "Boston", "country": "US"}, *OTHERS)
    right = customers({"name": "AMERICAN TOWER CORP /MA/"}, {"name": "AMERICAN TOWER CORP /DE/"}, *OTHERS)
    first = row_of(match(left, right, config=_NAMES_ONLY).decisions, account=account_id(1))
    assert first["status"] == AMBIGUOUS


def test_the_same_brand_at_another_street_is_held_back_as_a_namesake() -> None:
    left = accounts(_site("Spago (Los Angeles)", "1114 Horn Ave.", "310-652-4025"), *OTHERS)
    right = customers(_site("Spago", "176 N. Canon Dr.", postcode="90210"), *OTHERS)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1")
    assert "the street differs ('1114 horn ave' / '176 n canon dr')" in first["reason"]
    assert "namesake" in first["reason"]


def test_two_branches_in_brackets_do_not_agree_by_their_brand_alone() -> None:
    left = accounts(_site("Spago (Los Angeles)", "1114 Horn Ave.", "310-652-4025"), *OTHERS)
    right = customers(_site("Spago (Beverly Hills)", "1114 Horn Ave", "(310) 652-4025"), *OTHERS)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert json.loads(first["evidence"])["name"][0] == "partly agree"


def test_a_name_agreeing_only_without_its_brackets_is_suggested_when_nothing_confirms_the_place() -> None:
    # "Spago (Los Angeles)" may be one branch of several: with only a city to go by, a person decides.
    left = accounts({"name": "Spago (Los Angeles)", "city": "Los Angeles", "country": "US"}, *OTHERS)
    right = customers({"name": "Spago", "city": "Los Angeles", "country": "US"}, *OTHERS)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1")


def test_without_fuzzy_matching_a_name_agreeing_only_without_brackets_needs_the_place() -> None:
    left = accounts({"name": "Spago (Los Angeles)", "city": "Los Angeles", "country": "US"}, *OTHERS)
    right = customers({"name": "Spago", "city": "Los Angeles", "country": "US"}, *OTHERS)
    first = row_of(match(left, right, config=_NAMES_ONLY).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (SUGGESTED, "name", "cus_1")


def test_without_fuzzy_matching_two_branches_in_brackets_are_not_paired_by_their_brand() -> None:
    left = accounts(_site("Spago (Los Angeles)", "1114 Horn Ave.", "310-652-4025"), *OTHERS)
    right = customers(_site("Spago (Beverly Hills)", "1114 Horn Ave", "(310) 652-4025"), *OTHERS)
    first = row_of(match(left, right, config=_NAMES_ONLY).decisions, account=account_id(1))
    assert first["customer_id"] == ""


def test_a_name_with_the_name_it_trades_under_agrees_with_the_entitys_name() -> None:
    left = accounts(_site("Acme Corp d/b/a Roadrunner Supplies", "1 Main St", "402-346-1400"), *OTHERS)
    right = customers(_site("Acme Corporation", "1 MAIN STREET", "(402) 346-1400"), *OTHERS)
    first = row_of(match(left, right, config=_NAMES_ONLY).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "name", "cus_1")
    assert "a name after 'd/b/a') is left out ('acme')" in first["reason"]
