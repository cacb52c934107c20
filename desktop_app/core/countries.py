"""Country resolution: turn whatever a file holds ("Deutschland", "U.S.A.", "040", "Germnay") into
an ISO 3166-1 alpha-2 code, with a confidence and a plain explanation of how it was read.

Billing systems (Sequence, Stripe, Zuora) want alpha-2 codes; exports from QuickBooks, Xero and
hand-kept spreadsheets carry names in many languages. Names come from pycountry (English names and
its translations) plus the hand-kept aliases below; near-misspellings go through rapidfuzz.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pycountry
from rapidfuzz import process
from rapidfuzz.distance import OSA


@dataclass(frozen=True)
class CountryGuess:
    """One reading of a country value."""

    code: str  # ISO 3166-1 alpha-2, upper case
    name: str  # English short name (pycountry)
    confidence: float  # 0..1: 1.0 exact code/name, ~0.95 alias/local name, lower for misspellings
    how: str  # e.g. "alpha-2", "English name", "local name", "misspelling (did you mean Germany?)"


EXACT = 1.0
ALIAS = 0.95
# Misspellings never reach the default auto-fix threshold (0.9): a person confirms them.
_FUZZY_SCALE = 0.85
_FUZZY_CUTOFF = 0.78
_FUZZY_MIN_LENGTH = 4
_FUZZY_AMBIGUITY_MARGIN = 0.05

# Kosovo has no official ISO 3166-1 code; XK is user-assigned but used by the EU, Stripe and most systems.
KOSOVO_CODE = "XK"
_KOSOVO_NOTE = "XK is a user-assigned code, not official ISO 3166-1, but most systems use it for Kosovo"

# Common forms that are not in pycountry: abbreviations, short and historical English names.
_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland",
           "United Kingdom of Great Britain", "GB and NI"),
    "US": ("USA", "U.S.A.", "U.S.", "US of A", "America", "United States of America", "the States"),
    "AE": ("UAE", "U.A.E.", "Emirates", "United Arab Emirate"),
    "KR": ("Korea", "S. Korea", "Republic of Korea", "ROK"),
    "KP": ("N. Korea", "DPRK"),
    "ZA": ("RSA", "Republic of South Africa"),
    "CN": ("PRC", "P.R.C.", "People's Republic of China", "Mainland China"),
    "HK": ("Hong Kong SAR", "Hong Kong S.A.R.", "HKSAR", "Hong Kong China"),
    "MO": ("Macau", "Macau SAR", "Macao SAR"),
    "TW": ("Republic of China", "Chinese Taipei", "Taiwan ROC"),
    "VN": ("Vietnam",),
    "RU": ("Russia",),
    "CZ": ("Czech Republic", "Czech Rep.", "Czech"),
    "SK": ("Slovak Republic", "Slovak Rep."),
    "MM": ("Burma",),
    "CI": ("Ivory Coast",),
    "NL": ("Holland", "The Netherlands"),
    "IE": ("Republic of Ireland",),
    "CD": ("DR Congo", "DRC", "Democratic Republic of Congo", "Congo-Kinshasa", "Zaire"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "TR": ("Turkey",),
    "MK": ("Macedonia", "North Macedonia"),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde",),
    "VA": ("Vatican", "Vatican City"),
    "PS": ("Palestine",),
    "FM": ("Micronesia",),
    "BN": ("Brunei",),
    "BA": ("Bosnia", "Bosnia-Herzegovina"),
    "TT": ("Trinidad",),
    "DE": ("Federal Republic of Germany", "BRD"),
    "NZ": ("Aotearoa",),
    "AU": ("Commonwealth of Australia",),
    "XK": ("Kosovo", "Kosova", "Kosovë", "Косово"),
}

# Names in the countries' own and other major languages that pycountry's translations miss or
# that collide between languages (listed here, they win over the translations).
_LOCAL_NAMES: dict[str, tuple[str, ...]] = {
    "DE": ("Deutschland", "Allemagne", "Alemania", "Germania", "Alemanha", "Duitsland", "Tyskland"),
    "ES": ("España", "Espagne", "Spanien", "Spagna", "Espanha", "Spanje"),
    "GB": ("Royaume-Uni", "Vereinigtes Königreich", "Reino Unido", "Regno Unito", "Großbritannien",
           "Grande-Bretagne", "Gran Bretaña", "Gran Bretagna", "Angleterre", "Inglaterra", "Inghilterra",
           "Schottland", "Écosse", "Storbritannien", "Verenigd Koninkrijk"),
    "US": ("États-Unis", "Etats Unis", "Estados Unidos", "Vereinigte Staaten", "Stati Uniti",
           "Estados Unidos de América", "Verenigde Staten", "Amerika", "Amérique"),
    "NL": ("Nederland", "Niederlande", "Pays-Bas", "Países Bajos", "Paesi Bassi", "Países Baixos",
           "Holanda", "Olanda", "Hollande"),
    "BE": ("België", "Belgique", "Belgien", "Belgio", "Bélgica"),
    "CH": ("Schweiz", "Suisse", "Svizzera", "Svizra", "Suiza", "Suíça", "Zwitserland", "Helvetia"),
    "AT": ("Österreich", "Autriche", "Áustria", "Oostenrijk"),
    "IT": ("Italia", "Italie", "Italien", "Itália"),
    "FR": ("Francia", "Frankreich", "França", "Frankrijk"),
    "SE": ("Sverige", "Suède", "Schweden", "Suecia", "Svezia"),
    "NO": ("Norge", "Noreg", "Norvège", "Norwegen", "Noruega", "Norvegia"),
    "DK": ("Danmark", "Danemark", "Dänemark", "Dinamarca", "Danimarca"),
    "FI": ("Suomi", "Finlande", "Finnland", "Finlandia"),
    "PL": ("Polska", "Pologne", "Polen", "Polonia"),
    "CZ": ("Česko", "Česká republika", "Tschechien", "Tchéquie", "République tchèque", "Chequia"),
    "HU": ("Magyarország", "Hongrie", "Ungarn", "Hungría", "Ungheria"),
    "PT": ("Portogallo",),
    "BR": ("Brasil", "Brésil", "Brasilien", "Brasile"),
    "MX": ("México", "Mexique", "Mexiko", "Messico"),
    "IE": ("Éire", "Irlande", "Irland", "Irlanda"),
    "JP": ("Nihon", "Nippon", "Japon", "Japón", "Giappone", "日本", "日本国"),
    "CN": ("中国", "中华人民共和国", "Chine", "Cina"),
    "RU": ("Россия", "Российская Федерация", "Russland", "Russie", "Rusia"),
    "TR": ("Türkiye", "Turquie", "Türkei", "Turquía"),
    "GR": ("Ελλάδα", "Hellas", "Grèce", "Griechenland", "Grecia"),
    "KR": ("대한민국", "한국", "Corée du Sud", "Südkorea", "Corea del Sur"),
    "CI": ("Côte d'Ivoire", "Elfenbeinküste", "Costa de Marfil"),
}

_WORD_EXPANSIONS = {"st": "saint", "ste": "sainte", "rep": "republic", "dem": "democratic", "&": "and"}
_NOT_WORD = re.compile(r"[^\w&]+")
_PARENTHESISED = re.compile(r"\s*\([^)]*\)")
# German writes ä/ö/ü as ae/oe/ue where the keyboard lacks them ("Oesterreich").
_UMLAUTS_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_PART_SEPARATORS = re.compile(r"[()/|,;]|\s-\s")
_TRANSLATION_LANGUAGES = (
    "de", "fr", "es", "it", "pt", "pt_BR", "nl", "sv", "da", "nb_NO", "nn", "fi", "pl", "cs", "sk",
    "hu", "ro", "hr", "sl", "el", "et", "lv", "lt", "bg", "ca", "ga", "is", "tr", "ru", "uk", "ja",
    "zh_CN", "zh_TW", "zh_HK", "ko", "id", "vi",
)
# Lower-case two-letter words that are codes but more often mean something else in a country column.
_SUSPECT_LOWER_CODES = {"na": "'na' often means 'not available'"}


def normalise_country_text(text: str) -> str:
    """Reduce a country text to its comparison form: casefolded, no diacritics, no punctuation,
    no "the", single spaces, common abbreviations ("St", "Rep") spelled out."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = _NOT_WORD.sub(" ", stripped.replace(".", "").replace("&", " & ")).split()
    return " ".join(_WORD_EXPANSIONS.get(word, word) for word in words if word != "the")


