"""A project reopened in a later session brings back the files, the review calls and the accepted fixes."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.roles import Side
from desktop_app.gui.demo_files import write_demo_files
from desktop_app.gui.pages import PAGE_IDS
from desktop_app.gui.state import Journey, Source
from desktop_app.gui.wizard import CrosslinkWizard
from desktop_app.workflow.projects import projects_dir


def _wizard(qtbot) -> CrosslinkWizard:
    window = CrosslinkWizard(keychain="test")
    qtbot.addWidget(window)
    window.show()
    return window


def _next(wizard, key: str, wait_idle) -> None:
    wizard.next()
    assert wizard.currentId() == PAGE_IDS[key], wizard.currentPage().error_line.text()
    wait_idle(wizard.currentPage(), timeout=60_000)


def test_reopening_a_project_restores_its_files_calls_and_fixes(qtbot, wait_idle, tmp_path: Path) -> None:
    files = write_demo_files(tmp_path / "exports", 300)
    first = _wizard(qtbot)
    try:
        welcome = first.page_for("welcome")
        wait_idle(welcome)
        assert welcome.recent.count() == 1  # only "Start a new project"
        welcome.files_button.setChecked(True)
        welcome.journey_buttons[Journey.LINK].setChecked(True)
        _next(first, "load", wait_idle)
        load = first.page_for("load")
        load.slots[Side.ACCOUNTS].load(files.accounts)
        load.slots[Side.CUSTOMERS].load(files.customers)
        wait_idle(load)
        _next(first, "match", wait_idle)
        match = first.page_for("match")
        frame = match.model.frame
        matched = [int(p) for p in frame.index[frame["status"] == "matched"]][:3]  # the person rejects three
        selection = match.table.selectionModel()
        match.table.clearSelection()
        for position in matched:
            row = int(list(match.model.view_positions()).index(position))
            selection.select(match.model.index(row, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        match.reject_selected()
        calls = int((first.state.reviewed["reviewed"] != "").sum())
        assert calls == len(matched) == 3, match.error_line.text()
        _next(first, "quality", wait_idle)
        quality = first.page_for("quality")
        quality.accept_confident()
        fixes = len(quality.accepted())
        assert fixes > 0
        review_file = projects_dir() / first.state.project.project_id / "review.csv"
        qtbot.waitUntil(review_file.exists, timeout=10_000)
        project_file = review_file.with_name("project.json")
        qtbot.waitUntil(lambda: _saved_after(project_file, review_file), timeout=10_000)
        written_at = review_file.stat().st_mtime_ns
        saved_before = _identity(project_file)
        _next(first, "plan", wait_idle)
        # project.json is written last by every save: once it changed, this page change's save is done
        qtbot.waitUntil(lambda: _identity(project_file) != saved_before, timeout=10_000)
        assert review_file.stat().st_mtime_ns == written_at  # unchanged calls are not written again
    finally:
        first.shutdown()

    second = _wizard(qtbot)
    try:
        welcome = second.page_for("welcome")
        wait_idle(welcome)
        assert welcome.recent.count() == 2
        assert f"{calls:,} review calls" in welcome.recent.itemText(1)
        welcome.recent.setCurrentIndex(1)
        wait_idle(welcome)
        assert welcome.chosen_source() is Source.FILES
        assert welcome.chosen_journey() is Journey.LINK
        _next(second, "load", wait_idle)
        assert second.state.paths == {Side.ACCOUNTS: files.accounts, Side.CUSTOMERS: files.customers}
        wait_idle(second.page_for("load"))
        _next(second, "match", wait_idle)
        assert int((second.state.reviewed["reviewed"] != "").sum()) == calls
        assert f"{calls:,} of your review calls were restored" in second.page_for("match").summary.text()
        _next(second, "quality", wait_idle)
        assert len(second.page_for("quality").accepted()) == fixes
    finally:
        second.shutdown()


def test_an_unreadable_project_is_listed_on_welcome_but_cannot_be_chosen(qtbot, wait_idle) -> None:
    from desktop_app.workflow.projects import new_project, save_project

    broken = new_project("Broken onboarding")
    (save_project(broken) / "project.json").write_text("[]", encoding="utf-8")
    wizard = _wizard(qtbot)
    try:
        welcome = wizard.page_for("welcome")
        wait_idle(welcome)
        assert welcome.recent.count() == 2
        assert welcome.recent.itemText(1) == (f"{broken.project_id} · cannot be read: "
                                              "it does not hold a project's settings")
        assert not welcome.recent.model().item(1).isEnabled()
    finally:
        wizard.shutdown()


def _saved_after(project_file: Path, review_file: Path) -> bool:
    """The save that wrote the review calls has finished (it writes project.json after them)."""
    return project_file.exists() and project_file.stat().st_mtime_ns >= review_file.stat().st_mtime_ns


def _identity(path: Path) -> tuple[int, int]:
    """Changes with every save: project.json is replaced atomically (a new file each time)."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns
