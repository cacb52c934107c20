"""Use case: match an accounts file against a customers file (and an optional mapping file)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from desktop_app.core.address_changes import PROBLEM_SIDE
from desktop_app.core.addresses import check_addresses
from desktop_app.core.billing_rules import CustomerRequirement, requirement_problems, where_to_find
from desktop_app.core.ids import account_keys
from desktop_app.core.matching import MatchConfig, MatchResult, match
from desktop_app.core.plan import Plan, Policy
from desktop_app.core.plan_preview import PREVIEW_COLUMNS, plan_values, write_preview
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.core.report import write_csv, write_xlsx_report
from desktop_app.core.report_outcomes import outcome_sheets
from desktop_app.core.roles import Side
from desktop_app.core.tables import TableError
from desktop_app.workflow.input_refusals import refusal_of
from desktop_app.workflow.load_files import (
    ColumnOverride,
    LoadedInput,
    issues_frame,
    load_input,
    prefer_link_found_among,
)


@dataclass
class MatchRun:
    """Everything one matching step produced, ready to review, report or plan from."""

    accounts: LoadedInput
    customers: LoadedInput
    mapping: LoadedInput | None
    result: MatchResult
    address_problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)  # e.g. mapping rows that pair nothing, and why

    @property
    def inputs(self) -> list[LoadedInput]:
        """The loaded files, accounts first."""
        return [i for i in (self.accounts, self.customers, self.mapping) if i is not None]

    @property
    def file_issues(self) -> pd.DataFrame:
        """Problems found while reading the files."""
        return issues_frame(self.inputs)


def _stage(progress: ProgressCallback, start: int, span: int) -> ProgressCallback:
    """Map a sub-step's progress onto ``start..start+span`` of a 100-unit whole."""

    def report(p: Progress) -> None:
        share = p.fraction or 0.0
        progress(Progress(start + int(span * share), 100, p.message))

    return report


def match_files(
    accounts_path: Path,
    customers_path: Path,
    *,
    mapping_path: Path | None = None,
    overrides: Sequence[ColumnOverride] = (),
    accounts_sheet: str | None = None,
    customers_sheet: str | None = None,
    config: MatchConfig | None = None,
    check_address_quality: bool = True,
    customer_requirements: Sequence[CustomerRequirement] = (),
    billing_name: str = "the billing system",
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
    check_inputs: Callable[[list[LoadedInput]], None] | None = None,
) -> MatchRun:
    """Load the files, match, and check both sides' addresses (the customers' also against what the
    billing system requires before it accepts a link); raises ``TableError`` on bad input.
    ``check_inputs`` sees the loaded files before the matching starts and may refuse them by raising;
    a file ``refusal_of`` refuses is refused then (in seconds, not after a million rows were matched)."""
    progress(Progress(0, 100, f"Reading {accounts_path.name}"))
    accounts = load_input(accounts_path, Side.ACCOUNTS, overrides, sheet=accounts_sheet,
                          progress=_stage(progress, 0, 15), cancel=cancel)
    progress(Progress(15, 100, f"Reading {customers_path.name}"))
    customers = load_input(customers_path, Side.CUSTOMERS, overrides, sheet=customers_sheet,
                           progress=_stage(progress, 15, 15), cancel=cancel)
    accounts = prefer_link_found_among(accounts, customers)
    mapping = None
    if mapping_path is not None:
        mapping = load_input(mapping_path, Side.MAPPING, overrides, cancel=cancel)
    inputs = [loaded for loaded in (accounts, customers, mapping) if loaded is not None]
    if check_inputs is not None:
        check_inputs(inputs)
    for loaded in inputs:
        refusal = refusal_of(loaded)
        if refusal is not None:
            raise TableError(refusal.text("Say which column holds it."))
    progress(Progress(30, 100, "Matching"))
    result = match(accounts.frame, customers.frame, None if mapping is None else mapping.frame,
                   config or MatchConfig(), progress=_stage(progress, 30, 55), cancel=cancel)
    problems = pd.DataFrame()
    if check_address_quality:
        progress(Progress(85, 100, "Checking addresses"))
        account_problems = check_addresses(accounts.frame, Side.ACCOUNTS, cancel=cancel)
        customer_problems = requirement_problems(
            customers.frame, customer_requirements, billing_name,
            check_addresses(customers.frame, Side.CUSTOMERS, cancel=cancel))
        customer_problems = where_to_find(customer_problems, result.decisions, accounts.frame)
        problems = pd.concat(
            [account_problems.assign(side=PROBLEM_SIDE[Side.ACCOUNTS], file=accounts_path.name),
             customer_problems.assign(side=PROBLEM_SIDE[Side.CUSTOMERS], file=customers_path.name)],
            ignore_index=True,
        )
    progress(Progress(100, 100, "Done"))
    return MatchRun(accounts=accounts, customers=customers, mapping=mapping, result=result,
                    address_problems=problems, notes=list(result.notes))


