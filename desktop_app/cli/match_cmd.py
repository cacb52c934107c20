"""``desktop-app match``: one decision per account and per customer no account took.

Contract (other tools call it exactly so): ``--out FILE.csv`` has at least the columns
account_id (18-char, empty for an unmatched customer), customer_id, status, score, reason.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from desktop_app.cli.common import EXIT_OK, TerminalProgress, UsageError, say
from desktop_app.cli.inputs_args import (
    add_column_argument,
    check_out_path,
    columns_used,
    parse_overrides,
    print_columns_used,
    print_file_issues,
    run_step,
)
from desktop_app.core.intake_gaps import missing_name
from desktop_app.core.matching import MatchConfig
from desktop_app.core.report_counts import DecisionCounts
from desktop_app.core.report_outcomes import load_results
from desktop_app.core.roles import Side
from desktop_app.core.tables import list_sheets
from desktop_app.workflow.input_refusals import refusal_of
from desktop_app.workflow.load_files import ColumnOverride, LoadedInput, unused_overrides
from desktop_app.workflow.match import match_files, write_match_output


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "match", help="match Salesforce accounts to billing customers from files",
        description="Match an accounts export against a customers export; write one decision per "
                    "account and per customer no account took (.csv) or a full report (.xlsx).",
    )
    parser.add_argument("--accounts", type=Path, required=True, help="Salesforce accounts (CSV/TSV/XLSX)")
    parser.add_argument("--customers", type=Path, required=True, help="billing customers (CSV/TSV/XLSX)")
    parser.add_argument("--mapping", type=Path, help="optional file of known pairs (account id, customer id)")
    parser.add_argument("--out", type=Path, required=True, help="FILE.csv (decisions) or FILE.xlsx (report)")
    parser.add_argument("--results", type=Path, metavar="RESULTS.csv",
                        help="a run's results file (from apply): the .xlsx report gets a sheet per write outcome")
    parser.add_argument("--accounts-sheet", help="sheet to read from an .xlsx accounts file")
    parser.add_argument("--customers-sheet", help="sheet to read from an .xlsx customers file")
    add_column_argument(parser)
    parser.add_argument("--auto-accept", type=float, default=MatchConfig().auto_accept_score, metavar="SCORE",
                        help="fuzzy matches at or above this score are accepted (default %(default)s)")
    parser.add_argument("--suggest-min", type=float, default=MatchConfig().suggest_min_score, metavar="SCORE",
                        help="fuzzy matches at or above this score are suggested (default %(default)s)")
    parser.add_argument("--allow-many", action="store_true",
                        help="let one account take several customers (default: one to one)")
    parser.add_argument("--no-fuzzy", action="store_true", help="skip fuzzy name matching")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)


def _before_matching(progress: TerminalProgress, overrides: Sequence[ColumnOverride],
                     inputs: Sequence[LoadedInput]) -> None:
    """Once the files are read, before the matching starts: say which column each role was read from;
    an override naming no column or a file refused by ``refusal_of`` (every row would come out "not
    matched"; half a mapping) stops the run, saying why."""
    problems = unused_overrides(overrides, inputs)
    if problems:
        raise UsageError(" ".join(problems))
    progress.finish()  # the columns go on lines of their own, not after the progress line
    print_columns_used(inputs)
    for loaded in inputs:
        refusal = refusal_of(loaded)
        if refusal is not None:
            name_it = f"Say which column holds it: --column {refusal.side.value}:{refusal.role}=HEADER."
            sheets = _other_sheets(loaded) if loaded.side is not Side.MAPPING else ""  # no --mapping-sheet
            raise UsageError(refusal.text(f"{sheets} {name_it}".strip(),
                                          "give it to --accounts and the customers export to --customers"))


def _warn_of_missing_names(inputs: Sequence[LoadedInput]) -> None:
    """No name column: say so, and go on (ids, links and domains still match)."""
    for loaded in inputs:
        if loaded.side is Side.MAPPING:
            continue
        headers = [str(h) for h in loaded.table.frame.columns]
        name = loaded.table.path.name
        gap = missing_name(name, loaded.side, loaded.roles, headers)
        if gap is not None:
            say(f"{gap} Say which column holds it: --column {loaded.side.value}:name=HEADER.")


def _other_sheets(loaded: LoadedInput) -> str:
    """A hint naming a workbook's other sheets: the records may be on one of them (a cover sheet came first)."""
    if loaded.table.sheet is None:
        return ""
    others = [s for s in list_sheets(loaded.table.path) if s != loaded.table.sheet]
    if not others:
        return ""
    names = ", ".join(repr(s) for s in others)
    return (f" Sheet {loaded.table.sheet!r} was read; the workbook also has {names}: choose the sheet with "
            f"--{loaded.side.value}-sheet NAME.")


def run(args: argparse.Namespace) -> int:
    overrides = parse_overrides(args.column)
    inputs = [args.accounts, args.customers, *([args.mapping] if args.mapping else [])]
    check_out_path(args.out, (".csv", ".xlsx"), inputs)
    config = MatchConfig(auto_accept_score=args.auto_accept, suggest_min_score=args.suggest_min,
                         one_to_one=not args.allow_many, use_fuzzy=not args.no_fuzzy)
    result = run_step(lambda progress: match_files(
        args.accounts, args.customers, mapping_path=args.mapping, overrides=overrides,
        accounts_sheet=args.accounts_sheet, customers_sheet=args.customers_sheet, config=config,
        progress=progress, check_inputs=lambda inputs: _before_matching(progress, overrides, inputs),
    ))
    _warn_of_missing_names(result.inputs)
    print_file_issues(result.inputs, all_of_them="all of them are on the report's File issues sheet"
                      if args.out.suffix.lower() == ".xlsx" else "--out FILE.xlsx lists all of them on its File "
                      "issues sheet")
    results = None
    if args.results is not None:
        if args.out.suffix.lower() != ".xlsx":
            raise UsageError("--results adds sheets to the workbook report: use --out FILE.xlsx with it.")
        results = run_step(lambda _progress: load_results(args.results))
    notes = [*result.notes, *write_match_output(result, args.out, results)]
    counts = result.result.counts
    per_side = DecisionCounts.of(result.result.decisions)
    summary = {
        "accounts": len(result.accounts.frame),
        "customers": len(result.customers.frame),
        "decisions": len(result.result.decisions),
        "counts": counts,
        "account_counts": per_side.accounts,
        "customers_left_over": per_side.left_over,
        "file_issues": len(result.file_issues),
        "address_problems": len(result.address_problems),
        "out": str(args.out),
        "notes": notes,
        "columns": {loaded.side.value: columns_used(loaded) for loaded in result.inputs},
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(per_side.sentence(len(result.customers.frame)))
        print(f"Written to {args.out}.")
        for note in notes:
            print(note)
    return EXIT_OK
