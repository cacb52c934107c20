"""Facts of public lists of a city's sites (the Chicago early-childhood lists): a street type written
on one side only, a street's number written without its ordinal suffix, the floor after the street,
and a five-digit ZIP code shared by a whole district, which cannot vouch for a namesake whose street
and phone both differ."""

from __future__ import annotations

import numpy as np
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core.matching import MATCHED, SUGGESTED, match
from desktop_app.core.matching_features import FIELD_LEVELS, compare_pairs
from desktop_app.core.matching_ledger import prepare_accounts, prepare_customers
from desktop_app.core.normalize_fields import street_key, street_without_type


def _street_levels(pairs: list[tuple[str, str]]) -> list[int]:
    left = prepare_accounts(accounts(*({"name": "Site", "street": a} for a, _ in pairs)))
    right = prepare_customers(customers(*({"name": "Site", "street": c} for _, c in pairs)))
    at = np.arange(len(pairs))
    levels: list[int] = compare_pairs(left, at, right, at, ("street",))["street"].tolist()
    return levels


def test_a_street_type_written_on_one_side_only_names_the_same_street() -> None:
    same = FIELD_LEVELS["street"]
    assert _street_levels([("4754 N. Leavitt Street", "4754 N LEAVITT"), ("2921 W DIVISION", "2921 West Division Ave"),
                           ("4754 N Leavitt St", "4754 N Leavitt Ave"), ("4754 N Leavitt", "4760 N Leavitt St")]) == [
        same, same, same - 1, 1]


def test_only_a_trailing_street_type_is_left_out() -> None:
    assert street_without_type("n leavitt st") == "n leavitt"
    assert street_without_type("st") == "st"
    assert street_without_type("n leavitt") == "n leavitt"
    assert street_without_type("mt vernon") == "mt vernon"


def test_a_street_number_without_its_ordinal_suffix_and_the_floor_after_the_street_give_one_key() -> None:
    assert street_key("112 East 51 Street") == street_key("112 E 51ST STREET") == "112 e 51st st"
    assert street_key("100 W 111 St") == "100 w 111th st"
    floor = "4909 West Division Street 1st Floor"
    assert street_key(floor) == street_key("4909 W. Division St.") == "4909 w division st"
    assert street_key("7411 South Cottage Grove Ave. Ground Floor") == "7411 s cottage grove ave"
    assert street_key("12 Main St 4") == "12 main st"  # a number after the street is still a unit


_STREETS = ["N Sheridan Rd", "W Division St", "S Kedzie Ave", "W Roosevelt Rd", "S Halsted St", "N Clark St"]
_ZIPS = ["60640", "60651", "60629", "60608", "60621", "60614"]


def _site(i: int) -> dict[str, str]:
    """One of a city's sites: name, street with its number, a ZIP a few others share, a phone without area code."""
    words = ["Garfield", "Lawndale", "Uptown", "Pilsen", "Englewood", "Austin", "Woodlawn", "Bridgeport"]
    kinds = ["Head Start", "Day Care", "Learning Center", "Academy"]
    return {"name": f"{words[i % 8]} {kinds[i % 4]} {i}", "street": f"{100 + 17 * i} {_STREETS[i % 6]}",
            "postcode": _ZIPS[i % 6], "phone": f"{530 + i}{1000 + 7 * i:04d}"}


_CITY = [_site(i) for i in range(2, 80)]
_CITY_AGAIN = [{**site, "street": site["street"].upper().replace(" ST", " STREET")} for site in _CITY]
_SCHOOL = {"name": "Chicago Public Schools Edwards, Richard", "street": "4815 S Karlov Ave", "postcode": "60632",
           "phone": "5354875"}


def test_a_namesake_sharing_only_a_zip_code_with_another_street_and_phone_is_held_back() -> None:
    # A school's branch building: the same name and ZIP code, another street and another phone.
    left = accounts(_SCHOOL, *_CITY)
    right = customers({**_SCHOOL, "street": "4950 S. LaPorte", "phone": "5352000"}, *_CITY_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1")
    assert "namesake" in first["reason"]


def test_the_same_name_and_phone_at_another_street_in_the_zip_code_is_matched() -> None:
    left = accounts(_SCHOOL, *_CITY)
    right = customers({**_SCHOOL, "street": "4950 S. LaPorte"}, *_CITY_AGAIN)
    first = row_of(match(left, right).decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (MATCHED, "cus_1")


def test_numbered_streets_with_other_numbers_and_a_house_number_one_digit_off_elsewhere_are_other_addresses() -> None:
    same = FIELD_LEVELS["street"]
    assert _street_levels([
        ("520 E 79TH St.", "500 E. 67th St."),  # written alike but for the figures: another street and number
        ("520 E 79th St", "520 E 67th St"),
        ("12 N Main St", "13 N Oak St"),  # a shared direction is not a shared street name
        ("12 Main St", "13 Oak St"),  # a number one digit off is a typo only on the same street
        ("520 E 67th St", "500 E 67th St"), ("747 Ninth Avenue", "747 9th Ave"), ("12 N Main St", "13 N Main St"),
    ]) == [0, 0, 0, 0, same, same, same]
