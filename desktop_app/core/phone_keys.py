"""The key a phone number is compared by in matching.

A number is read as E.164 in its record's country. A file without a country column (a directory
listing, a restaurant guide, a registry of one country) still writes the same number the same way
on both sides, whatever the punctuation (``310/246-1501``, ``310-246-1501``, ``(310) 246 1501``):
such a number is compared by its digits. A digits key never equals an E.164 key (that one starts
with "+"), so a number read in a country and one read without still agree only on their last seven
digits, the partial level.
"""

from __future__ import annotations

from desktop_app.core.normalize_fields import phones_e164

# Fewer digits is an extension or a fragment; more is no phone number (E.164 allows 15).
_MIN_DIGITS, _MAX_DIGITS = 7, 15


def national_digits(phone: str) -> str:
    """The digits of a number written without its country ("" when it holds no phone number)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits if _MIN_DIGITS <= len(digits) <= _MAX_DIGITS else ""


def phone_keys(pairs: list[tuple[str, str]]) -> list[str]:
    """For each (phone, country α-2): its E.164 form, else, when the record has no country and
    the number does not say its own, its digits ("" when neither holds a number)."""
    keys = phones_e164(pairs)
    return [key if key or country or phone.lstrip().startswith(("+", "00")) else national_digits(phone)
            for key, (phone, country) in zip(keys, pairs, strict=True)]
