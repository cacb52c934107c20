"""Facts of real two-source organisation data (restaurant guides, directory listings): phones
written without a country, ordinal streets spelled out, cross streets after the street, "New York
City" for "New York". Renamed sites whose street and phone agree are matched; namesakes at another
street and phone are still held back."""

from __future__ import annotations

import numpy as np
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core.matching import MATCHED, SUGGESTED, match
from desktop_app.core.matching_features import FIELD_LEVELS, compare, compare_pairs
from desktop_app.core.matching_ledger import prepare_accounts, prepare_customers
from desktop_app.core.normalize_fields import street_key
from desktop_app.core.phone_keys import phone_keys


def _texts(*values: str) -> np.ndarray:
    return np.array(values, dtype=object)


def test_a_phone_without_a_country_is_compared_by_its_digits() -> None:
    keys = phone_keys([("310/246-1501", ""), ("310-246-1501", ""), ("(310) 246 1501", ""), ("212/ 921-9494", "")])
    assert keys[0] == keys[1] == keys[2] == "3102461501"
    assert keys[3] == "2129219494"


def test_a_phone_read_in_a_country_keeps_its_e164_form_and_fragments_are_no_phone() -> None:
    assert phone_keys([("310/246-1501", "US"), ("+44 20 7946 0958", ""), ("ext 12", ""), ("n/a", "")]) == [
        "+13102461501", "+442079460958", "", ""]


def test_the_same_number_with_and_without_its_country_agrees_only_partly() -> None:
    acc = {"phone": _texts(*phone_keys([("310/246-1501", "US")]))}
    cus = {"phone": _texts(*phone_keys([("310-246-1501", "")]))}
    assert compare(acc, cus)["phone"].tolist() == [1]


def test_ordinal_streets_spelled_out_or_in_figures_and_cross_streets_give_one_key() -> None:
    assert street_key("747 9th Ave.  between 50th and 51st Sts.") == street_key("747 Ninth Avenue") == "747 9th ave"
    assert street_key("156 2nd ave. at 10th st.") == street_key("156 Second Ave") == "156 2nd ave"
    assert street_key("102 5th ave. btwn 15th & 16th") == "102 5th ave"
    assert street_key("57 jane st.  off hudson st.") == street_key("57 Jane Street") == "57 jane st"
    assert street_key("435 s. la cienega blv.") == street_key("435 S. La Cienega Boulevard") == "435 s la cienega blvd"
    # A cross-street word before any street word is part of the name, not a cross street.
    assert street_key("At Home Road 5") == "5 at home rd"


def test_a_city_named_with_city_after_it_is_similar_not_the_same() -> None:
    left = prepare_accounts(accounts(*({"name": "Mesa Grill", "city": city} for city in ("new york", "new york",
                                                                                          "kansas city"))))
    right = prepare_customers(customers(*({"name": "Mesa Grill", "city": city} for city in ("new york city", "york",
                                                                                             "Kansas City"))))
    pairs = np.arange(3)
    assert compare_pairs(left, pairs, right, pairs, ("city",))["city"].tolist() == [1, 0, FIELD_LEVELS["city"]]


def _listing(i: int) -> dict[str, str]:
    """One of a town's restaurants: a name, a street with its number and a phone, no country."""
    words = ["Olive", "Harbor", "Juniper", "Copper", "Saffron", "Maple", "Lantern", "Cedar", "Ember", "Willow"]
    kinds = ["Bistro", "Kitchen", "Grill", "Cafe", "Trattoria", "Diner"]
    streets = ["Sunset Blvd.", "Melrose Ave.", "Fairfax Ave.", "Pico Blvd.", "Vine St.", "Olympic Blvd."]
    return {"name": f"{words[i % 10]} {kinds[i % 6]} {i}", "street": f"{100 + 7 * i} {streets[i % 6]}",
            "city": "los angeles", "phone": f"310/{200 + i:03d}-{1000 + 13 * i:04d}"}


_TOWN = [_listing(i) for i in range(2, 60)]
_TOWN_AGAIN = [{**site, "phone": site["phone"].replace("/", "-"), "street": site["street"].replace(".", "")}
               for site in _TOWN]


def test_a_renamed_site_whose_street_and_phone_agree_without_a_country_is_matched() -> None:
    left = accounts({"name": "Grill on the Alley", "street": "9560 Dayton Way", "city": "los angeles",
                     "phone": "310/276-0615"}, *_TOWN)
    right = customers({"name": "Grill, The", "street": "9560 Dayton Way", "city": "beverly hills",
                       "phone": "310-276-0615"}, *_TOWN_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (MATCHED, "cus_1")
    assert '"phone":["agree"' in first["evidence"]


def test_a_namesake_at_another_street_and_phone_without_a_country_is_held_back() -> None:
    left = accounts({"name": "Uncle Nick's", "street": "747 9th Ave.", "city": "new york",
                     "phone": "212/315-1726"}, *_TOWN)
    right = customers({"name": "Uncle Nick's", "street": "382 8th Ave.", "city": "new york city",
                       "phone": "212-609-0500"}, *_TOWN_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1")
    assert "namesake" in first["reason"]


def test_names_sharing_one_word_in_the_same_city_with_nothing_else_to_compare_are_only_suggested() -> None:
    # Files with a name and a city only: however the model weighs the city, one shared word
    # ("ocean") and the same town do not make the same site.
    towns = ["santa monica", "venice", "malibu", "pasadena", "burbank", "glendale", "culver city", "encino"]
    sites = [{"name": f"{_listing(i)['name']}", "city": towns[i % 8]} for i in range(2, 60)]
    left = accounts({"name": "Ocean Avenue", "city": "santa monica"}, *sites)
    right = customers({"name": "Ocean Park Cafe", "city": "santa monica"}, *sites)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert first["status"] != MATCHED
