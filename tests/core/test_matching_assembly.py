"""The decisions frame comes out the same however the evidence of the decided pairs is sliced."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core import matching
from desktop_app.core.matching import MatchConfig, match
from desktop_app.sandbox.demo_data import generate


def test_evidence_worked_out_in_slices_is_the_evidence_worked_out_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    data = generate(400, seed=3)
    config = MatchConfig(use_fuzzy=False)
    at_once = match(data.accounts, data.customers, config=config).decisions
    weighed = at_once["evidence"].str.startswith('{"name"')
    assert weighed.sum() > 50  # many pairs are weighed, so slices of 7 cut through them
    monkeypatch.setattr(matching, "_EVIDENCE_SLICE", 7)
    sliced = match(data.accounts, data.customers, config=config).decisions
    pd.testing.assert_frame_equal(sliced, at_once)
