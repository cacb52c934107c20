"""``desktop-app check-addresses``: one row per address or country problem in a file.

Contract: ``--out FILE.csv`` has the columns row, record_id, field, problem, value, suggestion.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from desktop_app.billing.registry import system_keys
from desktop_app.billing.requirements import SYSTEM_NAMES, customer_requirements
from desktop_app.cli.common import EXIT_OK, UsageError
from desktop_app.cli.inputs_args import (
    add_column_argument,
    check_out_path,
    parse_overrides,
    print_columns_used,
    print_file_issues,
    run_step,
)
from desktop_app.core.addresses import summarize
from desktop_app.core.report import write_csv, write_xlsx_report
from desktop_app.core.roles import Side
from desktop_app.workflow.billing_check import rule_problems
from desktop_app.workflow.load_files import issues_frame
from desktop_app.workflow.quality import check_address_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check-addresses", help="find missing address parts and non-ISO country codes in a file",
        description="Check billing addresses and ISO 3166 country codes in an accounts, customers or "
                    "contacts file; list every problem with a suggested fix.",
    )
    parser.add_argument("--input", type=Path, required=True, help="the file to check (CSV/TSV/XLSX)")
    parser.add_argument("--out", type=Path, required=True, help="problems as FILE.csv or FILE.xlsx")
    parser.add_argument("--side", choices=[s.value for s in (Side.ACCOUNTS, Side.CUSTOMERS, Side.CONTACTS)],
                        help="what the file holds (default: guessed from its id column)")
    parser.add_argument("--billing", choices=system_keys(),
                        help="also check what this billing system requires of a customer before it accepts "
                             "a link (e.g. QuickBooks: a DisplayName no other customer has; Xero: a "
                             "ContactNumber of at most 50 characters; Sequence: a complete address)")
    parser.add_argument("--sheet", help="sheet to read from an .xlsx file")
    parser.add_argument("--fixed-out", type=Path,
                        help="also write a copy of the records with confident fixes applied (.csv)")
    parser.add_argument("--min-confidence", type=float, default=0.9,
                        help="apply only fixes at least this sure (0-1, default %(default)s)")
    add_column_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    overrides = parse_overrides(args.column)
    check_out_path(args.out, (".csv", ".xlsx"), [args.input])
    if args.fixed_out is not None:
        check_out_path(args.fixed_out, (".csv",), [args.input])
    check = run_step(lambda progress: check_address_file(
        args.input, side=Side(args.side) if args.side else None, overrides=overrides, sheet=args.sheet,
        min_confidence=args.min_confidence, progress=progress,
        customer_requirements=customer_requirements(args.billing or ""),
        billing_name=SYSTEM_NAMES.get(args.billing or "", "the billing system"),
    ))
    print_columns_used([check.loaded])
    print_file_issues([check.loaded], all_of_them="all of them are on the report's File issues sheet"
                      if args.out.suffix.lower() == ".xlsx" else "--out FILE.xlsx lists all of them on its File "
                      "issues sheet")
    if args.billing and check.loaded.side is not Side.CUSTOMERS:
        raise UsageError(f"--billing checks what {SYSTEM_NAMES.get(args.billing, args.billing)} requires of a "
                         f"customer, but {args.input.name} reads as {check.loaded.side.value} (from its id "
                         "column), so nothing of it would be checked. Give --side customers if it holds customers.")
    if args.out.suffix.lower() == ".xlsx":
        issues = issues_frame([check.loaded])
        write_xlsx_report(args.out, address_problems=check.problems,
                          summary={"file": str(args.input), "records": len(check.loaded.frame),
                                   "read as": check.loaded.side.value, "file issues": len(issues)},
                          extra_sheets={"File issues": issues} if len(issues) else None)
    else:
        write_csv(args.out, check.problems)
    if args.fixed_out is not None:
        check.write_fixed(args.fixed_out)
    counts = summarize(check.problems)
    system_name = SYSTEM_NAMES.get(args.billing or "", "")
    broken = (rule_problems(check.loaded.frame, customer_requirements(args.billing), system_name)
              if args.billing and check.loaded.side is Side.CUSTOMERS else pd.DataFrame())
    if args.json:
        print(json.dumps({"records": len(check.loaded.frame), "side": check.loaded.side.value,
                          "problems": len(check.problems), "by_code": counts,
                          "billing_rules_broken": summarize(broken) if len(broken) else {},
                          "fixes_applied": check.fixes_applied, "out": str(args.out)}))
    else:
        detail = ", ".join(f"{n:,} {code.replace('_', ' ')}" for code, n in counts.items())
        print(f"{len(check.loaded.frame):,} {check.loaded.side.value} checked: "
              f"{len(check.problems):,} problems{' (' + detail + ')' if detail else ''}.")
        for line in rule_lines(broken, system_name):
            print(line)
        print(f"Written to {args.out}.")
        if args.fixed_out is not None:
            print(f"{check.fixes_applied:,} confident fixes applied in {args.fixed_out}.")
    return EXIT_OK


SHOWN_RULE_PROBLEMS = 20


def rule_lines(mine: pd.DataFrame, system_name: str) -> list[str]:
    """The billing system's own rules the rows break (``rule_problems``), one line each ("row 12,
    name: …"), the first ``SHOWN_RULE_PROBLEMS`` of them; the rest are in the --out file."""
    if not system_name or mine.empty:
        return []
    lines = [f"What {system_name} requires of a customer, broken by {len(mine):,}:"]
    lines += [f"  row {row.row}, {row.field} ({row.severity}): {row.problem}"
              for row in mine.head(SHOWN_RULE_PROBLEMS).itertuples()]
    if len(mine) > SHOWN_RULE_PROBLEMS:
        lines.append(f"  … and {len(mine) - SHOWN_RULE_PROBLEMS:,} more.")
    return lines
