"""Ids in every form and placeholders, plan → apply → verify → audit → undo on the sandbox org and
the Sequence sandbox (property-based: hypothesis draws what each side holds, the policy and the
normalize choice; the expectations come from the plain rule, not from the code under test)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pandas as pd
import pytest
from engine_sandboxes import LINK_FIELD, Systems, make_sides, start_systems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.core.ids import to_18
from desktop_app.core.journal import Journal
from desktop_app.core.plan import POLICIES
from desktop_app.workflow.audit import audit_links, read_and_audit
from desktop_app.workflow.engine import start_apply, start_undo
from desktop_app.workflow.link_sides import SalesforceSide
from desktop_app.workflow.plan import plan_from_live

PAIRS_PER_EXAMPLE = 4
LINK_FINDINGS = {"account_to_missing_customer", "customer_to_missing_account", "sides_disagree", "one_sided",
                 "customer_shared", "account_shared"}
CUSTOMER_FORMS = ("same18", "same15", "upper18", "lower18", "flipped18", "placeholder", "other")
ACCOUNT_FORMS = ("empty", "placeholder", "same", "other")
PLACEHOLDERS = ("NA", "n/a", "#N/A", "NULL", "none", "-", "0", "TBD", "N / A")


def _customer_value(form: str, account_id: str, n: int, placeholder: str) -> str:
    return {
        "same18": account_id,
        "same15": account_id[:15],
        "upper18": account_id.upper(),
        "lower18": account_id.lower(),
        "flipped18": account_id[:10].swapcase() + account_id[10:],
        "placeholder": placeholder,
        "other": to_18(f"0015g0000OLD{n:03d}"),  # an Account the org does not have (n is unique)
    }[form]


def _account_value(form: str, customer_id: str, n: int, placeholder: str) -> str:
    return {"empty": "", "placeholder": placeholder, "same": customer_id, "other": f"cus_gone_{n:03d}"}[form]


def _expected_action(same: bool, empty: bool, exact: bool, policy: str, normalize: bool) -> str:
    """The rule, stated plainly: an empty side is written; the same record is kept (rewritten only
    when asked and not already exact); another id follows the policy."""
    if empty:
        return "set"
    if same:
        return "set" if normalize and not exact else "skip"
    return {"skip_linked": "skip", "fill_empty": "conflict", "overwrite": "set"}[policy]


@pytest.fixture(scope="module")
def systems() -> Iterator[Systems]:
    running = start_systems(120)
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.allow_threads
@pytest.mark.timeout(600)
def test_ids_in_every_form_round_trip_plan_apply_verify_audit_undo(systems: Systems) -> None:
    truth = systems.data.truth[["account_id", "customer_id"]].astype(str).to_numpy().tolist()
    unused: Iterator[list[str]] = iter(truth)
    serial = itertools.count()
    for account_id, customer_id in truth:  # start from no links at all, so every finding is the test's own
        systems.sf.org.set_field("Account", account_id, LINK_FIELD, "")
        systems.set_customer_link(customer_id, "")
    sides = make_sides(systems)
    systems.opened.append(sides)
    account_side = sides["account"]
    assert isinstance(account_side, SalesforceSide)
    billing = SequenceBilling(systems.seq.client_id, systems.seq.client_secret, base_url=systems.seq.url,
                              ca_cert=systems.seq.ca_cert)
    pair_case = st.tuples(st.sampled_from(ACCOUNT_FORMS), st.sampled_from(CUSTOMER_FORMS),
                          st.sampled_from(PLACEHOLDERS))

    @settings(deadline=None, max_examples=8, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.lists(pair_case, min_size=PAIRS_PER_EXAMPLE, max_size=PAIRS_PER_EXAMPLE),
           st.sampled_from(POLICIES), st.booleans())
    def check(cases: list[tuple[str, str, str]], policy: str, normalize: bool) -> None:
        pairs = [next(unused) for _ in cases]
        start_accounts: dict[str, str] = {}
        start_customers: dict[str, str] = {}
        for (account_id, customer_id), (a_form, c_form, placeholder) in zip(pairs, cases, strict=True):
            n = next(serial)
            start_accounts[account_id] = _account_value(a_form, customer_id, n, placeholder)
            start_customers[customer_id] = _customer_value(c_form, account_id, n, placeholder)
            systems.sf.org.set_field("Account", account_id, LINK_FIELD, start_accounts[account_id])
            systems.set_customer_link(customer_id, start_customers[customer_id])
        matches = pd.DataFrame([{"account_id": a, "customer_id": c, "status": "matched"} for a, c in pairs],
                               dtype=object)
        plan = plan_from_live(matches, sides, policy=policy, normalize_ids=normalize)  # type: ignore[arg-type]

        linked: list[str] = []
        for link, (a_form, c_form, _) in zip(plan.links, cases, strict=True):
            account_same, customer_same = a_form == "same", c_form not in ("placeholder", "other")
            want_account = _expected_action(account_same, a_form in ("empty", "placeholder"), True, policy, normalize)
            want_customer = _expected_action(customer_same, c_form == "placeholder", c_form == "same18", policy,
                                             normalize)
            assert (link.account.action, link.customer.action) == (want_account, want_customer), (
                a_form, c_form, link)
            assert link.account.before == start_accounts[link.account_id]
            assert link.customer.before == start_customers[link.customer_id]
            if (want_account == "set" or account_same) and (want_customer == "set" or customer_same):
                linked.append(link.account_id)

        if not any("set" in (link.account.action, link.customer.action) for link in plan.links):
            return
        with Journal() as journal:
            report = start_apply(journal, plan, sides)
            assert report.state == "done", report
            assert report.verification is not None
            assert report.verification.verified_links == report.verification.expected_links == len(linked)
            assert report.pairs.get("linked", 0) == len(linked)
            after_accounts, after_customers = systems.account_values(), systems.customer_values()
            for link in plan.links:
                for side, after, record in (("account", after_accounts, link.account_id),
                                            ("customer", after_customers, link.customer_id)):
                    planned = link.side(side)
                    wanted = planned.after if planned.action == "set" else (
                        start_accounts if side == "account" else start_customers)[record]
                    assert after[record] == wanted, (side, planned)  # untouched values keep their exact text

            audit = read_and_audit(account_side.client, billing, LINK_FIELD)
            findings = audit.findings[audit.findings["kind"].isin(LINK_FINDINGS)]
            assert not set(findings["account_id"]) & set(linked), findings.to_dict("records")

            undo = start_undo(journal, report.run_id, sides)
            assert undo.state == "done", undo
        restored_accounts, restored_customers = systems.account_values(), systems.customer_values()
        for account_id, value in start_accounts.items():
            assert restored_accounts[account_id] == value  # placeholders and 15-character forms come back as they were
        for customer_id, value in start_customers.items():
            assert restored_customers[customer_id] == value

    try:
        check()
    finally:
        billing.close()


@pytest.mark.allow_threads
@pytest.mark.timeout(300)
def test_apply_rereads_and_counts_the_same_account_written_meanwhile_in_another_form(systems: Systems) -> None:
    account_id, customer_id = (str(v) for v in systems.data.truth[["account_id", "customer_id"]].iloc[-1])
    systems.sf.org.set_field("Account", account_id, LINK_FIELD, "")
    systems.set_customer_link(customer_id, "N/A")
    sides = make_sides(systems)
    systems.opened.append(sides)
    matches = pd.DataFrame([{"account_id": account_id, "customer_id": customer_id, "status": "matched"}], dtype=object)
    plan = plan_from_live(matches, sides)
    assert (plan.links[0].account.action, plan.links[0].customer.action) == ("set", "set")
    systems.set_customer_link(customer_id, account_id[:15])  # someone links it meanwhile, in 15 characters
    with Journal() as journal:
        report = start_apply(journal, plan, sides)
        customer = journal.items(report.run_id, "customer")[0]
    assert report.state == "done"
    assert customer.state == "unchanged"  # the same Account: nothing to write, no conflict
    assert report.pairs == {"linked": 1}
    assert report.verification is not None
    assert report.verification.verified_links == 1
    assert systems.customer_values()[customer_id] == account_id[:15]


def test_audit_reads_every_form_of_an_account_as_it_and_placeholders_as_empty() -> None:
    a1, a2, a3, a4 = (to_18(f"0015g00000ABC{n:02d}") for n in range(4))
    accounts = pd.DataFrame({"account_id": [a1[:15], a2, a3, a4], "link_customer_id": ["cus_1", "cus_2", "NA", "0"],
                             "currency": ["", "", "", ""]}, dtype=object)
    customers = pd.DataFrame({"customer_id": ["cus_1", "cus_2", "cus_3", "cus_4"],
                              "sf_account_id": [a1.upper(), a2[:15], "#N/A", a4.lower()],
                              "currency": ["", "", "", ""]}, dtype=object)
    result = audit_links(accounts, customers)
    assert result.linked_both_sides == 2  # a1 and a2, whatever form each side holds
    assert result.counts()["account_to_missing_customer"] == 0  # 'NA' and '0' name no customer: they are empty
    assert result.counts()["customer_to_missing_account"] == 0  # '#N/A' is no Account id: it is empty
    one_sided = result.findings[result.findings["kind"] == "one_sided"]
    assert one_sided[["account_id", "customer_id"]].to_numpy().tolist() == [[a4, "cus_4"]]
    assert result.counts()["sides_disagree"] == 0
