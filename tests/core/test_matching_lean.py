"""What keeps the matcher lean at a million records a side leaves its results as they were:
source rows as integers, equal texts as one str object, pairs deduplicated on one integer each."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from desktop_app.core import matching
from desktop_app.core.matching import MatchConfig, match
from desktop_app.core.matching_distinct import DistinctValues, one_per_value, reuse_equal
from desktop_app.core.matching_evidence import _distinct_pairs, _name_words
from desktop_app.core.matching_ledger import _rows, text_array
from desktop_app.sandbox.demo_data import generate


def _fresh(text: str) -> str:
    """An str equal to ``text`` but another object (literals of one module are shared)."""
    return "".join([text[:1], text[1:]])


def test_source_rows_stay_whole_numbers_and_come_out_as_text() -> None:
    whole = pd.DataFrame({"source_row": pd.Series([7, 12], dtype="int64")})
    assert _rows(whole).dtype == np.int64
    assert _rows(pd.DataFrame({"name": ["a", "b"]})).tolist() == [2, 3]
    read = pd.DataFrame({"source_row": pd.Series(["7", None], dtype=object)})  # as some readers give them
    assert _rows(read).tolist() == ["7", ""]
    data = generate(60, seed=5)
    data.accounts["source_row"] = np.arange(100, 100 + len(data.accounts), dtype=np.int64)
    decisions = match(data.accounts, data.customers, config=MatchConfig(use_fuzzy=False)).decisions
    named = decisions[decisions["account_id"] != ""]
    assert set(named["account_row"]) == {str(row) for row in range(100, 100 + len(data.accounts))}


def test_trimmed_text_is_the_column_itself_and_untrimmed_text_a_trimmed_copy() -> None:
    trimmed = pd.Series(["acme", "beta co"], dtype=object)
    assert np.shares_memory(text_array(trimmed), trimmed.to_numpy(dtype=object))
    padded = pd.Series(["acme ", None], dtype=object)
    assert text_array(padded).tolist() == ["acme", ""]
    assert padded.tolist() == ["acme ", None]


def test_equal_results_are_one_object() -> None:
    originals = [_fresh("acme.com"), _fresh("beta.org")]
    kept = reuse_equal(originals, [_fresh("acme.com"), "beta.net"])
    assert kept == ["acme.com", "beta.net"]
    assert kept[0] is originals[0]
    shared = one_per_value([_fresh("main st"), _fresh("main st"), "elm st"])
    assert shared == ["main st", "main st", "elm st"]
    assert shared[0] is shared[1]


def test_text_and_country_pairs_reach_the_normaliser_as_tuples() -> None:
    table = DistinctValues.of_pairs(np.array(["555 1234", None, "555 1234", "777"], dtype=object),
                                    np.array(["US", "US", "GB", "US"], dtype=object))
    seen: list[object] = []

    def normalise(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
        seen.extend(pairs)
        return {"key": [f"{text}/{country}" for text, country in pairs]}

    out = table.at(np.arange(4), "phone", normalise)["key"]
    assert out.tolist() == ["555 1234/US", "/US", "555 1234/GB", "777/US"]
    assert sorted(seen) == sorted([("555 1234", "US"), ("", "US"), ("555 1234", "GB"), ("777", "US")])
    assert len(table.inputs) == 4
    assert table.inputs[1:3] == [table.inputs[1], table.inputs[2]]


def test_pairs_are_deduplicated_in_the_order_they_first_appear() -> None:
    first = pd.DataFrame({"acc": [3, 1, 3, 0], "cus": [2, 2, 2, 9]})
    second = pd.DataFrame({"acc": [1, 5, 0], "cus": [2, 0, 9]})
    expected = pd.concat([first, second], ignore_index=True).drop_duplicates().reset_index(drop=True)
    pd.testing.assert_frame_equal(_distinct_pairs(first, second, width=10), expected)


def test_name_keys_once_per_record_with_the_legal_names_keys_it_lacks() -> None:
    names = np.array(["acme bar bar", "", "x"], dtype=object)
    legal = np.array(["acme co", "zeta", ""], dtype=object)
    table = _name_words(names, np.array([4, 8, 9]), also=legal)
    assert list(zip(table["pos"].tolist(), table["key"].tolist(), strict=True)) == [
        (4, "acme"), (4, "bar"), (4, "acme bar"), (4, "bar bar"), (4, "acme bar bar"),
        (4, "co"), (4, "acme co"), (8, "zeta"),
    ]


def test_equal_evidence_and_statuses_are_one_object_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "_EVIDENCE_SLICE", 9)  # the texts of every slice are shared, not only within one
    data = generate(300, seed=4)
    decisions = match(data.accounts, data.customers, config=MatchConfig(use_fuzzy=False)).decisions
    for column in ("evidence", "status", "method"):
        values = decisions[column].tolist()
        assert len({id(value) for value in values}) == len(set(values)), column
    unmatched = decisions.loc[decisions["status"] == "unmatched", "reason"].tolist()
    most = Counter(unmatched).most_common(1)[0]
    assert most[1] > 1
    assert len({id(reason) for reason in unmatched if reason == most[0]}) == 1
