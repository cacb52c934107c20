"""The attributes matching compares, per record, and their comparison per candidate pair.

Each record's normalised attributes are computed once, on first use, per distinct value. A pair's
comparison of one field is an agreement *level*: ``-1`` missing on either side, ``0`` disagree, up
to the field's top level (exact agreement). Levels in between are partial agreement (a similar
name, the same street name with another number, a postcode one character off).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from desktop_app.core.matching_distinct import DistinctValues, Normaliser, one_per_value, reuse_equal
from desktop_app.core.matching_ledger import IntArray, Side, TextArray
from desktop_app.core.matching_locality import LOCALITY, LOCALITY_FIELDS, locality_levels
from desktop_app.core.matching_locality import TOP as LOCALITY_TOP
from desktop_app.core.matching_words import shares_word
from desktop_app.core.name_qualifiers import names_without_qualifier
from desktop_app.core.normalize import (
    clean_company_name_list,
    domain_or_empty,
    is_free_mail_domain,
)
from desktop_app.core.normalize_fields import (
    city_key,
    email_key,
    postcode_keys,
    sorted_words,
    state_key,
    street_parts,
    street_without_type,
)
from desktop_app.core.phone_keys import phone_keys
from desktop_app.core.progress import CancelToken

# Field → its top level. Order is the order evidence is listed in.
FIELD_LEVELS: dict[str, int] = {
    "name": 4, "domain": 1, "email": 1, "street": 3, "postcode": 2, "city": 2, "state": 1, "phone": 2,
    "country": 1, "currency": 1,
}
FIELDS: tuple[str, ...] = tuple(FIELD_LEVELS)
# What the model weighs: the fields, with postcode, city, state and country as one locality (matching_locality).
MODEL_LEVELS: dict[str, int] = {
    **{field: top for field, top in FIELD_LEVELS.items() if field not in LOCALITY_FIELDS}, LOCALITY: LOCALITY_TOP,
}
MODEL_FIELDS: tuple[str, ...] = tuple(MODEL_LEVELS)
# Fields whose exact agreement is weighed by how common the agreeing value is (the locality: ``TF_LEVELS``).
TF_FIELDS: dict[str, str] = {"name": "sorted_name", "street": "street_key", "phone": "phone", "domain": "domain",
                             "email": "email"}
# The feature group each of them is computed in (see ``features``).
TF_GROUPS: dict[str, str] = {"name": "names", "street": "street", "phone": "phone", "domain": "domain",
                             "email": "email"}
# Where a place is: agreeing names that disagree on one of these are namesakes, not the same record.
PLACE_FIELDS: tuple[str, ...] = ("street", "postcode", "phone")

NAME_SIMILAR, NAME_CLOSE = 92.0, 80.0
# Name levels: 0 disagree · 1 a shared word · 2 ≥ NAME_CLOSE similar · 3 ≥ NAME_SIMILAR · 4 exact.
NAME_NEARLY_AGREES = 3
# Beside the fields' levels: pairs whose names agree (top level) only without a qualifier.
NAME_QUALIFIER = "name_qualifier"
STREET_SIMILAR = 85.0
CITY_SIMILAR = 85.0


def record_domains(side: Side, positions: IntArray) -> TextArray:
    """Each record's website domain, or, without a website, the domain of its e-mail address
    unless that is a public mailbox provider ("" when there is none). Computed once per record."""
    return features(side, positions, ("domain",))["domain"]


def _website_domains(websites: list[Any]) -> dict[str, Sequence[str]]:
    return {"site": one_per_value(reuse_equal(websites, [domain_or_empty(text) for text in websites]))}


def _mail_domains(emails: list[Any]) -> dict[str, Sequence[str]]:
    """The domain of each address, "" for a public mailbox provider."""
    domains = [domain_or_empty(text) for text in emails]
    return {"mail": ["" if is_free_mail_domain(domain) else domain for domain in domains]}


def _streets(streets: list[Any]) -> dict[str, Sequence[str]]:
    parts = [street_parts(text) for text in streets]
    return {"number": one_per_value([number for number, _ in parts]),
            "street": one_per_value([name for _, name in parts]),
            "street_bare": one_per_value([street_without_type(name) for _, name in parts]),
            "street_key": [f"{number} {name}" if name else "" for number, name in parts]}


def _legal_names(names: list[Any]) -> dict[str, Sequence[str]]:
    """The legal name cleaned (passes 4 and 5 compare it), and its words sorted as a person-like name."""
    clean = clean_company_name_list(names)
    return {"legal_clean": clean, "legal_name": reuse_equal(clean, [sorted_words(name) for name in clean])}


def _cities(keys: list[str]) -> dict[str, Sequence[str]]:
    """Each city's key, and its stem: the key without a trailing word "city" ("new york city")."""
    return {"city": keys, "city_stem": [key[:-5] if key.endswith(" city") else key for key in keys]}


