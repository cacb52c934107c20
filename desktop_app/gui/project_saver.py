"""Keep the open project up to date: the wizard's choices are copied into it on the UI thread (cheap),
then written in the background (the review calls can be many)."""

from __future__ import annotations

import copy
import logging

from PySide6.QtCore import QObject

from desktop_app.gui.state import WizardState
from desktop_app.gui.tasks import run_in_background
from desktop_app.workflow.projects import review_calls, save_project

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


def save_in_background(state: WizardState, parent: QObject) -> None:
    """Write the project with the current review calls and accepted fixes (a failure is only logged:
    the onboarding goes on, the project is just not up to date)."""
    project = state.project
    if project is None:
        return
    remember_choices(state)
    snapshot = copy.deepcopy(project)  # the UI goes on changing the original
    calls = review_calls(state.reviewed) if state.reviewed is not None else None
    fixes = state.accepted_fixes.copy() if state.accepted_fixes is not None else None

    def failed(failure: object) -> None:
        log.warning("The project %s could not be saved: %s", project.project_id, failure)

    run_in_background(lambda p, c: save_project(snapshot, reviewed=calls, fixes=fixes), "saving the project",
                      on_failure=failed, parent=parent)
