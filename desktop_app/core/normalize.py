"""Normalising the values matching compares: company names, web/e-mail domains, shared identifiers.

Every function here is pure. The Series versions clean each distinct value once and map the result
back, so a million rows with repeated values cost only as much as their distinct values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from desktop_app.core import legal_forms

# Letters NFKD does not decompose into a base letter plus accents.
_SPECIAL_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                                  "þ": "th", "ı": "i", "ħ": "h"})
# Dots and apostrophes vanish (S.A. → sa, O'Neil → oneil); other punctuation separates words.
_PUNCTUATION: dict[int, str | None] = {ord(ch): " " for ch in "!\"#$%()*+,-/:;<=>?@[\\]^_`{|}~«»–—‐‑·•"}
_PUNCTUATION.update({ord("."): None, ord("'"): None, ord("’"): None, ord("‘"): None, ord("´"): None})
# The same for ASCII text, plus lower-casing, as a byte table: ``bytes.translate`` is many times
# faster than ``str.translate`` with a dict, and most names are ASCII. Control characters become
# spaces, as ``_fold_accents`` makes them of non-ASCII text; a line break is kept (it separates the
# names of a batch, and is white space to the word split that follows).
_ASCII_TABLE = bytes(
    ord(" ") if i in _PUNCTUATION or (unicodedata.category(chr(i)) == "Cc" and chr(i) != "\n")
    else ord(chr(i).lower()) if i < 128 else i for i in range(256)
)
_ASCII_DELETE = b".'"


# Symbols and punctuation other than the few the ASCII table handles (™, ®, «, –, …), and the
# characters that are not letters but belong to the word they stand in (combining marks, invisible
# format characters), which ``_symbol_or_mark`` sorts out.
_SYMBOLS = re.compile(r"[^\w\s&.'’‘´]")
# Accents NFKD splits off Latin letters; marks of other scripts (kana voicing) are kept.
_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")


def _symbol_or_mark(found: re.Match[str]) -> str:
    """A symbol becomes a space; a combining mark stays (Thai vowels, Devanagari signs, kana voicing
    split off by NFD); a format character (soft hyphen, zero-width space/joiner, direction marks) and
    a variation selector vanish: they are invisible inside a word and must not split it."""
    character = found.group()
    category = unicodedata.category(character)
    if category == "Cf" or "\ufe00" <= character <= "\ufe0f" or "\U000e0100" <= character <= "\U000e01ef":
        return ""
    return character if category[0] == "M" else " "


def _fold_accents(text: str) -> str:
    """Case-folded ``text`` without diacritics or symbols: é → e, ü → u, ß → ss, ø → o, ™ → space,
    İ → i. Letters of non-Latin scripts are kept as they are."""
    # Accents go first: a combining mark left beside its letter (the dot of the Turkish İ, which
    # case-folds to i + U+0307) is no symbol. Symbols go before NFKD (which spells ™ as "TM") and
    # after it (which spells ¼ as "1⁄4").
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).translate(_SPECIAL_LETTERS))
    text = _SYMBOLS.sub(_symbol_or_mark, _LATIN_ACCENTS.sub("", text))
    text = _LATIN_ACCENTS.sub("", unicodedata.normalize("NFKD", text))
    # Recompose what other scripts split (kana voicing marks) before dropping symbols.
    return _SYMBOLS.sub(_symbol_or_mark, unicodedata.normalize("NFKC", text)).casefold()


class _CharFolds(dict[int, str]):
    """``_fold_accents`` of single characters, computed on first use (a ``str.translate`` table)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_accents(chr(code).casefold())
        self[code] = folded
        return folded


_CHAR_FOLDS = _CharFolds()
# Text made only of these characters (Latin letters with their accents, general punctuation and
# letter-like symbols) folds character by character: none of them combines with the character
# before it, so ``_fold_accents`` of the whole equals the folds of its characters joined.
_NOT_CHARWISE = re.compile("[^\x00-\u02ff\u2000-\u214f]")


def _fold(name: str) -> str:
    """``_fold_accents(name.casefold())``, by table lookup where that is the same."""
    if _NOT_CHARWISE.search(name):
        return _fold_accents(name.casefold())
    return name.translate(_CHAR_FOLDS)