def _with_country(function: Callable[[str, str], str], name: str) -> Normaliser:
    return lambda pairs: {name: [function(value, country) for value, country in pairs]}


def _each(function: Callable[[str], str], name: str) -> Normaliser:
    return lambda texts: {name: [function(text) for text in texts]}


# Group → (the column it reads, whether the record's country takes part, how its distinct values are normalised).
_DISTINCT_GROUPS: dict[str, tuple[str, bool, Normaliser]] = {
    "legal_name": ("legal_name", False, _legal_names),
    "bare_name": ("name", False, lambda names: {"bare_name": names_without_qualifier(names)}),
    "website": ("website", False, _website_domains),
    "mail_domain": ("email", False, _mail_domains),
    "email": ("email", False, lambda emails: {"email": reuse_equal(emails, [email_key(text) for text in emails])}),
    "street": ("street", False, _streets),
    "postcode": ("postcode", False, lambda codes: {"postcode": reuse_equal(codes, postcode_keys(codes))}),
    "city": ("city", False, lambda cities: _cities([city_key(city) for city in cities])),
    "currency": ("currency", False, _each(lambda text: text.strip().upper(), "currency")),
    "state": ("state", True, _with_country(state_key, "state")),
    "phone": ("phone", True, lambda pairs: {"phone": phone_keys(pairs)}),
}


def _distinct(side: Side, group: str, positions: IntArray) -> dict[str, TextArray]:
    """The outputs of a ``_DISTINCT_GROUPS`` group for ``positions``."""
    column, by_country, normalise = _DISTINCT_GROUPS[group]
    table_name = f"{column} by country" if by_country else column
    table = side.distinct.get(table_name)
    if table is None:
        # One table for both sides: a value both files hold (a city, the same street) is normalised once.
        sides = side.both_sides()
        values = np.concatenate([each.raw_column(column) for each in sides])
        if by_country:
            countries = np.concatenate([each.country_codes(np.arange(len(each.ids))) for each in sides])
            table = DistinctValues.of_pairs(values, countries)
        else:
            table = DistinctValues.of_texts(values)
        for each in sides:
            each.distinct[table_name] = table
    return table.at(positions + side.distinct_offset, group, normalise)


def _known(side: Side, group: str, positions: IntArray) -> np.ndarray:
    """Which of ``positions`` have the outputs of a ``_DISTINCT_GROUPS`` group worked out already."""
    column, by_country, _ = _DISTINCT_GROUPS[group]
    table = side.distinct.get(f"{column} by country" if by_country else column)
    return np.zeros(len(positions), dtype=bool) if table is None else table.known(
        positions + side.distinct_offset, group)


