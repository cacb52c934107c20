"""Projects remember an onboarding between sessions: choices, review calls, accepted fixes; no secret."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from desktop_app.workflow.projects import (
    apply_fix_calls,
    load_project,
    new_project,
    recent_projects,
    save_project,
)
from desktop_app.workflow.review import apply_review_calls

A1, A2, A3 = "001000000000001AAA", "001000000000002AAA", "001000000000003AAA"


def _decisions() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": [A1, A2, A3, ""], "customer_id": ["cus_1", "cus_2", "", "cus_9"],
        "customer_name": ["One", "Two", "", "Nine"], "status": ["suggested", "ambiguous", "unmatched", "unmatched"],
        "score": [88.0, 70.0, 0.0, 0.0], "reason": ["r1", "r2", "r3", "r9"], "reviewed": ["", "", "", ""]},
    ).astype({c: object for c in ("account_id", "customer_id", "customer_name", "status", "reason", "reviewed")})


def test_review_calls_survive_a_save_and_find_their_rows_in_a_fresh_match() -> None:
    reviewed = _decisions()
    reviewed.loc[0, ["status", "reviewed"]] = ["matched", "accepted"]
    reviewed.loc[2, ["customer_id", "status", "reviewed", "score"]] = ["cus_7", "matched", "entered", 100.0]
    reviewed.loc[3, ["status", "reviewed"]] = ["rejected", "rejected"]
    project = new_project("Acme → Stripe")
    project.source, project.link_field = "files", "Stripe_Id__c"
    folder = save_project(project, reviewed=reviewed)
    assert project.reviewed_calls == 3
    stored = json.loads((folder / "project.json").read_text(encoding="utf-8"))
    assert stored["link_field"] == "Stripe_Id__c"

    [listed] = recent_projects().projects
    assert listed.project_id == project.project_id
    loaded, calls, fixes = load_project(project.project_id)
    assert (loaded.name, loaded.source) == ("Acme → Stripe", "files")
    assert fixes is None
    restored, found = apply_review_calls(_decisions(), calls)
    assert found == 3
    assert restored["status"].tolist() == ["matched", "ambiguous", "matched", "rejected"]
    assert restored["customer_id"].tolist() == ["cus_1", "cus_2", "cus_7", "cus_9"]
    assert restored["reviewed"].tolist() == ["accepted", "", "entered", "rejected"]
    assert restored["score"].tolist() == [88.0, 70.0, 100.0, 0.0]


def test_calls_whose_row_is_gone_are_dropped_not_misapplied() -> None:
    calls = pd.DataFrame({"account_id": ["001000000000099AAA"], "customer_id": ["cus_1"], "status": ["matched"],
                          "reviewed": ["accepted"]}, dtype=object)
    restored, found = apply_review_calls(_decisions(), calls)
    assert found == 0
    assert restored.equals(_decisions())


def test_accepted_fixes_are_marked_again_only_where_record_part_and_fix_agree() -> None:
    problems = pd.DataFrame({"accept": ["", "", ""], "side": ["account", "account", "customer"],
                             "record_id": [A1, A2, "cus_1"], "field": ["country"] * 3,
                             "value": ["Deutschland", "Frankreich", "U.K."], "suggestion": ["DE", "FR", "GB"]})
    saved = pd.DataFrame({"side": ["account", "customer"], "record_id": [A1, "cus_1"], "field": ["country"] * 2,
                          "suggestion": ["DE", "IE"]})
    marked, found = apply_fix_calls(problems, saved, "accept")
    assert found == 1
    assert marked["accept"].tolist() == ["yes", "", ""]


def test_an_unreadable_project_is_listed_as_unreadable_and_explained_when_opened() -> None:
    save_project(new_project("Fine"))
    project = new_project("Broken")
    folder = save_project(project)
    (folder / "project.json").write_text("{not json", encoding="utf-8")
    listing = recent_projects()
    assert [p.name for p in listing.projects] == ["Fine"]
    [unreadable] = listing.unreadable
    assert unreadable.folder == project.project_id
    assert unreadable.describe() == f"{project.project_id} · cannot be read: project.json is damaged (line 1, column 2)"
    with pytest.raises(ValueError, match="cannot be read any more"):
        load_project(project.project_id)
