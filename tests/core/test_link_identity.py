"""One account identity, placeholders as empty, and the one per-side rule of the plan (properties)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.ids import account_key, same_account, to_18
from desktop_app.core.link_values import (
    holds_target,
    holds_text,
    is_form_rewrite,
    is_placeholder,
    link_key,
    placeholder_issues,
    same_link,
)
from desktop_app.core.plan import POLICIES, build_plan, side_note, side_plan

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ids15 = st.text(alphabet=BASE62, min_size=15, max_size=15)
PLACEHOLDER_WORDS = ("NA", "N/A", "#N/A", "null", "none", "-", "0", "TBD", "n.a.", "Unknown", "nil")


@st.composite
def damaged_forms(draw: st.DrawFn, id15: str) -> str:
    """Any form of the Account ``id15``: 15 or 18 characters, letters of the 18 flipped at random,
    spaces around."""
    id18 = to_18(id15)
    form = draw(st.sampled_from(("15", "18", "flipped18")))
    if form == "15":
        text = id15
    elif form == "18":
        text = id18
    else:
        flips = draw(st.lists(st.booleans(), min_size=18, max_size=18))
        text = "".join(c.swapcase() if flip else c for c, flip in zip(id18, flips, strict=True))
    return draw(st.sampled_from(("", " ", "  "))) + text + draw(st.sampled_from(("", " ")))


@st.composite
def placeholders(draw: st.DrawFn) -> str:
    """A placeholder word with its letters in any case and spaces anywhere."""
    word = draw(st.sampled_from(PLACEHOLDER_WORDS))
    cased = "".join(c.swapcase() if draw(st.booleans()) else c for c in word)
    spaced = "".join(c + (" " if draw(st.booleans()) and len(word) > 1 else "") for c in cased)
    return draw(st.sampled_from(("", " "))) + spaced.rstrip() + draw(st.sampled_from(("", "  ")))


@settings(deadline=None)
@given(ids15.flatmap(lambda i: st.tuples(st.just(i), damaged_forms(i), damaged_forms(i))))
def test_every_form_of_one_account_is_the_same_account(case: tuple[str, str, str]) -> None:
    id15, a, b = case
    assert account_key(a) == account_key(b) == to_18(id15)
    assert same_account(a, b)
    assert same_link(a, b, "customer")  # the customer's field holds Account ids


@settings(deadline=None)
@given(ids15, ids15)
def test_different_accounts_stay_different(a: str, b: str) -> None:
    if a != b:
        assert not same_account(a, b)
        assert not same_account(to_18(a).upper(), b)


@settings(deadline=None)
@given(placeholders())
def test_placeholders_in_any_case_and_spacing_hold_nothing(value: str) -> None:
    assert is_placeholder(value)
    assert link_key(value, "account") == link_key(value, "customer") == ""


@pytest.mark.parametrize("value", ["cus_NA", "NAB", "0015g00000ABCdeAAH", "00", "10", "cus_0", "N/A2"])
def test_real_ids_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)
    assert link_key(value, "account") == value


@settings(deadline=None)
@given(
    ids15.flatmap(lambda i: st.tuples(st.just(to_18(i)), damaged_forms(i))),
    st.sampled_from(POLICIES),
    st.booleans(),
)
def test_a_side_holding_the_same_account_in_any_form_is_already_linked(
    case: tuple[str, str], policy: str, normalize: bool
) -> None:
    target, held = case
    plan = side_plan("customer", held, target, policy, normalize_ids=normalize)  # type: ignore[arg-type]
    if normalize and held != target:
        assert plan.action == "set"
        assert is_form_rewrite(held, target, "customer")
        assert not holds_target(held, target, "customer", planned_before=held)  # a rewrite is done only when exact
    else:
        assert plan.action == "skip"
        assert plan.after == held  # nothing is rewritten unless asked
    # a write from empty finds the link already there when someone wrote it meanwhile in any form
    assert holds_target(held, target, "customer", planned_before="")
    assert not holds_target(held, target, "customer", planned_before="", exact=True) or held == target


@settings(deadline=None)
@given(st.one_of(st.just(""), st.just("   "), placeholders()), st.sampled_from(POLICIES), st.booleans())
def test_an_empty_side_is_always_written_whatever_the_policy(held: str, policy: str, normalize: bool) -> None:
    for side, target in (("account", "cus_1"), ("customer", "0015g00000ABCdeAAH")):
        plan = side_plan(side, held, target, policy, normalize_ids=normalize)  # type: ignore[arg-type]
        assert (plan.action, plan.before, plan.after) == ("set", held, target)


@pytest.mark.parametrize(("policy", "action", "after"),
                         [("skip_linked", "skip", "cus_old"), ("fill_empty", "conflict", "cus_1"),
                          ("overwrite", "set", "cus_1")])
def test_the_policy_only_decides_a_side_holding_another_id(policy: str, action: str, after: str) -> None:
    plan = side_plan("account", "cus_old", "cus_1", policy)  # type: ignore[arg-type]
    assert (plan.action, plan.after) == (action, after)


@pytest.mark.parametrize("policy", POLICIES)
def test_a_15_character_id_in_other_letter_case_is_another_id_and_the_plan_note_says_why(policy: str) -> None:
    target = "0015g00000ABCdeAAH"
    held = target[:15].upper()
    plan = side_plan("customer", held, target, policy)  # type: ignore[arg-type]
    assert plan.action == {"skip_linked": "skip", "fill_empty": "conflict", "overwrite": "set"}[policy]
    note = side_note("customer", plan, target, policy)  # type: ignore[arg-type]
    assert "this Account's id in other letter case" in note
    assert "letter case" not in side_note("customer", side_plan("customer", "0015g00000ABCdfAAH"[:15].upper(),
                                                                  target, policy), target, policy)  # type: ignore[arg-type]


A1 = "0015g00004e2JF9AAM"


def test_the_demo_case_15_and_upper_cased_forms_plan_as_linked_and_normalize_is_counted() -> None:
    decisions = pd.DataFrame([
        {"account_id": A1, "customer_id": "cus_1", "status": "matched"},
        {"account_id": "0015g00000ABCdeAAH", "customer_id": "cus_2", "status": "matched"},
        {"account_id": "0015g00000ABCdfAAH", "customer_id": "cus_3", "status": "matched"},
    ], dtype=object)
    customers = {"cus_1": A1[:15], "cus_2": "0015G00000ABCDEAAH", "cus_3": " N/A "}
    plan = build_plan(decisions, account_values={}, customer_values=customers)
    assert [(link.account.action, link.customer.action) for link in plan.links] == [
        ("set", "skip"), ("set", "skip"), ("set", "set")]
    assert plan.counts()["customer"]["conflict"] == 0
    assert plan.counts()["customer"]["placeholder"] == 1
    assert "placeholder 'N/A'" in plan.links[2].note
    normalized = build_plan(decisions, account_values={}, customer_values=customers, normalize_ids=True)
    assert [link.customer.action for link in normalized.links] == ["set", "set", "set"]
    assert normalized.counts()["customer"]["rewrite"] == 2
    assert "2 rewrite the same Account id" in " ".join(normalized.summary_lines())


def test_placeholders_in_a_link_column_are_reported_with_their_row() -> None:
    frame = pd.DataFrame({"link_customer_id": ["cus_1", "n / a", "", "NULL"], "source_row": [2, 3, 5, 9]},
                         dtype=object)
    issues = placeholder_issues(frame, "link_customer_id", "Billing Customer")
    assert [(i.row, i.column, i.value) for i in issues] == [(3, "Billing Customer", "n / a"), (9, "Billing Customer",
                                                                                               "NULL")]
    assert all("placeholder value in the link field" in i.message for i in issues)


def test_a_write_landed_only_when_the_field_holds_the_targets_text() -> None:
    account = "0015g00000ABCdeAAH"
    assert holds_text("  cus_1 ", "cus_1")  # stray spaces around the stored value are not another link
    assert not holds_text("cus_1", "  cus_1 ")  # an undo putting back spaces has not landed without them
    assert holds_text("  cus_1 ", "  cus_1 ")
    assert not holds_text("cus_10", "cus_1")
    # another form of the same Account: already linked for a write to come, but not what was written
    assert holds_target(account[:15], account, "customer", planned_before="")
    assert not holds_text(account[:15], account)
    assert not holds_text(account.upper(), account)


def test_link_keys_are_remembered_within_a_bound_and_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core import link_values

    monkeypatch.setattr(link_values, "_LINK_KEYS", {})
    monkeypatch.setattr(link_values, "_LINK_KEYS_MAX", 3)
    asked = [(" 001000000000001 ", "customer"), ("N/A", "customer"), ("  cus_1 ", "account"), ("0", "account"),
             (" 001000000000001 ", "account"), ("001000000000001AAA", "customer")]
    for _ in range(3):
        answers = [link_values.link_key(value, side) for value, side in asked]
        assert answers == ["001000000000001AAA", "", "cus_1", "", "001000000000001", "001000000000001AAA"]
        assert len(link_values._LINK_KEYS) <= 3