def known_domains(side: Side, positions: IntArray) -> np.ndarray:
    """Which of ``positions`` have their ``record_domains`` worked out already (reading them then
    normalises nothing: for a hint that must not cost a pass's worth of normalising at a million)."""
    known = _known(side, "website", positions)
    at = np.flatnonzero(known)
    no_site = at[_distinct(side, "website", positions[at])["site"] == ""]
    known[no_site] = _known(side, "mail_domain", positions[no_site])
    return known


def _group(side: Side, group: str, positions: IntArray) -> dict[str, TextArray]:
    """The features of one group for the records at ``positions``."""
    if group == "domain":  # the website's, else the e-mail's unless a public mailbox provider
        domain = _distinct(side, "website", positions)["site"]
        no_site = np.flatnonzero(domain == "")
        domain[no_site] = _distinct(side, "mail_domain", positions[no_site])["mail"]
        return {"domain": domain}
    if group == "country":
        return {"country": side.country_codes(positions)}
    return _distinct(side, group, positions)


# Feature groups, computed together; ``compare`` compares the fields whose groups it is given.
GROUPS: tuple[str, ...] = ("names", "domain", "email", "street", "postcode", "city", "state", "phone", "country",
                           "currency")
PLACE_GROUPS: tuple[str, ...] = ("email", "street", "postcode", "phone")


def _names(side: Side, positions: IntArray) -> dict[str, TextArray]:
    """Cleaned name, its words sorted, the cleaned name without its qualifier ("" without one), and the
    customer's legal name as a person-like name."""
    return {**side.name_keys(positions), "bare_name": _distinct(side, "bare_name", positions)["bare_name"],
            "legal_name": _distinct(side, "legal_name", positions)["legal_name"]}


def bare_names(side: Side, positions: IntArray) -> TextArray:
    """The cleaned names of ``positions`` without their qualifier ("" for a name without one)."""
    return _distinct(side, "bare_name", positions)["bare_name"]


def clean_legal_names(side: Side, positions: IntArray) -> TextArray:
    """The customer's cleaned legal name of ``positions`` ("" without one); each distinct name cleaned once."""
    return _distinct(side, "legal_name", positions)["legal_clean"]


def features(side: Side, positions: IntArray, groups: tuple[str, ...] = GROUPS) -> dict[str, TextArray]:
    """The normalised attributes of ``groups`` for ``positions`` (each distinct value normalised
    once, on first use)."""
    out: dict[str, TextArray] = {}
    for group in groups:
        out.update(_names(side, positions) if group == "names" else _group(side, group, positions))
    return out


def _similarity(left: TextArray, right: TextArray, scorer: Callable[..., float]) -> np.ndarray:
    scores = np.zeros(len(left))
    both = np.flatnonzero((left != "") & (right != ""))
    if len(both):
        scores[both] = process.cpdist(list(left[both]), list(right[both]), scorer=scorer, workers=-1)
    return scores


def _present(a: TextArray, c: TextArray) -> np.ndarray:
    result: np.ndarray = (a != "") & (c != "")
    return result


def _levels(present: np.ndarray, *steps: np.ndarray) -> np.ndarray:
    """-1 where not ``present``, else the number of the highest true step (``steps`` low → high)."""
    level = np.zeros(len(present), dtype=np.int8)
    for number, reached in enumerate(steps, start=1):
        level[reached] = number
    level[~present] = -1
    return level


