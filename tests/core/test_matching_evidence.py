"""Pass 7 and the per-field evidence: namesakes, renamed sites, names in any order, the evidence
column, and the Fellegi–Sunter estimation."""

from __future__ import annotations

import json

import numpy as np
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core.matching import ALREADY_LINKED, MATCHED, SUGGESTED, UNMATCHED, MatchConfig, match
from desktop_app.core.matching_features import FIELD_LEVELS, MODEL_LEVELS
from desktop_app.core.matching_fs import estimate_u, fit, prior_model

NO_FUZZY = MatchConfig(use_fuzzy=False)
# Unrelated records, so the files have something to learn from besides the pair under test.
OTHERS = [
    {"name": f"{word} Analytics", "street": f"{10 + i} {street} Road", "postcode": f"9{i:04d}", "city": "Denver",
     "state": "CO", "phone": f"(303) 555-{1000 + i}", "country": "US"}
    for i, (word, street) in enumerate(zip(["Alder", "Birch", "Cobalt", "Delta", "Ember", "Falcon"],
                                           ["Cherry", "Spruce", "Willow", "Aspen", "Juniper", "Hazel"], strict=True))
]


def _site(name: str, street: str, postcode: str, phone: str) -> dict[str, str]:
    return {"name": name, "street": street, "postcode": postcode, "city": "San Francisco", "state": "CA",
            "phone": phone, "country": "US"}


def test_a_namesake_is_suggested_with_the_disagreement_named_never_matched() -> None:
    left = accounts(_site("Blue Fern Coffee", "12 Main Street", "94110", "(415) 555-0101"), *OTHERS)
    right = customers(_site("Blue Fern Coffee", "480 Oak Avenue", "94122", "(415) 555-0199"), *OTHERS)
    for config in (MatchConfig(), NO_FUZZY):
        first = row_of(match(left, right, config=config).decisions, account=account_id(1))
        assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1"), config
        assert "the street differs ('12 main st' / '480 oak ave')" in first["reason"]
        assert "the postcode differs ('94110' / '94122')" in first["reason"]
        assert "namesake" in first["reason"]


def test_the_phone_decides_between_namesakes_when_customers_carry_no_street() -> None:
    # Billing systems often hold a name and a phone but no address: the phone is then the place.
    account = {"name": "Blue Fern Coffee", "city": "San Francisco", "phone": "(415) 555-0101", "country": "US"}
    at_other_number = {**account, "phone": "+1 415 555 0199"}
    at_same_number = {**account, "phone": "415.555.0101"}
    for config in (MatchConfig(), NO_FUZZY):
        alone = match(accounts(account, *OTHERS), customers(at_other_number, *OTHERS), config=config).decisions
        first = row_of(alone, account=account_id(1))
        assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1"), config
        assert "the phone differs ('+14155550101' / '+14155550199')" in first["reason"]
        both = match(accounts(account, *OTHERS), customers(at_other_number, at_same_number, *OTHERS),
                     config=config).decisions
        first = row_of(both, account=account_id(1))
        assert (first["status"], first["customer_id"]) == (MATCHED, "cus_2"), config
        assert json.loads(first["evidence"])["phone"][0] == "agree"


def test_a_chain_site_goes_to_the_sibling_at_its_own_street() -> None:
    left = accounts(_site("Blue Fern Coffee", "12 Main Street", "94110", "(415) 555-0101"), *OTHERS)
    right = customers(_site("Blue Fern Coffee", "480 Oak Avenue", "94122", "(415) 555-0199"),
                      _site("Blue Fern Coffee", "12 Main St., Suite 4", "94110-2231", "415.555.0101"), *OTHERS)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (MATCHED, "cus_2")


def test_a_renamed_site_whose_street_and_phone_agree_is_matched() -> None:
    left = accounts(_site("Blue Fern Coffee", "8225 North Main Street", "94110", "(415) 555-0123"), *OTHERS)
    right = customers(_site("Garcia's Espresso Bar", "8225-29 N. Main St., Suite 4", "94110", "+1 415 555 0123"),
                      *OTHERS)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "evidence", "cus_1")
    assert first["reason"].startswith("Agree: street, postcode, city, state, phone, country; differ: name")


