"""``desktop-app gui --screenshots DIR`` walks every page on demo data and saves one PNG each."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from desktop_app.cli import main
from desktop_app.gui.pages import route_for
from desktop_app.gui.state import Journey, Source


@pytest.mark.slow
def test_the_walk_reaches_every_page_and_saves_real_images(qapp, tmp_path: Path, capsys) -> None:
    assert main(["gui", "--screenshots", str(tmp_path / "shots")]) == 0
    saved = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    expected = [f"{n:02d}-{key}.png" for n, key in enumerate(route_for(Journey.LINK, Source.SANDBOX), start=1)]
    assert set(expected) <= set(saved)
    assert any(name.endswith("b-column-mapping.png") for name in saved)
    for name in saved:
        image = QImage(str(tmp_path / "shots" / name))
        assert image.width() >= 600, name
        assert image.height() >= 400, name
    assert capsys.readouterr().out.count(".png") == len(saved)


def test_a_single_screenshot_of_the_first_page(qapp, tmp_path: Path) -> None:
    target = tmp_path / "first.png"
    assert main(["--screenshot", str(target)]) == 0
    assert QImage(str(target)).width() >= 600
