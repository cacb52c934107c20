"""GUI test fixtures: every background task is finished before a test ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.gui.tasks import cancel_and_wait_all


@pytest.fixture(autouse=True)
def _finish_background_tasks(qapp) -> Iterator[None]:
    """Cancel and join any task a test left, then let queued signals land before the widgets go."""
    yield
    assert cancel_and_wait_all(10.0), "a background task did not stop within 10 s of being cancelled"
    qapp.processEvents()


@pytest.fixture(autouse=True)
def _no_unanswered_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question no test answers fails at once (offscreen, a real message box would wait forever).

    Tests that press Write, Undo, Resume or accept-all patch ``dialogs.confirm`` / ``confirm_action``
    with their answer; this default only names the question that nobody answered."""
    from desktop_app.gui import dialogs

    def unanswered(parent: object, title: str, message: str, *rest: object) -> bool:
        raise AssertionError(f"the app asked '{title}' and the test did not answer: {message[:200]}")

    monkeypatch.setattr(dialogs, "confirm", unanswered)
    monkeypatch.setattr(dialogs, "confirm_action", unanswered)


@pytest.fixture(autouse=True)
def _log_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Log files of a test go to a fresh folder."""
    monkeypatch.setenv("CROSSLINK_LOG_DIR", str(tmp_path_factory.mktemp("logs")))


@pytest.fixture
def wizard(qtbot):
    """A wizard on a fresh state, closed (and its work stopped) after the test."""
    from desktop_app.gui.wizard import CrosslinkWizard

    window = CrosslinkWizard(keychain="keyring.backends.SecretService.Keyring")
    window.show()
    yield window
    window.shutdown()  # first: closing a wizard whose work still runs would ask the person
    window.close()
    window.deleteLater()


@pytest.fixture
def through_org_pages(qtbot, wait_idle):
    """``through_org_pages(wizard)``: from the demo's Connect page, connect both systems, keep the
    suggested link field, pass preflight, go on."""

    def go(wizard) -> None:
        from desktop_app.gui.pages import ORG_PAGES

        assert wizard.currentPage() is wizard.page_for(ORG_PAGES[0])
        for key in ORG_PAGES:
            page = wizard.page_for(key)
            assert wizard.currentPage() is page, key
            wait_idle(page, timeout=60_000)
            if key == "preflight":
                page.accept_warnings.setChecked(True)
            assert page.isComplete(), (key, page.error_line.text())
            wizard.next()

    return go


@pytest.fixture
def wait_idle(qtbot):
    """``wait_idle(page)``: wait until the page has no background work left and its results landed."""

    def wait(page, timeout: int = 30_000) -> None:
        qtbot.wait(50)
        qtbot.waitUntil(lambda: not page.working, timeout=timeout)
        qtbot.wait(20)

    return wait
