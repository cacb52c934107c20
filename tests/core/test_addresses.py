"""check_addresses, apply_fixes and summarize on small canonical frames with exact expected rows."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.addresses import (
    ADDRESS_OUTPUT_COLUMNS,
    ADDRESS_PROBLEM_COLUMNS,
    PROBLEM_CODES,
    apply_fixes,
    check_addresses,
    summarize,
)
from desktop_app.core.progress import Cancelled, CancelToken, Progress
from desktop_app.core.roles import ACCOUNT_ROLES, CONTACT_ROLES, SOURCE_ROW, Side


def accounts(*rows: dict[str, str]) -> pd.DataFrame:
    """A canonical accounts frame: every role as text ("" when not given), source rows from 2."""
    records = [{role: row.get(role, "") for role in ACCOUNT_ROLES} for row in rows]
    frame = pd.DataFrame(records, columns=list(ACCOUNT_ROLES), dtype=object)
    frame[SOURCE_ROW] = range(2, 2 + len(rows))
    return frame


GOOD = {"street": "1 Main St", "city": "Boston", "state": "MA", "postcode": "02134", "country": "US"}


def as_tuples(problems: pd.DataFrame) -> list[tuple[object, ...]]:
    columns = ["row", "record_id", "field", "value", "suggestion", "confidence", "severity", "code"]
    return [tuple(r) for r in problems[columns].itertuples(index=False)]


def test_output_columns() -> None:
    assert ADDRESS_OUTPUT_COLUMNS[: len(ADDRESS_PROBLEM_COLUMNS)] == ADDRESS_PROBLEM_COLUMNS
    problems = check_addresses(accounts({**GOOD, "account_id": "001A"}), Side.ACCOUNTS)
    assert list(problems.columns) == list(ADDRESS_OUTPUT_COLUMNS)
    assert problems.empty


def test_exact_rows_for_a_mixed_frame() -> None:
    frame = accounts(
        {**GOOD, "account_id": "001A", "country": "USA", "state": "Massachusetts", "postcode": "2134"},
        {**GOOD, "account_id": "001B", "street": "", "state": "tx"},
        {"account_id": "001C", "street": "Hauptstr. 1", "city": "Berlin", "postcode": "1067",
         "country": "Deutschland"},
        {"account_id": "001D", "street": "N/A", "city": "Toronto", "postcode": "k1a0b1", "country": "Canada"},
        {"account_id": "001E", "street": "1 rue", "city": "Paris", "country": "Frnace"},
        {"account_id": "001F", "street": "1 Queen's Rd", "city": "Hong Kong", "country": "hk"},
        {"account_id": "001G", "street": "x", "city": "", "postcode": "?", "country": "Europe"},
        {**GOOD, "account_id": "001H"},
    )
    problems = check_addresses(frame, Side.ACCOUNTS)
    assert as_tuples(problems) == [
        (2, "001A", "state", "Massachusetts", "MA", 1.0, "warning", "state_not_code"),
        (2, "001A", "postcode", "2134", "02134", 0.9, "warning", "bad_postcode"),
        (2, "001A", "country", "USA", "US", 1.0, "error", "country_not_iso"),
        (3, "001B", "street", "", "", 0.0, "error", "missing_street"),
        (3, "001B", "state", "tx", "TX", 1.0, "warning", "state_not_code"),
        (4, "001C", "postcode", "1067", "01067", 0.9, "warning", "bad_postcode"),
        (4, "001C", "country", "Deutschland", "DE", 0.95, "error", "country_not_iso"),
        (5, "001D", "street", "N/A", "", 0.0, "error", "missing_street"),
        (5, "001D", "state", "", "", 0.0, "error", "missing_state"),
        (5, "001D", "postcode", "k1a0b1", "K1A 0B1", 0.95, "warning", "bad_postcode"),
        (5, "001D", "country", "Canada", "CA", 1.0, "error", "country_not_iso"),
        (6, "001E", "postcode", "", "", 0.0, "error", "missing_postcode"),
        (6, "001E", "country", "Frnace", "FR", pytest.approx(0.708, abs=0.01), "error", "unknown_country"),
        (7, "001F", "country", "hk", "HK", 1.0, "error", "country_not_iso"),
        (8, "001G", "street", "x", "", 0.0, "error", "missing_street"),
        (8, "001G", "city", "", "", 0.0, "error", "missing_city"),
        (8, "001G", "postcode", "?", "", 0.0, "warning", "missing_postcode"),
        (8, "001G", "country", "Europe", "", 0.0, "error", "unknown_country"),
    ]
    keys = zip(problems["row"], problems["field"], strict=True)
    sentences = dict(zip(keys, problems["problem"], strict=True))
    assert sentences[(4, "country")] == (
        "Country 'Deutschland' is not an ISO 3166-1 alpha-2 code; it reads as Germany (local name).")
    assert sentences[(6, "country")] == (
        "Country 'Frnace' is not a country name we know; did you mean France (FR)?")
    assert sentences[(2, "postcode")].startswith("Postcode '2134' does not have the United States shape")
    assert sentences[(5, "street")] == (
        "Street is missing ('N/A' is a placeholder); billing systems refuse an incomplete address.")
    assert "Canada" in sentences[(5, "state")]
    assert "'ON'" in sentences[(5, "state")]


def test_missing_country_and_postcode_rules_by_country() -> None:
    frame = accounts(
        {**GOOD, "account_id": "A", "country": ""},
        {**GOOD, "account_id": "B", "country": "IE", "state": "", "postcode": ""},
        {**GOOD, "account_id": "C", "country": "AE", "state": "", "postcode": ""},
        {**GOOD, "account_id": "D", "country": "DE", "state": "", "postcode": ""},
        {**GOOD, "account_id": "E", "country": "XK", "state": "", "postcode": "10000"},
        {**GOOD, "account_id": "F", "country": " US "},
    )
    problems = check_addresses(frame, Side.ACCOUNTS)
    assert as_tuples(problems) == [
        (2, "A", "country", "", "", 0.0, "error", "missing_country"),
        (3, "B", "postcode", "", "", 0.0, "warning", "missing_postcode"),
        (5, "D", "postcode", "", "", 0.0, "error", "missing_postcode"),
        (7, "F", "country", " US ", "US", 1.0, "error", "country_not_iso"),
    ]


def test_unknown_state_with_and_without_a_guess() -> None:
    frame = accounts(
        {**GOOD, "account_id": "A", "state": "Califronia"},
        {**GOOD, "account_id": "B", "state": "ON"},
        {**GOOD, "account_id": "C", "country": "AU", "state": "New South Wales", "postcode": "2000"},
        {**GOOD, "account_id": "D", "country": "DE", "state": "Wherever", "postcode": "10115"},
    )
    rows = as_tuples(check_addresses(frame, Side.ACCOUNTS))
    assert rows[0][:5] == (2, "A", "state", "Califronia", "CA")
    assert rows[0][5] < 0.9
    assert rows[0][7] == "unknown_state"
    assert rows[1:] == [
        (3, "B", "state", "ON", "", 0.0, "error", "unknown_state"),
        (4, "C", "state", "New South Wales", "NSW", 1.0, "warning", "state_not_code"),
    ]


def test_contacts_use_the_contact_id_and_nan_cells_count_as_missing() -> None:
    frame = pd.DataFrame({role: [""] for role in CONTACT_ROLES}, dtype=object)
    frame.loc[0, ["contact_id", "account_id", "street", "city", "postcode", "country"]] = [
        "003X", "001Y", None, "Lyon", "69001", "France"]
    frame[SOURCE_ROW] = [7]
    assert as_tuples(check_addresses(frame, Side.CONTACTS)) == [
        (7, "003X", "street", "", "", 0.0, "error", "missing_street"),
        (7, "003X", "country", "France", "FR", 1.0, "error", "country_not_iso"),
    ]


def test_customers_side_and_str_dtype_frame() -> None:
    frame = pd.DataFrame({"customer_id": ["cus_1", "cus_2"], "street": ["a", "b"], "city": ["c", "d"],
                          "state": ["", ""], "postcode": ["SW1A1AA", "10115"], "country": ["gb", "DE"],
                          SOURCE_ROW: [2, 3]}).astype({c: "str" for c in ("customer_id", "street")})
    rows = as_tuples(check_addresses(frame, Side.CUSTOMERS))
    assert [r[:5] for r in rows] == [(2, "cus_1", "postcode", "SW1A1AA", "SW1A 1AA"),
                                    (2, "cus_1", "country", "gb", "GB")]


def test_refuses_sides_without_addresses_and_frames_missing_columns() -> None:
    with pytest.raises(ValueError, match="mapping table has no addresses"):
        check_addresses(pd.DataFrame(), Side.MAPPING)
    with pytest.raises(ValueError, match=r"lacks the column\(s\) postcode, source_row"):
        check_addresses(accounts(GOOD).drop(columns=["postcode", SOURCE_ROW]), Side.ACCOUNTS)


def test_reports_progress_and_stops_when_cancelled() -> None:
    reports: list[Progress] = []
    check_addresses(accounts(GOOD), Side.ACCOUNTS, progress=reports.append)
    assert reports[-1] == Progress(4, 4, "Address check done")
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        check_addresses(accounts(GOOD), Side.ACCOUNTS, cancel=token)


def test_empty_frame_gives_empty_problems() -> None:
    problems = check_addresses(accounts(), Side.ACCOUNTS)
    assert problems.empty
    assert list(problems.columns) == list(ADDRESS_OUTPUT_COLUMNS)
    assert summarize(problems) == {}


def test_apply_fixes_changes_only_confident_suggestions() -> None:
    frame = accounts(
        {**GOOD, "account_id": "A", "name": "Acme", "country": "USA", "state": "Massachusetts",
         "postcode": "2134"},
        {**GOOD, "account_id": "B", "name": "Beta", "country": "Frnace", "city": "Paris", "state": ""},
        {**GOOD, "account_id": "C", "name": "Gamma", "country": "Deutschland", "postcode": "D-10115",
         "street": ""},
    )
    problems = check_addresses(frame, Side.ACCOUNTS)
    fixed, count = apply_fixes(frame, problems)
    assert count == 5
    assert fixed["country"].tolist() == ["US", "Frnace", "DE"]  # the misspelling waits for a person
    assert fixed["state"].tolist() == ["MA", "", "MA"]
    assert fixed["postcode"].tolist() == ["02134", "02134", "10115"]
    untouched = [c for c in frame.columns if c not in ("country", "state", "postcode")]
    pd.testing.assert_frame_equal(fixed[untouched], frame[untouched])
    assert frame["country"].tolist() == ["USA", "Frnace", "Deutschland"]  # the input is not modified

    everything, all_count = apply_fixes(frame, problems, min_confidence=0.0)
    assert all_count == 6
    assert everything["country"].tolist() == ["US", "FR", "DE"]


def test_apply_fixes_skips_stale_problems_and_unknown_rows() -> None:
    frame = accounts({**GOOD, "account_id": "A", "country": "Deutschland", "postcode": "10115"})
    problems = check_addresses(frame, Side.ACCOUNTS)
    edited = frame.copy()
    edited.loc[0, "country"] = "Germany"  # changed since the check: the old suggestion no longer applies
    same, count = apply_fixes(edited, problems)
    assert count == 0
    pd.testing.assert_frame_equal(same, edited)
    other_row = problems.assign(row=99)
    assert apply_fixes(frame, other_row)[1] == 0
    other_record = problems.assign(record_id="B")
    assert apply_fixes(frame, other_record)[1] == 0


def test_summarize_counts_per_code_in_canonical_order() -> None:
    frame = accounts(
        {**GOOD, "account_id": "A", "country": "Deutschland", "postcode": "1067", "state": ""},
        {**GOOD, "account_id": "B", "country": "Allemagne", "street": ""},
        {**GOOD, "account_id": "C", "state": ""},
    )
    summary = summarize(check_addresses(frame, Side.ACCOUNTS))
    assert summary == {"country_not_iso": 2, "missing_street": 1, "bad_postcode": 1, "missing_state": 1}
    assert list(summary) == [c for c in PROBLEM_CODES if c in summary]
