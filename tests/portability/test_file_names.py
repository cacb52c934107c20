"""File names made from user data hold on Windows (the strictest of the three systems)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.file_names import safe_file_name

WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


@pytest.mark.parametrize(("name", "expected"), [
    ("Acme: EU / Stripe?", "Acme- EU - Stripe-"),
    ("CON", "_CON"),
    ("nul.csv", "_nul.csv"),
    ("com1 .txt", "_com1 .txt"),
    ("lpt9", "_lpt9"),
    ("console", "console"),
    ("Report. ", "Report"),
    ("...", "file"),
    ("", "file"),
    ("Müller GmbH", "Müller GmbH"),
])
def test_known_names(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


@settings(deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_name_windows_accepts(text: str) -> None:
    name = safe_file_name(text)
    assert name
    assert not set(name) & WINDOWS_FORBIDDEN
    assert not name.endswith((".", " "))
    assert name.split(".")[0].rstrip(" ").upper() not in DEVICES
    assert len(name) <= 121
