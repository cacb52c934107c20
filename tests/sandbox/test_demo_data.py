"""The demo-data generator: deterministic, valid ids, consistent ground truth, realistic mess."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.ids import case_insensitive_collisions, normalize_id, problem_with_id
from desktop_app.core.roles import ACCOUNT_ROLES, CONTACT_ROLES, CUSTOMER_ROLES, SOURCE_ROW
from desktop_app.sandbox.demo_data import DemoData, generate


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate(3000, seed=11)


def test_same_seed_gives_identical_frames() -> None:
    first, second = generate(500, seed=3), generate(500, seed=3)
    for name in ("accounts", "customers", "contacts", "truth"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))


def test_other_seed_gives_other_data() -> None:
    assert not generate(200, seed=1).accounts["name"].equals(generate(200, seed=2).accounts["name"])


def test_sizes_and_columns(demo: DemoData) -> None:
    assert len(demo.accounts) == 3000
    assert len(demo.customers) == round(3000 * 0.9)
    assert list(demo.accounts.columns) == [*ACCOUNT_ROLES, SOURCE_ROW]
    assert list(demo.customers.columns) == [*CUSTOMER_ROLES, SOURCE_ROW]
    assert list(demo.contacts.columns)[: len(CONTACT_ROLES)] == list(CONTACT_ROLES)
    assert demo.accounts[SOURCE_ROW].tolist() == list(range(2, 3002))
    for frame in (demo.accounts, demo.customers, demo.contacts):
        text = frame.drop(columns=SOURCE_ROW)
        assert all(isinstance(v, str) for v in text.to_numpy().ravel())


def test_customer_ratio_is_honoured() -> None:
    data = generate(400, customer_ratio=1.0)
    assert len(data.customers) == 400
    assert len(generate(0).accounts) == 0


def test_account_ids_are_valid_unique_and_collide_only_deliberately(demo: DemoData) -> None:
    ids = demo.accounts["account_id"]
    assert ids.is_unique
    assert all(problem_with_id(v) is None and len(v) == 18 and v.startswith("0015g0000") for v in ids)
    collisions = case_insensitive_collisions(ids.str.slice(0, 15))
    assert len(collisions) >= 1
    assert all(len(group) == 2 for group in collisions["ids"])
    contact_ids = demo.contacts["contact_id"]
    assert contact_ids.is_unique
    assert all(problem_with_id(v) is None for v in contact_ids)
    assert set(demo.contacts["account_id"]) <= set(ids)


def test_customer_ids_look_like_stripe(demo: DemoData) -> None:
    ids = demo.customers["customer_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"cus_[0-9A-Za-z]{14}").all()


def test_truth_is_one_to_one_and_refers_to_existing_records(demo: DemoData) -> None:
    truth = demo.truth
    assert truth["account_id"].is_unique
    assert truth["customer_id"].is_unique
    assert set(truth["account_id"]) <= set(demo.accounts["account_id"])
    assert set(truth["customer_id"]) <= set(demo.customers["customer_id"])
    # Some customers have no account and some accounts no customer.
    assert len(truth) < len(demo.customers) < len(demo.accounts)


def test_true_pairs_share_the_company(demo: DemoData) -> None:
    pairs = demo.truth.merge(demo.accounts, on="account_id").merge(
        demo.customers, on="customer_id", suffixes=("_acc", "_cus")
    )
    same_city = (pairs["city_acc"] == pairs["city_cus"]) | (pairs["city_acc"] == "") | (pairs["city_cus"] == "")
    assert same_city.all()
    first_letters = (
        pairs["name_acc"].str.strip().str[:2].str.lower() == pairs["name_cus"].str.strip().str[:2].str.lower()
    )
    assert first_letters.mean() > 0.85
    assert (pairs["name_acc"] != pairs["name_cus"]).mean() > 0.3  # the customer side is messy


def test_existing_links_include_agreement_one_sided_and_messy_forms(demo: DemoData) -> None:
    accounts, customers = demo.accounts, demo.customers
    truth = dict(zip(demo.truth["customer_id"], demo.truth["account_id"], strict=True))
    linked = customers[customers["sf_account_id"] != ""]
    assert len(linked) > 0.3 * len(customers)
    normalized = linked["sf_account_id"].map(lambda v: normalize_id(v) or "")
    agrees = normalized == linked["customer_id"].map(truth)
    assert agrees.mean() > 0.95
    raw = linked["sf_account_id"]
    assert (raw.str.len() == 15).any()
    assert (raw != raw.str.strip()).any()
    assert (raw == raw.str.upper()).any()
    held = accounts["link_customer_id"][accounts["link_customer_id"] != ""]
    assert len(held) > 0.3 * len(accounts)
    assert held.duplicated().any()  # a customer id held by two accounts
    assert (~held.isin(customers["customer_id"])).any()  # dangling or mis-typed


def test_countries_are_written_many_ways(demo: DemoData) -> None:
    account_countries = set(demo.accounts["country"])
    assert {"Germany", "Deutschland", "DE", "USA", "United Kingdom", "UK"} <= account_countries
    customer_countries = demo.customers["country"]
    assert (customer_countries.str.fullmatch("[A-Z]{2}")).mean() > 0.8


def test_some_customers_use_free_mail(demo: DemoData) -> None:
    emails = demo.customers["email"]
    assert emails.str.contains("@gmail.com|@outlook.com|@hotmail|@yahoo|@gmx.de|@web.de", regex=True).any()