def _words_of(form: str) -> tuple[str, ...]:
    """The words ``clean_company_name`` makes of a legal form as written ("S.A. de C.V." → sa de cv)."""
    text = _fold(form) if not form.isascii() else form.lower()
    return tuple(text.translate(_PUNCTUATION).replace("&", " and ").split())


# Legal forms as the words cleaning leaves of them, by the end of a name they are stripped from.
_TRAILING_FORMS = frozenset(_words_of(form) for form in (*legal_forms.TRAILING, *legal_forms.EITHER_END))
_LEADING_FORMS = frozenset(_words_of(form) for form in (*legal_forms.LEADING, *legal_forms.EITHER_END))


def _sizes_by_word(forms: frozenset[tuple[str, ...]], at: int) -> dict[str, tuple[int, ...]]:
    """For each word that ends (``at`` -1) or opens (0) a form, the forms' lengths, longest first."""
    sizes: dict[str, set[int]] = {}
    for form in forms:
        sizes.setdefault(form[at], set()).add(len(form))
    return {word: tuple(sorted(lengths, reverse=True)) for word, lengths in sizes.items()}


_TRAILING_SIZES = _sizes_by_word(_TRAILING_FORMS, -1)
_LEADING_SIZES = _sizes_by_word(_LEADING_FORMS, 0)
_FORM_LAST_WORDS = frozenset(_TRAILING_SIZES)
_LAST_WORDS = _FORM_LAST_WORDS | {"the"}  # the last words of names stripped at the end
_SINGLE_FORMS = frozenset(form[0] for form in _TRAILING_FORMS if len(form) == 1)
# The word before the last of a longer form: a name whose last two words cannot be one ends in a
# single-word form, if any ("Wolf Compass Ltd"; but "Acme Pvt Ltd" may end in "Pvt Ltd").
_SECOND_LAST_WORDS = frozenset(form[-2] for form in _TRAILING_FORMS if len(form) > 1)
_FIRST_WORDS = frozenset(_LEADING_SIZES) | {"the"}  # the first words of names stripped at the start
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")  # initials, once dots are gone
# The first and last words that make a name worth a second look: a form, "the", or an initial.
_OPENING_WORDS, _CLOSING_WORDS = _FIRST_WORDS | _LETTERS, _LAST_WORDS | _LETTERS
_JOINED_PREFIXES = tuple(sorted({"".join(_words_of(form)) for form in legal_forms.JOINED_PREFIXES}, key=len,
                                reverse=True))
_JOINED_SUFFIXES = tuple(sorted({"".join(_words_of(form)) for form in legal_forms.JOINED_SUFFIXES}, key=len,
                                reverse=True))
_JOINED_FORMS = frozenset(_JOINED_PREFIXES + _JOINED_SUFFIXES)
_JOINERS = frozenset(legal_forms.JOINERS)


def _strip_leading_form(tokens: list[str]) -> bool:
    """Remove a "the" or the longest legal form opening the name, if a word remains."""
    if tokens[0] == "the":
        del tokens[0]
        return True
    for size in _LEADING_SIZES.get(tokens[0], ()):
        if size < len(tokens) and tuple(tokens[:size]) in _LEADING_FORMS:
            del tokens[:size]
            return True
    return False


def _strip_trailing_form(tokens: list[str]) -> bool:
    """Remove the longest legal form ending the name, if a word remains."""
    for size in _TRAILING_SIZES[tokens[-1]]:
        if size == 1 or (size < len(tokens) and tuple(tokens[-size:]) in _TRAILING_FORMS):
            del tokens[-size:]
            return True
    return False


def _split_joined_form(tokens: list[str]) -> bool:
    """Remove a legal form written without a space before or after the name ("トヨタ株式会社"),
    if something of the word remains and the word is not a whole form itself ("有限公司")."""
    first, last = tokens[0], tokens[-1]
    # One test in C first: most names have no such form.
    if first.startswith(_JOINED_PREFIXES) and first not in _JOINED_FORMS:
        for form in _JOINED_PREFIXES:
            if len(first) > len(form) and first.startswith(form):
                tokens[0] = first[len(form):]
                return True
    if last.endswith(_JOINED_SUFFIXES) and last not in _JOINED_FORMS:
        for form in _JOINED_SUFFIXES:
            if len(last) > len(form) and last.endswith(form):
                tokens[-1] = last[: -len(form)]
                return True
    return False


