"""Salesforce ids: the reference's worked examples, case repair, collisions, and vectorised parity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.ids import (
    InvalidSalesforceId,
    case_insensitive_collisions,
    check_id_series,
    checksum_suffix,
    ids_18,
    normalize_id,
    not_salesforce_ids,
    object_for_id,
    problem_with_id,
    repair_case,
    to_15,
    to_18,
    to_18_series,
)

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ids15 = st.text(alphabet=BASE62, min_size=15, max_size=15)


@pytest.mark.parametrize(
    ("id15", "id18"),
    [("0015g00000ABCde", "0015g00000ABCdeAAH"), ("001A0000006Vm9r", "001A0000006Vm9rIAC")],
)
def test_reference_worked_examples(id15: str, id18: str) -> None:
    assert to_18(id15) == id18
    assert to_18(id18) == id18
    assert to_15(id18) == id15
    assert normalize_id(f"  {id15} ") == id18


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "empty"),
        ("001", "has 3 characters"),
        ("0015g00000ABCd!", "other than letters"),
        ("0015g00000ABCdeAAA", "checksum"),
        ("0015G00000ABCDEAAH", "letter case was changed"),
    ],
)
def test_problems_are_explained(value: str, fragment: str) -> None:
    problem = problem_with_id(value)
    assert problem is not None
    assert fragment in problem
    with pytest.raises(InvalidSalesforceId, match="not a Salesforce id"):
        to_18(value)


def test_upper_cased_18_char_id_is_repaired_from_its_suffix() -> None:
    assert repair_case("0015G00000ABCDEAAH") == "0015g00000ABCdeAAH"
    assert repair_case("0015G00000ABCDEAAH".lower()) == "0015g00000ABCdeAAH"
    assert normalize_id("0015G00000ABCDEAAH") == "0015g00000ABCdeAAH"
    # a suffix that is itself damaged cannot vouch for the case
    assert repair_case("0015G00000ABCDE999") is None
    assert normalize_id("not an id") is None


def test_key_prefix_names_the_object() -> None:
    assert object_for_id("0015g00000ABCdeAAH") == "Account"
    assert object_for_id("0035g00000ABCdeAAH") == "Contact"
    assert object_for_id("zzz5g00000ABCdeAAH") is None


@given(ids15)
def test_suffix_makes_ids_case_insensitive(id15: str) -> None:
    id18 = to_18(id15)
    assert len(id18) == 18
    assert id18[:15] == id15
    assert repair_case(id18.upper()) == id18
    assert repair_case(id18.lower()) == id18


@given(st.lists(st.one_of(ids15, ids15.map(to_18), ids15.map(lambda s: to_18(s).upper()), st.text(max_size=20))))
def test_vectorised_conversion_equals_scalar(values: list[str]) -> None:
    series = pd.Series(values, dtype="object")
    vectorised = to_18_series(series).tolist()
    assert vectorised == [normalize_id(v) for v in values]


def test_series_check_reports_each_problem_row() -> None:
    series = pd.Series(["0015g00000ABCde", "0015G00000ABCDEAAH", "12345", "", None], dtype="object")
    result = check_id_series(series)
    assert result.id18.tolist() == ["0015g00000ABCdeAAH", "0015g00000ABCdeAAH", None, None, None]
    assert result.problem[0] is None
    assert "restored" in result.problem[1]
    assert "5 characters" in result.problem[2]
    assert result.problem[3] is None
    assert result.problem[4] is None


def test_case_insensitive_collisions_find_what_vlookup_merges() -> None:
    a, b = "001A0000006Vm9r", "001A0000006VM9R"
    series = pd.Series([a, "0015g00000ABCde", b, a], dtype="object")
    collisions = case_insensitive_collisions(series)
    assert len(collisions) == 1
    assert collisions.loc[0, "ids"] == sorted([a, b])
    assert collisions.loc[0, "rows"] == [0, 2, 3]
    assert to_18(a) != to_18(b)


def test_checksum_of_all_digits_is_aaa() -> None:
    assert checksum_suffix("001000000000000") == "AAA"


@given(st.lists(st.one_of(
    st.text(alphabet=BASE62, min_size=14, max_size=19),
    st.sampled_from(["534", " 0015g00004e2JF9 ", "0015G00004E2JF9AAM", "0015g00004e2JF9AAM", "", "é" * 15]),
), max_size=20))
def test_not_salesforce_ids_agrees_with_normalize_id(values: list[str]) -> None:
    expected = [bool(v.strip()) and normalize_id(v.strip()) is None for v in values]
    assert not_salesforce_ids(pd.Series(values, dtype=object)).tolist() == expected


@given(st.lists(st.one_of(
    ids15, ids15.map(to_18), ids15.map(lambda s: to_18(s).upper()), ids15.map(lambda s: to_18(s).lower()),
    ids15.map(lambda s: to_18(s)[:15] + "A9Z"), st.text(alphabet=BASE62 + "é-", min_size=14, max_size=19),
    st.text(max_size=20).map(str.strip),
), max_size=30))
def test_ids_18_agrees_with_normalize_id(values: list[str]) -> None:
    ids, valid = ids_18(np.array(values, dtype=object))
    expected = [normalize_id(v) for v in values]
    assert valid.tolist() == [e is not None for e in expected]
    assert ids.tolist() == [e or v for e, v in zip(expected, values, strict=True)]


def test_ids_18_hands_back_an_id_already_in_its_18_character_form() -> None:
    held = to_18("0015g00000ABCde")
    ids, _ = ids_18(np.array([held, "0015g00000ABCde", held.upper()], dtype=object))
    assert ids[0] is held
    assert ids.tolist() == [held, held, held]
