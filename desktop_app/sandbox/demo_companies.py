"""Invented companies for the demo data: names, domains, addresses, and the messy ways people
write them. Everything is drawn from a seeded ``numpy`` generator and composed column-wise, so a
million companies take a couple of seconds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop_app.sandbox.demo_vocabulary import LOCALES, QUALIFIERS, Locale

_GERMAN_FOLD = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        "ø": "oe",
        "Ø": "Oe",
        "å": "aa",
        "Å": "Aa",
        "æ": "ae",
        "Æ": "Ae",
    }
)


def strip_accents(text: str) -> str:
    """``text`` with combining accents removed (``Müller`` → ``Muller``, ``ø`` → ``o``)."""
    text = text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def transliterate(text: str) -> str:
    """German/Nordic-style transliteration (``Müller`` → ``Mueller``), then accents stripped."""
    return strip_accents(text.translate(_GERMAN_FOLD))


def _slug(word: str) -> str:
    folded = transliterate(word).lower().replace("&", "")
    return "".join(ch for ch in folded if ch.isalnum())


class _Vocabulary:
    """All words of all locales in one array, so names can be composed from index arrays.

    The last entry is the empty word: index -1 therefore means "no word in this slot".
    """

    def __init__(self) -> None:
        words: list[str] = []
        self.ranges: list[dict[str, tuple[int, int]]] = []
        for locale in LOCALES:
            spans: dict[str, tuple[int, int]] = {}
            for slot, values in (
                ("first", locale.first_words),
                ("second", locale.second_words),
                ("industry", locale.industries),
            ):
                spans[slot] = (len(words), len(words) + len(values))
                words.extend(values)
            self.ranges.append(spans)
        self.qualifier_start = len(words)
        words.extend(QUALIFIERS)
        self.ampersand = len(words)
        words.append("&")
        words.append("")
        self.words = np.array(words, dtype=object)
        self.is_empty = np.array([w == "" for w in words], dtype=bool)
        self.folded_strip = np.array([strip_accents(w) for w in words], dtype=object)
        self.folded_translit = np.array([transliterate(w) for w in words], dtype=object)
        self.slugs = np.array([_slug(w) for w in words], dtype=object)
        distinct = {slug: i for i, slug in enumerate(dict.fromkeys(self.slugs.tolist()))}
        self.slug_id = np.array([distinct[slug] for slug in self.slugs], dtype=np.int64)
        self.slug_count = len(distinct)


_VOCAB = _Vocabulary()
# "0" … "9999" as objects: indexing this is far faster than converting integers to text.
NUMBER_TEXT = np.array([str(i) for i in range(10_000)], dtype=object)
_FOUR_DIGITS = np.array([f"{i:04d}" for i in range(10_000)], dtype=object)
_SLOTS = 5


@dataclass(frozen=True)
class Companies:
    """One row per invented company; ``words`` holds the vocabulary index of each name slot."""

    locale: np.ndarray  # index into LOCALES
    words: np.ndarray  # (n, _SLOTS) int, -1 = empty slot
    suffix: np.ndarray  # object: the legal suffix as the company writes it
    frame: pd.DataFrame  # name, core, domain, street, city, state, postcode, phone, currency


def _join_slots(table: np.ndarray, words: np.ndarray) -> np.ndarray:
    out = table[words[:, 0]]
    for slot in range(1, _SLOTS):
        piece = table[words[:, slot]]
        sep = np.where(words[:, slot] >= 0, " ", "").astype(object)
        out = out + sep + piece
    result: np.ndarray = out
    return result


def _draw_words(rng: np.random.Generator, locale_idx: np.ndarray) -> np.ndarray:
    n = len(locale_idx)
    words = np.full((n, _SLOTS), -1, dtype=np.int64)
    pattern = rng.random(n)
    for li in range(len(LOCALES)):
        rows = np.flatnonzero(locale_idx == li)
        if not len(rows):
            continue
        spans = _VOCAB.ranges[li]
        pick = {slot: rng.integers(lo, hi, size=len(rows)) for slot, (lo, hi) in spans.items()}
        partner = rng.integers(*spans["first"], size=len(rows))
        two_names = pattern[rows] < 0.25  # "Müller & Schmidt Technik"
        words[rows, 0] = pick["first"]
        words[rows, 1] = np.where(two_names, _VOCAB.ampersand, pick["second"])
        words[rows, 2] = np.where(two_names, partner, pick["industry"])
        words[rows, 3] = np.where(two_names, pick["second"], -1)
        # Empty industry words in non-English lists are stored as "", which prints as nothing.
    with_qualifier = rng.random(n) < 0.7
    words[with_qualifier, 4] = rng.integers(
        _VOCAB.qualifier_start, _VOCAB.ampersand, size=int(with_qualifier.sum())
    )
    words[_VOCAB.is_empty[words]] = -1
    return words


def _postcodes(rng: np.random.Generator, pattern: str, n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    for ch in pattern:
        if ch == "9":
            piece = NUMBER_TEXT[rng.integers(0, 10, size=n)]
        elif ch == "A":
            piece = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"), dtype=object)[rng.integers(0, 23, size=n)]
        else:
            piece = np.full(n, ch, dtype=object)
        out = out + piece
    return out


def _pick(rng: np.random.Generator, values: tuple[str, ...], n: int) -> np.ndarray:
    if not values:
        return np.full(n, "", dtype=object)
    picked: np.ndarray = np.array(values, dtype=object)[rng.integers(0, len(values), size=n)]
    return picked


def _addresses(rng: np.random.Generator, locale_idx: np.ndarray) -> dict[str, np.ndarray]:
    n = len(locale_idx)
    cols = {key: np.full(n, "", dtype=object) for key in ("street", "city", "state", "postcode", "phone")}
    for li, locale in enumerate(LOCALES):
        rows = np.flatnonzero(locale_idx == li)
        if not len(rows):
            continue
        k = len(rows)
        number = NUMBER_TEXT[rng.integers(1, 400, size=k)]
        street = _pick(rng, locale.streets, k)
        cols["street"][rows] = number + " " + street if locale.street_number_first else street + " " + number
        cols["city"][rows] = _pick(rng, locale.cities, k)
        cols["state"][rows] = _pick(rng, locale.states, k)
        cols["postcode"][rows] = _postcodes(rng, locale.postcode_pattern, k)
        digits = (
            NUMBER_TEXT[rng.integers(1000, 10_000, size=k)] + _FOUR_DIGITS[rng.integers(0, 10_000, size=k)]
        )
        cols["phone"][rows] = f"+{_dial_code(locale)} " + digits
    return cols


def _dial_code(locale: Locale) -> str:
    codes = {
        "US": "1",
        "CA": "1",
        "GB": "44",
        "DE": "49",
        "AT": "43",
        "CH": "41",
        "FR": "33",
        "ES": "34",
        "NL": "31",
        "SE": "46",
        "DK": "45",
        "NO": "47",
        "FI": "358",
        "JP": "81",
        "AU": "61",
    }
    return codes.get(locale.alpha2, "1")


def invent_companies(rng: np.random.Generator, n: int) -> Companies:
    """``n`` companies with distinct names (case-insensitively, ignoring legal suffix)."""
    weights = np.array([loc.weight for loc in LOCALES])
    weights = weights / weights.sum()
    kept_locale: list[np.ndarray] = []
    kept_words: list[np.ndarray] = []
    seen = np.empty(0, dtype=np.int64)
    missing = n
    for _ in range(40):
        draw = int(missing * 1.3) + 64
        locale_idx = rng.choice(len(LOCALES), size=draw, p=weights)
        words = _draw_words(rng, locale_idx)
        # Two names are "the same" when their words' slugs are (so "Müller" clashes with "Mueller").
        slug_ids = _VOCAB.slug_id[words]
        key = slug_ids[:, 0]
        for slot in range(1, _SLOTS):
            key = key * _VOCAB.slug_count + slug_ids[:, slot]
        fresh = ~pd.Series(np.concatenate([seen, key])).duplicated().to_numpy()[len(seen) :]
        take = np.flatnonzero(fresh)[:missing]
        seen = np.concatenate([seen, key[take]])
        kept_locale.append(locale_idx[take])
        kept_words.append(words[take])
        missing -= len(take)
        if missing == 0:
            break
    if missing:
        raise ValueError(f"cannot invent {n} distinct company names from the vocabulary")
    locale_idx = np.concatenate(kept_locale)
    words = np.concatenate(kept_words)
    core = _join_slots(_VOCAB.words, words)
    suffix = np.full(n, "", dtype=object)
    for li, locale in enumerate(LOCALES):
        rows = np.flatnonzero(locale_idx == li)
        suffix[rows] = _pick(rng, locale.suffixes, len(rows))
    suffix[rng.random(n) < 0.08] = ""  # some companies are written without any legal form
    name = np.where(suffix != "", core + " " + suffix, core)
    separator = np.where(rng.random(n) < 0.6, "", "-").astype(object)
    slug_words = _VOCAB.slugs[words]
    domain = slug_words[:, 0]
    for slot in range(1, _SLOTS):
        piece = slug_words[:, slot]
        domain = domain + np.where(piece != "", separator, "").astype(object) + piece
    tlds = np.array([loc.tld for loc in LOCALES], dtype=object)[locale_idx]
    frame = pd.DataFrame({"name": name, "core": core, "domain": domain + "." + tlds}, dtype=object)
    for key, values in _addresses(rng, locale_idx).items():
        frame[key] = values
    frame["currency"] = np.array([loc.currency for loc in LOCALES], dtype=object)[locale_idx]
    return Companies(locale=locale_idx, words=words, suffix=suffix, frame=frame)


def folded_core(companies: Companies, rows: np.ndarray, transliterated: np.ndarray) -> np.ndarray:
    """The name core of ``rows`` with accents removed, transliterated (ü→ue) where asked."""
    words = companies.words[rows]
    stripped = _join_slots(_VOCAB.folded_strip, words)
    translit = _join_slots(_VOCAB.folded_translit, words)
    result: np.ndarray = np.where(transliterated, translit, stripped)
    return result