@dataclass(frozen=True)
class _Entry:
    code: str
    how: str
    confidence: float


def _english_names(country: object) -> list[str]:
    names = [str(getattr(country, attr)) for attr in ("name", "official_name", "common_name")
             if getattr(country, attr, None)]
    variants: list[str] = []
    for name in names:
        variants.append(name)
        if "(" in name:
            variants.append(_PARENTHESISED.sub("", name))
        if ", " in name:  # "Korea, Republic of" is also written "Republic of Korea"
            head, _, tail = name.partition(", ")
            variants.append(f"{tail} {head}")
    return variants


@cache
def _name_table() -> dict[str, _Entry]:
    """Normalised name -> entry. Priority: English names, then aliases and listed local names,
    then pycountry translations (a translation two countries share is dropped as ambiguous)."""
    table: dict[str, _Entry] = {}
    translated: dict[str, set[str]] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        english = _english_names(country)
        for name in english:
            table.setdefault(normalise_country_text(name), _Entry(code, "English name", EXACT))
        for language in _TRANSLATION_LANGUAGES:
            translate = _translations(language)
            for name in english:
                local = translate(name)
                if local != name:
                    translated.setdefault(normalise_country_text(local), set()).add(code)
    for entries, how in ((_ALIASES, "alias"), (_LOCAL_NAMES, "local name")):
        for code, names in entries.items():
            how_here = f"{how} ({_KOSOVO_NOTE})" if code == KOSOVO_CODE else how
            for name in names:
                for spelling in {name, name.translate(_UMLAUTS_SPELLED_OUT)}:
                    table.setdefault(normalise_country_text(spelling), _Entry(code, how_here, ALIAS))
    for key, codes in translated.items():
        if len(codes) == 1 and key:
            table.setdefault(key, _Entry(next(iter(codes)), "local name", ALIAS))
    return table