def _strip_legal_forms(tokens: list[str]) -> None:
    """Remove a leading (or trailing) "the" and legal forms from both ends as the forms allow, one at a time (each
    may expose another: "Acme Co Ltd"), the longest first, while at least one word remains; with a
    trailing form, a joiner left before it ("Smith and Co"). The start goes first: what comes off
    the end never changes the first word, so the start need not be looked at again."""
    while len(tokens) > 1 and tokens[0] in _FIRST_WORDS and _strip_leading_form(tokens):
        pass
    while len(tokens) > 1 and tokens[-1] in _LAST_WORDS:  # runs per name: few calls, few lookups
        # The usual case, "… Inc"; or the article put last, as lists sort names: "Coca-Cola Company (The)".
        if (tokens[-1] in _SINGLE_FORMS and tokens[-2] not in _SECOND_LAST_WORDS) or tokens[-1] == "the":
            del tokens[-1]
        elif not _strip_trailing_form(tokens):
            return
        if len(tokens) > 1 and tokens[-1] in _JOINERS:
            del tokens[-1]


def _name_from_words(text: str) -> str:
    """The last steps of cleaning, on lower-case text without punctuation: ``&`` → ``and``, single
    spaces, a leading "the" (or one put last, as lists sort names: "Hershey Company (The)") and legal
    forms removed."""
    tokens = text.replace("&", " and ").split()
    if tokens and (tokens[-1] in _CLOSING_WORDS or tokens[0] in _OPENING_WORDS):
        _strip_legal_forms(tokens)
        if (len(tokens[0]) == 1 or len(tokens[-1]) == 1) and _join_initials(tokens):
            _strip_legal_forms(tokens)
    return " ".join(tokens)


def _join_initials(tokens: list[str]) -> bool:
    """Join each run of single letters into one word, as the dots of "J.M." join them ("J M Smucker",
    "SMITH A O" → jm smucker, smith ao); True when a run was joined. Called for names that open or end
    with a single letter (once legal forms are gone): a look at every word of every name costs 8 % of
    cleaning, so a run inside a name ("HUNT J B TRANSPORT") stays apart."""
    joined: list[str] = []
    run = False
    for token in tokens:
        single = token in _LETTERS
        if single and run:
            joined[-1] += token
        else:
            joined.append(token)
        run = single
    if len(joined) == len(tokens):
        return False
    tokens[:] = joined
    return True


def _name_from_other_words(text: str) -> str:
    """``_name_from_words`` of text that is not ASCII: also without legal forms written joined to
    the name ("トヨタ株式会社")."""
    tokens = text.replace("&", " and ").split()
    if tokens:
        _strip_legal_forms(tokens)
        while _split_joined_form(tokens):
            _strip_legal_forms(tokens)
    if tokens and (len(tokens[0]) == 1 or len(tokens[-1]) == 1) and _join_initials(tokens):
        _strip_legal_forms(tokens)
    return " ".join(tokens)


def clean_company_name(name: str) -> str:
    """The comparable core of a company name: lower case, no diacritics, ``&`` as ``and``, no
    punctuation, single spaces, legal forms removed where they stand in names (``legal_forms``:
    Inc, GmbH, S.A. de C.V., Pvt Ltd at the end; ООО, 株式会社, (주) at either end; PT at the start;
    有限公司 joined to the name), a leading "the" dropped; at least one word is always kept.
    Idempotent; "" for an empty or punctuation-only name.

    ``"Müller & Söhne GmbH & Co. KG"`` → ``"muller and sohne"``; ``"ООО «Ромашка»"`` → ``"ромашка"``.
    """
    text = name if name.isascii() else _fold(name)
    if text.isascii():
        text = text.encode("ascii").translate(_ASCII_TABLE, _ASCII_DELETE).decode("ascii")
    else:  # letters of other scripts remain
        return _name_from_other_words(text.translate(_PUNCTUATION))
    return _name_from_words(text)


def _clean_ascii_names(names: list[str]) -> list[str]:
    """``clean_company_name`` of ASCII names without line breaks: the byte-level steps run once
    over all the names joined, the word-level steps per name."""
    if not names:
        return []
    joined = "\n".join(names).encode("ascii").translate(_ASCII_TABLE, _ASCII_DELETE).decode("ascii")
    return [_name_from_words(text) for text in joined.split("\n")]


