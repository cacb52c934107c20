"""A count with its noun in the right number ("1 row", "2 rows", "1,800 customers"), for every
sentence that states a figure."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with thousands separators and the noun in the singular for exactly one, else the plural
    (``singular + "s"`` unless given)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
