"""A count with its noun in the right number ("1 row", "2 rows", "1,800 customers"), for every
sentence that states a figure."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with thousands separators and the noun in the singular for exactly one, else the plural
    (``singular + "s"`` unless given)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def agreeing(n: int, phrase: str) -> str:
    """``phrase``, which starts with a verb in the plural ("lack an e-mail address", "have a name that
    is too long", "break a rule"), with that verb agreeing with a count of ``n``."""
    if n != 1:
        return phrase
    verb, space, rest = phrase.partition(" ")
    return ("has" if verb == "have" else verb + "s") + space + rest