def compare(acc: dict[str, TextArray], cus: dict[str, TextArray]) -> dict[str, np.ndarray]:
    """Agreement level of every field, and of the locality they make up, for pairs whose features
    are ``acc[i]`` and ``cus[i]`` (-1, missing, for a field whose features are not given)."""
    size = len(next(iter(acc.values()))) if acc else 0
    out: dict[str, np.ndarray] = {field: np.full(size, -1, dtype=np.int8) for field in FIELDS}
    if "clean_name" in acc:
        out["name"], out[NAME_QUALIFIER] = _compare_names(acc, cus)
    for field in ("domain", "email", "state", "country", "currency"):
        if field in acc:
            a, c = acc[field], cus[field]
            out[field] = _levels(_present(a, c), a == c)
    if "street" in acc:
        out["street"] = _compare_streets(acc, cus)
    if "postcode" in acc:
        out["postcode"] = _compare_postcodes(acc["postcode"], cus["postcode"])
    if "city" in acc:
        a, c = acc["city"], cus["city"]
        present = _present(a, c)
        same = present & (a == c)
        # "new york city" / "new york" is similar, not the same.
        near = same | (acc["city_stem"] == cus["city_stem"]) & present
        near |= _similarity_where(a, c, present & ~near, fuzz.ratio) >= CITY_SIMILAR
        out["city"] = _levels(present, near, same)
    if "phone" in acc:
        a, c = acc["phone"], cus["phone"]
        present = _present(a, c)
        same = present & (a == c)
        tail = same.copy()
        differ = np.flatnonzero(present & ~same)
        tail[differ] = [x[-7:] == y[-7:] for x, y in zip(a[differ].tolist(), c[differ].tolist(), strict=True)]
        out["phone"] = _levels(present, tail, same)
    out[LOCALITY] = locality_levels(out)
    return out


def _similarity_where(left: TextArray, right: TextArray, where: np.ndarray, scorer: Callable[..., float]) -> np.ndarray:
    """``scorer`` of the pairs ``where`` is true (0 elsewhere)."""
    scores = np.zeros(len(left))
    at = np.flatnonzero(where)
    if len(at):
        scores[at] = process.cpdist(list(left[at]), list(right[at]), scorer=scorer, workers=-1)
    return scores


def _without_qualifier(acc: dict[str, TextArray], cus: dict[str, TextArray]) -> np.ndarray:
    """Pairs one of whose names is the other's without its qualifier ("spago (los angeles)" / "spago",
    ``names_without_qualifier``). Two names whose brackets differ ("(beverly hills)" / "(los angeles)") are
    not."""
    a_bare, c_bare = acc.get("bare_name"), cus.get("bare_name")
    if a_bare is None or c_bare is None:
        return np.zeros(len(acc["clean_name"]), dtype=bool)
    result: np.ndarray = (((a_bare != "") & (a_bare == cus["clean_name"]))
                          | ((c_bare != "") & (c_bare == acc["clean_name"])))
    return result


def _compare_names(acc: dict[str, TextArray], cus: dict[str, TextArray]) -> tuple[np.ndarray, np.ndarray]:
    """The name's levels, and which pairs agree only without a qualifier (``names_without_qualifier``)."""
    names_present = _present(acc["clean_name"], cus["clean_name"])
    exact = names_present & ((acc["clean_name"] == cus["clean_name"]) | (acc["sorted_name"] == cus["sorted_name"]) |
                             (acc["sorted_name"] == cus["legal_name"]))
    qualified = names_present & ~exact & _without_qualifier(acc, cus)
    exact |= qualified
    loose = names_present & ~exact
    name_score = np.zeros(len(exact))
    if loose.any():
        at = np.flatnonzero(loose)
        pick = {k: v[at] for k, v in acc.items()}
        other = {k: v[at] for k, v in cus.items()}
        name_score[at] = np.maximum.reduce([
            _similarity(pick["clean_name"], other["clean_name"], fuzz.ratio),
            _similarity(pick["sorted_name"], other["sorted_name"], fuzz.ratio),
            _similarity(pick["sorted_name"], other["legal_name"], fuzz.ratio),
        ])
        # A space typed inside a word or lost between two ("cait lin" / "caitlin") is the same name
        # (such names are always ≥ NAME_CLOSE alike, so only those are looked at).
        close = np.flatnonzero(name_score[at] >= NAME_CLOSE)
        exact[at[close]] = (_without_spaces(pick["clean_name"][close]) ==
                            _without_spaces(other["clean_name"][close]))
    shared = np.zeros(len(exact), dtype=bool)
    low = np.flatnonzero(names_present & ~exact & (name_score < NAME_CLOSE))
    if len(low):  # a shared word (a family name, a brand), exactly or within one typo, is a partial agreement
        shared[low] = shares_word(acc["sorted_name"][low], cus["sorted_name"][low])
        legal = np.flatnonzero(~shared[low] & (cus["legal_name"][low] != ""))
        if len(legal):
            shared[low[legal]] = shares_word(acc["sorted_name"][low[legal]], cus["legal_name"][low[legal]])
    levels = _levels(names_present, shared | (name_score >= NAME_CLOSE), name_score >= NAME_CLOSE,
                     name_score >= NAME_SIMILAR, exact)
    return levels, qualified


