"""An unmatched record whose obvious partner went to another record says which one, and where."""

from __future__ import annotations

from desktop_app.core.matching import MatchConfig, match
from tests.core.matching_frames import account_id, accounts, customers, row_of

ACME = {"name": "ACME Corp.", "website": "acme.com", "street": "1 Main St", "city": "Springfield",
        "postcode": "01101", "country": "US", "phone": "+1 413 555 0100"}
ACME_WEST = {"name": "Acme Corporation West", "website": "https://www.acme.com/west", "street": "500 Market Street",
             "city": "San Francisco", "postcode": "94105", "country": "US"}
ACME_CUSTOMER = {"name": "Acme", "email": "billing@acme.com", "street": "1 Main Street", "city": "Springfield",
                 "postcode": "01101", "country": "US", "phone": "+1 413 555 0100"}


def test_an_account_left_open_names_the_customer_sharing_its_domain_and_the_account_that_took_it() -> None:
    decisions = match(accounts(ACME, ACME_WEST), customers(ACME_CUSTOMER)).decisions
    assert row_of(decisions, account=account_id(1))["customer_id"] == "cus_1"
    west = row_of(decisions, account=account_id(2))
    assert west["status"] == "unmatched"
    assert west["reason"] == (
        "No customer found: the link field is empty, and customer cus_1 ('Acme') shares this account's "
        f"website/e-mail domain 'acme.com' but is "
        f"matched to account {account_id(1)} ('ACME Corp.'); one customer links to one account: if this account "
        "is the right one, reject that link in the review, then choose it for this account")


def test_a_customer_left_open_names_the_account_sharing_its_cleaned_name_and_where_that_went() -> None:
    hamburg = {"name": "Nordwind GmbH", "street": "Elbchaussee 12", "city": "Hamburg", "postcode": "22763",
               "country": "DE"}
    bremen_site = {"name": "NORDWIND AG", "street": "Am Markt 1", "city": "Bremen", "postcode": "28195",
                   "country": "DE"}
    found = match(accounts(hamburg), customers(hamburg, bremen_site)).decisions
    assert row_of(found, account=account_id(1))["customer_id"] == "cus_1"
    bremen = row_of(found, customer="cus_2")
    assert bremen["status"] == "unmatched"
    assert bremen["reason"].startswith(
        f"No account found: the customer's link field is empty, and account {account_id(1)} ('Nordwind GmbH') "
        "shares this customer's cleaned company name "
        "'nordwind' but is matched to customer cus_1 ('Nordwind GmbH')")
    assert bremen["reason"].endswith("reject that link in the review, then choose this customer on that account's row")


def test_every_account_of_a_chain_names_the_one_customer_and_no_row_is_added() -> None:
    sites = [{**ACME_WEST, "name": f"Acme Site {n}", "street": f"{n} Pine Road"} for n in range(1, 6)]
    decisions = match(accounts(ACME, *sites), customers(ACME_CUSTOMER)).decisions
    assert len(decisions) == 6  # one row per account; the customer has its account's row
    open_rows = decisions[decisions["status"] == "unmatched"]
    assert len(open_rows) == 5
    assert open_rows["reason"].str.contains("customer cus_1 ('Acme') shares this account's website/e-mail domain",
                                            regex=False).all()


def test_a_placeholder_in_the_link_field_is_still_named() -> None:
    decisions = match(accounts(ACME, {**ACME_WEST, "link_customer_id": "N/A"}), customers(ACME_CUSTOMER)).decisions
    reason = row_of(decisions, account=account_id(2))["reason"]
    assert reason.startswith("No customer found: the link field holds 'N/A' (")
    assert "and customer cus_1 ('Acme') shares this account's website/e-mail domain 'acme.com'" in reason


def test_an_account_with_nothing_shared_keeps_the_plain_reason() -> None:
    decisions = match(accounts(ACME, {"name": "Zephyr Labs", "website": "zephyr.io"}),
                      customers(ACME_CUSTOMER)).decisions
    assert row_of(decisions, account=account_id(2))["reason"] == (
        "No customer found: the link field is empty, and no open customer shares its website/e-mail domain "
        "or a similar name")


def test_when_a_customer_may_take_several_accounts_nothing_is_said_to_be_taken() -> None:
    config = MatchConfig(one_to_one=False)
    decisions = match(accounts(ACME, ACME_WEST), customers(ACME_CUSTOMER), config=config).decisions
    assert not decisions["reason"].str.contains("shares this account's", regex=False).any()


def test_a_partner_only_proposed_to_another_account_can_be_chosen_directly() -> None:
    elsewhere = {**ACME_CUSTOMER, "street": "77 Oak Ave", "city": "Boston", "postcode": "02108", "phone": ""}
    zeta = {"name": "Zeta Acme Labs", "website": "acme.com", "street": "9 Elm Road", "city": "Austin",
            "postcode": "73301", "country": "US"}
    decisions = match(accounts(ACME, zeta), customers(elsewhere)).decisions
    assert row_of(decisions, account=account_id(1))["status"] == "suggested"  # a namesake: another street
    assert row_of(decisions, account=account_id(2))["reason"].endswith(
        f"but is in the suggested row of account {account_id(1)} ('ACME Corp.'); one customer links to one "
        "account: if this account is the right one, choose it for this account in the review")
