"""``desktop-app plan``: build the dry-run plan from reviewed matches and the systems' current values.

Prints per side how many values would be set, skipped and left in conflict, writes the plan file
(JSON, one link per line) and, with ``--table``, the full before/after table (CSV or XLSX).
Exit codes: 0 plan written, 1 the plan would write nothing (no file is written), 2 unusable input,
130 cancelled.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from desktop_app.cli.common import EXIT_FAILED, EXIT_OK, UsageError, say
from desktop_app.cli.systems_args import add_system_options, link_sides
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.plan import (
    DEFAULT_STATUSES,
    POLICIES,
    Plan,
    PlanError,
    PlanSource,
    build_plan,
    values_from_decisions,
)
from desktop_app.core.plan_file import plan_id, write_plan
from desktop_app.core.report import write_csv, write_xlsx_report
from desktop_app.workflow.apply import nothing_to_write
from desktop_app.workflow.link_sides import close_sides
from desktop_app.workflow.plan import plan_from_live
from desktop_app.workflow.plan_outlook import summary_lines
from desktop_app.workflow.review import MatchesFileError
from desktop_app.workflow.review import read_matches as read_review_file


def register(subparsers: Any) -> None:
    """Add the ``plan`` command."""
    parser = subparsers.add_parser(
        "plan",
        help="build the dry-run plan (per side: set, skip, conflict)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--matches", type=Path, required=True, help="reviewed matches (CSV/XLSX from 'match')")
    parser.add_argument("--out", type=Path, required=True, help="plan file to write (JSON)")
    parser.add_argument(
        "--policy",
        choices=POLICIES,
        default="skip_linked",
        help="fields that already hold another id: skip_linked (default), fill_empty, overwrite",
    )
    parser.add_argument(
        "--statuses", default=",".join(DEFAULT_STATUSES), help="match statuses to link (default matched,already_linked)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="take current values from the matches file instead of reading the systems",
    )
    parser.add_argument(
        "--normalize-ids",
        action="store_true",
        help="rewrite an Account id a customer holds in its 15-character or case-damaged form to the "
        "18-character form (counted; by default such a link counts as already there)",
    )
    parser.add_argument("--table", type=Path, help="also export the before/after table (.csv or .xlsx)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    add_system_options(parser)
    parser.set_defaults(func=run_plan)


def read_matches(path: Path) -> pd.DataFrame:
    """The matches file as text; an unreadable one is a usage error."""
    try:
        return read_review_file(path)
    except MatchesFileError as error:
        raise UsageError(str(error)) from None


def export_table(plan: Plan, path: Path, billing_name: str) -> Path:
    """The before/after table as CSV, or as an XLSX with a summary sheet."""
    table = plan.table()
    if path.suffix.lower() == ".xlsx":
        summary = {f"line {n}": text for n, text in enumerate(plan.summary_lines(billing_name), start=1)}
        write_xlsx_report(path, summary=summary, extra_sheets={"Plan": table})
        return path
    return write_csv(path, table)


def run_plan(args: argparse.Namespace) -> int:
    """Build and write the plan; print the dry-run figures."""
    decisions = read_matches(args.matches)
    statuses = tuple(s.strip() for s in args.statuses.split(",") if s.strip())
    billing_kind = args.billing or ""
    source = PlanSource(
        matches_file=str(args.matches),
        link_field=args.link_field or DEFAULT_LINK_FIELD,
        billing_system=billing_kind,
        billing_link_key=args.link_key or "",
        values_from="match inputs (offline)" if args.offline else "live systems",
    )
    try:
        if args.offline:
            accounts, customers = values_from_decisions(decisions)
            plan = build_plan(
                decisions,
                account_values=accounts,
                customer_values=customers,
                policy=args.policy,
                statuses=statuses,
                source=source,
                normalize_ids=args.normalize_ids,
            )
        else:
            if not billing_kind:
                raise UsageError("Reading current values needs --billing (or use --offline).")
            sides = link_sides(args, billing_kind=billing_kind, link_field=source.link_field)
            try:
                plan = plan_from_live(
                    decisions,
                    sides,
                    policy=args.policy,
                    statuses=statuses,
                    source=source,
                    normalize_ids=args.normalize_ids,
                )
            finally:
                close_sides(sides)
    except PlanError as error:
        raise UsageError(str(error)) from None
    empty = nothing_to_write(plan)
    if empty is not None:
        print("\n".join(summary_lines(plan, billing_kind or "billing")))
        say(f"{empty} No plan was written.")
        return EXIT_FAILED
    write_plan(plan, args.out)
    if args.table:
        export_table(plan, args.table, billing_kind or "billing")
    if args.json:
        print(
            json.dumps(
                {"plan": str(args.out), "plan_id": plan_id(plan), "links": len(plan.links), "counts": plan.counts()},
                sort_keys=True,
            )
        )
    else:
        for line in summary_lines(plan, billing_kind or "billing"):
            print(line)
        print(f"Plan written to {args.out}" + (f"; table in {args.table}" if args.table else "") + ".", file=sys.stderr)
    return EXIT_OK