def _without_spaces(texts: TextArray) -> TextArray:
    result: TextArray = np.array([text.replace(" ", "") for text in texts.tolist()], dtype=object)
    return result


_DIRECTION_WORDS = frozenset({"n", "s", "e", "w", "ne", "nw", "se", "sw"})


def _first_name_word(street: str) -> str:
    """The first word of a street's name after a leading direction ("e 79th st" → "79th"): "e 79th st"
    and "e 67th st" do not share their name."""
    words = street.split(" ", 2)
    return words[1] if len(words) > 1 and words[0] in _DIRECTION_WORDS else words[0]


_STREET_NUMBER = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")


def _numbers_apart(left: str, right: str) -> bool:
    """Both street names are numbered (``street_parts`` writes "Ninth" as "9th") and not alike."""
    a, b = _STREET_NUMBER.findall(left), _STREET_NUMBER.findall(right)
    return bool(a) and bool(b) and a != b


def _compare_streets(acc: dict[str, TextArray], cus: dict[str, TextArray]) -> np.ndarray:
    a_street, c_street = acc["street"], cus["street"]
    street_present = _present(a_street, c_street)
    same_street = street_present & (a_street == c_street)
    if "street_bare" in acc:
        # A street type written on one side only ("n leavitt st" / "n leavitt") names the same street;
        # two different types ("n leavitt st" / "n leavitt ave") do not.
        a_bare, c_bare = acc["street_bare"], cus["street_bare"]
        same_street |= street_present & (a_bare == c_bare) & ((a_bare == a_street) != (c_bare == c_street))
    # Only streets written differently need scoring: equal ones score 100 and share their first word.
    differ = street_present & ~same_street
    street_score = np.where(same_street, 100.0, np.maximum(_similarity_where(a_street, c_street, differ, fuzz.ratio),
                                                           _similarity_where(a_street, c_street, differ,
                                                                             fuzz.token_set_ratio)))
    first_word = same_street.copy()
    at = np.flatnonzero(differ)
    pairs = list(zip(a_street[at].tolist(), c_street[at].tolist(), strict=True))
    first_word[at] = [_first_name_word(x) == _first_name_word(y) for x, y in pairs]
    # Numbered streets with other numbers ("e 79th st" / "e 67th st") are other streets, however alike written.
    numbered_apart = np.zeros(len(a_street), dtype=bool)
    numbered_apart[at] = [_numbers_apart(x, y) for x, y in pairs]
    street_score[numbered_apart] = 0.0
    street_similar = same_street | (street_score >= STREET_SIMILAR) | (first_word & ~numbered_apart)
    # A number written on one side only is not another number.
    written_alike = (acc["number"] == cus["number"]) | (acc["number"] == "") | (cus["number"] == "")
    same_number = written_alike.copy()
    # Two digits swapped or one mistyped in a number of two digits or more ("46" / "64") is the same number.
    unsure = np.flatnonzero(~same_number)
    if len(unsure):
        a_num, c_num = acc["number"][unsure], cus["number"][unsure]
        close = np.asarray(process.cpdist(list(a_num), list(c_num), scorer=OSA.distance, workers=-1)) <= 1
        long_enough = np.array([min(len(x), len(y)) >= 2 for x, y in zip(a_num.tolist(), c_num.tolist(),
                                                                        strict=True)], dtype=bool)
        same_number[unsure[close & long_enough]] = True
    # A number one digit off is a typo on the same street; on a street that only looks alike ("520 e
    # 79th st" / "500 e 67th st") it is another address, so there the number must be written alike.
    number_fits = (street_similar & same_number) | ((street_score >= 60) & written_alike)
    return _levels(street_present, street_similar, number_fits, same_street & same_number)


