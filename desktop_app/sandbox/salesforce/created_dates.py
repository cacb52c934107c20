"""When the seeded records were created and last changed: spread over the last three years as in an
org in daily use (more records in recent months), in row order so ``ORDER BY CreatedDate`` and
``ORDER BY Id`` agree, and the same for the same seed on the same day."""

from __future__ import annotations

import datetime as dt
import random

SPAN_DAYS = 3 * 365
_FORMAT = "%Y-%m-%dT%H:%M:%S.000+0000"


def audit_dates(count: int, seed: int) -> tuple[list[str], list[str]]:
    """(CreatedDate, LastModifiedDate) texts for ``count`` records; each modified at or after its creation."""
    if count == 0:
        return [], []
    rng = random.Random(seed)
    end = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(6), dt.UTC) - dt.timedelta(days=1)
    # Ages in seconds, oldest first; squaring skews towards recent records (growth over time).
    ages = sorted((rng.random() ** 2 * SPAN_DAYS * 86400 for _ in range(count)), reverse=True)
    created = [end - dt.timedelta(seconds=int(age)) for age in ages]
    modified = [c + (end - c) * rng.random() ** 3 for c in created]
    return [c.strftime(_FORMAT) for c in created], [m.strftime(_FORMAT) for m in modified]
