"""``desktop-app apply | resume | undo | runs``: journaled two-sided writes and their history.

Exit codes: 0 every link done and verified, 1 some links failed or are pending (see the results
file; ``resume`` retries them), 2 unusable input, 130 cancelled (Ctrl+C stops between batches; the
journal stays consistent and ``resume`` continues). ``resume RUN`` of a run already done reports how it
ended and exits 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from desktop_app.billing.address_writes import AddressWriter
from desktop_app.billing.registry import api_system_keys, system_keys
from desktop_app.billing.requirements import SYSTEM_NAMES
from desktop_app.cli.common import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, TerminalProgress, UsageError, say
from desktop_app.cli.systems_args import add_system_options, link_sides
from desktop_app.core.journal import Journal, RunInfo
from desktop_app.core.link_field import DEFAULT_LINK_FIELD
from desktop_app.core.plan import Plan, PlanError
from desktop_app.core.plan_file import plan_id, read_plan
from desktop_app.core.progress import CancelToken
from desktop_app.core.run_figures import resumable_runs, run_figures, undo_runs_of, undone_runs, why_not_resumable
from desktop_app.core.tables import TableError
from desktop_app.salesforce.preflight import run_preflight
from desktop_app.salesforce.preflight_data import data_inputs
from desktop_app.workflow.address_outcome import address_parts
from desktop_app.workflow.apply import AddressWork, NothingToWrite, apply_plan, nothing_to_write, resume_run
from desktop_app.workflow.apply_addresses import (
    address_results_path,
    address_writers,
    read_fix_file,
)
from desktop_app.workflow.apply_batches import STOPPING
from desktop_app.workflow.engine import (
    RunBusy,
    RunReport,
    new_run_id,
    stop_sentence,
)
from desktop_app.workflow.finished_run import finished_report
from desktop_app.workflow.link_sides import SalesforceSide, close_sides
from desktop_app.workflow.plan_outlook import summary_lines
from desktop_app.workflow.run_files import run_labels, write_results
from desktop_app.workflow.stop_reason import reason_of
from desktop_app.workflow.undo import UndoOutcome, resume_undo, undo_run, unfinished_undo

# Connection settings kept with a run so that ``resume``/``undo`` need no repeat (never secrets).
_REMEMBERED = (
    "profile",
    "sandbox",
    "instance_url",
    "ca_cert",
    "billing_url",
    "billing_ca",
    "billing_file",
    "billing_profile",
    "link_key",
)


def register(subparsers: Any) -> None:
    """Add the ``apply``, ``resume``, ``undo`` and ``runs`` commands."""
    apply = subparsers.add_parser("apply", help="write a plan into both systems (journaled, resumable)")
    apply.add_argument("plan", type=Path, help="plan file from 'desktop-app plan'")
    apply.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    apply.add_argument("--account-fixes", type=Path, metavar="FILE",
                       help="address fixes for the Accounts, written before the links: a 'check-addresses "
                            "--out' file of the accounts (every row with a suggestion; delete rows to skip them)")
    apply.add_argument("--customer-fixes", type=Path, metavar="FILE",
                       help="the same for the billing customers (Stripe and Sequence)")
    apply.add_argument("--skip-checks", action="store_true",
                       help="write without running the org's checks first (by default a failed check — link "
                            "field too short or read-only, API requests used up … — stops the run before it starts)")
    _common(apply)
    apply.set_defaults(func=run_apply)
    again = subparsers.add_parser("resume", help="continue an interrupted run exactly where it stopped")
    again.add_argument("run", nargs="?", help="run id (default: the newest unfinished run); a run already done "
                                              "is reported as it ended")
    again.add_argument("--retry-refused", action="store_true",
                       help="also send again the records a system refused as invalid, once fixed there (by "
                            "default they are sent again only once an address fix for them was written); runs "
                            "and undos alike")
    _common(again)
    again.set_defaults(func=run_resume)
    undo = subparsers.add_parser("undo", help="restore the values a run replaced, on both sides")
    undo.add_argument("run", help="run id (see 'desktop-app runs')")
    _common(undo)
    undo.set_defaults(func=run_undo)
    runs = subparsers.add_parser("runs", help="list runs and their state")
    runs.add_argument("--json", action="store_true", help="print the runs as JSON")
    runs.set_defaults(func=run_runs)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results", type=Path, help="also write the results CSV here")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    add_system_options(parser)


def _remembered(args: argparse.Namespace) -> dict[str, str]:
    return {k: str(getattr(args, k)) for k in _REMEMBERED if getattr(args, k, None) not in (None, False, "")}


def _fill_from(args: argparse.Namespace, settings: dict[str, str]) -> None:
    """Options not given now take the values the run was started with."""
    if args.profile or args.sandbox:
        return
    for key in _REMEMBERED:
        if getattr(args, key, None) in (None, False) and key in settings:
            value = settings[key]
            if key == "sandbox":
                args.sandbox = value == "True"
            elif key in ("ca_cert", "billing_ca", "billing_file"):
                setattr(args, key, Path(value))
            else:
                setattr(args, key, value)


@contextmanager
def _cancel_on_interrupt() -> Iterator[CancelToken]:
    """Ctrl+C asks the run to stop at the next batch boundary instead of killing it mid-batch."""
    token = CancelToken()
    previous = signal.signal(signal.SIGINT, lambda *_: token.cancel())
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)


def _writers(sides: dict[str, Any]) -> dict[str, AddressWriter]:
    account, customer = sides.get("account"), sides.get("customer")
    return address_writers(getattr(account, "client", None), getattr(customer, "system", None))


def _read_fixes(args: argparse.Namespace) -> pd.DataFrame:
    frames = []
    for option, side in (("account_fixes", "account"), ("customer_fixes", "customer")):
        path = getattr(args, option, None)
        if path is not None:
            try:
                fixes = read_fix_file(path, side)
            except TableError as error:
                raise UsageError(str(error)) from None
            say(_fixes_sentence(path, fixes))
            frames.append(fixes)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


CONFIDENT = 0.9  # check-addresses' default --min-confidence: what its --fixed-out copy applies


def _fixes_sentence(path: Path, fixes: pd.DataFrame) -> str:
    """How many fixes a file gives, and how many of them check-addresses would not have applied itself
    (it reports "N confident fixes"; every row with a suggestion is written here)."""
    text = f"{path.name}: {len(fixes):,} address fixes to write (every row with a suggestion)"
    if "confidence" in fixes.columns:
        unsure = fixes[fixes["confidence"] < CONFIDENT]
        if len(unsure):
            first = unsure.iloc[0]
            text += (f"; {len(unsure):,} of them below confidence {CONFIDENT:g}, which check-addresses did not "
                     f"count as confident (e.g. '{first['value']}' → '{first['suggestion']}'): delete their rows "
                     "to leave them out")
    return text + "."


def _fixes_run(report: RunReport) -> str:
    """The run whose address fixes ``report`` is about (an undo's are its original run's)."""
    if report.kind != "undo":
        return report.run_id
    with Journal() as journal:
        info = journal.run(report.run_id)
    return info.undo_of if info is not None and info.undo_of else report.run_id


def _finish(report: RunReport, args: argparse.Namespace) -> int:
    if args.results:
        with Journal() as journal:
            info = journal.run(report.run_id)
            labels = run_labels(info) if info is not None else None
            write_results(report.run_id, journal.items(report.run_id), args.results, undo=report.kind == "undo",
                          labels=labels)
    if args.json:
        print(json.dumps(report.as_dict(), sort_keys=True))
    else:
        stop = report.stop
        if stop is None:
            print(f"Run {report.run_id} ({report.kind}): {report.state}. {report.message}".rstrip())
        else:
            print(f"Run {report.run_id} ({report.kind}): {report.state}. {stop.why}")
            print(f"  Next: {stop.cli_next(report.run_id)}")
        for status, count in sorted(report.pairs.items()):
            print(f"  {status.replace('_', ' ')}: {count:,}")
        if report.figures is not None:
            print(report.figures.headline())
        for part in address_parts(dict(sorted(report.addresses.items())), "billing", undo=report.kind == "undo"):
            print(f"  address fixes, {part}")
        if report.addresses:
            print(f"Address fixes: {address_results_path(_fixes_run(report))}")
        print(f"Results: {args.results or report.results_path}")
    if report.state == "cancelled":
        return EXIT_CANCELLED
    return EXIT_OK if report.state == "done" else EXIT_FAILED


def _execute(
    args: argparse.Namespace,
    settings: dict[str, str],
    run_id: str,
    work: Callable[[dict[str, Any], CancelToken, TerminalProgress], RunReport],
    *,
    before: Callable[[dict[str, Any], TerminalProgress], None] | None = None,
) -> int:
    """Make the sides for run ``run_id`` (their idempotency keys carry it, so a resumed write is the
    same request to the system), do ``work`` with Ctrl+C as cancel, and report."""
    if settings.get("billing_system") == "file":
        raise UsageError(
            f"apply, resume and undo need a billing system they can read back ({', '.join(api_system_keys())}): a "
            "customer export file cannot show whether a write landed, so the run could be neither "
            "verified nor resumed safely. 'plan' and 'audit' work with --billing file."
        )
    sides = link_sides(
        args,
        billing_kind=settings.get("billing_system", ""),
        link_field=settings.get("link_field", DEFAULT_LINK_FIELD),
        link_key=settings.get("billing_link_key", ""),
        run_id=run_id,
    )
    progress = TerminalProgress()
    with _cancel_on_interrupt() as cancel:
        try:
            if before is not None:
                before(sides, progress)
            report = work(sides, cancel, progress)
        except (RunBusy, NothingToWrite) as refused:
            raise UsageError(str(refused)) from None
        except STOPPING as error:  # the run could not even be marked interrupted
            print(f"desktop-app {args.command}: {stop_sentence(error, sides)}", file=sys.stderr)
            return EXIT_FAILED
        finally:
            progress.finish()
            close_sides(sides)
    return _finish(report, args)


def _addresses(sides: dict[str, Any], accepted: pd.DataFrame | None = None) -> AddressWork:
    return AddressWork(_writers(sides), accepted)


def run_apply(args: argparse.Namespace) -> int:
    """Apply a plan (or, with ``--dry-run``, only show what it would do)."""
    try:
        plan = read_plan(args.plan)
    except PlanError as error:
        raise UsageError(str(error)) from None
    billing_kind = args.billing or plan.source.billing_system
    if args.dry_run:
        if args.json:
            print(
                json.dumps(
                    {"plan_id": plan_id(plan), "links": len(plan.links), "counts": plan.counts()}, sort_keys=True
                )
            )
        else:
            print("\n".join(summary_lines(plan, billing_kind or "billing")))
            print("Dry run: nothing was written.")
        return EXIT_OK
    if not billing_kind:
        raise UsageError(f"The plan names no billing system; pass --billing {'|'.join(system_keys())}.")
    fixes = _read_fixes(args)
    empty = nothing_to_write(plan, fixes)
    if empty is not None:  # refused before connecting to either system
        raise UsageError(f"{args.plan}: {empty}")
    settings = {
        "billing_system": billing_kind,
        "link_field": args.link_field or plan.source.link_field,
        "billing_link_key": args.link_key or plan.source.billing_link_key,
        **_remembered(args),
    }
    run_id = new_run_id()
    return _execute(args, settings, run_id, lambda sides, cancel, progress: apply_plan(
        plan, sides, settings, addresses=_addresses(sides, fixes), plan_path=str(args.plan), run_id=run_id,
        progress=progress, cancel=cancel), before=lambda sides, progress: _checks_pass(
            args, plan, sides, settings, progress))


def _checks_pass(args: argparse.Namespace, plan: Plan, sides: dict[str, Any], settings: dict[str, str],
                 progress: TerminalProgress) -> None:
    """The wizard's gate before a write: the org's checks, fed by the plan (its longest id, its Account
    writes), must not fail; ``UsageError`` (nothing journaled, nothing sent) names what failed."""
    account = sides["account"]
    if args.skip_checks or not isinstance(account, SalesforceSide):
        return
    inputs = data_inputs(plan, None)
    results = run_preflight(account.client, link_field=settings["link_field"] or DEFAULT_LINK_FIELD,
                            longest_billing_id=inputs.longest_billing_id or None, planned_writes=inputs.planned_writes,
                            billing_system=SYSTEM_NAMES.get(settings["billing_system"]), progress=progress)
    failed = [r for r in results if r.status == "fail"]
    if failed:
        lines = [f"  {r.title}: {r.explanation}" + (f" Fix: {r.remedy}" if r.remedy else "") for r in failed]
        raise UsageError("\n".join([
            f"Nothing was written: {len(failed)} of the org's checks failed for this plan "
            f"('desktop-app check --plan {args.plan}' shows them all).", *lines,
            "Fix them and apply again (--skip-checks writes anyway, and the writes they predict fail).",
        ]))


def _run_or_fail(journal: Journal, run_id: str | None) -> RunInfo:
    """Run ``run_id``, or else the newest unfinished run."""
    if run_id:
        info = journal.run(run_id)
        if info is None:
            raise UsageError(f"There is no run '{run_id}'.")
        return info
    info = next(iter(resumable_runs(journal)), None)
    if info is None:
        # Not the newest run's outcome in its place: a script whose apply was killed before it journaled
        # its run would read an older run's success as its own.
        newest = next(iter(journal.runs()), None)
        raise UsageError("There is no unfinished run to resume" + (
            "." if newest is None else
            f": the newest run, {newest.run_id} ({newest.kind}, started {newest.created_at}), is "
            f"{newest.state.replace('_', ' ')}. 'desktop-app resume {newest.run_id}' tells how it ended; "
            "'desktop-app runs' lists every run."))
    return info


def _say_finished(args: argparse.Namespace, journal: Journal, info: RunInfo, why: str) -> int:
    """Report a run that had already ended as ``done`` (text or ``--json``, results file when asked)."""
    if args.results:
        write_results(info.run_id, journal.items(info.run_id), args.results, undo=info.kind == "undo",
                      labels=run_labels(info))
    if args.json:
        print(json.dumps(finished_report(journal, info, why), sort_keys=True))
    else:
        print(why)
        print(run_figures(journal, info.run_id).headline())
    return EXIT_OK


def run_resume(args: argparse.Namespace) -> int:
    """Continue a run or an undo (re-reading unanswered batches first; nothing is sent twice)."""
    with Journal() as journal:
        info = _run_or_fail(journal, args.run)
        why = why_not_resumable(journal, info)
        undone = bool(undo_runs_of(journal, info.run_id))
        if why and not undone and info.state == "done":
            return _say_finished(args, journal, info, why)
    if why:
        raise UsageError(why)
    _fill_from(args, info.settings)
    if info.kind == "undo":
        return _undo(args, info.settings, info.run_id, lambda sides, cancel, progress: resume_undo(
            info.run_id, sides, addresses=_addresses(sides), retry_refused=args.retry_refused, progress=progress,
            cancel=cancel))
    return _execute(args, info.settings, info.run_id, lambda sides, cancel, progress: resume_run(
        info.run_id, sides, addresses=_addresses(sides), retry_refused=args.retry_refused,
        progress=progress, cancel=cancel))


def run_undo(args: argparse.Namespace) -> int:
    """Restore the values a run replaced (refusing, per record, values changed since); an undo of it
    that stopped before its end is resumed instead of starting another."""
    with Journal() as journal:
        info = _run_or_fail(journal, args.run)
    if info.kind == "undo":
        raise UsageError(f"Run {info.run_id} is itself an undo; apply the plan again instead.")
    _fill_from(args, info.settings)
    stopped = unfinished_undo(info.run_id)
    if stopped is not None:
        say(f"Resuming the undo {stopped.run_id} of run {info.run_id}, which stopped before its end.")
        return _undo(args, info.settings, stopped.run_id, lambda sides, cancel, progress: resume_undo(
            stopped.run_id, sides, addresses=_addresses(sides), progress=progress, cancel=cancel))
    undo_id = new_run_id()
    return _undo(args, info.settings, undo_id, lambda sides, cancel, progress: undo_run(
        info.run_id, sides, addresses=_addresses(sides), undo_id=undo_id, progress=progress, cancel=cancel))


def _undo(args: argparse.Namespace, settings: dict[str, str], undo_id: str,
          work: Callable[[dict[str, Any], CancelToken, TerminalProgress], UndoOutcome]) -> int:
    """Do an undo (or resume one), report it, then the undone run's figures and what was left alone."""
    outcomes: list[UndoOutcome] = []

    def undo(sides: dict[str, Any], cancel: CancelToken, progress: TerminalProgress) -> RunReport:
        try:
            outcome = work(sides, cancel, progress)
        except ValueError as error:
            raise UsageError(str(error)) from None
        outcomes.append(outcome)
        return outcome.report

    code = _execute(args, settings, undo_id, undo)
    if outcomes:
        outcome = outcomes[0]
        if not args.json and outcome.original is not None:
            print(f"Run {outcome.original.run_id} now: {outcome.original.headline()}")
        for item in outcome.refused[:20]:
            say(f"  refused: row {item.row}, {item.side} {item.record_id}: {item.message}")
        if len(outcome.refused) > 20:
            print(f"  ... and {len(outcome.refused) - 20:,} more (see the results file).", file=sys.stderr)
    return code


def run_runs(args: argparse.Namespace) -> int:
    """List runs, newest first."""
    with Journal() as journal:
        runs = journal.runs()
        figures = [run_figures(journal, r.run_id) for r in runs]
        undone = undone_runs(journal)
    headlines = [f.headline() for f in figures]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "run_id": r.run_id,
                        "kind": r.kind,
                        "state": r.state,
                        "created_at": r.created_at,
                        "updated_at": r.updated_at,
                        "links": r.links,
                        "undo_of": r.undo_of,
                        "plan": r.plan_path,
                        "summary": r.summary,
                        "figures": f.as_dict(),
                    }
                    for r, f in zip(runs, figures, strict=True)
                ],
                sort_keys=True,
            )
        )
        return EXIT_OK
    if not runs:
        print("No runs yet.")
    for r, headline in zip(runs, headlines, strict=True):
        print(f"{r.run_id}  {r.kind:<5} {r.state:<18} {r.created_at}  {r.links:,} links  {headline}")
        stop = reason_of(r)
        if stop is not None and r.run_id not in undone:  # how it stopped, and the command that goes on
            print(f"    {stop.why} Next: {stop.cli_next(r.run_id)}")
    return EXIT_OK
