"""Background tasks deliver result, error, cancellation and progress on the UI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from desktop_app.core.progress import CancelToken, Progress, ProgressCallback
from desktop_app.core.tables import TableError
from desktop_app.gui.tasks import BackgroundTask, ProgressPanel, TaskFailure, run_in_background


def _on_ui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def test_result_arrives_on_the_ui_thread_from_a_worker_thread(qtbot) -> None:
    seen: dict[str, object] = {}

    def work(progress: ProgressCallback, cancel: CancelToken) -> str:
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        progress(Progress(1, 1, "done"))
        return "forty-two"

    def success(value: object) -> None:
        seen["value"] = value
        seen["ui"] = _on_ui_thread()

    task = run_in_background(work, "counting", on_success=success)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert seen == {"worker": True, "value": "forty-two", "ui": True}
    assert not task.running
    assert task.wait(1)


def test_user_error_arrives_as_its_own_sentence(qtbot) -> None:
    def work(progress: ProgressCallback, cancel: CancelToken) -> None:
        raise TableError("accounts.csv row 7 has 3 cells where the header has 12. Fix the row")

    failures: list[TaskFailure] = []
    task = run_in_background(work, "reading accounts.csv", on_failure=failures.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert [f.message for f in failures] == [
        "accounts.csv row 7 has 3 cells where the header has 12. Fix the row."
    ]
    assert not failures[0].unexpected


@pytest.mark.parametrize("error", [KeyError("secret-internal-detail"),
                                   ValueError("secret-internal-detail: assignment destination is read-only")])
def test_bug_becomes_a_sentence_pointing_at_the_log(qtbot, caplog, error: Exception) -> None:
    def work(progress: ProgressCallback, cancel: CancelToken) -> None:
        raise error

    failures: list[TaskFailure] = []
    task = run_in_background(work, "matching", on_failure=failures.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    message = failures[0].message
    assert message.startswith(f"Something went wrong while matching ({type(error).__name__}).")
    assert "log" in message
    assert "secret-internal-detail" not in message
    assert failures[0].unexpected
    assert any("secret-internal-detail" in (r.exc_text or "") for r in caplog.records)


def test_file_errors_name_the_file(qtbot, tmp_path) -> None:
    missing = tmp_path / "gone" / "out.csv"
    failures: list[TaskFailure] = []
    task = run_in_background(lambda p, c: missing.open("w"), "saving out.csv", on_failure=failures.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert str(missing) in failures[0].message
    assert "No such file or directory" in failures[0].message
    assert not failures[0].unexpected


def test_cancel_stops_the_work_at_its_next_checkpoint(qtbot) -> None:
    started = threading.Event()

    def work(progress: ProgressCallback, cancel: CancelToken) -> int:
        started.set()
        for step in range(10_000):
            if cancel.wait(0.01):
                break
            progress(Progress(step, 10_000, "waiting"))
        cancel.raise_if_cancelled()
        return -1

    outcomes: list[str] = []
    task = BackgroundTask(work, "waiting")
    task.succeeded.connect(lambda _: outcomes.append("succeeded"))
    task.was_cancelled.connect(lambda: outcomes.append("cancelled"))
    task.start()
    assert started.wait(5)
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.cancel()
    assert outcomes == ["cancelled"]
    assert task.wait(1)


def test_progress_panel_follows_and_cancels(qtbot) -> None:
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.show()
    release = threading.Event()

    def work(progress: ProgressCallback, cancel: CancelToken) -> None:
        progress(Progress(3, 10, "Reading rows"))
        release.wait(5)
        cancel.raise_if_cancelled()

    task = run_in_background(work, "reading the file", panel=panel)
    assert panel.isVisible()
    qtbot.waitUntil(lambda: panel.bar.maximum() == 10, timeout=5000)
    assert panel.bar.value() == 3
    assert panel.message.text() == "Reading rows"
    with qtbot.waitSignal(task.was_cancelled, timeout=5000):
        panel.cancel_button.click()
        release.set()
    assert not panel.isVisible()


def test_a_task_runs_only_once(qtbot) -> None:
    task = BackgroundTask(lambda p, c: None, "nothing")
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.start()
    with pytest.raises(RuntimeError, match="only once"):
        task.start()
