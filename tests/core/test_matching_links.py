"""Matching passes 1-3: existing links, the mapping file, and identifiers that need normalising."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core.ids import to_18
from desktop_app.core.matching import (
    ALREADY_LINKED,
    AMBIGUOUS,
    CONFLICT,
    MATCHED,
    SUGGESTED,
    UNMATCHED,
    MatchConfig,
    match,
)
from desktop_app.core.matching_audit import lookup

NO_FUZZY = MatchConfig(use_fuzzy=False)


def test_links_on_both_sides_that_agree_are_already_linked_whatever_the_id_form() -> None:
    a1, a2, a3 = account_id(1), account_id(2), account_id(3)
    result = match(
        accounts({"name": "Acme", "link_customer_id": "cus_1"}, {"name": "Beta", "link_customer_id": "cus_2"},
                 {"name": "Gamma", "link_customer_id": " cus_3 "}),
        customers({"name": "Acme", "sf_account_id": a1}, {"name": "Beta", "sf_account_id": a2[:15]},
                  {"name": "Gamma", "sf_account_id": "  " + a3.upper()}),
        config=NO_FUZZY,
    )
    decisions = result.decisions
    assert (decisions["status"] == ALREADY_LINKED).all()
    assert decisions["customer_id"].tolist() == ["cus_1", "cus_2", "cus_3"]
    assert "15-character" in row_of(decisions, account=a2)["reason"]
    assert "letter case" in row_of(decisions, account=a3)["reason"]
    assert result.counts[ALREADY_LINKED] == 3


@pytest.mark.parametrize(("held_by", "says_case"), [(1, True), (7, False)])
def test_a_15_character_id_upper_cased_by_a_spreadsheet_stays_a_conflict_that_says_so(
        held_by: int, says_case: bool) -> None:
    # Salesforce tells 15-character ids apart by letter case alone: the upper-cased value names another
    # record, so the link is not taken as standing, but the reason tells a damaged value (the account's
    # own id) from another account's.
    a1 = account_id(1)
    result = match(
        accounts({"name": "Acme", "link_customer_id": "cus_1"}),
        customers({"name": "Acme", "sf_account_id": account_id(held_by)[:15].upper()}),
        config=NO_FUZZY,
    )
    first = row_of(result.decisions, account=a1)
    assert first["status"] == CONFLICT
    assert (f"differs from this account's id {a1[:15]} only in letter case" in first["reason"]) is says_case
    assert ("overwrite" in first["reason"]) is says_case


def test_a_link_on_one_side_only_is_matched_and_will_be_written() -> None:
    result = match(
        accounts({"name": "Acme", "link_customer_id": "cus_1"}, {"name": "Beta"}),
        customers({"name": "ACME Inc."}, {"name": "Beta GmbH", "sf_account_id": account_id(2)}),
        config=NO_FUZZY,
    )
    first = row_of(result.decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "existing_link", "cus_1")
    assert "will be written" in first["reason"]
    assert "cus_1" in first["reason"]
    second = row_of(result.decisions, account=account_id(2))
    assert (second["status"], second["customer_id"]) == (MATCHED, "cus_2")


def test_links_that_disagree_are_conflicts_naming_the_records() -> None:
    a1, a2 = account_id(1), account_id(2)
    result = match(
        accounts({"name": "Acme", "link_customer_id": "cus_1"}, {"name": "Beta"}),
        customers({"name": "Acme", "sf_account_id": a2}),
        config=NO_FUZZY,
    )
    decisions = result.decisions
    first = row_of(decisions, account=a1)
    assert first["status"] == CONFLICT
    assert a2 in first["reason"]
    assert "'Beta'" in first["reason"]
    assert row_of(decisions, account=a2)["status"] == CONFLICT
    assert row_of(decisions, customer="cus_1")["status"] == CONFLICT
    assert (decisions["status"] == CONFLICT).sum() == 3


def test_one_customer_id_on_two_accounts_is_a_conflict_unless_the_customer_confirms_one() -> None:
    both = match(
        accounts({"name": "Acme", "link_customer_id": "cus_1"}, {"name": "Acme (old)", "link_customer_id": "cus_1"}),
        customers({"name": "Acme"}),
        config=NO_FUZZY,
    ).decisions
    assert (both["status"] == CONFLICT).sum() == 3
    assert account_id(2) in row_of(both, account=account_id(1))["reason"]
    confirmed = match(
        accounts({"name": "Acme", "link_customer_id": "cus_1"}, {"name": "Acme (old)", "link_customer_id": "cus_1"}),
        customers({"name": "Acme", "sf_account_id": account_id(1)}),
        config=NO_FUZZY,
    ).decisions
    assert row_of(confirmed, account=account_id(1))["status"] == ALREADY_LINKED
    second = row_of(confirmed, account=account_id(2))
    assert second["status"] == CONFLICT
    assert account_id(1) in second["reason"]


def test_links_to_records_that_do_not_exist_are_conflicts() -> None:
    result = match(
        accounts({"name": "Acme", "link_customer_id": "cus_missing"}),
        customers({"name": "Beta", "sf_account_id": account_id(99)}, {"name": "Gamma", "sf_account_id": "n/a"}),
        config=NO_FUZZY,
    )
    decisions = result.decisions
    first = row_of(decisions, account=account_id(1))
    assert first["status"] == CONFLICT
    assert "cus_missing" in first["reason"]
    assert "no customer" in first["reason"]
    assert row_of(decisions, customer="cus_1")["status"] == CONFLICT
    placeholder = row_of(decisions, customer="cus_2")  # "n/a" is no id: the customer is simply unlinked
    assert placeholder["status"] == "unmatched"
    assert "'n/a' (placeholder value in the link field" in placeholder["reason"]


def test_identifier_that_matches_only_after_normalising_says_which_normalisation() -> None:
    result = match(
        accounts({"name": "Acme", "link_customer_id": "42"}, {"name": "Beta", "link_customer_id": "AB-77"}),
        customers({"customer_id": "00042", "name": "Something else"}, {"customer_id": "ab77", "name": "B"}),
        config=NO_FUZZY,
    )
    first = row_of(result.decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "identifier_normalized", "00042")
    assert "leading zeros" in first["reason"]
    second = row_of(result.decisions, account=account_id(2))
    assert second["customer_id"] == "ab77"
    assert "letter case" in second["reason"]
    assert "dashes" in second["reason"]


def test_identifier_that_fits_several_records_is_ambiguous() -> None:
    result = match(
        accounts({"name": "Acme", "link_customer_id": "ab-1"}),
        customers({"customer_id": "AB1", "name": "x"}, {"customer_id": "ab 1", "name": "y"}),
        config=NO_FUZZY,
    )
    first = row_of(result.decisions, account=account_id(1))
    assert first["status"] == AMBIGUOUS
    assert "duplicate" in first["reason"]
    assert "AB1" in first["reason"]


def test_case_mangled_15_character_id_is_only_suggested_and_ambiguous_on_a_case_collision() -> None:
    lower = to_18("0015g0000abcdef")
    upper = to_18("0015g0000ABCdef")
    lone = to_18("0015g0000xyzabc")
    result = match(
        accounts({"account_id": lower, "name": "Lower"}, {"account_id": upper, "name": "Upper"},
                 {"account_id": lone, "name": "Lone"}),
        customers({"name": "one", "sf_account_id": "0015G0000ABCDEF"},
                  {"name": "two", "sf_account_id": "0015G0000XYZABC"}),
        config=NO_FUZZY,
    )
    decisions = result.decisions
    clash = row_of(decisions, customer="cus_1")
    assert clash["status"] == AMBIGUOUS
    assert lower in clash["reason"]
    assert upper in clash["reason"]
    lone_row = row_of(decisions, account=lone)
    assert (lone_row["status"], lone_row["customer_id"]) == (SUGGESTED, "cus_2")


def test_mapping_pairs_are_validated() -> None:
    mapping = pd.DataFrame(
        {"account_id": [account_id(1)[:15], account_id(2), account_id(3), account_id(4), account_id(9)],
         "customer_id": ["cus_1", "cus_2", "cus_2", "cus_404", "cus_4"],
         "source_row": [2, 3, 4, 5, 6]}, dtype=object)
    result = match(
        accounts({"name": "A"}, {"name": "B"}, {"name": "C"}, {"name": "D"}),
        customers({"name": "W"}, {"name": "X"}, {"name": "Y"}, {"name": "Z"}),
        mapping, NO_FUZZY,
    )
    decisions = result.decisions
    first = row_of(decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "mapping", "cus_1")
    assert "row 2" in first["reason"]
    for number in (2, 3):  # cus_2 is mapped to two accounts
        row = row_of(decisions, account=account_id(number))
        assert row["status"] == CONFLICT
        assert "row" in row["reason"]
    missing_customer = row_of(decisions, account=account_id(4))
    assert missing_customer["status"] == UNMATCHED
    assert "cus_404" in missing_customer["reason"]
    missing_account = row_of(decisions, customer="cus_4")
    assert missing_account["status"] == UNMATCHED
    assert "row 6" in missing_account["reason"]


def test_mapping_may_give_an_account_several_customers_when_not_one_to_one() -> None:
    mapping = pd.DataFrame({"account_id": [account_id(1)] * 2, "customer_id": ["cus_1", "cus_2"]}, dtype=object)
    strict = match(accounts({"name": "A"}), customers({"name": "X"}, {"name": "Y"}), mapping, NO_FUZZY)
    assert set(strict.decisions["status"]) == {CONFLICT}
    lenient = match(accounts({"name": "A"}), customers({"name": "X"}, {"name": "Y"}), mapping,
                    MatchConfig(use_fuzzy=False, one_to_one=False))
    rows = lenient.decisions[lenient.decisions["account_id"] == account_id(1)]
    assert sorted(rows["customer_id"]) == ["cus_1", "cus_2"]
    assert set(rows["status"]) == {MATCHED}


def test_contradicting_links_are_explained_by_the_same_rule_on_both_sides() -> None:
    a1, a2 = account_id(1), account_id(2)
    result = match(  # Acme holds cus_1, which names Beta; Beta's own field holds cus_2, which names nobody
        accounts({"name": "Acme", "link_customer_id": "cus_1"}, {"name": "Beta", "link_customer_id": "cus_2"}),
        customers({"name": "Acme", "sf_account_id": a2}, {"name": "Beta", "sf_account_id": ""}),
        config=NO_FUZZY,
    )
    acme = row_of(result.decisions, account=a1)
    assert acme["status"] == CONFLICT
    assert (f"its link field holds cus_1, but that customer's field names account {a2} 'Beta' (row 3)"
            in acme["reason"])
    beta = row_of(result.decisions, account=a2)
    assert beta["status"] == CONFLICT
    assert ("customer cus_1 'Acme' (row 2) names this account in its link field, while the account's own link "
            "field holds 'cus_2'") in beta["reason"]
    cus_1 = row_of(result.decisions, customer="cus_1")
    assert cus_1["status"] == CONFLICT
    assert (f"its link field names account {a2} 'Beta' (row 3), but that account's link field holds cus_2"
            in cus_1["reason"])
    assert (f"account {a1} 'Acme' (row 2) holds this customer in its link field, while the customer's own link "
            f"field holds '{a2}'") in cus_1["reason"]


@pytest.mark.parametrize("ids", [["cus_1", "cus_2", "cus_3"], ["cus_1", "cus_2", "cus_1", "cus_3", "cus_2"]])
def test_link_lookup_finds_the_first_record_holding_an_id(ids: list[str]) -> None:
    keys = np.array(["cus_2", "", "cus_9", "cus_3", "cus_1"], dtype=object)
    found = lookup(keys, np.array(ids, dtype=object)).tolist()
    assert found == [1, -1, -1, ids.index("cus_3"), 0]
    assert lookup(keys, np.array([], dtype=object)).tolist() == [-1] * len(keys)