def file_link_values(run: MatchRun) -> tuple[dict[str, str], dict[str, str]]:
    """What each record's link field holds in the loaded files: account (by its ``account_key``, the
    18-character id) → customer id it holds, customer id → Account id it holds ("" when empty)."""
    return (_link_values(run.accounts.frame, "account_id", "link_customer_id", keyed=True),
            _link_values(run.customers.frame, "customer_id", "sf_account_id"))


def _link_values(frame: pd.DataFrame, id_column: str, link_column: str, *, keyed: bool = False) -> dict[str, str]:
    ids = frame[id_column].fillna("").astype(str).str.strip()
    if keyed:
        ids = pd.Series(account_keys(ids), index=ids.index, dtype=object)
    links = frame[link_column].fillna("").astype(str).str.strip()
    keep = ids != ""
    return dict(zip(ids[keep].tolist(), links[keep].tolist(), strict=True))


def with_write_preview(run: MatchRun, decisions: pd.DataFrame, *, policy: Policy = "skip_linked",
                       plan: Plan | None = None,
                       values: tuple[dict[str, str], dict[str, str]] | None = None) -> pd.DataFrame:
    """``decisions`` with what each side will get (``account_write``, ``customer_write``): the
    plan's answer when there is a plan, else the same rule applied to the files' current values
    (``values``: ``file_link_values(run)`` when the caller already has them)."""
    if plan is not None:
        accounts, customers = plan_values(plan)
        policy, normalize = plan.policy, plan.normalize_ids
    else:
        (accounts, customers), normalize = values or file_link_values(run), False
    # Both sources key accounts by their 18-character id already (plans hold canonical ids).
    preview = write_preview(decisions, account_values=accounts, customer_values=customers, policy=policy,
                            normalize_ids=normalize, accounts_keyed=True)
    return pd.concat([decisions.drop(columns=list(PREVIEW_COLUMNS), errors="ignore"), preview], axis=1)


def with_link_values(run: MatchRun, decisions: pd.DataFrame) -> pd.DataFrame:
    """``decisions`` with what each row's account and customer link fields hold in the files
    (``account_link_customer_id``, ``customer_sf_account_id``), so ``plan --offline`` plans from the
    same values as the Match page (``values_from_decisions``)."""
    by_key, customers = file_link_values(run)  # accounts are keyed by their 18-character id already
    keys = account_keys(decisions["account_id"]).tolist()
    return decisions.assign(
        account_link_customer_id=[by_key.get(k, "") if k else "" for k in keys],
        customer_sf_account_id=[customers.get(c, "") for c in decisions["customer_id"].fillna("").astype(str)
                                .str.strip().tolist()],
    )


def write_match_output(run: MatchRun, out: Path, results: pd.DataFrame | None = None, *,
                       run_summary: Mapping[str, object] | None = None, policy: Policy = "skip_linked",
                       plan: Plan | None = None) -> list[str]:
    """Write the decisions: ``.csv`` → one CSV; ``.xlsx`` → the full workbook report, with one
    sheet per write outcome when a run's ``results`` are given (its summary sheet also lists
    ``run_summary``: a written run's figures, ``RunFigures.report_rows``). Both say per side what
    linking a row will write (see ``with_write_preview``).

    Returns notes to show the user (e.g. a sheet cut at Excel's row limit).
    """
    decisions = with_link_values(run, with_write_preview(run, run.result.decisions, policy=policy, plan=plan))
    if out.suffix.lower() == ".xlsx":
        summary = {
            "accounts file": str(run.accounts.table.path),
            "customers file": str(run.customers.table.path),
            "mapping file": str(run.mapping.table.path) if run.mapping else "(none)",
            "accounts": len(run.accounts.frame),
            "customers": len(run.customers.frame),
            "file issues": len(run.file_issues),
            **dict(run_summary or {}),
        }
        extra = {"File issues": run.file_issues} if len(run.file_issues) else {}
        if results is not None:
            outcomes = outcome_sheets(results)
            summary.update({f"run: {title.lower()}": len(frame) for title, frame in outcomes.items()})
            extra = {**{f"Run {title.lower()}": frame for title, frame in outcomes.items()}, **extra}
        return write_xlsx_report(out, decisions=decisions, address_problems=run.address_problems,
                                 summary=summary, extra_sheets=extra)
    write_csv(out, decisions)
    return []
