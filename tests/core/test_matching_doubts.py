"""One-sided existing links whose names clearly disagree (a person pasted the wrong id)."""

from __future__ import annotations

from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core.matching import ALREADY_LINKED, CONFLICT, MATCHED, SUGGESTED, UNMATCHED, MatchConfig, match

NO_FUZZY = MatchConfig(use_fuzzy=False)


def test_wrong_link_to_a_customer_another_account_clearly_matches_is_a_conflict_naming_both() -> None:
    vandelay, dunder = account_id(1), account_id(2)
    decisions = match(
        accounts({"name": "Vandelay Industries", "website": "https://www.vandelay.com", "link_customer_id": "cus_2"},
                 {"name": "Dunder Mifflin", "website": "https://www.dundermifflin.com"}),
        customers({"name": "Vandelay Industries", "email": "billing@vandelay.com"},
                  {"name": "Dunder Mifflin", "email": "billing@dundermifflin.com"}),
        config=NO_FUZZY,
    ).decisions
    wrong = row_of(decisions, account=vandelay)
    assert (wrong["status"], wrong["customer_id"]) == (CONFLICT, "")
    assert "cus_2 'Dunder Mifflin'" in wrong["reason"]
    assert "does not resemble 'Vandelay Industries'" in wrong["reason"]
    assert dunder in wrong["reason"]
    right = row_of(decisions, account=dunder)
    assert (right["status"], right["customer_id"], right["method"]) == (MATCHED, "cus_2", "domain")
    assert not ((decisions["status"] == MATCHED) & (decisions["account_id"] == vandelay)).any()


def test_wrong_link_nobody_else_matches_is_only_suggested_with_a_reason() -> None:
    decisions = match(
        accounts({"name": "Vandelay Industries", "website": "vandelay.com", "link_customer_id": "cus_1"}),
        customers({"name": "Dunder Mifflin", "email": "billing@dundermifflin.com"}),
        config=NO_FUZZY,
    ).decisions
    row = row_of(decisions, account=account_id(1))
    assert (row["status"], row["customer_id"], row["method"]) == (SUGGESTED, "cus_1", "existing_link")
    assert row["reason"] == ("The link field points to cus_1 'Dunder Mifflin', whose name does not resemble "
                             "'Vandelay Industries' — check before writing")
    assert len(decisions) == 1  # the customer is not listed again as unmatched


def test_different_names_with_the_same_domain_or_a_resembling_name_are_still_matched() -> None:
    decisions = match(
        accounts({"name": "Initrode", "website": "https://initech.com", "link_customer_id": "cus_1"},
                 {"name": "Acme", "link_customer_id": "cus_2"}),
        customers({"name": "Initech Inc", "email": "ap@initech.com"}, {"name": "ACME Global Holdings Ltd"}),
        config=NO_FUZZY,
    ).decisions
    assert row_of(decisions, account=account_id(1))["status"] == MATCHED
    assert row_of(decisions, account=account_id(2))["status"] == MATCHED


def test_customer_side_wrong_link_is_a_conflict_when_the_account_clearly_belongs_elsewhere() -> None:
    decisions = match(
        accounts({"name": "Dunder Mifflin", "website": "dundermifflin.com"}),
        customers({"name": "Vandelay Industries", "sf_account_id": account_id(1)},
                  {"name": "Dunder Mifflin Paper", "legal_name": "Dunder Mifflin Inc.",
                   "email": "x@dundermifflin.com"}),
        config=NO_FUZZY,
    ).decisions
    right = row_of(decisions, account=account_id(1))
    assert (right["status"], right["customer_id"]) == (MATCHED, "cus_2")
    wrong = row_of(decisions, customer="cus_1")
    assert wrong["status"] == CONFLICT
    assert "whose name does not resemble 'Vandelay Industries'" in wrong["reason"]
    assert "cus_2" in wrong["reason"]
    alone = match(accounts({"name": "Dunder Mifflin"}),
                  customers({"name": "Vandelay Industries", "sf_account_id": account_id(1)}), config=NO_FUZZY)
    row = row_of(alone.decisions, account=account_id(1))
    assert (row["status"], row["customer_id"]) == (SUGGESTED, "cus_1")
    assert alone.counts[UNMATCHED] == 0


def test_links_both_sides_agree_on_stay_already_linked_but_mention_different_names() -> None:
    decisions = match(
        accounts({"name": "Vandelay Industries", "link_customer_id": "cus_1"},
                 {"name": "Acme", "link_customer_id": "cus_2"}),
        customers({"name": "Dunder Mifflin", "sf_account_id": account_id(1)},
                  {"name": "Acme Inc", "sf_account_id": account_id(2)}),
        config=NO_FUZZY,
    ).decisions
    odd = row_of(decisions, account=account_id(1))
    assert (odd["status"], odd["customer_id"]) == (ALREADY_LINKED, "cus_1")
    assert "names differ ('Vandelay Industries' and 'Dunder Mifflin')" in odd["reason"]
    plain = row_of(decisions, account=account_id(2))
    assert plain["status"] == ALREADY_LINKED
    assert "differ" not in plain["reason"]
