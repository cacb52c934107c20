"""``desktop-app review``: lay review calls over a matches file, as the wizard's Match & review page does.

The calls come from a file of earlier calls (a project's ``review.csv``, or any CSV with ``account_id``,
``customer_id``, ``status`` and ``reviewed`` columns) or from a saved project by its id; suggestions
can be accepted in bulk above a score. The output is a matches file ``plan`` reads.
Exit codes: 0 written, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from desktop_app.cli.common import EXIT_OK, UsageError
from desktop_app.cli.inputs_args import check_out_path
from desktop_app.core.report import write_csv
from desktop_app.core.report_counts import STATUS_ORDER, DecisionCounts
from desktop_app.workflow.projects import load_project
from desktop_app.workflow.review import (
    REVIEW_COLUMN,
    MatchesFileError,
    read_matches,
    review_matches,
    status_counts,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``review`` command."""
    parser = subparsers.add_parser(
        "review", help="apply saved review calls (and bulk accepts) to a matches file",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--matches", type=Path, required=True, help="the matches file from 'match' (CSV/XLSX)")
    calls = parser.add_mutually_exclusive_group()
    calls.add_argument("--calls", type=Path, help="review calls to lay over the matches (CSV)")
    calls.add_argument("--project", metavar="ID", help="take the review calls of this saved wizard project")
    parser.add_argument("--accept-above", type=float, metavar="SCORE",
                        help="also accept every suggestion scoring at least SCORE")
    parser.add_argument("--out", type=Path, required=True, help="reviewed matches to write (CSV) for 'plan'")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, review, write; print what each call did."""
    inputs = [args.matches, *([args.calls] if args.calls else [])]
    check_out_path(args.out, (".csv",), inputs)
    try:
        decisions = read_matches(args.matches)
        calls = read_matches(args.calls) if args.calls else None
    except MatchesFileError as error:
        raise UsageError(str(error)) from None
    if calls is not None and REVIEW_COLUMN not in calls.columns:
        raise UsageError(f"The calls file {args.calls} has no '{REVIEW_COLUMN}' column: give a project's "
                         "review.csv or a reviewed matches file.")
    if args.project:
        try:
            _, calls, _ = load_project(args.project)
        except ValueError as error:
            raise UsageError(str(error)) from None
    if calls is None and args.accept_above is None:
        raise UsageError("Nothing to do: give --calls FILE, --project ID or --accept-above SCORE.")
    outcome = review_matches(decisions, calls=calls, accept_min_score=args.accept_above)
    write_csv(args.out, outcome.reviewed)
    counts = status_counts(outcome.reviewed, STATUS_ORDER)
    per_side = DecisionCounts.of(outcome.reviewed)
    summary = {"calls": outcome.calls_given, "restored": outcome.calls_restored, "lost": outcome.calls_lost,
               "accepted_above": outcome.accepted_above, "counts": counts, "account_counts": per_side.accounts,
               "customers_left_over": per_side.left_over, "out": str(args.out)}
    if args.json:
        print(json.dumps(summary))
        return EXIT_OK
    if outcome.calls_given:
        lost = (f"; {outcome.calls_lost:,} no longer match a row (the data changed) and were left out"
                if outcome.calls_lost else "")
        print(f"{outcome.calls_restored:,} of {outcome.calls_given:,} review calls laid over the matches{lost}.")
    if args.accept_above is not None:
        print(f"{outcome.accepted_above:,} suggestions scoring at least {args.accept_above:g} accepted.")
    print(per_side.sentence(None))  # the customers loaded are not in a matches file
    print(f"Written to {args.out}.")
    return EXIT_OK
