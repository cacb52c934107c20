"""Background work for the wizard: run ``fn(progress, cancel)`` off the UI thread, hear about it by signal.

One line from a page::

    run_in_background(lambda p, c: load_input(path, side, progress=p, cancel=c), "reading the file",
                      on_success=self.show_loaded, panel=self.progress_panel, parent=self)

The work runs on a Python worker thread (visible to the test suite's leaked-thread check and joinable)
and never touches a widget: its progress, result, error and cancellation travel as queued Qt signals
to a ``BackgroundTask`` living on the UI thread. Progress reports are thinned to a few per second so a
chatty step cannot flood the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.progress import Cancelled, CancelToken, Progress, ProgressCallback

log = logging.getLogger(__name__)

Work = Callable[[ProgressCallback, CancelToken], Any]
PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress signals a second reach the UI

_running: set[BackgroundTask] = set()


class TaskFailure:
    """Why background work failed: a sentence for the user and whether it was a bug (logged)."""

    def __init__(self, message: str, *, unexpected: bool) -> None:
        self.message = message
        self.unexpected = unexpected

    def __str__(self) -> str:
        return self.message


def failure_for(error: BaseException, what: str) -> TaskFailure:
    """The sentence to show for ``error`` raised while doing ``what`` (e.g. "reading the file").

    Errors a user can cause keep their own message: our own ``ValueError`` subclasses (``TableError``,
    ``ReviewError``…), whose text is a sentence with the fix, and file-system errors. Anything else
    is a bug, described with the way to reach the details in the log file."""
    if isinstance(error, ValueError) and type(error).__module__.startswith("desktop_app.") and str(error):
        text = str(error)
        return TaskFailure(text if text.endswith((".", "!", "?")) else text + ".", unexpected=False)
    if isinstance(error, OSError) and error.strerror:
        where = f" {error.filename}" if error.filename else ""
        return TaskFailure(f"Crosslink could not use{where}: {error.strerror}. Check that it exists, that you may "
                           "read or write it, and that no other program holds it open; then try again.",
                           unexpected=False)
    return TaskFailure(
        f"Something went wrong while {what} ({type(error).__name__}). Try again; if it happens again, "
        "the details are in the log file (Help → Open log folder).",
        unexpected=True,
    )


class BackgroundTask(QObject):
    """One piece of background work. Signals arrive on the UI thread; exactly one of ``succeeded``,
    ``failed`` or ``was_cancelled`` is emitted, then ``finished``."""

    progressed = Signal(object)  # Progress
    succeeded = Signal(object)  # the callable's return value
    failed = Signal(object)  # TaskFailure
    was_cancelled = Signal()
    finished = Signal()
    _relay_progress = Signal(object)
    _relay_outcome = Signal(str, object)

    def __init__(self, fn: Work, what: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn: Work | None = fn
        self.what = what
        self.token = CancelToken()
        self._thread: threading.Thread | None = None
        self._finished = False
        # Emitted on the worker thread, delivered queued to these slots on the UI thread.
        self._relay_progress.connect(self.progressed)
        self._relay_outcome.connect(self._deliver)

    @property
    def running(self) -> bool:
        """True from ``start`` until the outcome has been delivered on the UI thread."""
        return self._thread is not None and not self._finished

    def start(self) -> BackgroundTask:
        """Start the work on a worker thread; returns self so calls chain."""
        if self._thread is not None:
            raise RuntimeError("A background task runs only once; create a new one.")
        _running.add(self)
        self._thread = threading.Thread(target=self._work, name=f"crosslink-task: {self.what}", daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop at its next checkpoint; ``was_cancelled`` follows when it has."""
        self.token.cancel()

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until the worker thread has ended (for shutdown and tests); True when it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(self) -> None:
        last = 0.0

        def report(progress: Progress) -> None:
            nonlocal last
            self.token.raise_if_cancelled()
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL_S or progress.done >= progress.total > 0:
                last = now
                self._emit(self._relay_progress, progress)

        # Let go of the work once it ran: a snapshot it holds would keep pandas copying the columns of
        # the frame it was taken from on every later write (copy-on-write).
        work, self._fn = self._fn, None
        assert work is not None  # a task runs once (``start``)
        try:
            result = work(report, self.token)
            self.token.raise_if_cancelled()
        except Cancelled:
            self._emit(self._relay_outcome, "cancelled", None)
        except Exception as error:
            failure = failure_for(error, self.what)
            if failure.unexpected:
                log.exception("Background task failed while %s", self.what)
            else:
                log.info("Background task stopped while %s: %s", self.what, failure.message)
            self._emit(self._relay_outcome, "failed", failure)
        else:
            self._emit(self._relay_outcome, "succeeded", result)

    def _emit(self, signal: Any, *args: object) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the page that started the work was closed meanwhile; nobody listens
            log.debug("Result of %s dropped: its window is gone", self.what)
            _running.discard(self)

    @Slot(str, object)
    def _deliver(self, outcome: str, payload: object) -> None:
        self._finished = True
        _running.discard(self)
        if outcome == "succeeded":
            self.succeeded.emit(payload)
        elif outcome == "failed":
            self.failed.emit(payload)
        else:
            self.was_cancelled.emit()
        self.finished.emit()


def run_in_background(
    fn: Work,
    what: str,
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[TaskFailure], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    panel: ProgressPanel | None = None,
    parent: QObject | None = None,
) -> BackgroundTask:
    """Start ``fn(progress, cancel)`` on a worker and wire the callbacks (run on the UI thread).

    ``what`` names the work in the words of a sentence ("reading accounts.csv"); ``panel`` shows
    the progress and offers Cancel while it runs. Returns the started task."""
    task = BackgroundTask(fn, what, parent)
    if on_success is not None:
        task.succeeded.connect(on_success)
    if on_failure is not None:
        task.failed.connect(on_failure)
    if on_cancelled is not None:
        task.was_cancelled.connect(on_cancelled)
    if on_progress is not None:
        task.progressed.connect(on_progress)
    if panel is not None:
        panel.follow(task)
    return task.start()


def cancel_and_wait_all(timeout: float = 10.0) -> bool:
    """Cancel every running task and wait for its thread (app shutdown, test teardown)."""
    tasks = list(_running)
    for task in tasks:
        task.cancel()
    return all(task.wait(timeout) for task in tasks)


class ProgressPanel(QWidget):
    """A progress bar, what is happening, and Cancel; hidden while nothing runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName("Progress")
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("&Cancel", self)
        self.cancel_button.setAccessibleName("Cancel the running step")
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self._task: BackgroundTask | None = None
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def follow(self, task: BackgroundTask) -> None:
        """Show ``task``'s progress until it ends; Cancel asks it to stop."""
        self._task = task
        self.message.setText(task.what[:1].upper() + task.what[1:] + "…")
        self.bar.setRange(0, 0)  # busy until the first report says how much there is
        self.cancel_button.setEnabled(True)
        task.progressed.connect(self.show_progress)
        task.finished.connect(self._ended)
        self.show()

    @Slot(object)
    def show_progress(self, progress: Progress) -> None:
        """Show one progress report."""
        if progress.total > 0:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
        else:
            self.bar.setRange(0, 0)
        if progress.message:
            self.message.setText(progress.message)

    def _cancel(self) -> None:
        if self._task is not None:
            self.message.setText("Stopping…")
            self.cancel_button.setEnabled(False)
            self._task.cancel()

    def _ended(self) -> None:
        self._task = None
        self.hide()