def _compare_postcodes(a: TextArray, c: TextArray) -> np.ndarray:
    present = _present(a, c)
    near = np.zeros(len(a), dtype=bool)
    differ = np.flatnonzero(present & (a != c))
    if len(differ):
        near[differ] = np.asarray(process.cpdist(list(a[differ]), list(c[differ]), scorer=OSA.distance,
                                                 workers=-1)) <= 1
    return _levels(present, near, present & (a == c))


# Pairs compared together. Comparing is per pair, so slices give the same levels; a slice bounds the
# features held at once (pass 7 compares ~10 million candidate pairs at 1M × 1M: 2.5 GB in one go).
COMPARE_SLICE = 250_000


def compare_pairs(accounts: Side, acc: IntArray, customers: Side, cus: IntArray,
                  groups: tuple[str, ...] = GROUPS, cancel: CancelToken | None = None) -> dict[str, np.ndarray]:
    """Agreement levels of the fields of ``groups`` for the pairs (``acc[i]``, ``cus[i]``), worked
    out ``COMPARE_SLICE`` pairs at a time (``cancel`` is looked at between slices)."""
    if len(acc) <= COMPARE_SLICE:
        return compare(features(accounts, acc, groups), features(customers, cus, groups))
    parts = []
    for start in range(0, len(acc), COMPARE_SLICE):
        if cancel is not None:
            cancel.raise_if_cancelled()
        a, c = acc[start:start + COMPARE_SLICE], cus[start:start + COMPARE_SLICE]
        parts.append(compare(features(accounts, a, groups), features(customers, c, groups)))
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def namesakes(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs whose names agree (exactly or nearly) but whose place differs (``place_differs``)."""
    result: np.ndarray = (levels["name"] >= NAME_NEARLY_AGREES) & place_differs(levels)
    return result


def place_differs(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs in another place: another house number or street, another postcode or another phone,
    with nothing that confirms the place (the same street and number, postcode, phone or e-mail)."""
    street_differs = (levels["street"] >= 0) & (levels["street"] <= 1)
    differs = street_differs | (levels["postcode"] == 0) | (levels["phone"] == 0)
    # A postcode is shared by a whole district (a US ZIP by some 10,000 homes): it does not speak for
    # the place when the street and the phone both say otherwise.
    postcode_confirms = (levels["postcode"] == 2) & ~(street_differs & (levels["phone"] == 0))
    confirms = (levels["street"] >= 2) | postcode_confirms | (levels["phone"] >= 1) | (levels["email"] == 1)
    result: np.ndarray = differs & ~confirms
    return result


def renamed(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs whose names disagree: only suggested unless the street and its number agree, and so
    do the phone, the e-mail address or the postcode (each up to a typo)."""
    vouched = (levels["street"] >= 2) & ((levels["phone"] >= 1) | (levels["email"] == 1) | (levels["postcode"] >= 1))
    result: np.ndarray = (levels["name"] == 0) & ~vouched
    return result


def place_agreements(levels: dict[str, np.ndarray]) -> np.ndarray:
    """How far street, postcode, phone and e-mail agree: the sum of their levels (a tie-breaker)."""
    count = np.zeros(len(levels["name"]), dtype=np.int64)
    for field in (*PLACE_FIELDS, "email"):
        count += np.maximum(levels[field], 0)
    return count