@cache
def _translations(language: str) -> Callable[[str], str]:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
    except OSError:
        return gettext.NullTranslations().gettext


@cache
def _fuzzy_choices() -> tuple[list[str], list[str]]:
    """Names long enough to compare fuzzily, and the code of each."""
    keys = [key for key in _name_table() if len(key) >= _FUZZY_MIN_LENGTH]
    return keys, [_name_table()[key].code for key in keys]


@cache
def _codes() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    alpha2 = {str(c.alpha_2): str(c.alpha_2) for c in pycountry.countries}
    alpha3 = {str(c.alpha_3): str(c.alpha_2) for c in pycountry.countries}
    numeric = {str(c.numeric): str(c.alpha_2) for c in pycountry.countries}
    return alpha2, alpha3, numeric


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """English short name for an alpha-2 code (XK -> "Kosovo"); "" when the code is unknown."""
    if code.upper() == KOSOVO_CODE:
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return str(country.name) if country is not None else ""


def is_alpha2(value: str) -> bool:
    """True when ``value`` is exactly an upper-case alpha-2 code billing systems accept (XK included)."""
    return value == KOSOVO_CODE or value in _codes()[0]


def _guess(code: str, confidence: float, how: str) -> CountryGuess:
    return CountryGuess(code=code, name=country_name(code), confidence=confidence, how=how)


