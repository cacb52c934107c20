"""The Match page and the report say per side what the plan will do: the same rule, the same answer."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.matching import MatchConfig, match
from desktop_app.core.plan import POLICIES, build_plan
from desktop_app.core.plan_preview import write_preview

ACCOUNTS = ("0015g00004e2JF9AAM", "0015g00000ABCdeAAH", "0015g00000ABCdfAAH")
CUSTOMERS = ("cus_1", "cus_2", "cus_3")
HELD_BY_ACCOUNTS = st.sampled_from(("", "NA", "cus_1", "cus_2", "cus_3", "cus_old"))
HELD_BY_CUSTOMERS = st.sampled_from(("", " n/a ", "0", ACCOUNTS[0], ACCOUNTS[0][:15], ACCOUNTS[1].upper(),
                                     ACCOUNTS[2].lower(), "0015g0000OLD001AAA"))


def _answer_kind(text: str) -> str:
    if text.startswith("will"):
        return "set"
    if text.startswith(("already holds it", "keeps")):
        return "skip"
    return "conflict" if text.startswith("left alone") else text


@settings(deadline=None)
@given(st.lists(HELD_BY_ACCOUNTS, min_size=3, max_size=3), st.lists(HELD_BY_CUSTOMERS, min_size=3, max_size=3),
       st.sampled_from(POLICIES), st.booleans())
def test_the_preview_is_the_plans_answer_for_every_side(account_held: list[str], customer_held: list[str],
                                                        policy: str, normalize: bool) -> None:
    decisions = pd.DataFrame({"account_id": ACCOUNTS, "customer_id": CUSTOMERS,
                              "status": ["matched", "already_linked", "matched"]}, dtype=object)
    accounts = dict(zip(ACCOUNTS, account_held, strict=True))
    customers = dict(zip(CUSTOMERS, customer_held, strict=True))
    plan = build_plan(decisions, account_values=accounts, customer_values=customers,
                      policy=policy, normalize_ids=normalize)  # type: ignore[arg-type]
    preview = write_preview(decisions, account_values=accounts, customer_values=customers,
                            policy=policy, normalize_ids=normalize)  # type: ignore[arg-type]
    for link, (account_text, customer_text) in zip(plan.links, preview.itertuples(index=False), strict=True):
        assert _answer_kind(account_text) == link.account.action, (account_text, link)
        assert _answer_kind(customer_text) == link.customer.action, (customer_text, link)


def test_an_account_whose_customer_points_back_is_written_as_the_match_says() -> None:
    """The issue's case: the Account field is empty, the customer holds the Account in 15 characters."""
    accounts = pd.DataFrame({"account_id": [ACCOUNTS[0]], "name": ["Acme"], "link_customer_id": [""]}, dtype=object)
    customers = pd.DataFrame({"customer_id": ["cus_1"], "name": ["Acme"], "sf_account_id": [ACCOUNTS[0][:15]]},
                             dtype=object)
    decisions = match(accounts, customers, config=MatchConfig(use_fuzzy=False)).decisions
    row = decisions.iloc[0]
    assert row["status"] == "matched"
    assert "the account's side is empty — it will be written" in row["reason"]
    values = {"account_values": {ACCOUNTS[0]: ""}, "customer_values": {"cus_1": ACCOUNTS[0][:15]}}
    plan = build_plan(decisions, **values)  # the recommended policy
    assert (plan.links[0].account.action, plan.links[0].customer.action) == ("set", "skip")
    preview = write_preview(decisions, **values)
    assert preview.iloc[0].tolist() == ["will be written (empty now)",
                                        f"already holds it (as '{ACCOUNTS[0][:15]}', the same Account)"]


def test_rows_that_will_not_be_linked_say_nothing() -> None:
    decisions = pd.DataFrame({"account_id": [ACCOUNTS[0], "", ACCOUNTS[1]], "customer_id": ["cus_1", "cus_2", ""],
                              "status": ["suggested", "unmatched", "unmatched"]}, dtype=object)
    preview = write_preview(decisions, account_values={}, customer_values={})
    assert preview.to_numpy().tolist() == [["", ""], ["", ""], ["", ""]]
