"""The wizard's shared state: each change clears exactly what was made from it, and no page assigns a
field of it (they call the state's methods)."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

import desktop_app.gui
from desktop_app.core.roles import Side
from desktop_app.gui.connections import SalesforceConnection
from desktop_app.gui.state import MADE_FROM, Journey, Source, WizardState, stale_after
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.salesforce.preflight import CheckResult
from desktop_app.salesforce.session import SalesforceSession
from desktop_app.salesforce.tokens import TokenSet
from desktop_app.workflow.connect_billing import BillingChoice, BillingConnection, check_connection
from desktop_app.workflow.load_files import ColumnOverride

SAMPLES = Path(__file__).parents[1] / "samples"
GUI = Path(desktop_app.gui.__file__).parent
EVENTS = {"journey", "source", "salesforce_org", "billing_system", "link_key"}  # changes that are not fields
RESULTS = ("loaded", "address_check", "match_run", "reviewed", "accepted_fixes", "plan")


def org(url: str) -> SalesforceConnection:
    """A connection object to the org at ``url`` (nothing is sent: the state only keeps and closes it)."""
    tokens = TokenSet(access_token="unused", instance_url=url, identity_url=f"{url}/id/00D000000000001AAA/005A")
    return SalesforceConnection(SalesforceClient(SalesforceSession(tokens)), url, "admin@example.com", "Org",
                                "Developer Edition", False)


def billing_file(name: str) -> BillingConnection:
    """A real billing connection: the file system of a sample customer export."""
    return check_connection(BillingChoice("file", file=str(SAMPLES / name)))


def made(name: str) -> Any:
    """A stand-in result the state only keeps (it never looks inside)."""
    return cast(Any, f"<{name}>")


def check(key: str, status: str) -> CheckResult:
    return CheckResult(key, key.title(), status, "", "", None)  # type: ignore[arg-type]


@pytest.fixture
def state() -> Iterator[WizardState]:
    """A state as far as the Plan page: connected, both files read, matched, reviewed, planned."""
    s = WizardState(source=Source.SYSTEMS)
    s.salesforce_connected(org("https://one.my.salesforce.com"))
    s.billing_connected(billing_file("stripe_customers_export.csv"))
    s.describe_read({"name": "Account"})
    s.preflight_checked([check("api", "pass")])
    for side in (Side.ACCOUNTS, Side.CUSTOMERS):
        s.file_chosen(side, Path(f"{side.value}.csv"))
        s.overrides_changed(side, [ColumnOverride("name", "Name", side)])
        s.file_loaded(side, made(f"loaded {side.value}"))
    s.matched(made("match"))
    s.review_changed(made("reviewed"))
    s.fixes_accepted(made("fixes"))
    s.planned(made("plan"))
    yield s
    s.close()


def kept(s: WizardState) -> set[str]:
    """Which of the results still stand (a per-side result counts while any side has one)."""
    return {name for name in ("account_describe", "preflight", *RESULTS) if getattr(s, name)}


def test_the_table_names_fields_and_events_only_and_has_no_cycle() -> None:
    fields = {f.name for f in dataclasses.fields(WizardState)}
    assert set(MADE_FROM) <= fields
    assert {source for sources in MADE_FROM.values() for source in sources} <= fields | EVENTS
    for result in MADE_FROM:
        assert result not in stale_after(result), result


def test_what_is_stale_follows_the_table_through_results() -> None:
    assert stale_after("salesforce") == ("account_describe", "preflight", "plan")
    assert stale_after("paths") == RESULTS
    assert stale_after("match_run") == ("reviewed", "accepted_fixes", "plan")
    assert stale_after("reviewed") == ("plan",)
    assert stale_after("salesforce_org") == ("paths", "overrides", *RESULTS)


def test_a_new_login_to_the_same_org_keeps_the_files_and_the_match(state: WizardState) -> None:
    state.salesforce_disconnected()
    state.salesforce_connected(org("https://one.my.salesforce.com"))
    assert kept(state) == {"loaded", "match_run", "reviewed", "accepted_fixes"}
    assert set(state.paths) == {Side.ACCOUNTS, Side.CUSTOMERS}


def test_another_org_makes_the_files_read_from_the_systems_stale(state: WizardState) -> None:
    state.salesforce_connected(org("https://two.my.salesforce.com"))
    assert kept(state) == set()
    assert state.paths == {}
    assert state.overrides == {}
    assert state.loaded == {}
    assert state.salesforce is not None
    assert state.salesforce.instance_url == "https://two.my.salesforce.com"


def test_billing_reconnected_to_the_same_system_clears_the_preflight_and_plan_only(state: WizardState) -> None:
    state.billing_connected(billing_file("stripe_customers_export.csv"))
    assert kept(state) == {"account_describe", "loaded", "match_run", "reviewed", "accepted_fixes"}


def test_another_billing_system_makes_the_files_stale(state: WizardState) -> None:
    state.billing_disconnected()
    assert state.billing is None
    assert state.preflight is None
    assert state.plan is None
    state.billing_connected(billing_file("chargebee_customers.csv"))
    assert kept(state) == {"account_describe"}
    assert state.paths == {}


def test_a_new_file_clears_its_side_and_everything_made_from_the_files(state: WizardState) -> None:
    state.file_chosen(Side.CUSTOMERS, Path("other.csv"))
    assert set(state.loaded) == {Side.ACCOUNTS}
    assert state.paths[Side.CUSTOMERS] == Path("other.csv")
    assert set(state.overrides) == {Side.ACCOUNTS, Side.CUSTOMERS}  # the columns chosen stay
    assert kept(state) == {"account_describe", "preflight", "loaded"}


def test_columns_chosen_again_clear_that_side_only(state: WizardState) -> None:
    state.overrides_changed(Side.ACCOUNTS, [])
    assert set(state.overrides) == {Side.CUSTOMERS}
    assert set(state.loaded) == {Side.CUSTOMERS}
    assert state.match_run is None
    assert state.plan is None


def test_a_file_loaded_again_invalidates_the_match_but_not_the_other_side(state: WizardState) -> None:
    state.file_loaded(Side.ACCOUNTS, made("loaded again"))
    assert state.loaded[Side.CUSTOMERS] == "<loaded customers>"
    assert kept(state) == {"account_describe", "preflight", "loaded"}


def test_link_field_and_policy_clear_what_was_made_with_them_when_they_change(state: WizardState) -> None:
    state.link_field_chosen(state.link_field)
    state.policy_chosen(state.policy)
    assert state.preflight is not None  # chosen again as they were: nothing is stale
    assert state.plan is not None
    state.policy_chosen("overwrite")
    assert state.plan is None
    assert state.preflight is not None
    state.planned(made("plan"))
    state.link_field_chosen("Other_Field__c")
    assert state.plan is None
    assert state.preflight is None
    assert state.reviewed is not None


def test_a_new_link_key_clears_the_plan_and_keeps_the_preflight(state: WizardState) -> None:
    billing = state.billing
    assert billing is not None
    choice = dataclasses.replace(billing.choice, link_key="metadata.account")
    state.link_key_chosen(BillingConnection(choice, billing.system, billing.summary))
    assert state.plan is None
    assert state.preflight is not None
    assert state.billing is not None
    assert state.billing.choice.link_key == "metadata.account"


def test_matching_again_clears_the_review_fixes_and_plan_but_not_the_files(state: WizardState) -> None:
    state.match_started()
    assert kept(state) == {"account_describe", "preflight", "loaded"}
    state.matched(made("match"))
    state.review_changed(made("reviewed"))
    state.planned(made("plan"))
    state.review_changed(made("a call more"))
    assert state.plan is None
    assert state.match_run is not None


def test_the_addresses_checked_again_clear_the_accepted_fixes(state: WizardState) -> None:
    state.addresses_checked(made("check"))
    assert state.accepted_fixes is None
    assert state.match_run is not None


def test_another_journey_forgets_the_files_and_another_source_the_connections(state: WizardState) -> None:
    before = kept(state)
    state.start_journey(Journey.LINK, Source.SYSTEMS)
    assert kept(state) == before
    state.start_journey(Journey.MAPPING, Source.SYSTEMS)
    assert state.paths == {}
    assert kept(state) == {"account_describe", "preflight"}
    assert state.salesforce is not None
    state.start_journey(Journey.MAPPING, Source.FILES)
    assert state.salesforce is None
    assert state.billing is None
    assert kept(state) == set()


def test_the_data_checks_replace_the_preflight_results_of_the_same_checks(state: WizardState) -> None:
    state.preflight_checked([check("api", "pass"), check("currencies", "not_checked")])
    state.data_checked([check("currencies", "fail")])
    assert [(c.key, c.status) for c in state.preflight or []] == [("api", "pass"), ("currencies", "fail")]
    state.preflight_started()
    state.data_checked([check("currencies", "pass")])
    assert state.preflight is None


def test_restored_calls_and_fixes_are_given_out_once() -> None:
    state = WizardState(restored_calls=made("calls"), restored_fixes=made("fixes"))
    assert state.take_restored_calls() == "<calls>"
    assert state.take_restored_calls() is None
    assert state.take_restored_fixes() == "<fixes>"
    assert state.take_restored_fixes() is None


def test_a_run_undone_keeps_its_report_with_the_figures_as_they_are_now() -> None:
    from desktop_app.workflow.engine import RunReport

    state = WizardState()
    run = RunReport("r1", "apply", "done", "", {}, {}, None, None)
    state.run_finished(run)
    state.run_undone(dataclasses.replace(run, run_id="u1", kind="undo"), made("figures"))
    assert state.undo_report is not None
    assert state.undo_report.run_id == "u1"
    assert state.run_report is not None
    assert state.run_report.figures == "<figures>"
    state.run_finished(run)
    assert state.undo_report is None


# -- no page assigns the state's fields --------------------------------------------------------------

MUTATING_CALLS = {"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "popitem"}


def _is_state(node: ast.expr) -> bool:
    """``state`` or ``<anything>.state`` (``self.state``, ``self.page.state``)."""
    return (isinstance(node, ast.Name) and node.id == "state") or (isinstance(node, ast.Attribute)
                                                                  and node.attr == "state")


def _state_field(node: ast.expr) -> str | None:
    """The field named by ``state.<field>`` (or ``state.<field>[...]``), else None."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute) and _is_state(node.value):
        return node.attr
    return None


