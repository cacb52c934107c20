"""The attributes matching compares, per record, and their comparison per candidate pair.

Each record's normalised attributes are computed once, on first use, per distinct value. A pair's
comparison of one field is an agreement *level*: ``-1`` missing on either side, ``0`` disagree, up
to the field's top level (exact agreement). Levels in between are partial agreement (a similar
name, the same street name with another number, a postcode one character off).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from desktop_app.core.matching_ledger import IntArray, Side, TextArray
from desktop_app.core.normalize import domains_of, is_free_mail_domain
from desktop_app.core.normalize_fields import (
    city_key,
    email_key,
    map_distinct,
    map_distinct_pairs,
    person_name_key,
    phone_e164,
    postcode_key,
    sorted_words,
    state_key,
    street_parts,
)

# Field → its top level. Order is the order evidence is listed in.
FIELD_LEVELS: dict[str, int] = {
    "name": 3, "domain": 1, "email": 1, "street": 3, "postcode": 2, "city": 2, "state": 1, "phone": 2,
    "country": 1, "currency": 1,
}
FIELDS: tuple[str, ...] = tuple(FIELD_LEVELS)
# Fields whose exact agreement is weighed by how common the agreeing value is.
TF_FIELDS: dict[str, str] = {"name": "sorted_name", "street": "street_key", "postcode": "postcode",
                             "city": "city", "phone": "phone", "domain": "domain", "email": "email"}
# Where a place is: agreeing names that disagree on one of these are namesakes, not the same record.
PLACE_FIELDS: tuple[str, ...] = ("street", "postcode", "phone")

NAME_SIMILAR, NAME_CLOSE = 92.0, 80.0
STREET_SIMILAR = 85.0
CITY_SIMILAR = 85.0


def record_domains(side: Side, positions: IntArray) -> TextArray:
    """Each record's website domain, or, without a website, the domain of its e-mail address
    unless that is a public mailbox provider ("" when there is none)."""
    website = pd.Series(side.column("website", positions), dtype=object)
    domain = domains_of(website).to_numpy(dtype=object, copy=True)
    no_site = domain == ""
    email = pd.Series(side.column("email", positions[no_site]), dtype=object)
    mail_domain = domains_of(email).to_numpy(dtype=object)
    free = np.array([is_free_mail_domain(d) for d in mail_domain.tolist()], dtype=bool)
    domain[no_site] = np.where(free, "", mail_domain)
    return domain


def _street(values: pd.Series) -> tuple[TextArray, TextArray]:
    parts = map_distinct(values, lambda text: "\t".join(street_parts(text))).tolist()
    number = np.array([part.partition("\t")[0] for part in parts], dtype=object)
    name = np.array([part.partition("\t")[2] for part in parts], dtype=object)
    return number, name


def _group(side: Side, group: str, positions: IntArray) -> dict[str, TextArray]:
    """The features of one group for the records at ``positions``."""
    def column(name: str) -> pd.Series:
        return pd.Series(side.column(name, positions), dtype=object)

    if group == "names":
        clean = side.clean_names(positions)
        return {"clean_name": clean,
                "sorted_name": map_distinct(pd.Series(clean, dtype=object), sorted_words),
                "legal_name": map_distinct(column("legal_name"), person_name_key)}
    if group == "street":
        number, street = _street(column("street"))
        return {"number": number, "street": street,
                "street_key": np.where(street != "", number + " " + street, "").astype(object)}
    if group in ("state", "phone"):
        country = pd.Series(side.country_codes(positions), dtype=object)
        return {group: map_distinct_pairs(column(group), country, state_key if group == "state" else phone_e164)}
    if group == "domain":
        return {"domain": record_domains(side, positions)}
    if group == "country":
        return {"country": side.country_codes(positions)}
    if group == "currency":
        return {"currency": np.char.upper(column("currency").fillna("").astype(str).to_numpy(dtype=str)).astype(object)}
    single: dict[str, Callable[[str], str]] = {"email": email_key, "postcode": postcode_key, "city": city_key}
    return {group: map_distinct(column(group), single[group])}


# Feature groups, computed together; ``compare`` compares the fields whose groups it is given.
GROUPS: tuple[str, ...] = ("names", "domain", "email", "street", "postcode", "city", "state", "phone", "country",
                           "currency")
PLACE_GROUPS: tuple[str, ...] = ("email", "street", "postcode", "phone")


def features(side: Side, positions: IntArray, groups: tuple[str, ...] = GROUPS) -> dict[str, TextArray]:
    """The normalised attributes of ``groups`` for ``positions`` (each computed once per record,
    on first use)."""
    cache = side.cache
    out: dict[str, TextArray] = {}
    for group in groups:
        done = cache.get(f"_done_{group}")
        if done is None:
            done = np.zeros(len(side.ids), dtype=bool)
            cache[f"_done_{group}"] = done
        missing = np.unique(positions[~done[positions]])
        if len(missing) or f"_names_{group}" not in cache:
            computed = _group(side, group, missing)
            cache[f"_names_{group}"] = np.array(list(computed), dtype=object)
            for name, values in computed.items():
                if name not in cache:
                    cache[name] = np.full(len(side.ids), "", dtype=object)
                cache[name][missing] = values
            done[missing] = True
        for name in cache[f"_names_{group}"].tolist():
            out[name] = cache[name][positions]
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
    """Agreement level of every field for pairs whose features are ``acc[i]`` and ``cus[i]``
    (-1, missing, for a field whose features are not given)."""
    size = len(next(iter(acc.values()))) if acc else 0
    out: dict[str, np.ndarray] = {field: np.full(size, -1, dtype=np.int8) for field in FIELDS}
    if "clean_name" in acc:
        out["name"] = _compare_names(acc, cus)
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
        out["city"] = _levels(present, _similarity(a, c, fuzz.ratio) >= CITY_SIMILAR, present & (a == c))
    if "phone" in acc:
        a, c = acc["phone"], cus["phone"]
        present = _present(a, c)
        tail = np.array([x[-7:] for x in a.tolist()], dtype=object) == np.array([x[-7:] for x in c.tolist()],
                                                                                   dtype=object)
        out["phone"] = _levels(present, present & tail, present & (a == c))
    return out


def _compare_names(acc: dict[str, TextArray], cus: dict[str, TextArray]) -> np.ndarray:
    names_present = _present(acc["clean_name"], cus["clean_name"])
    exact = names_present & ((acc["clean_name"] == cus["clean_name"]) | (acc["sorted_name"] == cus["sorted_name"]) |
                             (acc["sorted_name"] == cus["legal_name"]))
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
    low = np.flatnonzero(names_present & ~exact & (name_score < NAME_CLOSE))
    if len(low):  # a shared word (a family name, a brand) is a partial agreement
        shared = np.asarray(process.cpdist(list(acc["sorted_name"][low]), list(cus["sorted_name"][low]),
                                           scorer=fuzz.partial_token_set_ratio, workers=-1)) >= 100
        name_score[low[shared]] = NAME_CLOSE
    return _levels(names_present, name_score >= NAME_CLOSE, name_score >= NAME_SIMILAR, exact)


def _compare_streets(acc: dict[str, TextArray], cus: dict[str, TextArray]) -> np.ndarray:
    street_present = _present(acc["street"], cus["street"])
    same_street = street_present & (acc["street"] == cus["street"])
    street_score = np.maximum(_similarity(acc["street"], cus["street"], fuzz.ratio),
                              _similarity(acc["street"], cus["street"], fuzz.token_set_ratio))
    first_word = np.array([s.split(" ", 1)[0] for s in acc["street"].tolist()], dtype=object) == \
        np.array([s.split(" ", 1)[0] for s in cus["street"].tolist()], dtype=object)
    street_similar = same_street | (street_score >= STREET_SIMILAR) | (street_present & first_word)
    # A number written on one side only is not another number.
    same_number = (acc["number"] == cus["number"]) | (acc["number"] == "") | (cus["number"] == "")
    # Two digits swapped or one mistyped in a number of two digits or more ("46" / "64") is the same number.
    unsure = np.flatnonzero(~same_number)
    if len(unsure):
        a_num, c_num = acc["number"][unsure], cus["number"][unsure]
        close = np.asarray(process.cpdist(list(a_num), list(c_num), scorer=OSA.distance, workers=-1)) <= 1
        long_enough = np.array([min(len(x), len(y)) >= 2 for x, y in zip(a_num.tolist(), c_num.tolist(),
                                                                        strict=True)], dtype=bool)
        same_number[unsure[close & long_enough]] = True
    return _levels(street_present, street_similar, (street_similar | (street_score >= 60)) & same_number,
                            same_street & same_number)


def _compare_postcodes(a: TextArray, c: TextArray) -> np.ndarray:
    present = _present(a, c)
    near = np.zeros(len(a), dtype=bool)
    differ = np.flatnonzero(present & (a != c))
    if len(differ):
        near[differ] = np.asarray(process.cpdist(list(a[differ]), list(c[differ]), scorer=OSA.distance,
                                                 workers=-1)) <= 1
    return _levels(present, near, present & (a == c))


def compare_pairs(accounts: Side, acc: IntArray, customers: Side, cus: IntArray,
                  groups: tuple[str, ...] = GROUPS) -> dict[str, np.ndarray]:
    """Agreement levels of the fields of ``groups`` for the pairs (``acc[i]``, ``cus[i]``)."""
    return compare(features(accounts, acc, groups), features(customers, cus, groups))


def namesakes(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs whose names agree (exactly or nearly) but whose place differs (``place_differs``)."""
    result: np.ndarray = (levels["name"] >= 2) & place_differs(levels)
    return result


def place_differs(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs in another place: another house number or street, another postcode or another phone,
    with nothing that confirms the place (the same street and number, postcode, phone or e-mail)."""
    differs = ((levels["street"] >= 0) & (levels["street"] <= 1)) | (levels["postcode"] == 0) | (levels["phone"] == 0)
    confirms = (levels["street"] >= 2) | (levels["postcode"] == 2) | (levels["phone"] >= 1) | (levels["email"] == 1)
    result: np.ndarray = differs & ~confirms
    return result


def renamed(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs whose names disagree: only suggested unless the street and its number agree, and so
    do the phone, the e-mail address or the postcode."""
    vouched = (levels["street"] >= 2) & ((levels["phone"] >= 1) | (levels["email"] == 1) | (levels["postcode"] == 2))
    result: np.ndarray = (levels["name"] == 0) & ~vouched
    return result


def place_agreements(levels: dict[str, np.ndarray]) -> np.ndarray:
    """How far street, postcode, phone and e-mail agree: the sum of their levels (a tie-breaker)."""
    count = np.zeros(len(levels["name"]), dtype=np.int64)
    for field in (*PLACE_FIELDS, "email"):
        count += np.maximum(levels[field], 0)
    return count