def test_a_different_name_with_only_the_city_in_common_is_not_matched() -> None:
    left = accounts(_site("Blue Fern Coffee", "8225 North Main Street", "94110", "(415) 555-0123"), *OTHERS)
    right = customers(_site("Garcia's Espresso Bar", "17 Valencia Street", "94103", "(415) 555-0777"), *OTHERS)
    assert row_of(match(left, right).decisions, account=account_id(1))["status"] == UNMATCHED


def test_person_names_match_in_any_order() -> None:
    left = accounts({"name": "Dakin Joselyn", "street": "5 Wynn Place", "postcode": "2615", "country": "AU"}, *OTHERS)
    right = customers({"name": "Joselyn Dakin", "street": "5 Wynn Pl", "postcode": "2615", "country": "AU"}, *OTHERS)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (MATCHED, "cus_1")
    evidence = json.loads(first["evidence"])
    assert evidence["name"][0] == "agree"


def test_every_decision_carries_its_evidence_per_field() -> None:
    left = accounts(_site("Blue Fern Coffee", "12 Main Street", "94110", "(415) 555-0101"),
                    {"name": "Linked Ltd", "link_customer_id": "cus_2"}, {"name": "Nobody Alike"}, *OTHERS)
    right = customers(_site("Blue Fern Coffee LLC", "12 Main St", "94110", "415-555-0101"),
                      {"name": "Linked Ltd", "sf_account_id": account_id(2)})
    decisions = match(left, right).decisions
    first = row_of(decisions, account=account_id(1))
    assert first["status"] == MATCHED
    evidence = json.loads(first["evidence"])
    assert list(evidence) == list(FIELD_LEVELS)
    assert evidence["name"][0] == evidence["street"][0] == evidence["phone"][0] == "agree"
    assert evidence["street"][1] > 0
    assert evidence["domain"] == ["missing", 0.0]
    linked = row_of(decisions, account=account_id(2))
    assert linked["status"] == ALREADY_LINKED
    assert json.loads(linked["evidence"]) == {"link_field": ["agree", None]}
    assert row_of(decisions, account=account_id(3))["evidence"] == ""


def test_em_learns_that_true_pairs_agree() -> None:
    rng = np.random.default_rng(3)
    true_pairs, random_pairs = 300, 3000

    def levels(agree_share: float, size: int) -> dict[str, np.ndarray]:
        return {field: np.where(rng.random(size) < agree_share, top, 0).astype(np.int8)
                for field, top in MODEL_LEVELS.items()}

    candidates = {field: np.concatenate([a, b]) for (field, a), b in
                  zip(levels(0.9, true_pairs).items(), levels(0.05, random_pairs).values(), strict=True)}
    model = fit(candidates, prior_model(estimate_u(levels(0.05, random_pairs))))
    assert 0.05 < model.prior < 0.15
    for field, top in MODEL_LEVELS.items():
        assert model.m[field][top] > 0.8, field
        assert model.weights(field)[top] > 3 > 0 > model.weights(field)[0], field


def test_a_name_that_only_partly_agrees_is_said_to_partly_agree_in_the_reason_too() -> None:
    left = accounts(_site("Blue Fern Coffee", "8225 North Main Street", "94110", "(415) 555-0123"), *OTHERS)
    right = customers(_site("Blue Fern Coffee Roasters", "8225 N. Main St.", "94110", "+1 415 555 0123"), *OTHERS)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["customer_id"], first["method"]) == ("cus_1", "evidence")
    assert json.loads(first["evidence"])["name"][0] == "partly agree"
    assert first["reason"].startswith("Agree: street, postcode, city, state, phone, country; partly agree: name (")
    assert "name" not in first["reason"].split(";")[0]
