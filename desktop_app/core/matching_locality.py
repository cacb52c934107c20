"""Postcode, city, state and country weighed as one piece of evidence: the locality.

One postcode implies its city, its state and its country, so weighing each as an independent field
counts one fact up to four times: two unrelated firms in the same town would share "postcode, city,
country" and look nearly certain. The model weighs instead one hierarchical comparison (as splink's
comparison levels do): the closest way the two places agree, with its own m and u. The four fields
keep their own levels, so every decision still says which of them agreed; the locality's weight is
shown under the field that decided its level (``deciding_field``).
"""

from __future__ import annotations

import numpy as np

LOCALITY = "locality"
LOCALITY_FIELDS: tuple[str, ...] = ("postcode", "city", "state", "country")

# Levels, roughly from the loosest agreement to the closest (-1: none of the four on both sides). They
# are ordered only in part, so no level weighs more than the top or less than disagreeing, but a
# level may weigh more than one listed after it (matching_fs.Model.weights).
DISAGREE = 0  # every field present on both sides differs
COUNTRY_OR_STATE = 1  # only the state or the country agrees
CITY_OTHER_POSTCODE = 2  # the same city with another postcode
NEAR_OTHER = 3  # a postcode one character off or a similar city, the other differs
NEAR = 4  # a postcode one character off or a similar city, the other missing on one side
NEAR_POSTCODE_NEAR_CITY = 5  # a postcode one character off and a similar city
CITY = 6  # the same city, no postcode on one side
POSTCODE_OTHER_CITY = 7  # the same postcode with another city
NEAR_POSTCODE_CITY = 8  # the same city with a postcode one character off
POSTCODE = 9  # the same postcode, no city on one side
POSTCODE_NEAR_CITY = 10  # the same postcode and a similar city
POSTCODE_CITY = 11  # the same postcode and the same city
TOP = POSTCODE_CITY

# Levels where a value agrees exactly, and which (see ``tf_key``): their weight follows how common it is.
TF_LEVELS: dict[int, str] = {
    POSTCODE_CITY: "postcode_city",
    POSTCODE_NEAR_CITY: "postcode", POSTCODE: "postcode", POSTCODE_OTHER_CITY: "postcode",
    NEAR_POSTCODE_CITY: "city", CITY: "city", CITY_OTHER_POSTCODE: "city",
}

# The per-field levels this module reads (see matching_features): postcode 2 exact · 1 one character
# off; city 2 exact · 1 similar; state and country 1 agree; 0 disagree; -1 missing.
_EXACT, _NEAR = 2, 1


def locality_levels(levels: dict[str, np.ndarray]) -> np.ndarray:
    """The locality level of each pair from the per-field levels of postcode, city, state, country."""
    postcode, city = levels["postcode"], levels["city"]
    state, country = levels["state"], levels["country"]
    result = np.full(len(postcode), -1, dtype=np.int8)
    present = (postcode >= 0) | (city >= 0) | (state >= 0) | (country >= 0)
    result[present] = DISAGREE
    # From the loosest agreement to the closest: each later rule overwrites the earlier ones.
    steps = (
        ((country == 1) | (state == 1), COUNTRY_OR_STATE),
        ((city == _EXACT) & (postcode == 0), CITY_OTHER_POSTCODE),
        ((postcode == _NEAR) | (city == _NEAR), NEAR_OTHER),
        (((postcode == _NEAR) & (city < 0)) | ((city == _NEAR) & (postcode < 0)), NEAR),
        ((postcode == _NEAR) & (city == _NEAR), NEAR_POSTCODE_NEAR_CITY),
        ((city == _EXACT) & (postcode < 0), CITY),
        ((postcode == _EXACT) & (city == 0), POSTCODE_OTHER_CITY),
        ((city == _EXACT) & (postcode == _NEAR), NEAR_POSTCODE_CITY),
        ((postcode == _EXACT) & (city < 0), POSTCODE),
        ((postcode == _EXACT) & (city == _NEAR), POSTCODE_NEAR_CITY),
        ((postcode == _EXACT) & (city == _EXACT), POSTCODE_CITY),
    )
    for reached, level in steps:
        result[reached] = level
    return result


def deciding_field(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Per pair, the index in ``LOCALITY_FIELDS`` of the field that decided its locality level (-1
    when none is present): the postcode where it agrees, else the city where it agrees, else the
    nearer of the two, else the state or the country; for a locality that disagrees, the finest
    field present."""
    locality = levels[LOCALITY]
    postcode = levels["postcode"]
    field = np.full(len(locality), -1, dtype=np.int8)
    for index, name in reversed(list(enumerate(LOCALITY_FIELDS))):  # finest present field last, so it wins
        field[(locality == DISAGREE) & (levels[name] >= 0)] = index
    coarse = locality == COUNTRY_OR_STATE
    field[coarse] = np.where(levels["state"][coarse] == 1, LOCALITY_FIELDS.index("state"),
                             LOCALITY_FIELDS.index("country"))
    near = np.isin(locality, (NEAR_OTHER, NEAR, NEAR_POSTCODE_NEAR_CITY))
    field[near] = np.where(postcode[near] == _NEAR, 0, 1)
    field[locality >= POSTCODE_OTHER_CITY] = LOCALITY_FIELDS.index("postcode")
    field[np.isin(locality, (CITY_OTHER_POSTCODE, CITY, NEAR_POSTCODE_CITY))] = LOCALITY_FIELDS.index("city")
    return field


def spread(levels: dict[str, np.ndarray], weight: np.ndarray) -> dict[str, np.ndarray]:
    """The locality's ``weight`` per field of ``LOCALITY_FIELDS``: all of it under the deciding
    field, 0 under the others (their agreement is already counted in it)."""
    field = deciding_field(levels)
    return {name: np.where(field == index, weight, 0.0) for index, name in enumerate(LOCALITY_FIELDS)}


def tf_key(found: dict[str, np.ndarray], key: str) -> np.ndarray:
    """The value whose frequency weighs a ``TF_LEVELS`` agreement: the postcode, the city, or both
    together ("" where a part is missing). ``found``: features with ``postcode`` and ``city``."""
    if key != "postcode_city":
        result: np.ndarray = found[key]
        return result
    postcode, city = found["postcode"], found["city"]
    joint: np.ndarray = np.where((postcode != "") & (city != ""), postcode + "|" + city, "").astype(object)
    return joint
