"""Keep the open project up to date: the wizard's choices are copied into it on the UI thread (cheap),
then written in the background (the review calls can be many)."""

from __future__ import annotations

import copy
import logging

import pandas as pd
from PySide6.QtWidgets import QWizard

from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.state import WizardState
from desktop_app.gui.tasks import TaskFailure, run_in_background
from desktop_app.workflow.projects import save_project
from desktop_app.workflow.review import review_calls

log = logging.getLogger(__name__)


def remember_choices(state: WizardState) -> None:
    """Copy what the person chose so far into ``state.project`` (nothing is written here)."""
    project = state.project
    if project is None:
        return
    project.source, project.journey = state.source.value, state.journey.value
    project.paths = {side.value: str(path) for side, path in state.paths.items()} if not state.connects else {}
    project.overrides = [{"role": o.role, "header": o.header, "side": o.side.value if o.side else ""}
                         for o in state.all_overrides()] if not state.connects else []
    project.link_field, project.policy = state.link_field, state.policy
    if state.billing is not None:
        project.billing = state.billing.choice.settings()
    if state.salesforce is not None and state.salesforce.profile:
        project.salesforce_connection = state.salesforce.profile
    if state.run_report is not None:
        project.last_run = state.run_report.run_id


# The review calls and accepted fixes last written per project: a page change that did not change
# them does not write them again (with "accept all" they can be many rows).
_written: dict[str, tuple[pd.DataFrame | None, pd.DataFrame | None]] = {}


def save_in_background(state: WizardState, parent: QWizard) -> None:
    """Write the project with the current review calls and accepted fixes, those only when they
    changed. A failure is logged and said on the current page: the onboarding goes on."""
    project = state.project
    if project is None:
        return
    remember_choices(state)
    calls = review_calls(state.reviewed) if state.reviewed is not None else None
    fixes = state.accepted_fixes.copy() if state.accepted_fixes is not None else None
    if calls is not None:
        project.reviewed_calls = len(calls)
    if fixes is not None:
        project.accepted_fixes = len(fixes)
    snapshot = copy.deepcopy(project)  # the UI goes on changing the original
    last_calls, last_fixes = _written.get(project.project_id, (None, None))
    _written[project.project_id] = (calls, fixes)
    calls = None if _same(calls, last_calls) else calls
    fixes = None if _same(fixes, last_fixes) else fixes

    def failed(failure: TaskFailure) -> None:
        _written.pop(project.project_id, None)  # write everything next time
        log.warning("The project %s could not be saved: %s", project.project_id, failure)
        page = parent.currentPage()
        if isinstance(page, BasePage) and not page.error_line.isVisible():
            page.show_error(f"The project could not be saved: {failure.message} Your work goes on; reopening "
                            "the project later would miss what changed since.")

    run_in_background(lambda p, c: save_project(snapshot, reviewed=calls, fixes=fixes), "saving the project",
                      on_failure=failed, parent=parent)


def _same(now: pd.DataFrame | None, before: pd.DataFrame | None) -> bool:
    return now is not None and before is not None and now.equals(before)
