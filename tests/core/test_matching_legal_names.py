"""The customers' cleaned legal names, read from the table of distinct values matching fills once."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from desktop_app.core.matching_features import clean_legal_names, features
from desktop_app.core.matching_ledger import prepare_customers
from desktop_app.core.normalize import clean_company_name
from desktop_app.core.normalize_fields import sorted_words

_PADDING = st.lists(st.sampled_from([" ", "\t", "\x0b", "\x1c", "\x85", "\xa0", "\u3000"]), max_size=2).map("".join)
_LEGAL_NAME = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["Acme GmbH & Co. KG", "The Smith and Co", "Müller AG", "K.K.", "\x1b"]),
    st.tuples(_PADDING, st.sampled_from(["\x1b", "Acme Ltd", "Øresund A/S", "x\x1fy"]), _PADDING).map("".join),
)


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), _LEGAL_NAME), min_size=1, max_size=12))
@example(["\x1b\x85", " Acme Ltd ", "Acme Ltd", None])
def test_legal_names_clean_as_the_trimmed_value_and_sort_as_read(legal_names: list[str | None]) -> None:
    frame = pd.DataFrame({"customer_id": [f"cus_{i}" for i in range(len(legal_names))],
                          "name": "Customer", "legal_name": pd.Series(legal_names, dtype=object)})
    side = prepare_customers(frame)
    positions = np.arange(len(legal_names))
    texts = ["" if name is None else name for name in legal_names]
    # Passes 4 and 5 compare the cleaned trimmed legal name, as they did when they cleaned it themselves.
    assert clean_legal_names(side, positions).tolist() == [clean_company_name(text.strip()) for text in texts]
    # The person-like name the fields compare is the legal name cleaned as read.
    assert features(side, positions, ("names",))["legal_name"].tolist() == [
        sorted_words(clean_company_name(text)) for text in texts]
