"""Properties of check_addresses/apply_fixes on generated frames: every problem points at a real
input cell, and applying the confident fixes leaves nothing confident to fix."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.addresses import ADDRESS_ROLES, PROBLEM_CODES, apply_fixes, check_addresses
from desktop_app.core.roles import ACCOUNT_ROLES, SOURCE_ROW, Side

COUNTRY_VALUES = ["US", "us", "USA", "United States", "Deutschland", "DE", "GB", "uk", "Frnace", "CA",
                  "Canada", "AU", "IE", "HK", "Europe", "", "N/A", "NL", "Holland", "JP", "na", "  de "]
STATE_VALUES = ["", "CA", "ca", "California", "Califronia", "ON", "Ontario", "NSW", "Victoria", "xx", "-"]
POSTCODE_VALUES = ["", "02134", "2134", "k1a0b1", "K1A 0B1", "sw1a1aa", "1067", "10115", "1234ab", "2000",
                   "800", "abc", "?", "A65 F4E2", "123-4567"]
TEXT_VALUES = ["", "1 Main St", "N/A", "Berlin", " ", "x"]

cells = {
    "country": st.sampled_from(COUNTRY_VALUES) | st.text(max_size=8),
    "state": st.sampled_from(STATE_VALUES),
    "postcode": st.sampled_from(POSTCODE_VALUES) | st.text(max_size=8),
    "street": st.sampled_from(TEXT_VALUES),
    "city": st.sampled_from(TEXT_VALUES),
}
address = st.fixed_dictionaries(cells)


def frame_of(rows: list[dict[str, str]], first_row: int) -> pd.DataFrame:
    records = [{role: row.get(role, "") for role in ACCOUNT_ROLES} for row in rows]
    frame = pd.DataFrame(records, columns=list(ACCOUNT_ROLES), dtype=object)
    frame["account_id"] = [f"001{i:05d}" for i in range(len(rows))]
    frame[SOURCE_ROW] = range(first_row, first_row + len(rows))
    return frame


@settings(max_examples=150, deadline=None)
@given(st.lists(address, max_size=25), st.integers(min_value=1, max_value=1000))
def test_every_problem_points_at_a_real_input_cell(rows: list[dict[str, str]], first_row: int) -> None:
    frame = frame_of(rows, first_row)
    problems = check_addresses(frame, Side.ACCOUNTS)
    by_row = frame.set_index(SOURCE_ROW)
    for problem in problems.itertuples(index=False):
        assert problem.row in by_row.index
        record = by_row.loc[problem.row]
        assert problem.record_id == record["account_id"]
        assert problem.field in ADDRESS_ROLES
        assert problem.value == record[problem.field]
        assert problem.code in PROBLEM_CODES
        assert problem.severity in ("error", "warning")
        assert 0.0 <= problem.confidence <= 1.0
        assert problem.problem.endswith((".", "?"))
        assert (problem.suggestion == "") == (problem.confidence == 0.0)
    assert not problems.duplicated(["row", "field"]).any()


@settings(max_examples=150, deadline=None)
@given(st.lists(address, max_size=25))
def test_confident_fixes_leave_nothing_confident_to_fix(rows: list[dict[str, str]]) -> None:
    frame = frame_of(rows, 2)
    fixed, _ = apply_fixes(frame, check_addresses(frame, Side.ACCOUNTS))
    again, count = apply_fixes(fixed, check_addresses(fixed, Side.ACCOUNTS))
    assert count == 0
    others = [c for c in frame.columns if c not in ADDRESS_ROLES]
    pd.testing.assert_frame_equal(fixed[others], frame[others])
    pd.testing.assert_frame_equal(again, fixed)
