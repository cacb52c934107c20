"""The evidence beside a decision: records side by side, fields compared, the matcher's evidence read."""

from __future__ import annotations

import json

from desktop_app.core.matching import match
from desktop_app.sandbox.demo_data import generate
from desktop_app.workflow.review import with_review_column
from desktop_app.workflow.review_evidence import DIFFERS, MISSING, SAME, compare, domain_of, evidence_for


def test_values_are_compared_as_a_person_reads_them() -> None:
    assert compare("Country", "Netherlands", "NL") == SAME
    assert compare("Country", "Germany", "NL") == DIFFERS
    assert compare("Phone", "+31 (0)20 555 0101", "020-5550101") == SAME
    assert compare("Name", "Riverside & Anchor Lock Ltd.", "riverside & anchor lock") == SAME
    assert compare("Name", "Riverside Lock", "Anchor Lock") == DIFFERS
    assert compare("City", "", "Utrecht") == MISSING
    assert domain_of("https://www.Acme.com/about", "") == "acme.com"
    assert domain_of("", "info@acme.co.uk") == "acme.co.uk"


def test_an_account_row_lists_every_candidate_and_the_matchers_evidence() -> None:
    data = generate(2_000)
    decisions = with_review_column(match(data.accounts, data.customers).decisions)
    position = int(decisions.index[(decisions["status"] == "suggested")][0])
    decisions["evidence"] = ""
    decisions.loc[position, "evidence"] = json.dumps({"name": {"verdict": "agree", "weight": 0.6}})
    evidence = evidence_for(decisions, position, data.accounts, data.customers)
    account = data.accounts.set_index("account_id").loc[decisions.loc[position, "account_id"]]
    customer = decisions.loc[position, "customer_id"]
    assert evidence.anchor.values["City"] == account["city"]
    assert [c.record_id for c in evidence.candidates] == [customer]
    assert evidence.reason == decisions.loc[position, "reason"]
    assert evidence.matcher == (("name", "verdict: agree, weight: 0.6"),)

    held = data.accounts.set_index("account_id")["link_customer_id"]
    conflicts = decisions[(decisions["status"] == "conflict") & decisions["account_id"].map(held).fillna("").ne("")]
    conflict = int(conflicts.index[0])
    named = held[decisions.loc[conflict, "account_id"]]
    ids = [c.record_id for c in evidence_for(decisions, conflict, data.accounts, data.customers).candidates]
    assert named in ids


def test_an_account_id_in_15_characters_is_the_same_account_and_matcher_weights_read_as_words() -> None:
    from desktop_app.workflow.review_evidence import SAME, _matcher_evidence, compare

    assert compare("Account id", "0015g00004e2JF9AAM", "0015g00004e2JF9") == SAME
    assert compare("Account id", "0015g00004e2JF9AAM", "0015G00004E2JF9AAM") == SAME
    assert compare("Account id", "0015g00004e2JF9AAM", "0015g00004e2JG0AAM") != SAME
    weighed = dict(_matcher_evidence('{"name": ["agree", 11.2], "street": ["disagree", -4.1], '
                                     '"link_field": ["agree", null]}'))
    assert weighed == {"name": "agrees (weight +11.2)", "street": "differs (weight -4.1)",
                       "link field": "agrees (decided by the link itself, not weighed)"}
