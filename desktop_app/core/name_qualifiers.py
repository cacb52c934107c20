"""A company name's qualifier, and the name without it: a part in brackets ending it ("Spago (Los
Angeles)"), a filing's state of incorporation after a slash ("BANK OF AMERICA CORP /DE/"), or another
name the entity trades or traded under ("Acme Corp d/b/a Roadrunner"). The matching passes compare a
name without its qualifier as a second key (``matching_features``, ``matching_names``)."""

from __future__ import annotations

import re

from desktop_app.core.normalize import clean_company_name_list

# A part in brackets ending a name: a branch or place ("Spago (Los Angeles)", "Acme [Berlin]").
_TRAILING_QUALIFIER = re.compile(r"(?s)(.*?\S)\s*(?:\([^()]*\)|\[[^\[\]]*\])\s*")
# SEC filings' company names end in the state of incorporation after a slash: "BANK OF AMERICA CORP /DE/",
# "WELLS FARGO & COMPANY/MN", "WALT DISNEY CO/", "LTD /NEW/". Taken as such after a space, or right after
# a legal form; "AC/DC" is a name.
_FILING_QUALIFIER = re.compile(r"(?s)(.*?\S)(\s*)/\s*(?:[A-Za-z]{2,3})?\s*/?\s*")
_FORMS_BEFORE_FILING_QUALIFIER = frozenset({
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "lp", "plc", "trust",
    "bancorp", "fund", "sa", "nv", "ag"})


def _without_filing_qualifier(name: str) -> str:
    match = _FILING_QUALIFIER.fullmatch(name)
    if match is None:
        return ""
    before, space = match.group(1), match.group(2)
    last_word = re.split(r"[\s,]+", before.rstrip(" .,"))[-1].lower()
    return before if space or last_word in _FORMS_BEFORE_FILING_QUALIFIER else ""


# A legal entity and the other name it trades or traded under: "Acme Corp d/b/a Roadrunner Supplies",
# "Smith Holdings Ltd t/a The Corner Shop", "Globex Corp f/k/a Initech". The entity's name is kept. The
# bare words "dba", "aka" and "fka" count only after a legal form or a comma ("DBA Solutions" is a name).
_OTHER_NAME = re.compile(r"(?i)\s+(?:d\s*/\s*b\s*/\s*a|d\.\s*b\.\s*a\.?|t\s*/\s*a|trading\s+as|a\s*/\s*k\s*/\s*a|"
                         r"f\s*/\s*k\s*/\s*a|formerly(?:\s+known\s+as)?)\s+\S")
_LOOSE_OTHER_NAME = re.compile(r"(?i)\s+(?:dba|aka|fka)\s+\S")


def _without_other_name(name: str) -> str:
    found = _OTHER_NAME.search(name)
    if found is not None:
        return name[:found.start()]
    loose = _LOOSE_OTHER_NAME.search(name)
    if loose is None:
        return ""
    before = name[:loose.start()]
    last_word = re.split(r"[\s,]+", before.rstrip(" ."))[-1].lower()
    return before if before.rstrip(" .").endswith(",") or last_word in _FORMS_BEFORE_FILING_QUALIFIER else ""


def _bare(name: str) -> str:
    other = _without_other_name(name)
    if other:
        return other
    bracketed = _TRAILING_QUALIFIER.fullmatch(name) if name.rstrip().endswith((")", "]")) else None
    return bracketed.group(1) if bracketed else _without_filing_qualifier(name)


def has_filing_qualifier(name: str) -> bool:
    """True when the qualifier ``names_without_qualifier`` leaves out of ``name`` is a filing's state of
    incorporation after a slash ("AMERICAN TOWER CORP /MA/"): no branch or place, no other name."""
    if "/" not in name or name.rstrip().endswith((")", "]")) or _without_other_name(name):
        return False
    return _without_filing_qualifier(name) != ""


def _may_have_qualifier(name: str) -> bool:
    lowered = name.lower()
    return (name.rstrip().endswith((")", "]")) or "/" in name or " dba " in lowered
            or " aka " in lowered or " fka " in lowered or " trading as " in lowered or "formerly" in lowered
            or "d.b.a" in lowered)


def names_without_qualifier(names: list[str]) -> list[str]:
    """For each name with a qualifier — a part in brackets ending it, a filing's state of incorporation
    after a slash, another name it trades under after "d/b/a" (or "t/a", "f/k/a", "formerly" …) — the
    name cleaned without it (``"Spago (Los Angeles)"`` → ``"spago"``, ``"BANK OF AMERICA CORP /DE/"`` →
    ``"bank of america"``, ``"Acme Corp d/b/a Roadrunner"`` → ``"acme"``); "" for a name without one,
    or with nothing left."""
    out = [""] * len(names)
    ending = [i for i, name in enumerate(names) if _may_have_qualifier(name)]
    bare = [_bare(names[i]) for i in ending]
    for i, clean in zip(ending, clean_company_name_list(bare), strict=True):
        out[i] = clean
    return out
