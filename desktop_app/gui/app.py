"""Start the desktop app: the QApplication, logging, the wizard, and the screenshot modes."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop_app import __version__
from desktop_app.gui.logging_setup import close_logging, setup_logging
from desktop_app.gui.wizard import CrosslinkWizard, app_icon

log = logging.getLogger(__name__)


def application() -> QApplication:
    """The one QApplication, created with Crosslink's names and icon if it does not exist yet."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1] or ["crosslink"])
    app.setApplicationName("Crosslink")
    app.setOrganizationName("Crosslink")
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("Crosslink")
    app.setWindowIcon(app_icon())
    return app


def run_gui(*, screenshot: Path | None = None, screenshots: Path | None = None, quit_when_shown: bool = False) -> int:
    """Open the wizard and run until it closes; returns the exit code.

    ``screenshot``: save a PNG of the first page and quit. ``screenshots``: walk every page on demo
    data, save one PNG per page into that folder, and quit (1 when a page could not be reached).
    ``quit_when_shown``: print "shown" once the Welcome page is painted and answers input, then quit."""
    from desktop_app.secrets import keychain_backend_name

    app = application()
    log_file = setup_logging()
    log.info("Crosslink %s starting; log file %s", __version__, log_file)
    wizard = CrosslinkWizard(keychain=keychain_backend_name())
    wizard.show()
    # What exists now (modules, Qt wrappers, the wizard) lives as long as the app; a full collection
    # walking those ~110,000 objects paused every thread, the UI's included, for 60-90 ms.
    gc.freeze()
    try:
        if screenshots is not None:
            from desktop_app.gui.screenshots import walk_and_capture

            app.processEvents()
            saved, problem = walk_and_capture(wizard, screenshots)
            for path in saved:
                print(path)
            if problem:
                print(problem, file=sys.stderr)
            wizard.shutdown()  # nobody to ask: the walk is over
            wizard.close()
            return 1 if problem else 0
        if quit_when_shown:
            app.processEvents()  # the first paint
            print("shown", flush=True)
            wizard.shutdown()
            wizard.close()
            return 0
        if screenshot is not None:
            target = screenshot

            def grab() -> None:
                app.exit(0 if wizard.grab().save(str(target)) else 1)

            QTimer.singleShot(300, grab)
        return int(app.exec())
    finally:
        gc.unfreeze()  # the window is gone (and a test process goes on)
        close_logging()
