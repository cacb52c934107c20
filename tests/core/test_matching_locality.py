"""The locality: postcode, city, state and country weighed as one piece of evidence, so firms that
share only a trade word and their town are not made likely by the town counted three times."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core import matching_locality as locality
from desktop_app.core.matching import AMBIGUOUS, MATCHED, SUGGESTED, match
from desktop_app.core.matching_features import MODEL_LEVELS
from desktop_app.core.matching_fs import estimate_u, fit, fit_prior, prior_model
from desktop_app.core.matching_locality import LOCALITY, LOCALITY_FIELDS, locality_levels, spread

TOWNS = [("London", "SW1A 1AA", "GB"), ("Paris", "75001", "FR"), ("Berlin", "10115", "DE"),
         ("Austin", "78701", "US"), ("Leeds", "LS1 4AP", "GB")]
WORDS = ["Alpha", "Beacon", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
         "Lumen", "Maple", "Nimbus", "Onyx", "Pioneer", "Quartz", "Raven", "Summit", "Tidal", "Umber", "Vertex"]
TRADES = ["Consulting", "Logistics", "Foods", "Software", "Dental", "Bakery", "Motors", "Labs"]


def _town_files(size: int = 400) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """Firms named by two words of a short list and a trade ("Willow Pioneer Motors"; no two alike),
    in five towns of one postcode each; 70 % have their customer (the same name, on "N High Street"
    or without a street), and a quarter as many customers no account has (no street either). So
    many unrelated firms share a word and their town. Returns the files and the positions of the
    accounts without a customer (on "N Market Road": no house number one typo from a customer's)."""
    rng = np.random.default_rng(4)
    names = [f"{first} {second} {trade}" for first in WORDS for second in WORDS if first != second for trade in TRADES]
    chosen = rng.choice(len(names), size + size // 4, replace=False)
    left, right, alone = [], [], []
    for i in range(size):
        town, postcode, country = TOWNS[int(rng.integers(len(TOWNS)))]
        name, site = names[chosen[i]], {"city": town, "postcode": postcode, "country": country}
        if rng.random() < 0.7:
            left.append({"name": name, "street": f"{i + 1} High Street", **site})
            right.append({"name": name + " Ltd", "street": f"{i + 1} High Street" if rng.random() < 0.6 else "",
                          **site})
        else:
            left.append({"name": name, "street": f"{i + 1} Market Road", **site})
            alone.append(i)
    for at in chosen[size:]:
        town, postcode, country = TOWNS[int(rng.integers(len(TOWNS)))]
        right.append({"name": names[at] + " Inc", "city": town, "postcode": postcode, "country": country})
    return accounts(*left), customers(*right), alone


@pytest.mark.parametrize("size", [400, 1000])
def test_a_firm_sharing_only_a_trade_word_and_its_town_is_neither_ambiguous_nor_suggested(size: int) -> None:
    left, right, alone = _town_files(size)
    decisions = match(left, right).decisions
    for position in alone:
        decision = row_of(decisions, account=account_id(position + 1))
        # (The similar-name pass may suggest "Onyx Lumen Bakery" for "Delta Lumen Bakery", on their names.)
        if decision["method"] != "evidence":
            continue
        # The weighed evidence shows only firms of the same name elsewhere: as namesakes, or as a tie
        # between them (weighing against the pair), never a firm that shares a word and the town.
        if decision["status"] == SUGGESTED:
            assert "namesake" in decision["reason"], decision["reason"]
        else:
            assert decision["status"] == AMBIGUOUS
            weights = [int(re.findall(r"\((-?\d+)\)$", each)[0]) for each in decision["candidates"].split("; ")]
            assert max(weights) < 0, (decision["account_name"], decision["candidates"])
    found = decisions[(decisions["account_id"] != "") & (decisions["status"] == MATCHED)]
    assert len(found) == len(left) - len(alone)


def test_a_renamed_firm_at_the_same_street_and_postcode_is_still_found() -> None:
    left, right, alone = _town_files()
    left.loc[alone[0], "street"] = "8225 Willowbrook Avenue"
    renamed = left.iloc[alone[0]]
    moved_in = {"name": "Quorn Tavistock Holdings", "street": "8225 Willowbrook Ave.",
                "city": renamed["city"], "postcode": renamed["postcode"], "country": renamed["country"]}
    right = pd.concat([right, customers(moved_in).assign(customer_id="cus_renamed")], ignore_index=True)
    decision = row_of(match(left, right).decisions, account=renamed["account_id"])
    assert (decision["status"], decision["customer_id"]) in {(MATCHED, "cus_renamed"), (SUGGESTED, "cus_renamed")}
    assert decision["status"] != AMBIGUOUS
    evidence = json.loads(decision["evidence"])
    assert evidence["street"][0] == evidence["postcode"][0] == evidence["city"][0] == "agree"


def test_the_town_is_one_weight_listed_under_the_postcode_and_the_reason_names_every_field() -> None:
    left, right, _ = _town_files()
    decisions = match(left, right).decisions
    matched = decisions[(decisions["account_id"] != "") & (decisions["status"] == MATCHED)].iloc[0]
    evidence = json.loads(matched["evidence"])
    assert [evidence[field][0] for field in ("postcode", "city", "country")] == ["agree"] * 3
    assert evidence["postcode"][1] > 0
    assert evidence["city"][1] == evidence["country"][1] == 0.0  # counted in the postcode's weight


def _levels(**fields: list[int]) -> dict[str, np.ndarray]:
    size = len(next(iter(fields.values())))
    levels = {name: np.full(size, -1, dtype=np.int8) for name in LOCALITY_FIELDS}
    levels.update({name: np.array(values, dtype=np.int8) for name, values in fields.items()})
    return levels


def test_the_locality_takes_the_closest_way_the_places_agree() -> None:
    # postcode / city: 2 the same, 1 one character off or similar, 0 another, -1 missing.
    levels = _levels(postcode=[2, 2, 2, 1, -1, 2, 0, 1, 0, -1, -1],
                     city=[2, 1, -1, 2, 2, 0, 2, 1, 0, -1, -1],
                     country=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1])
    assert locality_levels(levels).tolist() == [
        locality.POSTCODE_CITY, locality.POSTCODE_NEAR_CITY, locality.POSTCODE, locality.NEAR_POSTCODE_CITY,
        locality.CITY, locality.POSTCODE_OTHER_CITY, locality.CITY_OTHER_POSTCODE,
        locality.NEAR_POSTCODE_NEAR_CITY, locality.COUNTRY_OR_STATE, locality.COUNTRY_OR_STATE, -1]


def test_the_locality_weight_is_listed_once_under_the_field_that_decided_it() -> None:
    levels = _levels(postcode=[2, 0, -1, 0], city=[2, 2, 0, 0], state=[1, 1, 1, -1], country=[1, 1, 1, 0])
    levels[LOCALITY] = locality_levels(levels)
    per_field = spread(levels, np.array([2.3, -1.0, 0.5, -9.0]))
    assert [per_field[name].tolist() for name in LOCALITY_FIELDS] == [
        [2.3, 0.0, 0.0, -9.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]]


def test_em_never_takes_more_pairs_for_true_than_there_are_customers() -> None:
    # A thousand candidates, half in the same town, names telling nothing: at most ten can be true.
    rng = np.random.default_rng(2)
    candidates = {field: np.full(1000, -1, dtype=np.int8) for field in MODEL_LEVELS}
    candidates["name"] = rng.integers(0, 2, 1000).astype(np.int8)
    candidates[LOCALITY] = np.where(rng.random(1000) < 0.5, locality.TOP, locality.DISAGREE).astype(np.int8)
    random_pairs = {field: np.full(1000, -1, dtype=np.int8) for field in MODEL_LEVELS}
    random_pairs["name"] = candidates["name"]
    random_pairs[LOCALITY] = np.where(rng.random(1000) < 0.2, locality.TOP, locality.DISAGREE).astype(np.int8)
    model = prior_model(estimate_u(random_pairs))
    model.m[LOCALITY] = np.array([0.001] * locality.TOP + [0.99])
    assert fit(candidates, model, learn=frozenset({"name"})).prior > 0.2  # what EM makes of it unbounded
    assert fit(candidates, model, learn=frozenset({"name"}), most_true=10).prior <= 0.01
    assert fit_prior(candidates, model, most_true=10).prior <= 0.01
