"""Agreement levels tolerant of the corruptions real data has, and the decisions they lead to:
a name word typed with one typo, a space inside a name, a place that nearly agrees in a small town
(no namesake), a renamed site vouched for by a postcode with a typo, candidates found by house
number and city or by an earlier pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core import matching_features
from desktop_app.core.matching import MATCHED, SUGGESTED, match
from desktop_app.core.matching_evidence import candidate_pairs
from desktop_app.core.matching_features import FIELD_LEVELS, compare, compare_pairs
from desktop_app.core.matching_ledger import Ledger, prepare_accounts, prepare_customers
from desktop_app.core.matching_weighed import weighed_namesakes
from desktop_app.core.matching_words import shares_word
from desktop_app.core.normalize_fields import sorted_words
from desktop_app.core.progress import Cancelled, CancelToken
from desktop_app.sandbox.demo_data import generate

LETTERS = "abcdefghijklmnopqrstuvwxyz"
words = st.text(alphabet=LETTERS, min_size=5, max_size=12)  # a typo leaves ≥ 4 letters


def _one_typo(word: str, kind: int, at: int, letter: str) -> str:
    """``word`` with one typo: a letter inserted, dropped or replaced, or two neighbours swapped."""
    at %= len(word) - 1
    if kind == 0:
        return word[:at] + letter + word[at:]
    if kind == 1:
        return word[:at] + word[at + 1:]
    if kind == 2:
        return word[:at] + letter + word[at + 1:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2:]


def _shared(left: str, right: str) -> bool:
    return bool(shares_word(np.array([left], dtype=object), np.array([right], dtype=object))[0])


@given(words, st.integers(0, 3), st.integers(0, 20), st.sampled_from(LETTERS))
def test_a_word_typed_with_one_typo_is_shared(word: str, kind: int, at: int, letter: str) -> None:
    typo = _one_typo(word, kind, at, letter)
    # Uppercase fillers share no word with the lower-case ones under test.
    assert _shared(f"ZZZZ {word}", f"{typo} YYYY")


@given(words, st.integers(0, 20))
def test_a_word_with_two_letters_replaced_is_not_shared(word: str, at: int) -> None:
    first, second = at % len(word), (at % len(word) + 2) % len(word)
    if abs(first - second) < 2:
        return
    changed = list(word)
    changed[first], changed[second] = "X", "Y"  # letters the word cannot hold
    assert not _shared(f"ZZZZ {word}", f"{''.join(changed)} QQQQ")


def test_short_words_must_agree_exactly() -> None:
    assert not _shared("al smith", "ali jones")
    assert _shared("al smith", "al jones")
    assert _shared("jack huddy", "jakc carucro")


def _name_level(left: str, right: str) -> int:
    def side(name: str) -> dict[str, np.ndarray]:
        return {"clean_name": np.array([name], dtype=object),
                "sorted_name": np.array([sorted_words(name)], dtype=object), "legal_name": np.array([""], dtype=object)}
    return int(compare(side(left), side(right))["name"][0])


def test_name_levels_grade_from_a_shared_word_to_the_same_name() -> None:
    top = FIELD_LEVELS["name"]
    assert top == 4
    assert _name_level("anna smith", "bob jones") == 0
    assert _name_level("thomas alderson", "lucy alddrson") == 1  # the family name, with one typo
    assert _name_level("mikaela stanfield", "mikazea stanfoeld") == 2
    assert _name_level("matthew ploughman", "matthew ploughmann") == 3
    assert _name_level("cait lin khammash", "caitlin khammash") == top  # a space typed inside a word
    assert _name_level("dakin joselyn", "joselyn dakin") == top


def _person(name: str, street: str, city: str, postcode: str) -> dict[str, str]:
    return {"name": name, "street": street, "city": city, "postcode": postcode, "state": "WA", "country": "AU"}


def _population(size: int = 240) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """People in both files, so the model has true and unrelated pairs to learn from; as in real
    files, the second copy of some has a postcode with two digits swapped or another street."""
    rng = np.random.default_rng(5)
    first = ["olivia", "noah", "ava", "liam", "isla", "jack", "mia", "oscar", "zoe", "leo", "ruby", "hugo"]
    last = ["nguyen", "smith", "kelly", "brown", "walsh", "patel", "jones", "lee", "tran", "ryan", "clark", "ward",
            "hall", "king", "ross", "reid", "shaw", "lowe", "moss", "pike"]
    towns = [f"{word}ville" for word in ("ash", "bell", "clay", "dun", "elm", "fern", "glen", "hart", "ivy", "kent")]
    streets = ["banksia", "wattle", "acacia", "grevillea", "jarrah", "karri", "marri", "tuart"]
    left, right = [], []
    for i in range(size):
        street = f"{rng.integers(1, 300)} {streets[rng.integers(8)]} street"
        person = _person(f"{first[i % 12]} {last[i // 12]}", street, str(towns[rng.integers(10)]),
                         str(rng.integers(6000, 7000)))
        left.append(person)
        code = person["postcode"]
        right.append({**person, "postcode": code[:2] + code[3] + code[2] if i % 6 == 0 else code,
                      "street": f"{rng.integers(1, 300)} {streets[rng.integers(8)]} road" if i % 8 == 0 else street})
    return left, right


OTHERS, OTHERS_AGAIN = _population()


def test_the_same_name_in_the_same_small_town_with_a_typo_in_the_postcode_is_no_namesake() -> None:
    # The street differs, but the postcode agrees up to a typo and the town is one no other record
    # has: taken together the place speaks for the pair, so it is matched (street named as differing).
    left = accounts(_person("Matthew Ploughman", "Severne Crescent", "Raby", "2541"), *OTHERS)
    right = customers(_person("Matthew Ploughman", "7 Goodhope Road", "Raby", "2542"), *OTHERS_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (MATCHED, "cus_1")
    assert "differ: street" in first["reason"]
    assert "namesake" not in first["reason"]


def test_a_namesake_whose_street_and_postcode_both_differ_is_still_held_back() -> None:
    left = accounts(_person("Matthew Ploughman", "12 Severne Crescent", "Raby", "2541"), *OTHERS)
    right = customers(_person("Matthew Ploughman", "7 Goodhope Road", "Raby", "6170"), *OTHERS_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1")
    assert "the postcode differs ('2541' / '6170')" in first["reason"]
    assert "namesake" in first["reason"]


def test_a_renamed_site_is_vouched_for_by_its_street_and_a_postcode_with_a_typo() -> None:
    site = {"city": "San Francisco", "state": "CA", "country": "US"}
    left = accounts({"name": "Blue Fern Coffee", "street": "8225 North Main Street", "postcode": "94110", **site},
                    *OTHERS)
    right = customers({"name": "Garcia's Espresso Bar", "street": "8225 N. Main St.", "postcode": "94101", **site},
                      *OTHERS_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "evidence", "cus_1")


def test_records_sharing_a_house_number_in_a_city_are_candidates() -> None:
    # A typo in each name word, in the street name and in the postcode: nothing else is shared.
    left = prepare_accounts(accounts(_person("Mikaela Stanfield", "16 Giltinan Place", "Maryborough", "4817"),
                                     *OTHERS))
    right = prepare_customers(customers(_person("Mikazea Stanfoeld", "16 Giltin An Place", "Maryborough", "4816"),
                                        *OTHERS_AGAIN))
    pairs = candidate_pairs(left, np.arange(len(left.ids)), right, np.arange(len(right.ids)))
    assert ((pairs["acc"] == 0) & (pairs["cus"] == 0)).any()


def test_a_pair_the_similar_name_pass_leaves_open_is_weighed_by_the_evidence() -> None:
    # No house number, so no blocking key is shared; the similar-name pass finds the pair and leaves it
    # to the weighed evidence, which matches it on street, postcode and town.
    left = accounts(_person("Mikaela Stanfield", "Giltinan Place", "Maryborough", "4817"), *OTHERS)
    right = customers(_person("Mikazea Stanfoeld", "Giltin An Place", "Maryborough", "4816"), *OTHERS_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "evidence", "cus_1")


def test_a_namesake_is_judged_by_the_place_evidence_taken_together() -> None:
    # Names agree; the street differs, the postcode is one typo away. A town few records share
    # outweighs the street; without it the place is against the pair, and the pair is a namesake.
    levels = {field: np.full(2, -1, dtype=np.int8) for field in FIELD_LEVELS}
    levels["name"][:] = FIELD_LEVELS["name"]
    levels["street"][:], levels["postcode"][:] = 0, 1
    levels["city"][:] = [FIELD_LEVELS["city"], -1]
    weights = {field: np.zeros(2) for field in FIELD_LEVELS}
    weights["name"][:], weights["street"][:], weights["postcode"][:] = 9.5, -3.7, 3.3
    weights["city"][:] = [9.2, 0.0]
    assert weighed_namesakes(levels, weights).tolist() == [False, True]


def test_pairs_compared_in_slices_get_the_levels_of_one_go(monkeypatch: pytest.MonkeyPatch) -> None:
    data = generate(300, seed=3, customer_ratio=1.0)
    rng = np.random.default_rng(5)
    acc, cus = rng.integers(0, 300, 1_000), rng.integers(0, len(data.customers), 1_000)
    acc[:300], cus[:300] = np.arange(300), np.arange(300)  # the same record on both sides: agreeing fields too

    def levels() -> dict[str, np.ndarray]:
        ledger = Ledger(prepare_accounts(data.accounts), prepare_customers(data.customers))
        return compare_pairs(ledger.accounts, acc, ledger.customers, cus)

    whole = levels()
    monkeypatch.setattr(matching_features, "COMPARE_SLICE", 77)
    sliced = levels()
    assert set(sliced) == set(whole)
    for field, level in whole.items():
        assert np.array_equal(sliced[field], level), field
    assert len(np.unique(whole["name"])) >= 3  # the pairs span several levels, so a misplaced slice shows


def test_comparing_many_pairs_stops_between_slices_when_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    data = generate(50, seed=3, customer_ratio=1.0)
    ledger = Ledger(prepare_accounts(data.accounts), prepare_customers(data.customers))
    monkeypatch.setattr(matching_features, "COMPARE_SLICE", 10)
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        compare_pairs(ledger.accounts, np.arange(50), ledger.customers, np.arange(50), cancel=cancel)
