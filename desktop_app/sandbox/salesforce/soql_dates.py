"""SOQL date literals (``TODAY``, ``LAST_N_DAYS:30``, ``THIS_YEAR`` ...) as half-open day ranges.

Each literal stands for a range [start, end) of days; ``=`` means inside it, ``<`` before its start,
``>`` after its end (Salesforce's SOQL reference, "Date Formats and Date Literals"). Days are UTC here
(a real org uses the running user's time zone); weeks start on Sunday as in the en_US locale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FIXED = frozenset(
    {
        "YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH", "THIS_MONTH",
        "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "LAST_QUARTER", "THIS_QUARTER", "NEXT_QUARTER",
        "LAST_YEAR", "THIS_YEAR", "NEXT_YEAR",
    }
)  # fmt: skip
WITH_N = frozenset(
    {
        "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS", "N_WEEKS_AGO",
        "LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO", "LAST_N_QUARTERS", "NEXT_N_QUARTERS",
        "LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO",
    }
)  # fmt: skip


@dataclass(frozen=True)
class DayRange:
    """[start, end) in days."""

    start: dt.date
    end: dt.date


def _month_start(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def _quarter_start(day: dt.date, shift: int = 0) -> dt.date:
    return _month_start(dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), 3 * shift)


def day_range(name: str, n: int | None = None, today: dt.date | None = None) -> DayRange:
    """The days date literal ``name`` (with ``n`` for the ``_N_`` forms) stands for on ``today``."""
    day = today or dt.datetime.now(dt.UTC).date()
    one = dt.timedelta(days=1)
    k = n or 0
    week, month, quarter, year = _week_start(day), _month_start(day), _quarter_start(day), dt.date(day.year, 1, 1)
    ranges = {
        "YESTERDAY": (day - one, day),
        "TODAY": (day, day + one),
        "TOMORROW": (day + one, day + 2 * one),
        "LAST_WEEK": (week - 7 * one, week),
        "THIS_WEEK": (week, week + 7 * one),
        "NEXT_WEEK": (week + 7 * one, week + 14 * one),
        "LAST_MONTH": (_month_start(day, -1), month),
        "THIS_MONTH": (month, _month_start(day, 1)),
        "NEXT_MONTH": (_month_start(day, 1), _month_start(day, 2)),
        "LAST_90_DAYS": (day - 90 * one, day + one),
        "NEXT_90_DAYS": (day + one, day + 91 * one),
        "LAST_QUARTER": (_quarter_start(day, -1), quarter),
        "THIS_QUARTER": (quarter, _quarter_start(day, 1)),
        "NEXT_QUARTER": (_quarter_start(day, 1), _quarter_start(day, 2)),
        "LAST_YEAR": (dt.date(day.year - 1, 1, 1), year),
        "THIS_YEAR": (year, dt.date(day.year + 1, 1, 1)),
        "NEXT_YEAR": (dt.date(day.year + 1, 1, 1), dt.date(day.year + 2, 1, 1)),
        "LAST_N_DAYS": (day - k * one, day + one),
        "NEXT_N_DAYS": (day + one, day + (k + 1) * one),
        "N_DAYS_AGO": (day - k * one, day - (k - 1) * one),
        "LAST_N_WEEKS": (week - 7 * k * one, week),
        "NEXT_N_WEEKS": (week + 7 * one, week + 7 * (k + 1) * one),
        "N_WEEKS_AGO": (week - 7 * k * one, week - 7 * (k - 1) * one),
        "LAST_N_MONTHS": (_month_start(day, -k), month),
        "NEXT_N_MONTHS": (_month_start(day, 1), _month_start(day, k + 1)),
        "N_MONTHS_AGO": (_month_start(day, -k), _month_start(day, 1 - k)),
        "LAST_N_QUARTERS": (_quarter_start(day, -k), quarter),
        "NEXT_N_QUARTERS": (_quarter_start(day, 1), _quarter_start(day, k + 1)),
        "LAST_N_YEARS": (dt.date(day.year - k, 1, 1), year),
        "NEXT_N_YEARS": (dt.date(day.year + 1, 1, 1), dt.date(day.year + k + 1, 1, 1)),
        "N_YEARS_AGO": (dt.date(day.year - k, 1, 1), dt.date(day.year - k + 1, 1, 1)),
    }
    start, end = ranges[name]
    return DayRange(start, end)
