"""Merely similar names that the weighed evidence speaks against are not suggested; the record says
which candidate was closest and why it was left out. Names that agree stay suggested as namesakes."""

from __future__ import annotations

import pandas as pd

from desktop_app.core.matching import match
from desktop_app.sandbox.demo_data import generate
from tests.core.matching_frames import account_id, row_of

LEEDS = {"street": "12 Park Row", "city": "Leeds", "postcode": "LS1 5HD", "country": "GB", "currency": "GBP"}
PARIS = {"street": "8 Rue de Rivoli", "city": "Paris", "postcode": "75004", "country": "FR", "currency": "EUR"}


def _with(frame: pd.DataFrame, *rows: dict[str, str]) -> pd.DataFrame:
    extra = pd.DataFrame([{column: row.get(column, "") for column in frame.columns} for row in rows], dtype=object)
    extra["source_row"] = range(len(frame) + 2, len(frame) + 2 + len(rows))
    return pd.concat([frame, extra], ignore_index=True)


def _decisions(accounts: list[dict[str, str]], customers: list[dict[str, str]]) -> pd.DataFrame:
    # Enough ordinary records for the model to learn what agreeing and differing places weigh.
    data = generate(400, seed=3)
    return match(_with(data.accounts, *accounts), _with(data.customers, *customers)).decisions


def test_a_similar_name_in_another_country_and_town_is_not_suggested_and_the_reason_names_it() -> None:
    decisions = _decisions([{"account_id": account_id(900001), "name": "Willow Pioneer Motors Inc", **LEEDS}],
                           [{"customer_id": "cus_far", "name": "Willow Iris Motors Ltd", **PARIS}])
    account = row_of(decisions, account=account_id(900001))
    assert account["status"] == "unmatched"
    assert account["reason"].startswith(
        "No customer found: the link field is empty, and the closest customer, cus_far ('Willow Iris Motors Ltd'), "
        "is not suggested. Partly agree: name (")
    assert "country" in account["reason"].split("; differ: ")[1]
    customer = row_of(decisions, customer="cus_far")
    assert customer["status"] == "unmatched"
    assert customer["reason"].startswith(
        "No account found: the customer's link field is empty, and the closest account, "
        f"{account_id(900001)} ('Willow Pioneer Motors Inc'), is not suggested. ")


def test_names_nearly_the_same_on_the_same_street_in_another_country_stay_suggested() -> None:
    # The weighed evidence finds it unlikely (countries of true pairs almost never differ here), but a
    # name written nearly the same at the same street is what a person must see.
    decisions = _decisions([{"account_id": account_id(900002), "name": "Harbor Light Foods GmbH",
                             "street": "12 Park Row", "country": "GB"}],
                           [{"customer_id": "cus_namesake", "name": "Harbour Light Foods", "street": "12 Park Row",
                             "country": "FR"}])
    account = row_of(decisions, account=account_id(900002))
    assert (account["status"], account["customer_id"]) == ("suggested", "cus_namesake")
