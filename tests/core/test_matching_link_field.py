"""The link field as matching reads it: trimmed, a placeholder read as empty, whatever its spacing.

``matching_ledger`` only asks ``is_placeholder`` about values that could be one (short, or holding
white space); these tests hold it to asking about every value.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.link_values import LINK_PLACEHOLDERS, is_placeholder
from desktop_app.core.matching_ledger import prepare_accounts, prepare_customers

# White space str.split() knows: the plain space, tabs and line ends, no-break and wide spaces.
SPACES = (" ", "\t", "\u00a0", "\u2003", "\u3000", "\x1f", "\r\n")


@st.composite
def spaced_placeholders(draw: st.DrawFn) -> str:
    """A placeholder with its letters in any case and runs of any white space between them, often
    longer than the longest placeholder."""
    word = draw(st.sampled_from(sorted(LINK_PLACEHOLDERS)))
    out = draw(st.sampled_from(("", " ")))
    for char in word:
        out += char.upper() if draw(st.booleans()) else char
        out += draw(st.sampled_from(SPACES)) * draw(st.integers(0, 6))
    return out


link_values = st.one_of(spaced_placeholders(), st.text(max_size=25),
                        st.text(alphabet="0123456789ABCDEFabcdef_cus", min_size=14, max_size=20))


def _expected(values: list[str]) -> list[str]:
    return ["" if is_placeholder(v) else v.strip() for v in values]


@settings(deadline=None, max_examples=300)
@given(st.lists(link_values, min_size=1, max_size=8))
def test_every_placeholder_in_a_link_field_reads_as_empty(values: list[str]) -> None:
    accounts = pd.DataFrame({"account_id": [f"a{i}" for i in range(len(values))], "link_customer_id": values},
                            dtype=object)
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(len(values))], "sf_account_id": values},
                             dtype=object)
    assert prepare_accounts(accounts).link.tolist() == _expected(values)
    assert prepare_customers(customers).link.tolist() == _expected(values)


def test_a_long_placeholder_spaced_with_tabs_or_wide_spaces_reads_as_empty() -> None:
    values = ["N\t\t\t/\t\t\t\tA\t\t\t\t", "n\u2003\u2003\u2003o\u2003\u2003\u2003n\u2003\u2003e\u2003\u2003",
              "not applicable too long", "0015g00000ABCdeAAH"]
    frame = pd.DataFrame({"account_id": ["a1", "a2", "a3", "a4"], "link_customer_id": values}, dtype=object)
    assert prepare_accounts(frame).link.tolist() == ["", "", "not applicable too long", "0015g00000ABCdeAAH"]


def test_every_placeholder_written_plainly_reads_as_empty() -> None:
    values = [form.upper() for form in sorted(LINK_PLACEHOLDERS)]
    frame = pd.DataFrame({"customer_id": [f"c{i}" for i in range(len(values))], "sf_account_id": values}, dtype=object)
    assert prepare_customers(frame).link.tolist() == [""] * len(values)
