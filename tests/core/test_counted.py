"""A count's noun agrees with the count."""

from __future__ import annotations

from desktop_app.core.counted import counted


def test_one_is_singular_every_other_count_plural() -> None:
    assert counted(1, "row") == "1 row"
    assert counted(0, "row") == "0 rows"
    assert counted(1_800, "customer") == "1,800 customers"
    assert counted(2, "entry", "entries") == "2 entries"
    assert counted(1, "entry", "entries") == "1 entry"