def state_writes(source: str, fields: set[str]) -> list[tuple[int, str]]:
    """(line, field) of every assignment to, deletion of, or in-place change of a state field."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in (target.elts if isinstance(target, ast.Tuple)
                                                              else [target])]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in MUTATING_CALLS):
            targets = [node.func.value]
        found += [(node.lineno, name) for t in targets if (name := _state_field(t)) in fields]
    return sorted(found)


def test_the_scan_finds_every_way_of_changing_a_field() -> None:
    fields = {"paths", "plan", "saved"}
    source = ("self.state.plan = None\nstate.paths[side] = p\nself.page.state.saved.append(p)\n"
              "a, state.plan = 1, 2\nself.state.paths.pop(side)\ndel state.paths[side]\n"
              "plan = self.state.plan\nself.state.planned(plan)\nother.plan = 1\n")
    assert state_writes(source, fields) == [(1, "plan"), (2, "paths"), (3, "saved"), (4, "plan"), (5, "paths"),
                                            (6, "paths")]


def test_no_page_assigns_a_field_of_the_state() -> None:
    fields = {f.name for f in dataclasses.fields(WizardState)}
    writes = {str(path.relative_to(GUI)): state_writes(path.read_text(encoding="utf-8"), fields)
              for path in sorted(GUI.rglob("*.py")) if path.name != "state.py"}
    assert {name: lines for name, lines in writes.items() if lines} == {}, (
        "pages change the wizard's state through WizardState's methods (gui/state.py), which clear what "
        "depends on the change")
