"""Page 1 — Welcome: the sandbox, one's own systems or files; what to do; or reopen a recent project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.counted import counted
from desktop_app.core.progress import CancelToken, ProgressCallback
from desktop_app.core.roles import Side
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.settings import app_settings
from desktop_app.gui.state import JOURNEY_TITLES, Journey, Source, WizardState

if TYPE_CHECKING:  # the first page imports no pandas: the workflow modules load after the window shows
    import pandas as pd

    from desktop_app.core.journal import RunInfo
    from desktop_app.workflow.projects import Project, ProjectListing

NEW_PROJECT = ""

JOURNEY_HINTS: dict[Journey, str] = {
    Journey.LINK: "Match each Salesforce account to its billing customer, review the matches, and save them.",
    Journey.MAPPING: "You already know which account goes with which customer: load that file and check it.",
    Journey.ADDRESSES: "Find addresses and country codes a billing system would refuse, and fix them.",
}


class WelcomePage(BasePage):
    """Choose the sandbox, one's own systems or files only, and one of the three starting paths
    (both remembered between runs)."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, TITLES["welcome"],
                         "Crosslink links every Salesforce account to exactly one billing customer.", parent)
        source_box = QGroupBox("Where does the data come from?", self)
        source_layout = QVBoxLayout(source_box)
        self.demo_button = QRadioButton(
            "&Try it with the sandbox — demo data in a Salesforce org and a billing system on this computer",
            source_box)
        self.demo_button.setAccessibleName("Try it with the sandbox")
        self.systems_button = QRadioButton(
            "&Connect my Salesforce org and billing system (log in with the browser; links are written "
            "after you review them)", source_box)
        self.systems_button.setAccessibleName("Connect my own systems")
        self.files_button = QRadioButton("Use &my own files only (exports from Salesforce and the billing system; "
                                         "nothing is written)", source_box)
        self.files_button.setAccessibleName("Use my own files")
        self.source_buttons: dict[Source, QRadioButton] = {
            Source.SANDBOX: self.demo_button, Source.SYSTEMS: self.systems_button, Source.FILES: self.files_button}
        for button in self.source_buttons.values():
            source_layout.addWidget(button)
        self.body.addWidget(source_box)

        journey_box = QGroupBox("What do you want to do?", self)
        journey_layout = QVBoxLayout(journey_box)
        self.journey_group = QButtonGroup(self)
        self.journey_buttons: dict[Journey, QRadioButton] = {}
        for number, journey in enumerate(Journey, start=1):
            button = QRadioButton(f"&{number}  {JOURNEY_TITLES[journey]}", journey_box)
            button.setAccessibleName(JOURNEY_TITLES[journey])
            hint = QLabel(JOURNEY_HINTS[journey], journey_box)
            hint.setWordWrap(True)
            hint.setIndent(26)
            journey_layout.addWidget(button)
            journey_layout.addWidget(hint)
            self.journey_group.addButton(button)
            self.journey_buttons[journey] = button
        self.body.addWidget(journey_box)
        project_box = QGroupBox("Project", self)
        project_layout = QVBoxLayout(project_box)
        self.recent = QComboBox(project_box)
        self.recent.setAccessibleName("Start a new project or reopen a recent one")
        self.recent.addItem("Start a new project", NEW_PROJECT)
        project_layout.addWidget(self.recent)
        self.project_note = QLabel("Crosslink keeps your choices, review calls and accepted fixes in the project, "
                                   "so you can close the app and go on later. Logins stay in the system keychain.",
                                   project_box)
        self.project_note.setWordWrap(True)
        project_layout.addWidget(self.project_note)
        self.body.addWidget(project_box)
        self.recent.currentIndexChanged.connect(self._project_chosen)
        self._projects: dict[str, Project] = {}
        self._loaded: tuple[Project, pd.DataFrame | None, pd.DataFrame | None] | None = None
        how = QLabel(
            "<b>How it goes:</b> connect (or load the exports) → preflight checks → Crosslink matches every "
            "account to a customer and says why → you decide the unsure ones → check addresses → a dry-run "
            "plan → the links are written into both systems, journaled, read back and undoable. With files only, "
            "you save the report and the reviewed links instead. Your files are only read, never changed; every "
            "long step shows its progress and can be cancelled. Help (F1) opens the log folder.", self)
        how.setWordWrap(True)
        self.body.addSpacing(8)
        self.body.addWidget(how)
        self.unfinished = QLabel(self)
        self.unfinished.setWordWrap(True)
        self.unfinished.setAccessibleName("Unfinished runs")
        self.body.addWidget(self.unfinished)
        self.resume_button = QPushButton(self)
        self.resume_button.clicked.connect(self.resume_newest)
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.resume_button)
        resume_row.addStretch(1)
        self.body.addLayout(resume_row)
        self.body.addStretch(1)
        self.unfinished.setVisible(False)
        self.resume_button.setVisible(False)
        self.runs: list[RunInfo] = []
        self._resume_choice: RunInfo | None = None

        settings = app_settings()
        try:  # the sandbox on a first run
            source = Source(str(settings.value("welcome/source", Source.SANDBOX.value)))
        except ValueError:
            source = Source.SANDBOX
        self.source_buttons[source].setChecked(True)
        try:
            journey = Journey(str(settings.value("welcome/journey", Journey.LINK.value)))
        except ValueError:
            journey = Journey.LINK
        self.journey_buttons[journey].setChecked(True)

    def initializePage(self) -> None:
        """Read the recent projects and unfinished runs (again after a restart: a run may have stopped since)."""
        self.run(_read_history, "reading recent projects and runs", self._show_history)

    def _show_history(self, history: tuple[ProjectListing, list[RunInfo]]) -> None:
        listing, runs = history
        self._projects = {p.project_id: p for p in listing.projects}
        self.recent.blockSignals(True)
        chosen = self.chosen_project()
        while self.recent.count() > 1:
            self.recent.removeItem(1)
        for project in listing.projects:
            self.recent.addItem(project.describe(), project.project_id)
        for broken in listing.unreadable:  # listed so the person knows it is there, but cannot be chosen
            self.recent.addItem(broken.describe(), "")
            item = self.recent.model().item(self.recent.count() - 1)  # type: ignore[attr-defined]
            item.setEnabled(False)
        self.recent.setCurrentIndex(max(0, self.recent.findData(chosen)) if chosen else 0)
        self.recent.blockSignals(False)
        self._show_unfinished(runs)

    def _project_chosen(self) -> None:
        project = self._projects.get(str(self.recent.currentData() or ""))
        self._loaded = None
        if project is None:
            return
        from desktop_app.workflow.projects import load_project

        self.run(lambda p, c: load_project(project.project_id), f"opening the project {project.name}",
                 self._project_loaded)
        try:
            self.source_buttons[Source(project.source)].setChecked(True)
            self.journey_buttons[Journey(project.journey)].setChecked(True)
        except (ValueError, KeyError):
            self.show_error(f"The project '{project.name}' was made by another version of Crosslink; its choices "
                            "could not all be restored.")

    def _project_loaded(self, loaded: tuple[Project, pd.DataFrame | None, pd.DataFrame | None]) -> None:
        self._loaded = loaded

    def isComplete(self) -> bool:
        return not self.working or not self.chosen_project()

    def chosen_project(self) -> str:
        """The id of the project to reopen ("" for a new one)."""
        return str(self.recent.currentData() or "")

    def _show_unfinished(self, runs: list[RunInfo]) -> None:
        """Name the newest run or undo that did not finish (closed app, crash, cancel, a system that
        stopped answering), say why, and offer to resume it."""
        from desktop_app.workflow.stop_reason import reason_of

        self.runs = runs
        if runs:
            info = runs[0]
            more = f" ({len(runs) - 1:,} more unfinished)" if len(runs) > 1 else ""
            stop = reason_of(info)
            why = f" {stop.why}" if stop is not None else ""
            if info.kind == "undo":
                self.unfinished.setText(
                    f"<b>An undo did not finish:</b> {info.run_id} of {info.created_at}, undoing run "
                    f"{info.undo_of}, {counted(info.links, 'link')}, {info.state.replace('_', ' ')}{more}.{why} "
                    "Resume it: Crosslink connects to the same systems, then shows the undo on the Done page to "
                    "finish it.")
                self.resume_button.setText(f"Resume &undo {info.run_id}…")
            else:
                retry = info.state == "done_with_failures"
                self.unfinished.setText(
                    f"<b>A run did not finish:</b> {info.run_id} of {info.created_at}, {counted(info.links, 'link')}, "
                    f"{info.state.replace('_', ' ')}{more}.{why} "
                    + ("Retry its failed writes" if retry else "Resume it exactly where it stopped")
                    + ": Crosslink connects to the same systems, then goes straight to writing.")
                self.resume_button.setText(f"Retry the &failed writes of {info.run_id}…" if retry
                                           else f"&Resume run {info.run_id}…")
            self.resume_button.setAccessibleName(self.resume_button.text().replace("&", "").removesuffix("…"))
        self.unfinished.setVisible(bool(runs))
        self.resume_button.setVisible(bool(runs))

    def resume_newest(self) -> None:
        """Go on to connect to the newest unfinished run's systems, then to Apply to resume (or retry) it,
        or, for an undo, to Done to resume it."""
        if not self.runs:
            return
        info = self.runs[0]
        url = info.settings.get("instance_url", "")
        local = "127.0.0.1" in url or "localhost" in url  # the run was made on Crosslink's sandboxes
        self.source_buttons[Source.SANDBOX if local else Source.SYSTEMS].setChecked(True)
        self.journey_buttons[Journey.LINK].setChecked(True)
        self._resume_choice = info
        wizard = self.wizard()
        if wizard is not None:
            wizard.next()
        self._resume_choice = None  # Next pressed later starts afresh

    def chosen_journey(self) -> Journey:
        """The starting path picked."""
        for journey, button in self.journey_buttons.items():
            if button.isChecked():
                return journey
        return Journey.LINK

    def chosen_source(self) -> Source:
        """Where the data comes from, as picked."""
        return next((source for source, button in self.source_buttons.items() if button.isChecked()),
                    Source.SANDBOX)

    def validatePage(self) -> bool:
        if not self._project_ready():
            return False  # still opening it (Next comes back once it is read), or it could not be read
        journey = self.chosen_journey()
        source = self.chosen_source()
        self.state.start_journey(journey, source)
        self.state.resume_chosen(self._resume_choice)
        self._open_project()
        settings = app_settings()
        settings.setValue("welcome/source", source.value)
        settings.setValue("welcome/journey", journey.value)
        return True

    def _project_ready(self) -> bool:
        chosen, current = self.chosen_project(), self.state.project
        if not chosen or (current is not None and current.project_id == chosen):
            return True
        return self._loaded is not None and self._loaded[0].project_id == chosen

    def _open_project(self) -> None:
        """Reopen the chosen (and read) project into the state, or start a new one when none is chosen."""
        from desktop_app.workflow.load_files import ColumnOverride
        from desktop_app.workflow.projects import new_project

        chosen = self.chosen_project()
        state = self.state
        if not chosen:
            # Back on Welcome within this session keeps the project; leaving a reopened one starts anew.
            if state.project is None or state.project.project_id in self._projects:
                state.project_started(new_project(f"{JOURNEY_TITLES[state.journey]} — {state.source.value}"))
            return
        if state.project is not None and state.project.project_id == chosen:
            return
        assert self._loaded is not None  # _project_ready said so
        project, calls, fixes = self._loaded
        files = {Side(k): Path(v) for k, v in project.paths.items() if Path(v).is_file()}
        overrides: dict[Side, list[ColumnOverride]] = {}
        for item in project.overrides:
            side = Side(item["side"]) if item.get("side") else None
            override = ColumnOverride(item["role"], item["header"], side)
            overrides.setdefault(side or Side.ACCOUNTS, []).append(override)
        state.project_reopened(project, calls=calls, fixes=fixes, files=files, overrides=overrides)


def _read_history(progress: ProgressCallback, cancel: CancelToken) -> tuple[ProjectListing, list[RunInfo]]:
    from desktop_app.workflow.projects import recent_projects
    from desktop_app.workflow.undo import runs_to_resume

    return recent_projects(), runs_to_resume()