def _map_distinct(values: pd.Series, function: Callable[[str], str | None]) -> pd.Series:
    """``function`` applied once per distinct value of ``values`` (missing values read as "")."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))  # missing values get code -1
    results = np.array([function(u if isinstance(u, str) else str(u)) for u in uniques] + [function("")],
                       dtype=object)
    return pd.Series(results[codes], index=values.index, dtype=object)


def clean_company_names(names: pd.Series) -> pd.Series:
    """``clean_company_name`` for every value (same index; "" for missing values). Each distinct
    value is cleaned once; plain ASCII names are cleaned in one batch."""
    codes, uniques = pd.factorize(names.to_numpy(dtype=object))  # missing values get code -1
    texts = [u if isinstance(u, str) else str(u) for u in uniques]
    results = np.array([*clean_company_name_list(texts), ""], dtype=object)
    return pd.Series(results[codes], index=names.index, dtype=object)


def clean_company_name_list(names: list[str]) -> list[str]:
    """``clean_company_name`` of every name (already distinct: nothing is looked up twice);
    plain ASCII names are cleaned in one batch."""
    joined = "\n".join(names)
    if names and joined.count("\n") == len(names) - 1 and joined.isascii():  # the usual case: all plain
        return _clean_ascii_names(names)
    plain = np.array([t.isascii() and "\n" not in t for t in names], dtype=bool)
    results = np.empty(len(names), dtype=object)
    plain_at = np.flatnonzero(plain)
    results[plain_at] = _clean_ascii_names([names[i] for i in plain_at.tolist()])
    other_at = np.flatnonzero(~plain)
    results[other_at] = [clean_company_name(names[i]) for i in other_at.tolist()]
    out: list[str] = results.tolist()
    return out


# Mailbox providers: an address at one of these says nothing about the company.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "outlook.de", "outlook.fr", "hotmail.com", "hotmail.co.uk",
    "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es", "hotmail.nl", "live.com", "live.co.uk", "live.fr",
    "live.de", "live.nl", "msn.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.es",
    "yahoo.it", "yahoo.co.jp", "yahoo.com.au", "ymail.com", "rocketmail.com", "aol.com", "aol.de",
    "icloud.com", "me.com", "mac.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "web.de",
    "t-online.de", "freenet.de", "posteo.de", "mail.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
    "laposte.net", "libero.it", "virgilio.it", "tiscali.it", "alice.it", "proton.me", "protonmail.com",
    "pm.me", "tutanota.com", "zoho.com", "yandex.ru", "yandex.com", "mail.ru", "qq.com", "163.com",
    "126.com", "naver.com", "hanmail.net", "seznam.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl",
    "bluewin.ch", "telia.com", "online.no", "ziggo.nl", "kpnmail.nl", "btinternet.com", "sky.com",
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bigpond.com", "shaw.ca", "rogers.com",
    "mail.com", "fastmail.com", "hey.com", "ntlworld.com", "virginmedia.com", "terra.com.br", "uol.com.br",
})
# Providers that run one mailbox domain per country (hotmail.*, yahoo.*, gmx.*).
_FREE_MAIL_FAMILIES = ("hotmail.", "yahoo.", "gmx.", "live.", "outlook.", "aol.", "yandex.", "ymail.")


def is_free_mail_domain(domain: str) -> bool:
    """True when ``domain`` (as ``domain_of`` returns it) belongs to a public mailbox provider."""
    return domain in FREE_MAIL_DOMAINS or domain.startswith(_FREE_MAIL_FAMILIES)


_HOST_CHARACTERS = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


def domain_of(url_or_email: str) -> str | None:
    """The host name a website or e-mail address points at: lower case, no scheme, no ``www.``,
    no path, query or port, internationalised names in their ASCII (IDNA) form. None when the
    value holds no plausible domain.

    ``"https://www.Acme.com:8443/en/"`` → ``"acme.com"``; ``"Jane <jane@Acme.co.uk>"`` →
    ``"acme.co.uk"``; ``"münchen.de"`` → ``"xn--mnchen-3ya.de"``.
    """
    text = url_or_email.strip().strip("<>\"'").lower()
    if not text:
        return None
    scheme = text.find("://")
    if scheme == -1 and "@" in text:
        text = text.rpartition("@")[2].strip().rstrip(">")
    else:
        if scheme != -1:
            text = text[scheme + 3 :]
        text = text.partition("/")[0]
        if "?" in text or "#" in text:
            text = text.partition("?")[0].partition("#")[0]
        if "@" in text:  # user:password@host
            text = text.rpartition("@")[2]
    if ":" in text:
        text = text.partition(":")[0]
    text = text.strip().rstrip(".")
    while text.startswith(("www.", "www2.", "www3.")) and text.count(".") > 1:
        text = text.partition(".")[2]
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return text if _HOST_CHARACTERS.fullmatch(text) else None


# The common shapes, lower-cased: ``[http(s)://]host[:port][/path]`` without any "@", and
# ``local@host``. A value of either shape has the domain ``domain_of`` would find (after the
# checks below); any other value goes through ``domain_of``. Possessive quantifiers: no backtracking.
_PLAIN_WEBSITE = re.compile(r"(?:https?://)?((?:[a-z0-9-]++\.)++[a-z0-9-]++)(?::[0-9]++)?+(?:[/?#][^@]*+)?+",
                            re.DOTALL)
_PLAIN_EMAIL = re.compile(r"[^@\s<>\"'/:]++@((?:[a-z0-9-]++\.)++[a-z0-9-]++)")
_WWW = ("www.", "www2.", "www3.")


def domain_or_empty(value: str) -> str:
    """``domain_of`` of ``value``, "" where it holds no domain (fast for the common shapes)."""
    text = value.lower()
    plain = (_PLAIN_EMAIL if "@" in text else _PLAIN_WEBSITE).fullmatch(text)
    if plain is None:
        return domain_of(value) or ""
    host = plain.group(1)
    while host.startswith(_WWW) and host.count(".") > 1:
        host = host.partition(".")[2]
    if "-" in host and not _HOST_CHARACTERS.fullmatch(host):
        return ""
    return host


def domains_of(values: pd.Series) -> pd.Series:
    """``domain_of`` for every value (same index); "" where a value holds no domain."""
    return _map_distinct(values, domain_or_empty)


_INNER_SEPARATORS = str.maketrans("", "", " \t\u00a0-‐‑–—")


_SEPARATOR_CHARACTERS = (" ", "\t", "\u00a0", "-", "‐", "‑", "–", "—")


def normalize_identifier(value: str) -> str:
    """A shared identifier compared leniently: trimmed, case-folded, inner spaces and dashes removed,
    and leading zeros dropped when it is a number (``" 00042 "`` → ``"42"``, ``"AB-12 3"`` → ``"ab123"``)."""
    if value.isidentifier():  # the common case (cus_…, 001…): no spaces, dashes or leading digits
        return value.casefold()
    text = value.strip().casefold()
    if any(separator in text for separator in _SEPARATOR_CHARACTERS):  # cheaper than always translating
        text = text.translate(_INNER_SEPARATORS)
    return (text.lstrip("0") or "0") if text.isdigit() else text


def identifier_differences(a: str, b: str) -> list[str]:
    """What had to be ignored for ``a`` and ``b`` to compare equal under ``normalize_identifier``,
    in words ("surrounding spaces", "letter case", "inner spaces or dashes", "leading zeros").
    Empty when they are equal as written or when they differ even after normalising."""
    if a == b or normalize_identifier(a) != normalize_identifier(b):
        return []

    def normalised_without(skipped: int) -> tuple[str, str]:
        x, y = a, b
        for index, (_, apply) in enumerate(_IDENTIFIER_STEPS):
            if index != skipped:
                x, y = apply(x), apply(y)
        return x, y

    # A step is named when the values stay different if only that step is left out; when no single
    # step is indispensable (two overlap, as stripping and removing spaces do), name those that did
    # change a value on the way.
    steps = [step for index, (step, _) in enumerate(_IDENTIFIER_STEPS) if len(set(normalised_without(index))) > 1]
    if steps:
        return steps
    x, y = a, b
    for step, apply in _IDENTIFIER_STEPS:
        after = (apply(x), apply(y))
        if x != y and after != (x, y):
            steps.append(step)
        x, y = after
    return steps


def _drop_leading_zeros(text: str) -> str:
    return (text.lstrip("0") or "0") if text.isdigit() else text


_IDENTIFIER_STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("surrounding spaces", str.strip),
    ("letter case", str.casefold),
    ("inner spaces or dashes", lambda text: text.translate(_INNER_SEPARATORS)),
    ("leading zeros", _drop_leading_zeros),
)
