"""When the seeded records were created and last changed: spread over the last three years as in an
org in daily use (more records in recent months), in row order so ``ORDER BY CreatedDate`` and
``ORDER BY Id`` agree, and the same for the same seed on the same day."""

from __future__ import annotations

import datetime as dt

import numpy as np

SPAN_SECONDS = 3 * 365 * 86400


def audit_dates(count: int, seed: int) -> tuple[list[str], list[str]]:
    """(CreatedDate, LastModifiedDate) texts for ``count`` records; each modified at or after its creation."""
    rng = np.random.default_rng(seed)
    today = dt.datetime.now(dt.UTC).date()
    end = np.datetime64(today, "s") - np.timedelta64(18, "h")  # 06:00 yesterday
    # Ages oldest first; squaring skews towards recent records (an org grows over time).
    ages = np.sort((rng.random(count) ** 2 * SPAN_SECONDS).astype(np.int64))[::-1]
    created = end - ages.astype("timedelta64[s]")
    modified = created + (ages * rng.random(count) ** 3).astype(np.int64).astype("timedelta64[s]")
    return _texts(created), _texts(modified)


def _texts(moments: np.ndarray) -> list[str]:
    return [f"{text}.000+0000" for text in np.datetime_as_string(moments, unit="s")]
