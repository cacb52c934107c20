"""Render desktop_app/resources/crosslink.svg into the icon files installers need.

Writes ``crosslink.png`` (256 px, Linux/docs), ``crosslink.ico`` (Windows, via Qt's ico writer) and
``crosslink.iconset/`` (the PNG sizes macOS's ``iconutil -c icns`` turns into ``crosslink.icns``;
Qt's own ICNS writer produces files its reader flags as corrupt, so Apple's tool does that step).
Run with the project's Python before PyInstaller: ``python installers/make_icons.py OUT_DIR``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SVG = Path(__file__).resolve().parents[1] / "desktop_app" / "resources" / "crosslink.svg"
FLAT_ICONS = {"crosslink.png": 256, "crosslink.ico": 256}
ICONSET_POINTS = (16, 32, 128, 256, 512)  # each also at @2x, as iconutil expects


def iconset_files() -> dict[str, int]:
    """File name -> pixel size of every PNG in a macOS .iconset."""
    files = {}
    for points in ICONSET_POINTS:
        files[f"icon_{points}x{points}.png"] = points
        files[f"icon_{points}x{points}@2x.png"] = points * 2
    return files


def render_icons(out_dir: Path, svg: Path = SVG) -> list[Path]:
    """Write the flat icons and the iconset into ``out_dir``; raises RuntimeError naming a file Qt
    cannot write."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise RuntimeError(f"{svg} is not a valid SVG image")
    iconset = out_dir / "crosslink.iconset"
    iconset.mkdir(parents=True, exist_ok=True)
    targets = {out_dir / name: size for name, size in FLAT_ICONS.items()}
    targets |= {iconset / name: size for name, size in iconset_files().items()}
    for target, size in targets.items():
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        if not image.save(str(target)):
            raise RuntimeError(f"Qt could not write {target} (image-format plugin missing?)")
    return list(targets)


if __name__ == "__main__":
    for path in render_icons(Path(sys.argv[1] if len(sys.argv) > 1 else "build/icons")):
        print(path)
