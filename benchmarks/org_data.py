"""A realistic two-source organisation data set with ground truth, for ``bench_peers.py``.

What makes real organisation data hard, generated on purpose:

* chains: several sites of one brand in the same city, with the same name and their own street,
  postcode and phone — a site present in one source only must not take a sibling's record;
* renamed sites: the second source calls a site by its branch ("Blue Fern Coffee - Oak St"), by a
  store number, or by a new owner's name, while street and phone agree;
* formatting noise: "Street"/"St.", "Suite 200"/"#200", house-number ranges ("8225-29"), ZIP+4,
  phones as "(415) 555-0123", "415.555.0123" or "+1 415 555 0123", a few typos and blanks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_BRAND_WORDS = ["Blue", "Fern", "Harbor", "Copper", "Maple", "Summit", "Golden", "Cedar", "River", "Stone",
                "Bright", "North", "Oak", "Silver", "Lucky", "Urban", "Pine", "Crown", "Metro", "Prairie"]
_TRADES = ["Coffee", "Dental", "Fitness", "Bakery", "Auto Repair", "Pharmacy", "Books", "Pizza", "Hardware",
           "Veterinary Clinic", "Cleaners", "Florist", "Optical", "Tacos", "Pet Supply"]
_FORMS = ["", "", " LLC", " Inc.", " Co."]
_STREETS = ["Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine", "Sunset",
            "Mission", "Valencia", "Broadway", "Market", "Church", "Jackson", "Lincoln", "Grant", "Franklin"]
_TYPES = [("Street", "St."), ("Avenue", "Ave"), ("Boulevard", "Blvd"), ("Road", "Rd"), ("Drive", "Dr")]
_CITIES = [("San Francisco", "CA", "941", "415"), ("Austin", "TX", "787", "512"), ("Denver", "CO", "802", "303"),
           ("Portland", "OR", "972", "503"), ("Chicago", "IL", "606", "312"), ("Boston", "MA", "021", "617")]
_OWNERS = ["Garcia", "Nguyen", "Patel", "Kowalski", "O'Brien", "Haddad", "Rossi", "Kim", "Schmidt", "Okafor"]


@dataclass(frozen=True)
class OrgData:
    """Two sources (columns id, given, surname, number, street, city, postcode, state, phone,
    country; the name is in ``surname``) and the true pairs (left id, right id)."""

    left: pd.DataFrame
    right: pd.DataFrame
    truth: set[tuple[str, str]]


def _phone_forms(rng: np.random.Generator, area: str, local: str) -> str:
    a, b = local[:3], local[3:]
    shapes = [f"({area}) {a}-{b}", f"{area}.{a}.{b}", f"+1 {area} {a} {b}", f"{area}-{a}-{b}", f"1{area}{a}{b}"]
    return shapes[int(rng.integers(len(shapes)))]


def _typo(rng: np.random.Generator, text: str) -> str:
    if len(text) < 4:
        return text
    at = int(rng.integers(1, len(text) - 1))
    return text[:at] + text[at + 1] + text[at] + text[at + 2:]


def generate(n_sites: int, *, seed: int = 11, chain_share: float = 0.5, left_only: float = 0.15,
             right_only: float = 0.15) -> OrgData:
    """``n_sites`` sites; about half belong to chains of 2–8 sites in one city. Each site is in
    the left source, the right source or both (the truth)."""
    rng = np.random.default_rng(seed)
    sites: list[dict[str, str]] = []
    while len(sites) < n_sites:
        brand = f"{_BRAND_WORDS[rng.integers(len(_BRAND_WORDS))]} {_BRAND_WORDS[rng.integers(len(_BRAND_WORDS))]} " \
                f"{_TRADES[rng.integers(len(_TRADES))]}"
        city, state, zip3, area = _CITIES[int(rng.integers(len(_CITIES)))]
        size = int(rng.integers(2, 9)) if rng.random() < chain_share else 1
        form = _FORMS[int(rng.integers(len(_FORMS)))]
        for store in range(size):
            kind = int(rng.integers(len(_TYPES)))
            sites.append({
                "name": brand + form, "brand": brand, "store": str(store + 1 + 10 * int(rng.integers(0, 9))),
                "number": str(int(rng.integers(1, 9999))), "street": _STREETS[int(rng.integers(len(_STREETS)))],
                "type": str(kind), "city": city, "state": state,
                "postcode": zip3 + f"{int(rng.integers(0, 100)):02d}",
                "area": area, "local": f"{int(rng.integers(200, 999))}{int(rng.integers(0, 10000)):04d}",
                "chain": str(size > 1),
            })
    sites = sites[:n_sites]
    left_rows, right_rows, truth = [], [], set()
    for number, site in enumerate(sites):
        draw = rng.random()
        in_left, in_right = draw >= right_only, draw < 1 - left_only
        long_type, short_type = _TYPES[int(site["type"])]
        left_id, right_id = f"L{number}", f"R{number}"
        if in_left:
            left_rows.append({
                "id": left_id, "given": "", "surname": site["name"], "number": "",
                "street": f"{site['number']} {site['street']} {long_type}", "city": site["city"],
                "postcode": site["postcode"], "state": site["state"],
                "phone": "" if rng.random() < 0.1 else f"({site['area']}) {site['local'][:3]}-{site['local'][3:]}",
                "country": "US",
            })
        if in_right:
            name = site["name"]
            rename = rng.random()
            if site["chain"] == "True" and rename < 0.4:
                name = f"{site['brand']} - {site['street']} {short_type}" if rename < 0.2 else \
                    f"{site['brand']} #{site['store']}"
            elif rename < 0.08:
                name = f"{_OWNERS[int(rng.integers(len(_OWNERS)))]}'s {site['brand'].split()[-1]}"
            elif rename < 0.15:
                name = _typo(rng, name)
            house = site["number"] if rng.random() < 0.85 else f"{site['number']}-{int(site['number']) % 100 + 2}"
            unit = ["", "", "", ", Suite 200", " #4", " Unit B"][int(rng.integers(6))]
            street = f"{house} {site['street']} {short_type if rng.random() < 0.7 else long_type}{unit}"
            postcode = site["postcode"] + (f"-{int(rng.integers(1000, 9999))}" if rng.random() < 0.3 else "")
            right_rows.append({
                "id": right_id, "given": "", "surname": name, "number": "", "street": street if rng.random() > 0.05
                else "", "city": site["city"].upper() if rng.random() < 0.3 else site["city"],
                "postcode": postcode if rng.random() > 0.05 else "", "state": site["state"],
                "phone": "" if rng.random() < 0.1 else _phone_forms(rng, site["area"], site["local"]),
                "country": "US",
            })
        if in_left and in_right:
            truth.add((left_id, right_id))
    left = pd.DataFrame(left_rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    right = pd.DataFrame(right_rows).sample(frac=1.0, random_state=seed + 1).reset_index(drop=True)
    return OrgData(left, right, truth)