def _resolve_code(text: str) -> CountryGuess | None:
    alpha2, alpha3, numeric = _codes()
    upper = text.upper()
    if text.isascii() and text.isdigit() and len(text) <= 3:
        code = numeric.get(text.zfill(3))
        return _guess(code, EXACT, "numeric") if code else None
    if not (text.isascii() and text.isalpha()):
        return None
    if len(text) == 2 and upper in alpha2:
        if text in _SUSPECT_LOWER_CODES:
            return _guess(upper, 0.5, f"alpha-2 in lower case ({_SUSPECT_LOWER_CODES[text]})")
        return _guess(upper, EXACT, "alpha-2")
    if upper == KOSOVO_CODE:
        return _guess(KOSOVO_CODE, EXACT, f"alpha-2 ({_KOSOVO_NOTE})")
    if len(text) == 3 and upper in alpha3:
        return _guess(alpha3[upper], EXACT, "alpha-3")
    return None


def _resolve_fuzzy(key: str) -> CountryGuess | None:
    if len(key) < _FUZZY_MIN_LENGTH:
        return None
    keys, codes = _fuzzy_choices()
    hits = process.extract(key, keys, scorer=OSA.normalized_similarity, limit=8, score_cutoff=_FUZZY_CUTOFF)
    if not hits:
        return None
    _, best_score, best_index = hits[0]
    best_code = codes[best_index]
    for _, score, index in hits[1:]:
        if codes[index] != best_code and score >= best_score - _FUZZY_AMBIGUITY_MARGIN:
            return None  # two countries are about as close: do not guess
    name = country_name(best_code)
    return _guess(best_code, round(_FUZZY_SCALE * best_score, 3), f"misspelling (did you mean {name}?)")


def _resolve_exactly(text: str) -> CountryGuess | None:
    by_code = _resolve_code(text)
    if by_code is not None:
        return by_code
    entry = _name_table().get(normalise_country_text(text))
    return _guess(entry.code, entry.confidence, entry.how) if entry else None


def _resolve_parts(text: str) -> CountryGuess | None:
    """Exports often hold a code and a name together: "DE - Germany", "Germany (DE)"."""
    parts = [part for part in _PART_SEPARATORS.split(text) if part.strip()]
    if len(parts) < 2:
        return None
    guesses = [_resolve_exactly(part.strip()) for part in parts]
    codes = {guess.code for guess in guesses if guess is not None}
    if len(codes) != 1 or any(guess is None for guess in guesses):
        return None
    return _guess(codes.pop(), ALIAS, "code and name together")


@lru_cache(maxsize=8192)
def resolve_country(value: str) -> CountryGuess | None:
    """Read ``value`` as a country: alpha-2 (any case), alpha-3, numeric, English name, local name,
    alias or near-misspelling. Returns None for empty, ambiguous or unrecognisable values.
    Confidence is 1.0 for codes and English names, 0.95 for aliases and local names, below 0.9 for
    misspellings; a code written together with its name ("DE - Germany") gets 0.95."""
    text = " ".join(str(value).split())
    if not text:
        return None
    return _resolve_exactly(text) or _resolve_parts(text) or _resolve_fuzzy(normalise_country_text(text))


RESOLVED_COLUMNS = ("code", "confidence", "how")


def resolve_countries(values: pd.Series) -> pd.DataFrame:
    """Resolve every value of ``values`` (same index in the result) into columns ``code`` ("" when
    unresolved), ``confidence`` (0.0 when unresolved) and ``how``. Each distinct value is resolved once."""
    texts = values.astype(object).where(values.notna(), "")
    positions, uniques = pd.factorize(texts, use_na_sentinel=False)
    guesses = [resolve_country(str(unique)) for unique in uniques]
    codes = np.array([g.code if g else "" for g in guesses], dtype=object)
    confidences = np.array([g.confidence if g else 0.0 for g in guesses], dtype=float)
    hows = np.array([g.how if g else "" for g in guesses], dtype=object)
    columns = dict(zip(RESOLVED_COLUMNS, (codes, confidences, hows), strict=True))
    return pd.DataFrame({name: column[positions] for name, column in columns.items()}, index=values.index)
