"""Audit findings (pure and against the sandboxes) and the plan/apply/runs commands end to end."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest
from engine_cli import sandbox_connection, true_links_plan
from engine_sandboxes import make_sides, start_systems, truth_matches

from desktop_app.billing.sequence_adapter import SequenceBilling
from desktop_app.cli import apply_cmd, main, plan_cmd
from desktop_app.cli.common import UsageError
from desktop_app.core.journal import Journal
from desktop_app.core.plan_file import read_plan
from desktop_app.workflow.apply_addresses import address_results_path
from desktop_app.workflow.audit import audit_links, read_and_audit
from desktop_app.workflow.engine import start_apply
from desktop_app.workflow.link_sides import SalesforceSide
from desktop_app.workflow.plan import plan_from_live

A1, A2, A3, GONE = "001A0000006Vm9rIAC", "0015g00000ABCdeAAH", "0015g00000ABCdfAAH", "0015g00000ZZZZZAAA"


def test_audit_finds_each_kind_of_broken_link() -> None:
    accounts = pd.DataFrame(
        {
            "account_id": [A1, A2, A3],
            "link_customer_id": ["cus_1", "cus_2", "cus_missing"],
            "currency": ["EUR", "USD", ""],
        },
        dtype=object,
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["cus_1", "cus_2", "cus_3", "cus_4"],
            "sf_account_id": [A1, A3, GONE, A1],
            "currency": ["USD", "", "", ""],
        },
        dtype=object,
    )
    result = audit_links(accounts, customers)
    counts = result.counts()
    assert counts["account_to_missing_customer"] == 1
    assert "It has" not in result.findings["detail"].str.cat()
    assert counts["customer_to_missing_account"] == 1
    assert counts["account_shared"] == 2  # cus_1 and cus_4 both point to A1
    assert counts["sides_disagree"] == 1  # A2 → cus_2 → A3
    assert counts["currency_mismatch"] == 1  # A1 EUR, cus_1 USD
    assert result.linked_both_sides == 1
    assert not result.healthy
    empty = audit_links(accounts.iloc[:0], customers.iloc[:0])  # an audit of nothing vouches for nothing
    assert not empty.healthy
    assert empty.nothing_audited is not None
    assert "no Accounts and no billing customers" in empty.nothing_audited
    assert audit_links(accounts.iloc[:0], customers).nothing_audited is not None
    assert result.nothing_audited is None


def test_a_link_naming_a_customer_in_other_letter_case_says_which_customer_it_may_mean() -> None:
    accounts = pd.DataFrame({"account_id": [A1, A2], "link_customer_id": ["CUS_QYM4I0OAPFS9DQ", "cus_zz"],
                             "currency": ["", ""]}, dtype=object)
    customers = pd.DataFrame({"customer_id": ["cus_Qym4I0OapfS9dq", "cus_ZZ", "cus_Zz", "cus_up"],
                              "sf_account_id": ["", "", "", A2[:15].upper()], "currency": ["", "", "", ""]},
                             dtype=object)
    found = audit_links(accounts, customers).findings
    by_customer = found.set_index("customer_id")["detail"]
    assert by_customer["cus_up"].endswith(  # a 15-character id in other letter case is another id
        f"It has {A2}, the same id in other letter case: ids are case-sensitive, so if that is the Account, write "
        "its id exactly (an Excel round trip or a hand edit changes the case).")
    findings = found[found["kind"] == "account_to_missing_customer"].set_index("account_id")["detail"]
    assert findings[A1] == (
        "The Account's link names customer CUS_QYM4I0OAPFS9DQ, which the billing system does not have. It has "
        "cus_Qym4I0OapfS9dq, the same id in other letter case: ids are case-sensitive, so if that is the customer, "
        "write its id exactly (an Excel round trip or a hand edit changes the case).")
    assert "It has cus_ZZ, cus_Zz, the same id" in findings[A2]


@pytest.mark.timeout(200)
def test_audit_of_the_sandboxes_improves_after_applying_the_true_links() -> None:
    systems = start_systems(300)
    try:
        sides = make_sides(systems)
        account_side = sides["account"]
        assert isinstance(account_side, SalesforceSide)
        client = account_side.client
        billing = SequenceBilling(
            systems.seq.client_id, systems.seq.client_secret, base_url=systems.seq.url, ca_cert=systems.seq.ca_cert
        )
        before = read_and_audit(client, billing, "Billing_Customer_ID__c")
        plan = plan_from_live(truth_matches(systems), sides, policy="overwrite")
        with Journal() as journal:
            assert start_apply(journal, plan, sides).state == "done"
        after = read_and_audit(client, billing, "Billing_Customer_ID__c")
        assert after.linked_both_sides >= len(plan.links) > before.linked_both_sides
        assert after.counts()["sides_disagree"] == 0
        billing.close()
    finally:
        systems.stop()


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    plan_cmd.register(sub)
    apply_cmd.register(sub)
    return parser.parse_args(argv)


def test_offline_plan_dry_run_and_runs_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    matches = tmp_path / "matches.csv"
    pd.DataFrame(
        {
            "account_id": [A1, A2, "'" + A3],
            "customer_id": ["cus_1", "cus_2", "cus_3"],
            "status": ["matched", "already_linked", "unmatched"],
        }
    ).to_csv(matches, index=False)
    out = tmp_path / "plan.json"
    table = tmp_path / "plan.xlsx"
    args = _parse("plan", "--matches", str(matches), "--out", str(out), "--offline", "--table", str(table), "--json")
    assert args.func(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["links"] == 2
    assert {k: printed["counts"]["account"][k] for k in ("set", "skip", "conflict", "replace")} == {
        "set": 1, "skip": 1, "conflict": 0, "replace": 0}
    assert table.stat().st_size > 0
    args = _parse("apply", str(out), "--dry-run")
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "Salesforce Accounts: 1 to set, 1 skipped, 0 in conflict." in text
    assert "nothing was written" in text
    args = _parse("runs")
    assert args.func(args) == 0
    assert "No runs yet." in capsys.readouterr().out
    args = _parse("resume")
    with pytest.raises(UsageError, match=r"^There is no unfinished run to resume\.$"):
        args.func(args)


def test_bad_plan_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("[]", encoding="utf-8")
    args = _parse("apply", str(bad), "--dry-run")
    with pytest.raises(UsageError, match="not a Crosslink plan"):
        args.func(args)


@pytest.mark.timeout(200)
def test_apply_undo_and_runs_commands_against_the_sandboxes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = start_systems(150)
    try:
        monkeypatch.setenv("CROSSLINK_SANDBOX_ACCESS_TOKEN", systems.sf.access_token)
        monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_ID", systems.seq.client_id)
        monkeypatch.setenv("CROSSLINK_SEQUENCE_CLIENT_SECRET", systems.seq.client_secret)
        before = systems.account_values(), systems.customer_values()
        matches = tmp_path / "matches.csv"
        truth_matches(systems).to_csv(matches, index=False)
        connection = [
            "--sandbox",
            "--instance-url",
            systems.sf.instance_url,
            "--ca-cert",
            str(systems.sf.ca_cert),
            "--billing",
            "sequence",
            "--billing-url",
            systems.seq.url,
            "--billing-ca",
            str(systems.seq.ca_cert),
        ]
        plan = tmp_path / "plan.json"
        args = _parse("plan", "--matches", str(matches), "--out", str(plan), "--policy", "fill_empty", *connection)
        assert args.func(args) == 0
        capsys.readouterr()
        findings = tmp_path / "findings.csv"
        assert main(["audit", *connection, "--out", str(findings)]) == 1  # the demo's links are broken in places
        listed = capsys.readouterr().out.splitlines()
        found = pd.read_csv(findings, dtype=str, keep_default_na=False)
        shown = [line for line in listed if line.startswith("  - ")]
        assert len(shown) == min(20, len(found)) > 0
        first = found.iloc[0]
        assert shown[0] == (f"  - {first['kind']} (Account {first['account_id'] or '—'}, customer "
                            f"{first['customer_id'] or '—'}): {first['detail']}")
        assert len(set(shown)) == len(shown)  # a shared record's two findings read apart
        if len(found) > 20:
            assert f"  … and {len(found) - 20:,} more: all of them are in the findings file." in listed
        # The support-staff path: export the Accounts, check their addresses, keep the country fixes only.
        accounts, fixes = tmp_path / "accounts.csv", tmp_path / "fixes.csv"
        assert main(["accounts", "--out", str(accounts), *connection[:5]]) == 0
        assert main(["check-addresses", "--input", str(accounts), "--out", str(fixes)]) in (0, 1)
        checked = pd.read_csv(fixes, dtype=str, keep_default_na=False)
        country_fixes = checked[(checked["field"] == "country") & (checked["suggestion"] != "")]
        assert len(country_fixes) > 0
        country_fixes.to_csv(fixes, index=False)
        capsys.readouterr()
        results = tmp_path / "results.csv"
        args = _parse("apply", str(plan), "--json", "--results", str(results), "--account-fixes", str(fixes),
                      *connection)
        assert args.func(args) == 0
        applied = json.loads(capsys.readouterr().out)
        assert applied["state"] == "done"
        assert applied["addresses"]["account"]["written"] == len(country_fixes)
        fixed = country_fixes.iloc[0]
        listed = pd.read_csv(address_results_path(applied["run_id"]), dtype=str, keep_default_na=False)
        assert listed["state"].tolist() == ["written"] * len(country_fixes)
        assert _billing_country(systems, fixed["record_id"]) == fixed["suggestion"]
        assert applied["verified"]["links"] == applied["verified"]["expected_links"] > 0
        assert pd.read_csv(results, dtype=str)["account_id"].tolist() == [
            link.account_id for link in read_plan(plan).links
        ]
        # A process killed after its run was done, before it printed: 'resume RUN' tells how the run ended.
        args = _parse("resume")  # not without its id: a script killed before its run began would read it as its own
        with pytest.raises(UsageError, match=rf"the newest run, {applied['run_id']} \(apply, started .*\), is done\. "
                                             rf"'desktop-app resume {applied['run_id']}' tells how it ended"):
            args.func(args)
        args = _parse("resume", applied["run_id"], "--json")
        assert args.func(args) == 0
        heard = json.loads(capsys.readouterr().out)
        assert {k: heard[k] for k in ("run_id", "kind", "state", "pairs", "writes", "results", "addresses")} == {
            k: applied[k] for k in ("run_id", "kind", "state", "pairs", "writes", "results", "addresses")}
        assert heard["verified"] == {k: applied["verified"][k] for k in ("links", "expected_links", "mismatches")}
        assert heard["figures"] == applied["figures"]
        assert "already done; nothing to resume" in heard["message"]
        args = _parse("resume", applied["run_id"])
        assert args.func(args) == 0
        assert capsys.readouterr().out.splitlines() == [
            f"Run {applied['run_id']} is already done; nothing to resume.", applied["figures"]["headline"]]
        args = _parse("undo", applied["run_id"], "--json")  # connection settings come from the run
        code = args.func(args)
        undone = json.loads(capsys.readouterr().out)
        assert undone["kind"] == "undo"
        # Both sides are restored exactly, customers that had no link before included (the link is removed).
        assert "failed" not in undone["writes"]["account"]
        assert "failed" not in undone["writes"]["customer"]
        assert code == 0
        assert systems.account_values() == before[0]
        assert systems.customer_values() == before[1]
        assert undone["addresses"]["account"] == {"undone": len(country_fixes)}
        assert _billing_country(systems, fixed["record_id"]) == fixed["value"]
        args = _parse("runs", "--json")
        assert args.func(args) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [r["kind"] for r in listed] == ["undo", "apply"]
        # The apply run's figures follow the undo: what the read-back verified, less what undo took back.
        figures = listed[1]["figures"]
        assert figures["verified"] == applied["figures"]["verified"] == applied["verified"]["links"]
        assert figures["linked_now"] == figures["verified"] - figures["undone"] < applied["figures"]["linked_now"]
        assert listed[0]["figures"]["restored"] == undone["figures"]["restored"] > 0
        args = _parse("runs")
        assert args.func(args) == 0
        assert figures["headline"] in capsys.readouterr().out
        args = _parse("resume", undone["run_id"], "--json")  # the undo, done too
        assert args.func(args) == 0
        assert json.loads(capsys.readouterr().out)["figures"] == undone["figures"]
        args = _parse("resume", applied["run_id"])  # an undone run is never resumed
        with pytest.raises(UsageError, match="was undone"):
            args.func(args)
    finally:
        systems.stop()


def _billing_country(systems, account_id: str) -> str:
    with systems.sf.org.lock:
        table = systems.sf.org.tables["Account"]
        return str(table.columns["BillingCountry"][list(table.columns["Id"]).index(account_id)] or "")


def test_bad_fix_file_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    from desktop_app.cli.common import UsageError
    from desktop_app.core.plan import PlanSource, build_plan
    from desktop_app.core.plan_file import write_plan

    matches = pd.DataFrame({"account_id": [A1], "customer_id": ["cus_1"], "status": ["matched"]}, dtype=object)
    plan = build_plan(matches, account_values={}, customer_values={}, source=PlanSource(billing_system="sequence"))
    path = write_plan(plan, tmp_path / "plan.json")
    wrong = tmp_path / "not_fixes.csv"
    wrong.write_text("Id,BillingCountry\n001A0000006Vm9rIAC,Deutschland\n", encoding="utf-8")
    args = _parse("apply", str(path), "--sandbox", "--account-fixes", str(wrong))
    with pytest.raises(UsageError, match=r"not_fixes\.csv is not a check-addresses output: it has no column record_id"):
        args.func(args)


def test_apply_refuses_a_billing_system_it_cannot_read_back(tmp_path: Path) -> None:
    from desktop_app.cli.common import UsageError
    from desktop_app.core.plan import PlanSource, build_plan
    from desktop_app.core.plan_file import write_plan

    matches = pd.DataFrame({"account_id": [A1], "customer_id": ["cus_1"], "status": ["matched"]}, dtype=object)
    plan = build_plan(matches, account_values={}, customer_values={}, source=PlanSource(billing_system="file"))
    path = write_plan(plan, tmp_path / "plan.json")
    args = _parse("apply", str(path), "--sandbox")
    with pytest.raises(UsageError, match="read back"):
        args.func(args)


@pytest.mark.timeout(120)
def test_apply_runs_the_orgs_checks_first_and_a_failed_one_stops_it_before_anything_is_journaled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = start_systems(40, scenario="readonly-link-field")
    try:
        connection = sandbox_connection(systems, monkeypatch)
        plan = true_links_plan(systems, tmp_path, connection, "--policy", "overwrite")
        capsys.readouterr()
        before = systems.account_values(), systems.customer_values()
        assert main(["apply", str(plan), *connection]) == 2
        said = capsys.readouterr().err
        assert f"Nothing was written: 1 of the org's checks failed for this plan ('desktop-app check --plan {plan}'" \
               in said
        assert "  You can edit the link field: " in said
        with Journal() as journal:
            assert journal.runs() == []
        assert (systems.account_values(), systems.customer_values()) == before
        assert main(["apply", str(plan), "--skip-checks", *connection]) == 1  # written anyway: Salesforce refuses
        with Journal() as journal:
            (run,) = journal.runs()
        assert run.state == "done_with_failures"
    finally:
        systems.stop()
