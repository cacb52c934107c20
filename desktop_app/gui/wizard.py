"""The Crosslink wizard: pages in order, titles that say where you are, Help, and remembered geometry."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, QTimer, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices, QIcon, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QMenu, QWidget, QWizard

from desktop_app import __version__
from desktop_app.core.app_folders import log_dir
from desktop_app.core.progress import CancelToken, ProgressCallback
from desktop_app.gui import dialogs
from desktop_app.gui.gates import leaving_question, leaving_reasons
from desktop_app.gui.pages import PAGE_IDS, PAGE_MODULES, PAGES, RESUME_ROUTE, RESUME_UNDO_ROUTE, TITLES, route_for
from desktop_app.gui.pages.base import BasePage
from desktop_app.gui.settings import app_settings
from desktop_app.gui.state import WizardState
from desktop_app.gui.steps_panel import StepsPanel
from desktop_app.gui.tasks import cancel_and_wait_all, run_in_background

log = logging.getLogger(__name__)
DEFAULT_SIZE = (1320, 960)  # width, height of the first window (then the size the person left it at)
ICON_PATH = Path(__file__).resolve().parents[1] / "resources" / "crosslink.svg"  # package data


def app_icon() -> QIcon:
    """Crosslink's icon (empty when the package's resources folder was not shipped)."""
    return QIcon(str(ICON_PATH)) if ICON_PATH.is_file() else QIcon()


def _import_page_modules(progress: ProgressCallback, cancel: CancelToken) -> None:
    for name in PAGE_MODULES:
        importlib.import_module(name)


def default_size(available: QSize) -> tuple[int, int]:
    """A first window big enough for the steps panel and about 20 review rows, within the screen."""
    return min(DEFAULT_SIZE[0], int(available.width() * 0.95)), min(DEFAULT_SIZE[1], int(available.height() * 0.95))


class CrosslinkWizard(QWizard):
    """The onboarding wizard over ``WizardState``; ``page_for(key)`` reaches a page by its key."""

    def __init__(self, keychain: str, state: WizardState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keychain = keychain
        self.state = state or WizardState()
        self.setObjectName("crosslinkWizard")
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.HaveHelpButton, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.HelpButton, "&Help")
        self.pages: dict[str, BasePage] = {}
        self._shut_down = False
        self._add_page("welcome")  # the later pages are built after the window shows (see showEvent)
        self._later_pages_started = False
        self.help_menu = QMenu(self)
        self.help_menu.addAction("Open the &log folder", self.open_log_folder)
        self.help_menu.addAction("&About Crosslink", self.show_about)
        self.helpRequested.connect(self._show_help_menu)
        help_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), self)
        help_shortcut.activated.connect(self._show_help_menu)
        self.steps_panel = StepsPanel(self)
        self.setSideWidget(self.steps_panel)
        self.currentIdChanged.connect(self._update_title)
        self.currentIdChanged.connect(lambda _id: self._update_steps())
        self.currentIdChanged.connect(lambda _id: self._save_project())
        self._restore_geometry()
        self._update_title()
        self._update_steps()

    def page_for(self, key: str) -> BasePage:
        """The page registered under ``key`` in ``PAGES`` (built now if it was not yet)."""
        if key not in self.pages:
            self.ensure_pages()
        return self.pages[key]

    def _add_page(self, key: str) -> None:
        page = dict(PAGES)[key](self.state, self)
        page.setObjectName(f"{key}Page")
        self.setPage(PAGE_IDS[key], page)
        self.pages[key] = page

    def ensure_pages(self) -> None:
        """Build every page not built yet (before leaving Welcome; at once when something asks for one)."""
        missing = [key for key, _ in PAGES if key not in self.pages]
        for key in missing:
            self._add_page(key)
        if missing:
            self._update_steps()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._later_pages_started:
            self._later_pages_started = True
            # Import the later pages' modules (pandas, the API clients) off the UI thread once the window
            # is up, then build the pages on it; Next before that builds them at once.
            QTimer.singleShot(0, lambda: run_in_background(
                _import_page_modules, "loading the later pages", on_success=lambda _: self.ensure_pages(),
                parent=self))

    def validateCurrentPage(self) -> bool:
        self.ensure_pages()
        return bool(super().validateCurrentPage())

    def route(self) -> tuple[str, ...]:
        """The pages of the flow the person is on, in order."""
        resuming = self.state.resume_run
        if resuming is not None:
            return RESUME_UNDO_ROUTE if resuming.kind == "undo" else RESUME_ROUTE
        return route_for(self.state.journey, self.state.source)

    def current_key(self) -> str | None:
        """The key of the page showing now (None before the first)."""
        return next((key for key, page_id in PAGE_IDS.items() if page_id == self.currentId()), None)

    def _update_steps(self) -> None:
        titles = {key: self.pages[key].step_title() if key in self.pages else TITLES[key] for key, _ in PAGES}
        self.steps_panel.show_steps(self.route(), titles, self.current_key() or "welcome")

    def nextId(self) -> int:
        route = self.route()
        current = self.current_key()
        if current not in route:
            return super().nextId()
        position = route.index(current)
        return PAGE_IDS[route[position + 1]] if position + 1 < len(route) else -1

    def open_log_folder(self) -> None:
        """Show the folder with the log files in the file manager."""
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            dialogs.show_info(self, "Log folder — Crosslink", f"The log files are in <b>{folder}</b>.")

    def about_text(self) -> str:
        """What the About box says: version, where secrets are kept, where the logs are."""
        return (f"<h3>Crosslink {__version__}</h3><p>Links every Salesforce account to exactly one billing "
                f"customer, on both sides.</p><p>Secrets are kept in the system keychain "
                f"(<code>{self.keychain}</code>), never in files.</p><p>Log files: <code>{log_dir()}</code></p>")

    def show_about(self) -> None:
        """The About box."""
        dialogs.show_about(self, "About Crosslink", self.about_text())

    def _show_help_menu(self) -> None:
        button = self.button(QWizard.WizardButton.HelpButton)
        self.help_menu.popup(button.mapToGlobal(button.rect().bottomLeft()))

    def _update_title(self) -> None:
        page = self.currentPage()
        where = page.title() if page is not None else ""
        mode = " (demo)" if self.state.demo and self.currentId() > 0 else ""
        self.setWindowTitle(f"{where}{mode} — Crosslink" if where else "Crosslink")

    def _restore_geometry(self) -> None:
        geometry = app_settings().value("wizard/geometry")
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(QByteArray(geometry)):
            return
        self.resize(*default_size(self.screen().availableGeometry().size()))

    def leaving_reasons(self) -> list[str]:
        """What quitting now would stop or lose ([] when nothing)."""
        return leaving_reasons(self.pages.values(), self.state)

    def reject(self) -> None:
        """Cancel, Escape and the window's close button: ask first while work runs or results are unsaved."""
        reasons = [] if self._shut_down else self.leaving_reasons()
        if reasons and not dialogs.confirm(self, "Quit Crosslink?", leaving_question(reasons), "&Quit"):
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)  # a dialog's close goes through reject(), which asks (after shutdown() it does not)
        if event.isAccepted():
            self.shutdown()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)

    def shutdown(self) -> None:
        """Remember the geometry, stop background work and close connections (safe to call twice)."""
        self.save_settings()
        if not self._shut_down:
            self._save_project()  # finished by the wait below (a save is not cancellable)
        self._shut_down = True
        cancel_and_wait_all(5.0)
        self.state.close()

    def _save_project(self) -> None:
        if self.state.project is None:
            return  # nothing to keep yet (still on Welcome): no need to load the project modules
        from desktop_app.gui.project_saver import save_in_background

        save_in_background(self.state, self)

    def save_settings(self) -> None:
        """Remember the window's size and place."""
        settings = app_settings()
        settings.setValue("wizard/geometry", self.saveGeometry())
        settings.sync()
