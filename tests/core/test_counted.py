"""A count's noun agrees with the count."""

from __future__ import annotations

from desktop_app.core.counted import counted


def test_one_is_singular_every_other_count_plural() -> None:
    assert counted(1, "row") == "1 row"
    assert counted(0, "row") == "0 rows"
    assert counted(1_800, "customer") == "1,800 customers"
    assert counted(2, "entry", "entries") == "2 entries"
    assert counted(1, "entry", "entries") == "1 entry"


def test_a_verb_agrees_with_its_count() -> None:
    from desktop_app.core.counted import agreeing

    assert agreeing(1, "lack an e-mail address") == "lacks an e-mail address"
    assert agreeing(1, "have a name that is too long") == "has a name that is too long"
    assert agreeing(1, "share a display name with another") == "shares a display name with another"
    assert agreeing(1, "break") == "breaks"
    assert agreeing(2, "lack an e-mail address") == "lack an e-mail address"
    assert agreeing(0, "have a name") == "have a name"
