"""Matching passes 4-6 (domain, cleaned name, fuzzy name), the output shape and the invariants."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_frames import account_id, accounts, customers, row_of

from desktop_app.core.matching import (
    ALREADY_LINKED,
    AMBIGUOUS,
    DECISION_COLUMNS,
    MATCHED,
    STATUSES,
    SUGGESTED,
    UNMATCHED,
    MatchConfig,
    match,
)
from desktop_app.core.progress import Cancelled, CancelToken, Progress
from desktop_app.sandbox.demo_data import generate

NO_FUZZY = MatchConfig(use_fuzzy=False)


def test_shared_domain_with_agreeing_names_matches_and_ignores_free_mail() -> None:
    result = match(
        accounts({"name": "Acme Inc", "website": "https://www.acme.com/en", "country": "USA"},
                 {"name": "Blue Sky Ltd", "email": "bluesky@gmail.com"}),
        customers({"name": "ACME Incorporated", "email": "billing@acme.com", "country": "US"},
                  {"name": "Bluesky Holdings", "email": "bluesky@gmail.com"}),
        config=NO_FUZZY,
    )
    first = row_of(result.decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "domain", "cus_1")
    assert "acme.com" in first["reason"]
    assert "US = account's country" in first["reason"]
    assert row_of(result.decisions, account=account_id(2))["status"] == UNMATCHED


def test_shared_domain_alone_is_not_enough() -> None:
    result = match(accounts({"name": "Acme", "website": "acme.com"}),
                   customers({"name": "Completely Different Corp", "website": "acme.com"}), config=NO_FUZZY)
    assert row_of(result.decisions, account=account_id(1))["status"] == UNMATCHED


def test_cleaned_names_match_and_country_breaks_ties() -> None:
    result = match(
        accounts({"name": "Müller Technik GmbH", "country": "Deutschland"}),
        customers({"name": "Muller Technik Ltd", "country": "GB"}, {"name": "MULLER TECHNIK", "country": "DE"}),
        config=NO_FUZZY,
    )
    first = row_of(result.decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "name", "cus_2")
    assert "muller technik" in first["reason"]


def test_same_name_in_different_countries_is_only_suggested() -> None:
    result = match(accounts({"name": "Acme Ltd", "country": "United Kingdom"}),
                   customers({"name": "Acme GmbH", "country": "DE"}), config=NO_FUZZY)
    first = row_of(result.decisions, account=account_id(1))
    assert (first["status"], first["customer_id"]) == (SUGGESTED, "cus_1")
    assert "countries differ" in first["reason"]


def test_two_equally_good_customers_make_the_account_ambiguous() -> None:
    result = match(accounts({"name": "Acme"}), customers({"name": "Acme Ltd"}, {"name": "ACME Inc."}), config=NO_FUZZY)
    first = row_of(result.decisions, account=account_id(1))
    assert first["status"] == AMBIGUOUS
    assert "cus_1 Acme Ltd (100)" in first["candidates"]
    assert "cus_2 ACME Inc. (100)" in first["candidates"]


def test_a_customer_two_accounts_claim_is_given_to_neither() -> None:
    result = match(accounts({"name": "Acme Ltd"}, {"name": "ACME Limited"}), customers({"name": "Acme"}),
                   config=NO_FUZZY)
    decisions = result.decisions
    first = row_of(decisions, account=account_id(1))
    assert first["status"] == AMBIGUOUS
    assert "fits other accounts" in first["reason"]
    assert row_of(decisions, account=account_id(2))["status"] == AMBIGUOUS
    customer_row = row_of(decisions, customer="cus_1")
    assert customer_row["status"] == AMBIGUOUS
    assert account_id(1) in customer_row["candidates"]


def test_fuzzy_names_are_matched_or_suggested_by_score() -> None:
    frames = (accounts({"name": "Blue Ridge Analytics Global"}, {"name": "Harbor Freight Partners"}),
              customers({"name": "Blue Ridge Analytcs Global Inc"}, {"name": "Harbour Fright Partnership"}))
    result = match(*frames)
    first = row_of(result.decisions, account=account_id(1))
    assert (first["status"], first["method"], first["customer_id"]) == (MATCHED, "fuzzy", "cus_1")
    assert first["score"] >= 90
    second = row_of(result.decisions, account=account_id(2))
    assert (second["status"], second["customer_id"]) == (SUGGESTED, "cus_2")
    assert 70 <= second["score"] < 90
    without = match(*frames, config=NO_FUZZY)
    assert set(without.decisions["status"]) == {UNMATCHED}


@pytest.mark.parametrize(("umlaut", "digraph"), [
    ("Müller GmbH", "Mueller GmbH"), ("Hänsel", "Haensel"), ("Jürgen Köhler KG", "Juergen Koehler KG"),
    ("Öztürk Bau", "Oeztuerk Bau"),
])
def test_german_umlauts_meet_their_ae_oe_ue_spelling_as_similar_names(umlaut: str, digraph: str) -> None:
    # Cleaning keeps "muller" and "mueller" apart (ü is read as u, as most of the world types it
    # without dots); the similar-names pass compares them, whichever letters the first three hold.
    for account_name, customer_name in ((umlaut, digraph), (digraph, umlaut)):
        result = match(accounts({"name": account_name, "billing_country": "DE"}),
                       customers({"name": customer_name, "country": "DE"}))
        row = row_of(result.decisions, account=account_id(1))
        assert (row["status"], row["method"], row["customer_id"]) == (MATCHED, "fuzzy", "cus_1"), row["reason"]


def test_names_without_spaces_are_compared_as_similar_names() -> None:
    # CJK names are one word each: the similar-names pass still blocks them on their first
    # characters and scores them letter by letter.
    result = match(accounts({"name": "中国平安保险股份有限公司", "billing_country": "CN"}),
                   customers({"name": "中国平安保险(集团)股份有限公司", "country": "CN"}))
    row = row_of(result.decisions, account=account_id(1))
    assert (row["status"], row["method"], row["customer_id"]) == (SUGGESTED, "fuzzy", "cus_1")
    assert "'中国平安保险' and '中国平安保险 集团'" in row["reason"]


def test_fuzzy_near_tie_is_ambiguous_with_candidates() -> None:
    result = match(accounts({"name": "Nordic Stone Works"}),
                   customers({"name": "Nordic Stone Work"}, {"name": "Nordic Stone Workss"}))
    first = row_of(result.decisions, account=account_id(1))
    assert first["status"] == AMBIGUOUS
    assert "cus_1" in first["candidates"]
    assert "cus_2" in first["candidates"]


def test_decisions_have_every_column_every_account_once_and_leftover_customers() -> None:
    result = match(accounts({"name": "Acme", "link_customer_id": "cus_1"}, {"name": "Nobody"}),
                   customers({"name": "Acme"}, {"name": "Orphan Co"}, {"name": "Another Orphan"}))
    decisions = result.decisions
    assert tuple(decisions.columns) == DECISION_COLUMNS
    assert decisions["account_id"].tolist() == [account_id(1), account_id(2), "", ""]
    assert decisions["customer_id"].tolist()[2:] == ["cus_2", "cus_3"]
    assert decisions["account_row"].tolist() == ["2", "3", "", ""]
    assert decisions["customer_row"].tolist() == ["2", "", "3", "4"]
    assert set(result.counts) == set(STATUSES)
    assert sum(result.counts.values()) == len(decisions)
    assert all(isinstance(v, str) for v in decisions.drop(columns="score").to_numpy().ravel())


def test_empty_inputs() -> None:
    result = match(accounts(), customers())
    assert result.decisions.empty
    assert tuple(result.decisions.columns) == DECISION_COLUMNS


def test_progress_and_cancel() -> None:
    seen: list[Progress] = []
    match(accounts({"name": "Acme"}, {"name": "Beta"}), customers({"name": "Acme"}, {"name": "Betta"}),
          progress=seen.append)
    assert seen[-1].done == seen[-1].total
    done = [p.done for p in seen]
    assert done == sorted(done)
    assert len({p.message for p in seen}) >= 6
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        match(accounts({"name": "A"}), customers({"name": "A"}), cancel=token)


def test_inconsistent_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="suggest_min_score"):
        match(accounts(), customers(), config=MatchConfig(auto_accept_score=60, suggest_min_score=80))


_NAMES = st.sampled_from(["Acme", "Acme Ltd", "ACME Inc", "Beta GmbH", "Beta", "Gamma SA", "Gama", "Delta", ""])
_LINKS = st.sampled_from(["", "cus_1", "cus_2", "cus_3", "cus_9"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_NAMES, _LINKS), min_size=0, max_size=6),
       st.lists(st.tuples(_NAMES, st.sampled_from(["", "1", "2", "3", "7"])), min_size=0, max_size=6),
       st.booleans())
def test_no_customer_is_accepted_twice_and_every_account_appears_once(
    account_rows: list[tuple[str, str]], customer_rows: list[tuple[str, str]], fuzzy: bool
) -> None:
    result = match(
        accounts(*({"name": n, "link_customer_id": link} for n, link in account_rows)),
        customers(*({"name": n, "sf_account_id": account_id(int(a)) if a else ""} for n, a in customer_rows)),
        config=MatchConfig(use_fuzzy=fuzzy),
    )
    decisions = result.decisions
    real = decisions[decisions["account_id"] != ""]
    assert sorted(real["account_id"]) == sorted(account_id(i + 1) for i in range(len(account_rows)))
    accepted = decisions[decisions["status"].isin([MATCHED, ALREADY_LINKED])]
    assert accepted["customer_id"].is_unique
    assert (accepted["customer_id"] != "").all()
    listed = decisions.loc[decisions["customer_id"] != "", "customer_id"]
    assert listed.is_unique
    assert set(listed) <= {f"cus_{i + 1}" for i in range(len(customer_rows))}


def test_generated_data_end_to_end_precision_and_recall() -> None:
    data = generate(2000, seed=5)
    decisions = match(data.accounts, data.customers).decisions
    accepted = decisions[decisions["status"].isin([MATCHED, ALREADY_LINKED])]
    pairs = set(zip(accepted["account_id"], accepted["customer_id"], strict=True))
    truth = set(zip(data.truth["account_id"], data.truth["customer_id"], strict=True))
    correct = len(pairs & truth)
    assert correct / len(pairs) >= 0.99
    assert correct / len(truth) >= 0.97
    assert decisions.loc[decisions["account_id"] != "", "account_id"].is_unique
    assert len(decisions[decisions["account_id"] != ""]) == len(data.accounts)
    assert set(pd.unique(decisions["status"])) >= {ALREADY_LINKED, MATCHED, UNMATCHED}


def test_domain_reasons_say_how_the_names_agree() -> None:
    result = match(
        accounts({"name": "Acme", "website": "acme.com"}, {"name": "Beta Inc", "website": "beta.com"},
                 {"name": "Gamma Tools", "website": "gamma.com"}),
        customers({"name": "Acme", "website": "acme.com"}, {"name": "BETA Incorporated", "website": "beta.com"},
                  {"name": "Gama Tools", "website": "gamma.com"}),
        config=NO_FUZZY,
    )
    reasons = [row_of(result.decisions, account=account_id(n))["reason"] for n in (1, 2, 3)]
    assert reasons[0].startswith("Website/e-mail domain acme.com and name 'Acme' agree")
    assert reasons[1].startswith("Website/e-mail domain beta.com and cleaned name 'beta' agree")
    assert reasons[2].startswith("Website/e-mail domain gamma.com and names 'gamma tools' and 'gama tools' nearly "
                                 "agree")
